// Boots the built entrypoint in a fake AWS task with a tiny command that prints the peer variables it got.
import * as assert from "uvu/assert";
import { taskIps, type FakeTask } from "../fake-aws/server.ts";
import type { AwsTask } from "./aws-task.ts";
import { ENTRYPOINT, runProgram } from "./run.ts";

const PRINT = ["sh", "-c", 'printf "%s\\n%s\\n%s\\n%s\\n" "$ECS_PEER_IPS" "$ECS_PEER_NODES" "$ECS_PEER_LOOKUP" "$ECS_PEER_LIST"; exit "${1:-0}"', "sh"];

export async function bootWithPeers(t: AwsTask, args: string[], env: Record<string, string> = {}, exit = "0", program = ENTRYPOINT) {
  const r = await runProgram(program, ["--app", "shop", "--sha", "s1", ...args, ...PRINT, exit], { env: { ...t.env, ...env } });
  for (const secret of t.secrets) assert.not.ok(r.stderr.includes(secret), "a credential reached the log");
  const [ips = "", nodes = "", lookup = "", list = ""] = r.stdout.split("\n");
  return { ...r, ips: ips ? ips.split(",") : [], nodes: nodes ? nodes.split(",") : [], lookup, list };
}

export const ipsOf = (tasks: FakeTask[], v6 = false) => tasks.map((t) => taskIps(t).find((ip) => ip.includes(":") === v6)!);
export const sorted = (ips: string[]) => [...ips].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));

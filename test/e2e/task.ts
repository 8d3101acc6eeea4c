// One simulated ECS task inside a network namespace: its own epmd, and the release started through
// bin/entrypoint as PID 1 of a fresh PID namespace (a container's PID 1 is what ECS sends SIGTERM
// to). The fake metadata endpoint runs outside the task, as ECS's does.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Task } from "./netns.ts";
import { childrenOf, runToEnd, startProc, waitForOutput, waitUntil, type Proc } from "./procs.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
export const RELEASE = join(HERE, "app", "_build", "prod", "rel", "shop");
export const SHA = "e2e1";
export const COOKIE = "e2e-cookie-not-secret";

export const nodeOf = (address: string) => `shop-${SHA}@${address}`;

/** Node 24 first on PATH: bin/entrypoint is `#!/usr/bin/env node`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", ...extra };
}

let built: Promise<void> | undefined;

/** Builds the release around ./entrypoint once per run (about 3 s); like the other tests, needs `npm run build` first. */
export function buildRelease(): Promise<void> {
  built ??= (async () => {
    if (!existsSync(join(ROOT, "entrypoint"))) throw new Error("./entrypoint is missing: run npm run build first");
    execFileSync(join(HERE, "build-release.sh"), { env: cleanEnv(), stdio: ["ignore", "ignore", "inherit"] });
  })();
  return built;
}

const inNs = (ns: string, label: string, args: string[], env: NodeJS.ProcessEnv) => startProc(`${label} ${ns}`, "ip", ["netns", "exec", ns, ...args], env);

/** epmd in the foreground: `ip netns exec` execs it, so the PID we hold is epmd's own. */
export async function startEpmd(task: Task): Promise<Proc> {
  const epmd = inNs(task.ns, "epmd", ["epmd"], cleanEnv());
  const probe = () => runToEnd("epmd -names", "ip", ["netns", "exec", task.ns, "epmd", "-names"], cleanEnv(), 3000);
  await waitUntil(`epmd in ${task.ns}`, 5000, async () => ((await probe()).code === 0 ? true : undefined), 100);
  return epmd;
}

/** The product's own fake metadata endpoint (`entrypoint fake-metadata ...options`) in namespace `ns`. */
export async function startFakeMetadata(ns: string, options: string[]): Promise<{ proc: Proc; uri: string }> {
  const args = [process.execPath, join(ROOT, "entrypoint"), "fake-metadata", ...options];
  const proc = inNs(ns, "fake-metadata", args, cleanEnv());
  await waitForOutput(proc, /^ECS_CONTAINER_METADATA_URI_V4=\S+\n/m, 10_000);
  return { proc, uri: /^ECS_CONTAINER_METADATA_URI_V4=(\S+)/m.exec(proc.output())![1]! };
}

export interface Running {
  task: Task;
  /** `unshare`, in our PID namespace; it exits with the status of its child. */
  proc: Proc;
  /** The container's PID 1 (the entrypoint, which execs into the release), as seen from here. */
  pid1: number;
  startedAt: number;
}

/** Starts `argv` as PID 1 of a new PID namespace inside the task's network namespace. */
export async function startAsPid1(task: Task, argv: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const startedAt = performance.now();
  const proc = inNs(task.ns, "task", ["unshare", "--pid", "--fork", "--mount-proc", "--", ...argv], env);
  const pid1 = await waitUntil(`PID 1 of ${task.ns}`, 5000, () => childrenOf(proc.pid)[0], 10);
  return { task, proc, pid1, startedAt };
}

/** What the task gets from ECS (metadata URI, AWS settings) and the image (cookie), plus the scenario's extras. */
export function startTask(task: Task, ecs: Record<string, string>): Promise<Running> {
  const env = cleanEnv({ RELEASE_COOKIE: COOKIE, ...ecs });
  return startAsPid1(task, [join(RELEASE, "bin", "entrypoint"), "server"], env);
}

/**
 * Evaluates Elixir on a running node with `bin/shop rpc`. The rpc starts a hidden node of its own,
 * so it needs the target's name, `name` distribution, the cookie, and the same -proto_dist.
 */
export async function rpc(task: Task, expr: string, ipv6: boolean, node = nodeOf(task.ip), extra: Record<string, string> = {}): Promise<string> {
  const env = cleanEnv({ RELEASE_NODE: node, RELEASE_DISTRIBUTION: "name", RELEASE_COOKIE: COOKIE, ...extra });
  if (ipv6 && !extra.ELIXIR_ERL_OPTIONS) env.ELIXIR_ERL_OPTIONS = "-proto_dist inet6_tcp";
  const result = await runToEnd(`rpc ${task.ns}`, "ip", ["netns", "exec", task.ns, join(RELEASE, "bin", "shop"), "rpc", expr], env);
  if (result.code !== 0) throw new Error(`bin/shop rpc in ${task.ns} exited ${result.code ?? result.signal}: ${result.output}`);
  return result.output.trim();
}

/** The other nodes a node is connected to, sorted. */
export async function nodeList(task: Task, ipv6: boolean, node = nodeOf(task.ip), extra: Record<string, string> = {}): Promise<string[]> {
  const out = await rpc(task, `IO.puts(Enum.join(Enum.sort(Node.list()), ","))`, ipv6, node, extra);
  return out.split(",").filter(Boolean);
}

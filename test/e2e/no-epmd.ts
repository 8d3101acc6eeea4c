// Helpers of the awsvpc-without-EPMD end-to-end test: the operator's commands through the entrypoint
// inside a task, and the proof that no epmd runs or listens in a task namespace.
import * as assert from "uvu/assert";
import { join } from "node:path";
import { listeners, pidsIn, type Task } from "./netns.ts";
import { commandName, runToEnd } from "./procs.ts";
import { cleanEnv, COOKIE, RELEASE, type Running } from "./task.ts";

export const PORT = "9100";
export const WITHOUT_EPMD = { ENTRYPOINT_EPMD: "off", ENTRYPOINT_DIST_PORT: PORT };
/** The runner's own `bin/shop rpc` (not through the entrypoint): what the entrypoint gives an operator's node on OTP 23-27.1. */
export const RPC_FLAGS = { ELIXIR_ERL_OPTIONS: `-start_epmd false -erl_epmd_port ${PORT} -dist_listen false` };

/** `bin/entrypoint <args>` inside the task, as an operator runs it through ECS Exec. */
export function throughEntrypoint(task: Task, args: string[], env: Record<string, string>) {
  const argv = ["netns", "exec", task.ns, join(RELEASE, "bin", "entrypoint"), ...args];
  return runToEnd(`entrypoint ${args[0]} in ${task.ns}`, "ip", argv, cleanEnv({ RELEASE_COOKIE: COOKIE, ENTRYPOINT_IP: task.ip, ...env }), 25_000);
}

/** Every task namespace: exactly one TCP listener, the release's VM on the pinned port; no epmd process at all. */
export function assertNoEpmd(running: Running[], when: string): void {
  for (const r of running) {
    const seen = listeners(r.task.ns).map(([port, name]) => `${port}/${name}`);
    assert.equal(seen, [`${PORT}/beam.smp`], `TCP listeners in ${r.task.ns} ${when} (nothing on 4369)`);
    const processes = pidsIn(r.task.ns).map((pid) => commandName(pid) ?? "?");
    assert.ok(processes.includes("beam.smp"), `${r.task.ns}: the release runs (${processes.join(", ")})`);
    assert.not.ok(processes.includes("epmd"), `${r.task.ns} ${when}: processes ${processes.join(", ")} include epmd`);
  }
}

/** What `entrypoint doctor --format json` found, as [severity, check, message] rows. */
export async function doctorFindings(task: Task, peer: string, env: Record<string, string>): Promise<{ code: number | null; rows: string[][] }> {
  const r = await throughEntrypoint(task, ["doctor", "--peer", peer, "--format", "json"], env);
  const json = r.output.slice(r.output.indexOf("{\n"));
  const report = JSON.parse(json) as { findings: { severity: string; check: string; peer?: string; message: string }[] };
  return { code: r.code, rows: report.findings.filter((f) => f.peer === peer).map((f) => [f.severity, f.check, f.message]) };
}

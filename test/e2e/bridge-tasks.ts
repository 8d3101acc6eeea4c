// The containers of the bridge-mode end-to-end test: what ECS gives each (its own fake metadata
// endpoint, the instance's metadata file), the release booted as PID 1, the operator's commands
// through bin/entrypoint inside a container, and the proof that no epmd runs there.
import * as assert from "uvu/assert";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { rmSync } from "node:fs";
import { CONTAINER_PORT, createBridgeNet, destroyBridgeNet, type BridgeNet, type Container } from "./bridge-net.ts";
import type { Member } from "./mesh.ts";
import { listeners, pidsIn } from "./netns.ts";
import { commandName, killStarted, runToEnd, waitForOutput } from "./procs.ts";
import { cleanEnv, COOKIE, RELEASE, startFakeMetadata, startTask, type Running } from "./task.ts";

export const TICKTIME = { ELIXIR_ERL_OPTIONS: "-kernel net_ticktime 4" };

/** Where the ECS agent would write the container's metadata file (here: its fake). */
const metadataFileOf = (c: Container) => join(tmpdir(), `e2e-bridge-${process.pid}-${c.ns}.json`);

/** What ECS gives a bridge container: its own metadata endpoint and the instance's container metadata file. */
export async function containerEnv(c: Container): Promise<Record<string, string>> {
  const file = metadataFileOf(c);
  const options = ["--network-mode", "bridge", "--instance-ip", c.instanceIp, "--container-port", String(CONTAINER_PORT), "--host-port", String(c.hostPort)];
  const fake = await startFakeMetadata(c.ns, [...options, "--metadata-file", file, "--metadata-file-delay", "0", "--family", "shop"]);
  // IMDS off: the instance's address must come from the metadata file.
  return { ECS_CONTAINER_METADATA_URI_V4: fake.uri, ECS_CONTAINER_METADATA_FILE: file, AWS_EC2_METADATA_DISABLED: "true", ENTRYPOINT_DIST_PORT: String(CONTAINER_PORT), ...TICKTIME };
}

/** Every container started in the current scenario, booted or not: their output is shown on a failure. */
const started: Running[] = [];

export async function boot(c: Container, env: Record<string, string>): Promise<Member> {
  const r = await startTask(c, env);
  started.push(r);
  await waitForOutput(r.proc, /entrypoint: node \S+/, 15_000);
  const node = /entrypoint: node (\S+)/.exec(r.proc.output())![1]!;
  return { ...r, node, upAt: await waitForOutput(r.proc, /^shop: node /m, 30_000) };
}

/** `bin/entrypoint ARGS` inside the container, as an operator runs it through ECS Exec. */
function throughEntrypoint(c: Container, env: Record<string, string>, args: string[]) {
  const argv = ["netns", "exec", c.ns, join(RELEASE, "bin", "entrypoint"), ...args];
  return runToEnd(`entrypoint ${args.join(" ").slice(0, 20)} in ${c.ns}`, "ip", argv, cleanEnv({ RELEASE_COOKIE: COOKIE, ...env }), 25_000);
}

export async function operatorRpc(c: Container, env: Record<string, string>, expr: string): Promise<string> {
  const r = await throughEntrypoint(c, env, ["shop", "rpc", expr]);
  assert.is(r.code, 0, `bin/entrypoint shop rpc in ${c.ns}:\n${r.output}`);
  return r.output;
}

/** doctor in a container, given peers by their port-carrying names: [severity, check, message] of each finding. */
export async function doctor(c: Container, env: Record<string, string>, peers: string[]): Promise<{ code: number | null; rows: string[][] }> {
  const r = await throughEntrypoint(c, env, ["doctor", ...peers.flatMap((p) => ["--peer", p]), "--format", "json"]);
  const report = JSON.parse(r.output.slice(r.output.indexOf("{\n"))) as { findings: { severity: string; check: string; message: string }[] };
  return { code: r.code, rows: report.findings.map((f) => [f.severity, f.check, f.message]) };
}

/** No epmd in any container: nothing on 4369, no epmd process, the VM's only listener is the container port. */
export function assertNoEpmd(group: Member[], when: string): void {
  for (const m of group) {
    const ports = listeners(m.task.ns);
    assert.not.ok(ports.some(([port]) => port === 4369), `${m.task.ns} ${when}: something listens on 4369: ${JSON.stringify(ports)}`);
    assert.equal(ports.filter(([, name]) => name === "beam.smp").map(([port]) => port), [CONTAINER_PORT], `${m.task.ns} ${when}: the VM's listeners`);
    assert.not.ok(pidsIn(m.task.ns).map(commandName).includes("epmd"), `${m.task.ns} ${when}: an epmd process runs`);
  }
}

export async function withBridge<T>(tag: string, n: number, body: (b: BridgeNet, group: Member[]) => Promise<T>): Promise<T> {
  const b = createBridgeNet(tag, n, 2, 2);
  const group: Member[] = [];
  started.length = 0;
  try {
    return await body(b, group);
  } catch (err) {
    for (const r of started) console.error(`--- output of the container ${r.task.ns} (${r.task.ip}) ---\n${r.proc.output()}`);
    throw err;
  } finally {
    killStarted();
    await destroyBridgeNet(b);
    // The fakes were killed, not stopped: their files stay behind.
    for (const c of b.containers) rmSync(metadataFileOf(c), { force: true });
  }
}

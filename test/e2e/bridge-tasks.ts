// The containers of the bridge-mode end-to-end test: what ECS gives each (the cluster's fake metadata
// endpoint and AWS API, the instance's metadata file), the release booted as PID 1, the operator's commands
// through bin/entrypoint inside a container, and the proof that no epmd runs there.
import * as assert from "uvu/assert";
import { join } from "node:path";
import { CONTAINER_PORT, createBridgeNet, destroyBridgeNet, type BridgeNet, type Container } from "./bridge-net.ts";
import { waitMesh, type Member } from "./mesh.ts";
import { assertOneLookupEach, startEc2Fake, type Ec2Fake } from "./ec2-fake.ts";
import { listeners, pidsIn, type Task } from "./netns.ts";
import { commandName, killStarted, runToEnd, waitForOutput } from "./procs.ts";
import { cleanEnv, COOKIE, RELEASE, startTask, type Running } from "./task.ts";

export const TICKTIME = { ELIXIR_ERL_OPTIONS: "-kernel net_ticktime 4" };

/** What ECS gives a bridge container: the cluster's metadata endpoint (bridge documents, its port mapping) and the instance's container metadata file. */
export async function containerEnv(fake: Ec2Fake, c: Container): Promise<Record<string, string>> {
  const ecs = await fake.envOf({ id: c.ip, mode: "bridge", instanceIp: c.instanceIp, containerPort: CONTAINER_PORT, hostPort: c.hostPort, metadataFile: true });
  return { ...ecs, ENTRYPOINT_DIST_PORT: String(CONTAINER_PORT), ...TICKTIME };
}

/** Every container started in the current scenario, booted or not: their output is shown on a failure. */
const started: Running[] = [];

export async function boot(c: Task, env: Record<string, string>): Promise<Member> {
  const r = await startTask(c, env);
  started.push(r);
  return up(r);
}

async function up(r: Running): Promise<Member> {
  await waitForOutput(r.proc, /entrypoint: node \S+/, 15_000);
  const node = /entrypoint: node (\S+)/.exec(r.proc.output())![1]!;
  return { ...r, node, upAt: await waitForOutput(r.proc, /^shop: node /m, 30_000) };
}

const FOUND = /entrypoint: peers: (\d+) found/;

export interface Formed {
  group: Member[];
  /** First start → every node lists all the others. */
  formedMs: number;
  /** The AWS calls each task made, by its id. */
  calls: Record<string, Record<string, number>>;
  /** Where each node's address came from (`ip_from=`: metadata-file, imds or route). */
  sources: string[];
}

/**
 * Starts the tasks in turn, as ECS rolls out a service, each once the one before has looked its peers up:
 * the k-th finds exactly the k-1 before it, EcsPeers connects the rest. Then the full mesh, and one
 * lookup's AWS calls per task, counted at the fake.
 */
export async function formByLookup(fake: Ec2Fake, tasks: Task[], ids: string[], envs: Record<string, string>[]): Promise<Formed> {
  const t0 = performance.now();
  const running: Running[] = [];
  for (const [i, task] of tasks.entries()) {
    const r = await startTask(task, envs[i]!);
    started.push(r);
    running.push(r);
    await waitForOutput(r.proc, FOUND, 20_000);
    assert.is(Number(FOUND.exec(r.proc.output())![1]), i, `${task.ns}: the tasks booted before it (${r.proc.output()})`);
  }
  const group = await Promise.all(running.map(up));
  const formedMs = (await waitMesh(group)) - t0;
  const calls = await fake.awsCalls();
  assertOneLookupEach(calls, ids);
  const sources = group.map((m) => /ip_from=(\S+)/.exec(m.proc.output())?.[1] ?? "?");
  return { group, formedMs, calls, sources };
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

export interface Shape {
  instances: number;
  perInstance: number;
  staticPort?: number;
}

/** Runs `body` on a fresh bridge network (2 instances × 2 containers unless `shape` says otherwise) with the cluster's fake in the hub. */
export async function withBridge<T>(tag: string, n: number, body: (b: BridgeNet, group: Member[], fake: Ec2Fake) => Promise<T>, shape: Shape = { instances: 2, perInstance: 2 }): Promise<T> {
  const b = createBridgeNet(tag, n, shape.instances, shape.perInstance, shape.staticPort);
  const group: Member[] = [];
  started.length = 0;
  let fake: Ec2Fake | undefined;
  try {
    fake = await startEc2Fake(b.net);
    return await body(b, group, fake);
  } catch (err) {
    for (const r of started) console.error(`--- output of the container ${r.task.ns} (${r.task.ip}) ---\n${r.proc.output()}`);
    throw err;
  } finally {
    killStarted();
    await destroyBridgeNet(b);
    fake?.cleanup();
  }
}

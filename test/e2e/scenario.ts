// A whole cluster run: namespaces → epmd + fake metadata per task → every task started together
// through bin/entrypoint → cluster confirmed from each node → SIGTERM to each PID 1 → exit 0.
import * as assert from "uvu/assert";
import { createNet, destroyNet, type Task } from "./netns.ts";
import { commandName, killStarted, waitForOutput, waitUntil } from "./procs.ts";
import { nodeList, nodeOf, startEpmd, startFakeMetadata, startTask, type Running } from "./task.ts";

/**
 * Where a task learns its peers. For now the runner names them, as the entrypoint's peer step
 * would. To test `--peers family` instead, return { ENTRYPOINT_PEERS: "family", AWS_ENDPOINT_URL,
 * AWS_REGION, fake AWS keys }: that needs ONE fake shared by all tasks (in the hub namespace, on
 * an address of br0, `--ip auto`) that answers ListTasks/DescribeTasks, which
 * `entrypoint fake-metadata` does not do yet.
 */
export function peerEnv(self: Task, all: Task[]): Record<string, string> {
  return { ECS_PEER_NODES: all.filter((t) => t !== self).map((t) => nodeOf(t.ip)).join(",") };
}

export interface ClusterCase {
  tag: string;
  addresses: string[];
  ipv6: boolean;
  env?: Record<string, string>;
  /** Extra checks while the cluster is up; gets the fake metadata ports to tell them apart. */
  whileUp?: (running: Running[], fakePorts: number[]) => Promise<void> | void;
}

export interface ClusterTimes {
  /** First start → the last node logs that it reached all its peers. */
  connectedMs: number;
  /** First start → every node's Node.list(), asked over rpc, names all the others. */
  confirmedMs: number;
  stopMs: number[];
}

export async function runCluster(c: ClusterCase): Promise<ClusterTimes> {
  const net = createNet(c.tag, c.addresses);
  let running: Running[] = [];
  try {
    await Promise.all(net.tasks.map(startEpmd));
    const fakes = await Promise.all(net.tasks.map(startFakeMetadata));
    running = await Promise.all(net.tasks.map((t, i) => startTask(t, fakes[i]!.uri, { ...peerEnv(t, net.tasks), ...c.env })));
    const formed = await waitForCluster(running, c.ipv6);
    for (const r of running) checkBoot(r);
    await c.whileUp?.(running, fakes.map((f) => Number(new URL(f.uri).port)));
    const stopMs = [];
    for (const r of running) stopMs.push(await stopGracefully(r));
    return { ...formed, stopMs };
  } catch (err) {
    for (const r of running) console.error(`--- output of ${r.task.ns} ---\n${r.proc.output()}`);
    throw err;
  } finally {
    killStarted();
    await destroyNet(net);
  }
}

/** Waits for the app's own log, then asks every node for its Node.list(); times are ms since the first start. */
async function waitForCluster(running: Running[], ipv6: boolean): Promise<Omit<ClusterTimes, "stopMs">> {
  const t0 = Math.min(...running.map((r) => r.startedAt));
  const seen = await Promise.all(running.map((r) => waitForOutput(r.proc, /shop: connected to all peers/, 30_000)));
  const all = running.map((r) => nodeOf(r.task.ip)).sort();
  await Promise.all(
    running.map((r) =>
      waitUntil(`${r.task.ns} to list its peers`, 15_000, async () => {
        const listed = await nodeList(r.task, ipv6);
        return listed.join() === all.filter((n) => n !== nodeOf(r.task.ip)).join() ? true : undefined;
      }, 200),
    ),
  );
  return { connectedMs: Math.max(...seen) - t0, confirmedMs: performance.now() - t0 };
}

/** The entrypoint named the node from the metadata and exec'd: PID 1 is now the BEAM itself. */
function checkBoot(r: Running): void {
  const node = nodeOf(r.task.ip);
  assert.ok(r.proc.output().includes(`entrypoint: node ${node}`), `entrypoint should log node ${node}:\n${r.proc.output()}`);
  assert.is(commandName(r.pid1), "beam.smp", `PID 1 of ${r.task.ns} should be the release's VM after exec`);
}

/** SIGTERM to the task's PID 1, as ECS sends on StopTask; the release must exit 0 within 10 s. */
async function stopGracefully(r: Running): Promise<number> {
  const sent = performance.now();
  process.kill(r.pid1, "SIGTERM");
  const timeout = new Promise<undefined>((resolve) => setTimeout(resolve, 10_000, undefined));
  const end = await Promise.race([r.proc.exited, timeout]);
  assert.ok(end, `${r.task.ns}: the release was still running 10 s after SIGTERM`);
  assert.is(end!.code, 0, `${r.task.ns}: exit status after SIGTERM (signal ${end!.signal}):\n${r.proc.output()}`);
  assert.match(r.proc.output(), /shop: application stopped/, `${r.task.ns}: the application's stop/1 should run`);
  return end!.at - sent;
}

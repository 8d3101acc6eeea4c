// A whole cluster run, the way ECS brings a service up: namespaces → epmd per task and ONE fake
// ECS (metadata + ListTasks/DescribeTasks) in the hub → tasks started one after another through
// bin/entrypoint with `--peers family` → each finds the tasks started before it → mesh confirmed
// from every node → SIGTERM to each PID 1 → exit 0. No peer list comes from the runner.
import * as assert from "uvu/assert";
import { createNet, destroyNet, type Net, type Task } from "./netns.ts";
import { commandName, killStarted, sleep, waitForOutput, waitUntil, type Proc } from "./procs.ts";
import { nodeList, nodeOf, startEpmd, startFakeMetadata, startTask, type Running } from "./task.ts";

export const FAKE_PORT = 8000;
/** ECS starts a service's tasks a little apart; the peer list is a boot-time snapshot, so this is what lets later tasks see earlier ones. */
const STAGGER_MS = 400;

export interface ClusterCase {
  tag: string;
  /** In ascending order: the k-th task expects the first k-1 as its peers, in this order. */
  addresses: string[];
  ipv6: boolean;
  env?: Record<string, string>;
  /** false: no epmd is started in the task namespaces (distribution without EPMD). */
  epmd?: boolean;
  /** Extra environment of the runner's own `bin/shop rpc` calls (e.g. the flags that reach a node without EPMD). */
  rpcEnv?: Record<string, string>;
  /** Extra checks while the cluster is up. */
  whileUp?: (running: Running[]) => Promise<void> | void;
}

export interface ClusterTimes {
  /** First start → every node has printed a cluster that names all the others. */
  formedMs: number;
  /** First start → last task started (the stagger is part of formedMs). */
  lastStartMs: number;
  /** First start → every node's Node.list(), asked over rpc, names all the others. */
  confirmedMs: number;
  stopMs: number[];
}

/** What ECS gives every task: the metadata URI, and here the AWS endpoint (the same fake) with dummy keys. */
export function ecsEnv(uri: string): Record<string, string> {
  return {
    ECS_CONTAINER_METADATA_URI_V4: uri,
    AWS_ENDPOINT_URL: new URL(uri).origin,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_REGION: "us-east-1",
    ENTRYPOINT_PEERS: "family",
  };
}

/** One fake for the whole cluster, on the hub's bridge address; `--ip auto` tells each caller its own source address. */
export function startSharedFake(net: Net, extra: string[] = []): Promise<{ proc: Proc; uri: string }> {
  const options = ["--host", net.hubIp, "--port", String(FAKE_PORT), "--ip", "auto", "--family", "shop", "--cluster", "e2e", ...extra];
  return startFakeMetadata(net.hub, options);
}

export async function runCluster(c: ClusterCase): Promise<ClusterTimes> {
  const net = createNet(c.tag, c.addresses);
  const running: Running[] = [];
  let fake: Proc | undefined;
  try {
    if (c.epmd !== false) await Promise.all(net.tasks.map(startEpmd));
    const shared = await startSharedFake(net);
    fake = shared.proc;
    await startStaggered(net.tasks, { ...ecsEnv(shared.uri), ...c.env }, running);
    await checkDiscovery(running);
    const formed = await waitForCluster(running, c.ipv6, c.rpcEnv);
    for (const r of running) checkBoot(r);
    await c.whileUp?.(running);
    const stopMs = [];
    for (const r of running) stopMs.push(await stopGracefully(r));
    return { ...formed, stopMs };
  } catch (err) {
    for (const r of running) console.error(`--- output of ${r.task.ns} ---\n${r.proc.output()}`);
    if (fake) console.error(`--- output of the shared fake in ${net.hub} ---\n${fake.output()}`);
    throw err;
  } finally {
    killStarted();
    await destroyNet(net);
  }
}

/** Each task starts STAGGER_MS after the previous one, and not before that one has fetched its metadata (so the fake lists it). */
async function startStaggered(tasks: Task[], env: Record<string, string>, running: Running[]): Promise<void> {
  for (const task of tasks) {
    const prev = running.at(-1);
    if (prev) {
      await waitForOutput(prev.proc, /entrypoint: node /, 10_000);
      await sleep(Math.max(0, prev.startedAt + STAGGER_MS - performance.now()));
    }
    running.push(await startTask(task, env));
  }
}

/** The k-th task's entrypoint found the k-1 tasks before it, and the release got them in ECS_PEER_NODES. */
async function checkDiscovery(running: Running[]): Promise<void> {
  for (const [k, r] of running.entries()) {
    // The release's first line: by then the entrypoint has logged everything and exec'd.
    await waitForOutput(r.proc, /shop: node /, 30_000);
    const out = r.proc.output();
    assert.ok(out.includes(`entrypoint: peers: ${k} found`), `${r.task.ns} (task ${k + 1}) should log "peers: ${k} found":\n${out}`);
    const earlier = running.slice(0, k).map((e) => nodeOf(e.task.ip)).join(",");
    const line = `shop: node ${nodeOf(r.task.ip)} peers [${earlier}]`;
    assert.ok(out.includes(line), `${r.task.ns}: the release should print "${line}" (ECS_PEER_NODES):\n${out}`);
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Waits for each node's own "cluster now" line, then asks every node for its Node.list(); times are ms since the first start. */
async function waitForCluster(running: Running[], ipv6: boolean, rpcEnv: Record<string, string> = {}): Promise<Omit<ClusterTimes, "stopMs">> {
  const t0 = running[0]!.startedAt;
  const all = running.map((r) => nodeOf(r.task.ip)).sort();
  const others = (r: Running) => all.filter((n) => n !== nodeOf(r.task.ip)).join(",");
  const complete = (r: Running) => new RegExp(`^shop: cluster now \\[${escapeRegExp(others(r))}\\]$`, "m");
  const seen = await Promise.all(running.map((r) => waitForOutput(r.proc, complete(r), 30_000)));
  await Promise.all(
    running.map((r) =>
      waitUntil(`${r.task.ns} to list its peers`, 15_000, async () => ((await nodeList(r.task, ipv6, nodeOf(r.task.ip), rpcEnv)).join() === others(r) ? true : undefined), 200),
    ),
  );
  return { formedMs: Math.max(...seen) - t0, lastStartMs: running.at(-1)!.startedAt - t0, confirmedMs: performance.now() - t0 };
}

/** The entrypoint named the node from the metadata and exec'd: PID 1 is now the BEAM itself. */
function checkBoot(r: Running): void {
  const node = nodeOf(r.task.ip);
  assert.ok(r.proc.output().includes(`entrypoint: node ${node}`), `entrypoint should log node ${node}:\n${r.proc.output()}`);
  assert.is(commandName(r.pid1), "beam.smp", `PID 1 of ${r.task.ns} should be the release's VM after exec`);
}

/** SIGTERM to the task's PID 1, as ECS sends on StopTask; the release must exit 0 within 10 s. */
export async function stopGracefully(r: Running): Promise<number> {
  const sent = performance.now();
  process.kill(r.pid1, "SIGTERM");
  const timeout = new Promise<undefined>((resolve) => setTimeout(resolve, 10_000, undefined));
  const end = await Promise.race([r.proc.exited, timeout]);
  assert.ok(end, `${r.task.ns}: the release was still running 10 s after SIGTERM`);
  assert.is(end!.code, 0, `${r.task.ns}: exit status after SIGTERM (signal ${end!.signal}):\n${r.proc.output()}`);
  assert.match(r.proc.output(), /shop: application stopped/, `${r.task.ns}: the application's stop/1 should run`);
  return end!.at - sent;
}

// A fleet of tasks for the EcsPeers scenarios: one network, one fake ECS that counts and can deny
// AWS calls, tasks booted and replaced in any order, and the mesh read from every node.
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { createNet, destroyNet, type Net, type Task } from "./netns.ts";
import { killStarted, runToEnd, waitForOutput, waitUntil, type Proc } from "./procs.ts";
import { fakeControl } from "./ec2-fake.ts";
import { ecsEnv, startSharedFake } from "./scenario.ts";
import { cleanEnv, nodeList, startEpmd, startTask, type Running } from "./task.ts";

export interface Member extends Running {
  node: string;
  /** When the release printed its first line. */
  upAt: number;
}

export interface Fleet {
  net: Net;
  /** What ECS gives every task of this fleet (metadata URI, AWS endpoint) plus the scenario's base. */
  env: Record<string, string>;
  boot(task: Task, env?: Record<string, string>): Promise<Member>;
  /** AWS calls the fake received, per caller address: { ListTasks, DescribeTasks }. */
  awsCalls(): Promise<Record<string, Record<string, number>>>;
  deny(ip: string, denied: boolean): Promise<void>;
  members: Member[];
}

const CLUSTER_LINE = /^shop: cluster now \[(.*)\]$/gm;

/** The node's cluster as it printed it last (on its latest nodeup/nodedown). */
export function lastCluster(m: Member): string {
  const lines = [...m.proc.output().matchAll(CLUSTER_LINE)];
  return lines.at(-1)?.[1] ?? "";
}

const othersOf = (m: Member, group: Member[]) => group.filter((o) => o.node !== m.node).map((o) => o.node).sort().join(",");

/** Waits until every member's last cluster line lists exactly the others; returns when. */
export function waitMesh(group: Member[], timeoutMs = 30_000): Promise<number> {
  const whole = () => group.every((m) => lastCluster(m) === othersOf(m, group));
  return waitUntil(`full mesh of ${group.map((m) => m.node).join(" ")}`, timeoutMs, () => (whole() ? performance.now() : undefined));
}

/** Node.list() of every member, through bin/shop rpc (with `extra` in its environment), is exactly the other members. */
export async function assertMesh(group: Member[], extra: Record<string, string> = {}): Promise<void> {
  for (const m of group) assert.is((await nodeList(m.task, false, m.node, extra)).join(), othersOf(m, group), `Node.list() on ${m.node}`);
}

/** A booted task's node name, from the entrypoint's own log line. */
async function nodeNameOf(r: Running): Promise<string> {
  await waitForOutput(r.proc, /entrypoint: node \S+/, 15_000);
  return /entrypoint: node (\S+)/.exec(r.proc.output())![1]!;
}

/** Runs `body` with a fresh fleet; everything started is killed and the namespaces deleted, also on failure. */
export async function withFleet<T>(tag: string, addresses: string[], base: Record<string, string>, body: (f: Fleet) => Promise<T>): Promise<T> {
  const net = createNet(tag, addresses);
  let fake: Proc | undefined;
  const members: Member[] = [];
  try {
    await Promise.all(net.tasks.map(startEpmd));
    // Tasks never expire in the test: after exec a release does not ask for metadata again.
    const shared = await startSharedFake(net, ["--expire", "3600000"]);
    fake = shared.proc;
    const fleet: Fleet = {
      net,
      env: { ...ecsEnv(shared.uri), ...base },
      members,
      async boot(task, env = {}) {
        const r = await startTask(task, { ...fleet.env, ...env });
        const node = await nodeNameOf(r);
        const upAt = await waitForOutput(r.proc, /^shop: node /m, 30_000);
        const m = { ...r, node, upAt };
        members.push(m);
        return m;
      },
      async awsCalls() {
        return JSON.parse(await fakeControl(net, "GET", "/fake/aws-calls"));
      },
      async deny(ip, denied) {
        await fakeControl(net, denied ? "PUT" : "DELETE", `/fake/deny/${ip}`);
      },
    };
    return await body(fleet);
  } catch (err) {
    for (const m of members) console.error(`--- output of ${m.node} (${m.task.ns}) ---\n${m.proc.output()}`);
    if (fake) console.error(`--- output of the shared fake ---\n${fake.output()}`);
    throw err;
  } finally {
    killStarted();
    await destroyNet(net);
  }
}

/** Every boot costs at most one ListTasks and one DescribeTasks: more from an address means calls after boot. */
export function assertBootCallsOnly(calls: Record<string, Record<string, number>>, boots: Record<string, number>): void {
  for (const [ip, n] of Object.entries(boots)) {
    const c = calls[ip] ?? {};
    assert.ok((c.ListTasks ?? 0) === n && (c.DescribeTasks ?? 0) <= n, `${ip}: ${n} boot(s) made ${JSON.stringify(c)}`);
  }
  assert.equal(Object.keys(calls).sort(), Object.keys(boots).sort(), "callers of the AWS API");
}

export const ms = (n: number) => `${Math.round(n)} ms`;

/** Boots the tasks one after another (each sees the ones before it, as in a deployment). */
export async function bootInOrder(f: Fleet, tasks: Task[], env: Record<string, string> = {}): Promise<Member[]> {
  const group: Member[] = [];
  for (const task of tasks) group.push(await f.boot(task, env));
  return group;
}

export const hubLink = (f: Fleet, m: Member, state: "up" | "down") =>
  execFileSync("ip", ["-n", f.net.hub, "link", "set", `v${f.net.tasks.indexOf(m.task) + 1}`, state]);

/** When a TCP connection from the bridge to the task's epmd works again (the kernel brings a link up with a delay). */
export const reachable = (f: Fleet, m: Member) =>
  waitUntil(`${m.task.ip} reachable`, 10_000, async () => {
    const probe = ["netns", "exec", f.net.hub, "timeout", "0.2", "bash", "-c", `exec 3<>/dev/tcp/${m.task.ip}/4369`];
    return (await runToEnd("probe", "ip", probe, cleanEnv(), 2000)).code === 0 ? performance.now() : undefined;
  }, 20);

/** Every node name that appears in any of the members' cluster lines. */
export const everSeen = (group: Member[]) => new Set(group.flatMap((m) => [...m.proc.output().matchAll(/^shop: cluster now \[(.*)\]$/gm)].flatMap((l) => l[1]!.split(",").filter(Boolean))));

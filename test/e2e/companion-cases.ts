// The EcsPeers scenarios that take a few steps: the partition (and its control), the rolling
// deploys, the operator's remote shell. The test file calls them and prints what they return.
import * as assert from "uvu/assert";
import { join } from "node:path";
import { assertBootCallsOnly, assertMesh, bootInOrder, everSeen, hubLink, lastCluster, ms, reachable, waitMesh, withFleet, type Member } from "./mesh.ts";
import { killPid, sleep, startProc, waitForOutput, waitUntil } from "./procs.ts";
import { stopGracefully } from "./scenario.ts";
import { nodeList, RELEASE } from "./task.ts";

export const subnet = (n: number, count: number) => Array.from({ length: count }, (_, i) => `10.77.${n}.${i + 2}`);
export const once = (ips: string[]) => Object.fromEntries(ips.map((ip) => [ip, 1]));

/** `bin/entrypoint shop remote` on a terminal (IEx ignores --remsh without one): the prompt is the running node's, which sees `others` nodes. */
export async function operatorRemote(m: Member, env: NodeJS.ProcessEnv, others: number): Promise<void> {
  const command = `${join(RELEASE, "bin", "entrypoint")} shop remote`;
  const remote = startProc("operator remote", "ip", ["netns", "exec", m.task.ns, "script", "-qec", command, "/dev/null"], { ...env, TERM: "xterm" }, true);
  try {
    await waitForOutput(remote, new RegExp(`iex\\(${m.node.replace(/\./g, "\\.")}\\)1> `), 20_000);
    remote.child.stdin!.write('IO.puts("remote sees #{length(Node.list())} nodes")\n');
    await waitForOutput(remote, new RegExp(`remote sees ${others} nodes`), 10_000);
  } finally {
    killPid(remote.pid, "SIGKILL");
  }
}

/**
 * Cut that long: after a cut just past net_ticktime OTP's own traffic (global's lock and sync
 * messages, which auto-connect) sometimes reconnects the nodes within a second; after 14 s at
 * net_ticktime 4 it no longer does, so the control shows what is left without a companion.
 */
const CUT_MS = 16_000;

/** 4 tasks with net_ticktime 4; one task's link is cut (its packets dropped at the bridge) for CUT_MS. */
export async function partition(tag: string, n: number, env: Record<string, string>, heals: boolean): Promise<string> {
  const ips = subnet(n, 4);
  return withFleet(tag, ips, { ELIXIR_ERL_OPTIONS: "-kernel net_ticktime 4", ...env }, async (f) => {
    const group = await bootInOrder(f, f.net.tasks);
    await waitMesh(group);
    const victim = group[1]!;
    const rest = group.filter((m) => m !== victim);
    hubLink(f, victim, "down");
    const cutAt = performance.now();
    const split = () => lastCluster(victim) === "" && rest.every((m) => !lastCluster(m).includes(victim.node));
    const downAt = await waitUntil("nodedown on every side", 30_000, () => (split() ? performance.now() : undefined));
    await sleep(cutAt + CUT_MS - performance.now());
    hubLink(f, victim, "up");
    const restoredAt = performance.now();
    const passingAt = await reachable(f, victim);
    const cut = `cut ${ms(restoredAt - cutAt)}, nodedown everywhere ${ms(downAt - cutAt)} after the cut, packets pass again ${ms(passingAt - restoredAt)} after "ip link set up"`;
    assertBootCallsOnly(await f.awsCalls(), once(ips));
    if (!heals) {
      await sleep(12_000);
      const seen = await Promise.all(group.map(async (m) => (await nodeList(m.task, false, m.node)).length));
      assert.ok(seen.some((k) => k < group.length - 1), `without healing the mesh should still be partial 12 s after the link returned: ${seen}`);
      return `${cut}; 12 s after the link returned still split: nodes connected per node ${seen.join("/")} (a full mesh is ${group.length - 1} each)`;
    }
    const meshAt = await waitMesh(group, 30_000);
    await assertMesh(group);
    assert.ok(group.every((m) => m.proc.running()), "no release restarted or stopped");
    return `${cut}; packets pass → full mesh again ${ms(meshAt - passingAt)}, nothing restarted`;
  });
}

/**
 * 3 tasks of a1, then b2 tasks started one by one, each followed by SIGTERM to one a1 task (exit 0).
 * With the SHA in the basename the generations never connect; with a shared --basename they mix.
 */
export async function rollingDeploy(tag: string, n: number, shared: boolean): Promise<string> {
  const ips = subnet(n, 6);
  const generation = (sha: string): Record<string, string> => (shared ? { ENTRYPOINT_NODE_BASENAME: "shop", ENTRYPOINT_GIT_SHA: sha } : { ENTRYPOINT_GIT_SHA: sha });
  return withFleet(tag, ips, {}, async (f) => {
    const a = await bootInOrder(f, f.net.tasks.slice(0, 3), generation("a1"));
    await waitMesh(a);
    const b: Member[] = [];
    const joins: number[] = [];
    for (const [i, task] of f.net.tasks.slice(3).entries()) {
      const next = await f.boot(task, generation("b2"));
      b.push(next);
      // Shared basename: one mesh of everything running; SHA basenames: the b2 nodes among themselves.
      const expected = shared ? [...a.slice(i), ...b] : b;
      joins.push((await waitMesh(expected)) - next.startedAt);
      await assertMesh(expected);
      await stopGracefully(a[i]!);
    }
    await waitMesh(b);
    await assertMesh(b);
    if (!shared) {
      assert.not.ok([...everSeen(a)].some((node) => node.startsWith("shop-b2@")), "an a1 node connected to a b2 node");
      assert.not.ok([...everSeen(b)].some((node) => node.startsWith("shop-a1@")), "a b2 node connected to an a1 node");
    }
    assertBootCallsOnly(await f.awsCalls(), once(ips));
    const what = shared ? "one mixed mesh throughout" : "a1 and b2 never connected";
    return `${what}; each b2 start → in its mesh ${joins.map(ms).join(", ")}; every a1 exited 0 on SIGTERM; the 3 b2 nodes end in one mesh`;
  });
}

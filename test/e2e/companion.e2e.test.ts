// End-to-end: EcsPeers (examples/elixir/ecs_peers.ex, compiled into the test release) keeps the
// mesh whole through what ECS does — tasks starting together, a partition longer than
// net_ticktime, rolling deploys, a task replaced at the same IP, a lookup that failed at boot —
// with no AWS call after boot. Same setup as cluster.e2e.test.ts (network namespaces, each task
// PID 1 of its own PID namespace, one `entrypoint fake-metadata` as ECS); run alone with
//   npm run build && node test/run.mjs companion
// Every scenario prints its timings; the README quotes them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { assertBootCallsOnly, assertMesh, lastCluster, ms, waitMesh, withFleet, type Fleet, type Member } from "./mesh.ts";
import { netnsUnavailable, type Task } from "./netns.ts";
import { killPid, runToEnd, sleep, startProc, waitForOutput, waitUntil } from "./procs.ts";
import { stopGracefully } from "./scenario.ts";
import { buildRelease, cleanEnv, COOKIE, nodeList, RELEASE } from "./task.ts";

const unavailable = netnsUnavailable();
const e2e = unavailable ? test.skip : test;
if (unavailable) console.error(`\n!!! SKIPPING the EcsPeers e2e test: network namespaces unavailable (${unavailable}).\n`);

const subnet = (n: number, count: number) => Array.from({ length: count }, (_, i) => `10.77.${n}.${i + 2}`);
const once = (ips: string[]) => Object.fromEntries(ips.map((ip) => [ip, 1]));

e2e("storm: 5 tasks started within 200 ms form one full mesh, with 0 AWS calls after boot; an operator's rpc and remote shell reach it", async () => {
  await buildRelease();
  const ips = subnet(10, 5);
  await withFleet("storm", ips, {}, async (f) => {
    const group = await Promise.all(f.net.tasks.map(async (task, i) => (await sleep(i * 50), f.boot(task))));
    const starts = group.map((m) => m.startedAt);
    const lastUp = Math.max(...group.map((m) => m.upAt));
    const meshAt = await waitMesh(group);
    await assertMesh(group);
    const before = await f.awsCalls();
    await sleep(5000);
    const after = await f.awsCalls();
    assert.equal(after, before, "no AWS call in 5 s of steady state");
    assertBootCallsOnly(after, once(ips));
    // The operator's way in (ECS Exec): the entrypoint names the node, then bin/shop rpc reaches it.
    const env = cleanEnv({ ...f.env, RELEASE_COOKIE: COOKIE });
    const op = await runToEnd("operator rpc", "ip", ["netns", "exec", f.net.tasks[0]!.ns, join(RELEASE, "bin", "entrypoint"), "shop", "rpc", "IO.inspect(Node.list())"], env);
    assert.is(op.code, 0, op.output);
    for (const m of group.slice(1)) assert.ok(op.output.includes(`:"${m.node}"`), `operator rpc should list ${m.node}:\n${op.output}`);
    await operatorRemote(f, group[0]!, env);
    const peers = group.map((m) => /peers: (\d+) found/.exec(m.proc.output())?.[1] ?? "?").join("/");
    console.log(`\ne2e storm (5 tasks, started over ${ms(Math.max(...starts) - Math.min(...starts))}, boot peers ${peers}): last release up → full mesh ${ms(meshAt - lastUp)}; last start → full mesh ${ms(meshAt - Math.max(...starts))}; AWS calls in 5 s of steady state: 0`);
  });
});

/** `bin/entrypoint shop remote` on a terminal (IEx ignores --remsh without one): the prompt is the running node's. */
async function operatorRemote(f: Fleet, m: Member, env: NodeJS.ProcessEnv): Promise<void> {
  const command = `${join(RELEASE, "bin", "entrypoint")} shop remote`;
  const remote = startProc("operator remote", "ip", ["netns", "exec", m.task.ns, "script", "-qec", command, "/dev/null"], { ...env, TERM: "xterm" }, true);
  try {
    await waitForOutput(remote, new RegExp(`iex\\(${m.node.replace(/\./g, "\\.")}\\)1> `), 20_000);
    remote.child.stdin!.write('IO.puts("remote sees #{length(Node.list())} nodes")\n');
    await waitForOutput(remote, new RegExp(`remote sees ${f.members.length - 1} nodes`), 10_000);
  } finally {
    killPid(remote.pid, "SIGKILL");
  }
}

/** Boots the tasks one after another (each sees the ones before it, as in a deployment). */
async function bootInOrder(f: Fleet, tasks: Task[], env: Record<string, string> = {}): Promise<Member[]> {
  const group: Member[] = [];
  for (const task of tasks) group.push(await f.boot(task, env));
  return group;
}

const hubLink = (f: Fleet, m: Member, state: "up" | "down") =>
  execFileSync("ip", ["-n", f.net.hub, "link", "set", `v${f.net.tasks.indexOf(m.task) + 1}`, state]);

/** When a TCP connection from the bridge to the task's epmd works again (the kernel brings a link up with a delay). */
const reachable = (f: Fleet, m: Member) =>
  waitUntil(`${m.task.ip} reachable`, 10_000, async () => {
    const probe = ["netns", "exec", f.net.hub, "timeout", "0.2", "bash", "-c", `exec 3<>/dev/tcp/${m.task.ip}/4369`];
    return (await runToEnd("probe", "ip", probe, cleanEnv(), 2000)).code === 0 ? performance.now() : undefined;
  }, 20);

/**
 * Cut that long: after a cut just past net_ticktime OTP's own traffic (global's lock and sync
 * messages, which auto-connect) sometimes reconnects the nodes within a second; after 14 s at
 * net_ticktime 4 it no longer does, so the control shows what is left without a companion.
 */
const CUT_MS = 16_000;

/** 4 tasks with net_ticktime 4; one task's link is cut (its packets dropped at the bridge) for CUT_MS. */
async function partition(tag: string, n: number, env: Record<string, string>, heals: boolean): Promise<string> {
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
    return `${cut}; packets pass → full mesh again ${ms(meshAt - passingAt)}, nothing restarted`;
  });
}

e2e("partition longer than net_ticktime: EcsPeers heals the full mesh when the link returns (0 AWS calls after boot)", async () => {
  await buildRelease();
  console.log(`\ne2e partition with EcsPeers (4 tasks, net_ticktime 4): ${await partition("heal", 11, {}, true)}`);
});

e2e("control: the same partition with the one-shot connector stays split (what EcsPeers prevents)", async () => {
  await buildRelease();
  console.log(`\ne2e partition with the one-shot connector: ${await partition("split", 12, { SHOP_CONNECTOR: "oneshot" }, false)}`);
});

/** Every node name that appears in any of the members' cluster lines. */
const everSeen = (group: Member[]) => new Set(group.flatMap((m) => [...m.proc.output().matchAll(/^shop: cluster now \[(.*)\]$/gm)].flatMap((l) => l[1]!.split(",").filter(Boolean))));

/**
 * 3 tasks of a1, then b2 tasks started one by one, each followed by SIGTERM to one a1 task (exit 0).
 * With the SHA in the basename the generations never connect; with a shared --basename they mix.
 */
async function rollingDeploy(tag: string, n: number, shared: boolean): Promise<string> {
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

e2e("rolling deploy a1 → b2 with the SHA in the basename: two separate meshes, the b2 one whole at the end", async () => {
  await buildRelease();
  console.log(`\ne2e rolling deploy, SHA basenames: ${await rollingDeploy("roll", 13, false)}`);
});

e2e("rolling deploy a1 → b2 with one shared --basename: one mixed mesh throughout", async () => {
  await buildRelease();
  console.log(`\ne2e rolling deploy, shared --basename: ${await rollingDeploy("mix", 14, true)}`);
});

e2e("replacement: a task stops and a new one comes up at the same IP; it rejoins everyone", async () => {
  await buildRelease();
  const ips = subnet(15, 3);
  const line = await withFleet("repl", ips, {}, async (f) => {
    const group = await bootInOrder(f, f.net.tasks);
    await waitMesh(group);
    await stopGracefully(group[1]!);
    const fresh = await f.boot(group[1]!.task);
    const now = [group[0]!, fresh, group[2]!];
    const meshAt = await waitMesh(now);
    await assertMesh(now);
    assertBootCallsOnly(await f.awsCalls(), { ...once(ips), [group[1]!.task.ip]: 2 });
    return `new task at ${fresh.task.ip}: start → full mesh ${ms(meshAt - fresh.startedAt)} (release up at ${ms(fresh.upAt - fresh.startedAt)})`;
  });
  console.log(`\ne2e replacement at the same IP: ${line}`);
});

e2e("lookup failed at boot (AWS calls denied): EcsPeers asks bin/entrypoint peers again and joins once access works", async () => {
  await buildRelease();
  const ips = subnet(16, 3);
  const line = await withFleet("lkp", ips, { SHOP_ECS_PEERS: "lookup_every=2000" }, async (f) => {
    const group = await bootInOrder(f, f.net.tasks.slice(0, 2));
    await waitMesh(group);
    const late = f.net.tasks[2]!;
    await f.deny(late.ip, true);
    const denied = await f.boot(late);
    assert.match(denied.proc.output(), /AccessDeniedException/, "the boot's lookup should fail");
    assert.ok(denied.proc.output().includes(`shop: node ${denied.node} peers []`), "no peers at boot");
    await waitForOutput(denied.proc, /EcsPeers: bin\/entrypoint peers failed/, 15_000);
    assert.is(lastCluster(denied), "", "nobody knows the task whose lookup failed");
    await f.deny(late.ip, false);
    const allowedAt = performance.now();
    const all = [...group, denied];
    const meshAt = await waitMesh(all, 30_000);
    await assertMesh(all);
    const calls = await f.awsCalls();
    await sleep(5000);
    assert.equal(await f.awsCalls(), calls, "no more lookups once one worked and the node is in the mesh");
    const lists = calls[late.ip]?.ListTasks ?? 0;
    assertBootCallsOnly(calls, { ...once(ips.slice(0, 2)), [late.ip]: lists });
    return `access restored → full mesh ${ms(meshAt - allowedAt)}; the late task made ${lists} ListTasks in all (boot + lookups every 2 s while failing), then none`;
  });
  console.log(`\ne2e lookup failed at boot: ${line}`);
});

test.run();

// End-to-end: EcsPeers (examples/elixir/ecs_peers.ex, compiled into the test release) keeps the
// mesh whole through what ECS does — tasks starting together, a partition longer than
// net_ticktime, rolling deploys, a task replaced at the same IP, a lookup that failed at boot —
// with no AWS call after boot. Same setup as cluster.e2e.test.ts (network namespaces, each task
// PID 1 of its own PID namespace, one `entrypoint fake-metadata` as ECS); run alone with
//   npm run build && node test/run.mjs companion
// Every scenario prints its timings; the README quotes them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { join } from "node:path";
import { once, operatorRemote, partition, rollingDeploy, subnet } from "./companion-cases.ts";
import { assertBootCallsOnly, assertMesh, bootInOrder, lastCluster, ms, waitMesh, withFleet } from "./mesh.ts";
import { netnsUnavailable } from "./netns.ts";
import { runToEnd, sleep, waitForOutput } from "./procs.ts";
import { stopGracefully } from "./scenario.ts";
import { buildRelease, cleanEnv, COOKIE, RELEASE } from "./task.ts";

const unavailable = netnsUnavailable();
const e2e = skipUnless(!unavailable, `network namespaces unavailable (${unavailable}); run it as root with iproute2`, { ci: true });
if (unavailable) console.error(`\n!!! SKIPPING the EcsPeers e2e test: network namespaces unavailable (${unavailable}).\n`);

e2e("storm: 5 tasks started within 200 ms form one full mesh, with 0 AWS calls after boot; an operator's rpc and remote shell reach it", async () => {
  await buildRelease();
  const ips = subnet(10, 5);
  await withFleet("storm", ips, {}, async (f) => {
    const group = await Promise.all(f.net.tasks.map(async (task, i) => (await sleep(i * 45), f.boot(task))));
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
    await operatorRemote(group[0]!, env, f.members.length - 1);
    const peers = group.map((m) => /peers: (\d+) found/.exec(m.proc.output())?.[1] ?? "?").join("/");
    console.log(`\ne2e storm (5 tasks, started over ${ms(Math.max(...starts) - Math.min(...starts))}, boot peers ${peers}): last release up → full mesh ${ms(meshAt - lastUp)}; last start → full mesh ${ms(meshAt - Math.max(...starts))}; AWS calls in 5 s of steady state: 0`);
  });
});

e2e("partition longer than net_ticktime: EcsPeers heals the full mesh when the link returns (0 AWS calls after boot)", async () => {
  await buildRelease();
  console.log(`\ne2e partition with EcsPeers (4 tasks, net_ticktime 4): ${await partition("heal", 11, {}, true)}`);
});

e2e("control: the same partition with the one-shot connector stays split (what EcsPeers prevents)", async () => {
  await buildRelease();
  console.log(`\ne2e partition with the one-shot connector: ${await partition("split", 12, { SHOP_CONNECTOR: "oneshot" }, false)}`);
});

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
    return `access restored → full mesh ${ms(meshAt - allowedAt)}; the late task made ${lists} ListTasks in all (boot + lookups backing off from about 2 s while failing), then none`;
  });
  console.log(`\ne2e lookup failed at boot: ${line}`);
});

test.run();

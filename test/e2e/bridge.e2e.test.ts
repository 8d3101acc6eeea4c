// End-to-end, ECS bridge mode with dynamic host ports (SPEC 4.9): two "instances", each with a
// Docker-like bridge and two "containers" behind NAT (bridge-net.ts). Each container runs the real
// release through bin/entrypoint as PID 1; one fake ECS/EC2 in the VPC (ec2-fake.ts) gives each its
// bridge documents (Ports 9100 → 32768/32769) and answers the entrypoint's peer lookup (ListTasks,
// DescribeTasks, DescribeContainerInstances, DescribeInstances); the instance's address comes from the
// container metadata file. Booted in turn, each finds those before it; the four nodes, named
// <basename>-<host port>@<instance ip>, form a full mesh through the NAT with EcsEpmd and no epmd anywhere, heal after a partition longer than net_ticktime (EcsPeers), `entrypoint
// shop rpc`/`remote` inside a container reach its node by hairpin, and SIGTERM ends each with 0.
// The control: the same cluster named after the containers' own bridge addresses does not form.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { CONTAINER_PORT, instanceLink, natUnavailable } from "./bridge-net.ts";
import { assertNoEpmd, boot, containerEnv, doctor, formByLookup, operatorRpc, TICKTIME, withBridge } from "./bridge-tasks.ts";
import { callsText } from "./ec2-fake.ts";
import { operatorRemote } from "./companion-cases.ts";
import { everSeen, lastCluster, ms, waitMesh, type Member } from "./mesh.ts";
import { netnsUnavailable } from "./netns.ts";
import { commandName, sleep, waitUntil } from "./procs.ts";
import { stopGracefully } from "./scenario.ts";
import { buildRelease, cleanEnv, COOKIE, SHA } from "./task.ts";

const unavailable = netnsUnavailable() ?? natUnavailable();
const e2e = skipUnless(!unavailable, `bridge-mode e2e unavailable (${unavailable}); run it as root with iproute2 and nftables`, { ci: true });
if (unavailable) console.error(`\n!!! SKIPPING the bridge-mode e2e test: ${unavailable}.\n`);

/** The control's peers: the runner hands each node the others' names (ECS_PEER_NODES, the entrypoint's lookup off). */
function peerSource(all: string[], self: string): Record<string, string> {
  return { ENTRYPOINT_PEERS: "off", ECS_PEER_NODES: all.filter((n) => n !== self).join(",") };
}

e2e("bridge, dynamic host ports: 4 nodes on 2 instances form a full mesh through the NAT without epmd, heal after a partition, rpc inside a container, SIGTERM → 0", async () => {
  await buildRelease();
  await withBridge("bd", 40, async (b, group, fake) => {
    const names = b.containers.map((c) => `shop-${SHA}-${c.hostPort}@${c.instanceIp}`);
    // One release boots in interactive mode: distribution loads EcsEpmd from the code path there.
    const mode = (i: number): Record<string, string> => (i === 1 ? { RELEASE_MODE: "interactive" } : {});
    const envs = await Promise.all(b.containers.map(async (c, i) => ({ ...(await containerEnv(fake, c)), ...mode(i) })));
    const formed = await formByLookup(fake, b.containers, b.containers.map((c) => c.ip), envs);
    group.push(...formed.group);
    assert.equal(group.map((m) => m.node), names, "each node is named after its instance's IP and its dynamic host port");
    for (const m of group) {
      assert.match(m.proc.output(), `ip_from=metadata-file ${envs[group.indexOf(m)]!.ECS_CONTAINER_METADATA_FILE}`);
      assert.not.match(m.proc.output(), /entrypoint: node \S+@172\./, "the container's bridge address is never the node's");
      assert.not.match(m.proc.output(), "entrypoint: warning", "the release has EcsEpmd (compiled from examples/elixir/ecs_epmd.ex)");
      assert.is(commandName(m.pid1), "beam.smp", `PID 1 of ${m.task.ns} is the release's VM`);
    }
    assertNoEpmd(group, "once the mesh has formed");

    // The operator's rpc dials its own node's published port on the instance (hairpin): one embedded node, one interactive.
    for (const [i, codeMode] of [[0, "embedded"], [1, "interactive"]] as const) {
      const out = await operatorRpc(b.containers[i]!, envs[i]!, `IO.puts("rpc #{node()} #{:code.get_mode()} #{inspect(:init.get_argument(:epmd_module))} [#{Enum.join(Enum.sort(Node.list()), ",")}]")`);
      const others = names.filter((n) => n !== names[i]).sort().join(",");
      assert.match(out, `rpc ${names[i]} ${codeMode} {:ok, [['Elixir.EcsEpmd']]} [${others}]`, `rpc through the entrypoint in ${b.containers[i]!.ns}`);
    }
    // The operator's remote shell too, in the other instance's second container.
    await operatorRemote(group[3]!, cleanEnv({ RELEASE_COOKIE: COOKIE, ...envs[3]! }), 3);
    assertNoEpmd(group, "after rpc and remote through the entrypoint");

    // doctor dials each node at the port its name carries: a sibling by hairpin, a node of the other instance across the VPC.
    const seen = await doctor(b.containers[0]!, envs[0]!, [names[1]!, names[2]!]);
    assert.is(seen.code, 0, JSON.stringify(seen.rows));
    for (const peer of [names[1]!, names[2]!]) {
      assert.ok(seen.rows.some(([sev, , msg]) => sev === "ok" && msg === `${peer}: port ${peer.split("-").at(-1)!.split("@")[0]} reachable without EPMD, handshake ok, same cookie`), `doctor on ${peer}: ${JSON.stringify(seen.rows)}`);
    }
    assert.not.ok(seen.rows.some(([, check]) => check === "epmd"), "no epmd step with dynamic host ports");

    // Partition: instance 2 loses the VPC until every node has seen nodedown (longer than net_ticktime 4).
    const [far1, far2] = [group[2]!, group[3]!];
    const onlySibling = (m: Member, sibling: Member) => lastCluster(m) === sibling.node;
    instanceLink(b, b.instances[1]!, "down");
    const cutAt = performance.now();
    const split = () => [[group[0]!, group[1]!], [group[1]!, group[0]!], [far1, far2], [far2, far1]].every(([m, s]) => onlySibling(m!, s!));
    const downAt = await waitUntil("nodedown across the instances", 30_000, () => (split() ? performance.now() : undefined));
    instanceLink(b, b.instances[1]!, "up");
    const restoredAt = performance.now();
    const healedAt = await waitMesh(group, 30_000);
    assert.ok(group.every((m) => m.proc.running()), "no release restarted or stopped");

    const stops = [];
    for (const m of group) stops.push(await stopGracefully(m));
    console.log(
      `\ne2e bridge, dynamic host ports (4 nodes, 2 instances, peers by lookup): first start → full mesh ${ms(formed.formedMs)}; ` +
        `partition: nodedown everywhere ${ms(downAt - cutAt)} after the cut, link up → full mesh again ${ms(healedAt - restoredAt)}; SIGTERM → exit 0 ${stops.map(ms).join(", ")}; ` +
        `AWS calls per boot: ${callsText(formed.calls, b.containers.map((c) => c.ip))}; ip_from: ${formed.sources.join(", ")}`,
    );
  });
});

e2e("control: the same cluster named after the containers' bridge addresses (--ip 172.x.0.y) never connects across instances", async () => {
  await buildRelease();
  await withBridge("bc", 41, async (b, group) => {
    const names = b.containers.map((c) => `shop-${SHA}@${c.ip}`);
    const base = { ENTRYPOINT_EPMD: "off", ENTRYPOINT_DIST_PORT: String(CONTAINER_PORT), ...TICKTIME };
    group.push(...(await Promise.all(b.containers.map((c, i) => boot(c, { ...base, ENTRYPOINT_IP: c.ip, ...peerSource(names, names[i]!) })))));
    // Siblings on one bridge reach each other, so the nodes do run and dial: only the instance boundary stops them.
    await waitMesh([group[0]!, group[1]!]);
    await waitMesh([group[2]!, group[3]!]);
    await sleep(5000);
    const crossing = [...everSeen(group.slice(0, 2))].filter((n) => n.includes("@172.21.")).concat([...everSeen(group.slice(2))].filter((n) => n.includes("@172.20.")));
    assert.equal(crossing, [], "no node ever connected to a node of the other instance");
    console.log(`\ne2e bridge control (nodes named after their bridge addresses): siblings on one instance connect, across the 2 instances 0 connections in 5 s`);
  });
});

test.run();

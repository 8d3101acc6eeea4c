// End-to-end, the other EC2 network modes with peers from the entrypoint's lookup (SPEC 4.9): one fake
// ECS/EC2 in the VPC (ec2-fake.ts) answers ListTasks → DescribeTasks → DescribeContainerInstances → EC2
// DescribeInstances, the tasks boot in turn and each finds those before it, and the nodes form a full mesh.
// Bridge with a static host port: one container per instance, Docker's NAT publishing 9100 on 9100.
// Host mode: the release runs in the instance's own namespace (no bridge, no NAT) with EPMD, its address
// from the container metadata file on one instance and from the route on the others.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { CONTAINER_PORT, natUnavailable } from "./bridge-net.ts";
import { assertNoEpmd, containerEnv, formByLookup, withBridge, type Formed } from "./bridge-tasks.ts";
import { callsText } from "./ec2-fake.ts";
import { ms } from "./mesh.ts";
import { netnsUnavailable } from "./netns.ts";
import { buildRelease, SHA, startEpmd } from "./task.ts";

const unavailable = netnsUnavailable() ?? natUnavailable();
const e2e = skipUnless(!unavailable, `EC2 network-mode e2e unavailable (${unavailable}); run it as root with iproute2 and nftables`, { ci: true });
if (unavailable) console.error(`\n!!! SKIPPING the EC2 network-mode e2e test: ${unavailable}.\n`);

const figures = (what: string, f: Formed, ids: string[]) =>
  console.log(`\ne2e ${what}, peers by lookup: first start → full mesh ${ms(f.formedMs)}; AWS calls per boot: ${callsText(f.calls, ids)}; ip_from: ${f.sources.join(", ")}`);

e2e("bridge, static host port 9100: one container on each of 2 instances, found by the lookup, full mesh through the NAT without epmd", async () => {
  await buildRelease();
  await withBridge("bs", 42, async (b, group, fake) => {
    const ids = b.containers.map((c) => c.ip);
    const envs = await Promise.all(b.containers.map((c) => containerEnv(fake, c)));
    const formed = await formByLookup(fake, b.containers, ids, envs);
    group.push(...formed.group);
    assert.equal(group.map((m) => m.node), b.containers.map((c) => `shop-${SHA}@${c.instanceIp}`), "named after the instance's IP, no port in the name");
    assert.equal(formed.sources, ["metadata-file", "metadata-file"]);
    assertNoEpmd(group, "once the mesh has formed");
    figures("bridge, static host port (2 nodes, 2 instances)", formed, ids);
  }, { instances: 2, perInstance: 1, staticPort: CONTAINER_PORT });
});

e2e("host mode: the release in each of 3 instances' own namespace (EPMD, port 9100), found by the lookup, full mesh; address from the metadata file or the route", async () => {
  await buildRelease();
  await withBridge("hm", 43, async (b, group, fake) => {
    const ids = b.instances.map((i) => i.ip);
    await Promise.all(b.instances.map(startEpmd));
    // The agent's metadata file on the second instance only: the others learn their address from the route.
    const placed = b.instances.map((i, k) => ({ id: i.ip, mode: "host" as const, instanceIp: i.ip, containerPort: CONTAINER_PORT, metadataFile: k === 1 }));
    const envs = await Promise.all(placed.map(async (p) => ({ ...(await fake.envOf(p)), ENTRYPOINT_DIST_PORT: String(CONTAINER_PORT) })));
    const formed = await formByLookup(fake, b.instances, ids, envs);
    group.push(...formed.group);
    assert.equal(group.map((m) => m.node), ids.map((ip) => `shop-${SHA}@${ip}`), "named after the instance's IP");
    assert.equal(formed.sources, ["route", "metadata-file", "route"]);
    figures("host mode (3 nodes, 3 instances)", formed, ids);
  }, { instances: 3, perInstance: 0 });
});

test.run();

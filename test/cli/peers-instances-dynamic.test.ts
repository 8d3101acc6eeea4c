// Peers in bridge mode with dynamic host ports: every node name carries its task's published port
// (<basename>-<hostPort>@<instance ip>), so tasks that share an instance are distinct peers.
// Needs the boot's own dynamic-port address step (bridgePublished accepting "hostPort": 0).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { onInstances } from "../fake-aws/ec2-tasks.ts";
import { makeTasks } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { bootWithPeers } from "../helpers/peers-boot.ts";

let task: AwsTask | undefined;

test.after.each(async () => {
  await task?.close();
  task = undefined;
});

const IPS = ["10.2.0.7", "10.2.0.12"];
const calls = (t: AwsTask) => Object.fromEntries(["ListTasks", "DescribeTasks", "DescribeContainerInstances", "DescribeInstances"].map((api) => [api, t.aws.callsTo(api as never).length]));

test("bridge, dynamic host ports: names carry each peer's published port; two tasks on one instance; our own left out", async () => {
  const ports = [32768, 32769, 32770, 32771, 32772];
  const tasks = onInstances(makeTasks(5, { cluster: "prod", family: "shop" }), { networkMode: "bridge", ips: IPS, containerPort: 9100, hostPort: (i) => ports[i] });
  const t = (task = await startAwsTask(tasks, { buckets: null }, false, {}, { networkMode: "bridge", ports: { containerPort: 9100, hostPort: 32768 } }));
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"]);
  assert.is(r.code, 0, r.stderr);
  // Tasks 0, 2, 4 on 10.2.0.7 (task 0 is us), tasks 1, 3 on 10.2.0.12.
  assert.equal(r.nodes, ["shop-s1-32770@10.2.0.7", "shop-s1-32772@10.2.0.7", "shop-s1-32769@10.2.0.12", "shop-s1-32771@10.2.0.12"]);
  assert.equal(r.ips, ["10.2.0.7", "10.2.0.12"], "de-duplicated, sorted; our own instance's IP is a peer's too");
  assert.equal(calls(t), { ListTasks: 1, DescribeTasks: 1, DescribeContainerInstances: 1, DescribeInstances: 1 });
});

test("dynamic host ports inside the running release: the kept RELEASE_NODE's port is not part of the peers' basename", async () => {
  const tasks = onInstances(makeTasks(3, { cluster: "prod", family: "shop" }), { networkMode: "bridge", ips: IPS, containerPort: 9100, hostPort: (i) => 32768 + i });
  const t = (task = await startAwsTask(tasks, { buckets: null }, false, {}, { networkMode: "bridge", ports: { containerPort: 9100, hostPort: 32768 } }));
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"], { RELEASE_NODE: "shop-s1-32768@10.2.0.7" });
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.nodes, ["shop-s1-32770@10.2.0.7", "shop-s1-32769@10.2.0.12"]);
});

test.run();

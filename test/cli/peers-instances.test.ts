// Peers in host and bridge mode: a peer is its container instance's private IP (DescribeTasks →
// DescribeContainerInstances → EC2 DescribeInstances, all signed and checked by the fake), named as our node is.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { onInstances } from "../fake-aws/ec2-tasks.ts";
import { makeTasks, type FakeAwsOptions } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask, type OnInstance } from "../helpers/aws-task.ts";
import { bootWithPeers, ipsOf, sorted } from "../helpers/peers-boot.ts";
import { ENTRYPOINT } from "../helpers/run.ts";

let task: AwsTask | undefined;

test.after.each(async () => {
  await task?.close();
  task = undefined;
});

const IPS = ["10.2.0.7", "10.2.0.12", "10.2.0.30"];
const BRIDGE: OnInstance = { networkMode: "bridge", ports: { containerPort: 9100, hostPort: 9100 } };

async function cluster(n: number, placement: Parameters<typeof onInstances>[1], onInstance: OnInstance, options: FakeAwsOptions = {}, startedBy?: string) {
  const tasks = onInstances(makeTasks(n, { cluster: "prod", family: "shop", startedBy }), placement);
  task = await startAwsTask(tasks, { buckets: null, ...options }, false, {}, onInstance);
  return task;
}

const calls = (t: AwsTask) => Object.fromEntries(["ListTasks", "DescribeTasks", "DescribeContainerInstances", "DescribeInstances"].map((api) => [api, t.aws.callsTo(api as never).length]));

test("bridge, static host port: one node per instance at the instance's IP; four calls in all", async () => {
  const t = await cluster(3, { networkMode: "bridge", ips: IPS, containerPort: 9100 }, BRIDGE);
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, ["10.2.0.12", "10.2.0.30"]);
  assert.equal(r.nodes, ["shop-s1@10.2.0.12", "shop-s1@10.2.0.30"]);
  assert.equal(r.lookup, "ok");
  assert.equal(calls(t), { ListTasks: 1, DescribeTasks: 1, DescribeContainerInstances: 1, DescribeInstances: 1 });
  const ec2 = t.aws.callsTo("DescribeInstances")[0]!;
  assert.is(ec2.body.Action, "DescribeInstances");
  assert.is(ec2.body.Version, "2016-11-15");
  assert.equal(Object.keys(ec2.body).filter((k) => k.startsWith("InstanceId.")).length, 2, "our own instance is not asked for");
  assert.match(r.stderr, /entrypoint: peers: 2 found strategy=family mode=bridge list=complete calls=4/);
});

test("inside the running release (RELEASE_NODE kept, as EcsPeers asks again): the container document still says bridge", async () => {
  const t = await cluster(3, { networkMode: "bridge", ips: IPS, containerPort: 9100 }, BRIDGE);
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"], { RELEASE_NODE: "shop-s1@10.2.0.7" });
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.nodes, ["shop-s1@10.2.0.12", "shop-s1@10.2.0.30"]);
});

test("past 100 tasks (a subset, as in awsvpc): still one call of each, at most 100 instances asked for", async () => {
  const ips = Array.from({ length: 120 }, (_, i) => `10.4.${i >> 6}.${(i & 63) + 1}`);
  // One deployment: the candidates hold our generation, reachable on their instances, so no listing of our deployment follows.
  const t = await cluster(150, { networkMode: "bridge", ips, containerPort: 9100 }, BRIDGE, {}, "ecs-svc/1234567890123456789");
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.list, "subset");
  assert.ok(r.nodes.length >= 70 && r.nodes.length <= 99, `${r.nodes.length} peers`);
  assert.equal(calls(t), { ListTasks: 1, DescribeTasks: 1, DescribeContainerInstances: 1, DescribeInstances: 1 });
  const asked = t.aws.callsTo("DescribeContainerInstances")[0]!.body.containerInstances.length;
  assert.ok(asked <= 100, `${asked} instances asked for`);
  assert.is(Object.keys(t.aws.callsTo("DescribeInstances")[0]!.body).filter((k) => k.startsWith("InstanceId.")).length, asked);
});

test("host mode: <basename>@<instance ip>, one per instance (node names de-duplicated), ours left out", async () => {
  const t = await cluster(5, { networkMode: "host", ips: IPS, containerPort: 9100 }, { networkMode: "host" });
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.nodes, ["shop-s1@10.2.0.12", "shop-s1@10.2.0.30"], "task 3 shares our instance (and our name): left out");
  assert.equal(r.ips, ["10.2.0.12", "10.2.0.30"]);
});

test("bridge: tasks without a binding for the distribution port are skipped; none with one: a warning with the portMappings fix", async () => {
  const t = await cluster(3, { networkMode: "bridge", ips: IPS, containerPort: 9100, hostPort: () => undefined }, BRIDGE);
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal([r.ips, r.nodes, r.lookup], [[], [], "ok"]);
  assert.match(r.stderr, /warning: peers \(family\): 2 running task\(s\) publish no host port for the distribution port 9100; 0 peers: add to the container's portMappings \{"containerPort": 9100, "hostPort": 9100, "protocol": "tcp"\}/);
  assert.equal(calls(t), { ListTasks: 1, DescribeTasks: 1, DescribeContainerInstances: 0, DescribeInstances: 0 });
});

test("ec2:DescribeInstances denied (UnauthorizedOperation): a warning naming it and the IAM fix, ECS_PEER_LOOKUP=failed, the command runs", async () => {
  const t = await cluster(3, { networkMode: "bridge", ips: IPS, containerPort: 9100 }, BRIDGE, { deny: ["ec2:DescribeInstances"] });
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"], {}, "7");
  assert.is(r.code, 7);
  assert.equal([r.ips, r.nodes, r.lookup], [[], [], "failed"]);
  assert.match(r.stderr, /warning: peers \(family\): ec2:DescribeInstances failed: UnauthorizedOperation: You are not authorized to perform this operation\..*; in network mode host and bridge the task role also needs ecs:DescribeContainerInstances and ec2:DescribeInstances/);
  assert.is(t.aws.callsTo("DescribeInstances").length, 1, "a refusal is not retried");
});

test("ecs:DescribeContainerInstances denied: the same warning for that action; no EC2 call", async () => {
  const t = await cluster(3, { networkMode: "host", ips: IPS, containerPort: 9100 }, { networkMode: "host" }, { deny: ["ecs:DescribeContainerInstances"] });
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.lookup, "failed");
  assert.match(r.stderr, /ecs:DescribeContainerInstances failed: AccessDeniedException: .*the task role needs ecs:ListTasks and ecs:DescribeTasks.*; in network mode host and bridge the task role also needs ecs:DescribeContainerInstances and ec2:DescribeInstances/);
  assert.is(t.aws.callsTo("DescribeInstances").length, 0);
});

test("EC2 throttling (RequestLimitExceeded) is retried with the jittered waits until it passes", async () => {
  // Four in a row: more than the two retries of an error that is not throttling.
  const t = await cluster(3, { networkMode: "bridge", ips: IPS, containerPort: 9100 }, BRIDGE, { throttleFirst: 4 });
  const r = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100", "--peers-timeout", "15000"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, ["10.2.0.12", "10.2.0.30"]);
  assert.equal(t.aws.callsTo("DescribeInstances").map((c) => c.error ?? "ok"), ["RequestLimitExceeded", "RequestLimitExceeded", "RequestLimitExceeded", "RequestLimitExceeded", "ok"]);
});

/** A copy of the bundle without its host/bridge part: a run that needed it would fail to load it. */
function withoutEc2Chunk(): string {
  const text = readFileSync(ENTRYPOINT, "utf8");
  const at = text.lastIndexOf("\n/*ENTRYPOINT-CHUNKS\n");
  const chunks = JSON.parse(text.slice(at + 21, text.lastIndexOf("\n*/")));
  assert.ok(chunks["peers-ec2"], "the bundle has the part");
  delete chunks["peers-ec2"];
  const file = join(mkdtempSync(join(tmpdir(), "ep-no-ec2-")), "entrypoint");
  writeFileSync(file, `${text.slice(0, at)}\n/*ENTRYPOINT-CHUNKS\n${JSON.stringify(chunks)}\n*/\n`);
  chmodSync(file, 0o755);
  return file;
}

test("awsvpc: no instance call, and the host/bridge part is never loaded (a bundle without it works); bridge needs it (control)", async () => {
  const program = withoutEc2Chunk();
  const tasks = makeTasks(4, { cluster: "prod", family: "shop" });
  task = await startAwsTask(tasks, { buckets: null });
  const r = await bootWithPeers(task, ["--peers", "family"], {}, "0", program);
  assert.is(r.code, 0, r.stderr);
  assert.equal([r.ips, r.lookup], [sorted(ipsOf(tasks.slice(1))), "ok"]);
  assert.equal(calls(task), { ListTasks: 1, DescribeTasks: 1, DescribeContainerInstances: 0, DescribeInstances: 0 });
  await task.close();
  const t = await cluster(3, { networkMode: "bridge", ips: IPS, containerPort: 9100 }, BRIDGE);
  const bridge = await bootWithPeers(t, ["--peers", "family", "--dist-port", "9100"], {}, "0", program);
  assert.is(bridge.lookup, "failed");
  assert.match(bridge.stderr, /this build has no "peers-ec2" part/);
});

test.run();

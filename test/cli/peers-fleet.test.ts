// The peer lookup at fleet scale, against the SigV4-checking fake with AWS's token bucket: bounded calls,
// one cluster, exact results, throttling, rolling deploys.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTasks } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { bootWithPeers as boot, ipsOf, sorted } from "../helpers/peers-boot.ts";
import { runEntrypoint } from "../helpers/run.ts";

let task: AwsTask | undefined;
test.after.each(async () => {
  await task?.close();
  task = undefined;
});

const tags = { app: "shop" };
const tagsQuery = (cluster?: string) => JSON.stringify({ ...(cluster ? { cluster } : {}), params: { TagFilters: [{ Key: "app", Values: ["shop"] }] } });
const described = (t: AwsTask) => t.aws.callsTo("DescribeTasks").flatMap((c) => c.body.tasks as string[]);

test("our own task is never described when the list is complete; a lone task makes one call", async () => {
  const tasks = makeTasks(40, { cluster: "prod", family: "shop" });
  task = await startAwsTask(tasks);
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.ips.length, 39);
  assert.not.ok(described(task).includes(tasks[0]!.taskArn), "our own ARN was described");
  assert.is(r.list, "complete");
  await task.close();
  task = await startAwsTask(makeTasks(1, { cluster: "prod", family: "shop" }));
  const alone = await boot(task, ["--peers", "family"]);
  assert.equal([alone.ips, alone.lookup], [[], "ok"]);
  assert.is(task.aws.calls.length, 1);
});

test("1000 tasks: one ListTasks and one DescribeTasks of at most 100, ECS_PEER_LIST=subset", async () => {
  task = await startAwsTask(makeTasks(1000, { cluster: "prod", family: "shop" }));
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal([task.aws.callsTo("ListTasks").length, task.aws.callsTo("DescribeTasks").length], [1, 1]);
  assert.is(r.ips.length, 99);
  assert.is(r.list, "subset");
  assert.match(r.stderr, /peers: 99 found strategy=family list=subset calls=2/);
});

test("a listing page of more than 100 ARNs: every DescribeTasks holds at most 100", async () => {
  task = await startAwsTask(makeTasks(150, { cluster: "prod", family: "shop" }), { forcePageSize: 150 });
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.ips.length > 0);
  assert.ok(task.aws.callsTo("DescribeTasks").every((c) => c.body.tasks.length <= 100 && c.status === 200));
});

test("rolling deploy, old tasks listed first: our own deployment is listed by startedBy, bounded calls", async () => {
  const old = makeTasks(300, { cluster: "prod", family: "shop", revision: 1, startedBy: "ecs-svc/1111" });
  const fresh = makeTasks(4, { cluster: "prod", family: "shop", revision: 2, startedBy: "ecs-svc/2222" });
  task = await startAwsTask([fresh[0]!, ...old, ...fresh.slice(1)], { listOrder: "oldest-first" });
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  for (const ip of ipsOf(fresh.slice(1))) assert.ok(r.ips.includes(ip), `same-generation peer ${ip} missing`);
  assert.ok(task.aws.calls.length <= 4, `${task.aws.calls.length} calls`);
  assert.is(task.aws.callsTo("ListTasks")[1]?.body.startedBy, "ecs-svc/2222");
});

test("tags: the query's cluster scopes the peers; without one, the task's own cluster; '*' opts into all", async () => {
  const prod = makeTasks(5, { cluster: "prod", family: "shop", tags });
  const staging = makeTasks(4, { cluster: "staging", family: "shop", tags });
  task = await startAwsTask([...prod, ...staging], { clusters: ["staging"] });
  const own = await boot(task, [], { DNS_CLUSTER_ECS_QUERY: tagsQuery() });
  assert.equal(own.ips, sorted(ipsOf(prod.slice(1))));
  const asked = await boot(task, [], { DNS_CLUSTER_ECS_QUERY: tagsQuery("staging") });
  assert.equal(asked.ips, sorted(ipsOf(staging)));
  const all = await boot(task, [], { DNS_CLUSTER_ECS_QUERY: tagsQuery("*") });
  assert.equal(all.ips, sorted([...ipsOf(prod.slice(1)), ...ipsOf(staging)]));
  for (const call of task.aws.callsTo("DescribeTasks")) assert.ok(call.body.tasks.every((arn: string) => arn.includes(`:task/${call.body.cluster}/`)));
});

test("a query naming another cluster, more than a page there: our own task rides in no DescribeTasks (no call of its own)", async () => {
  const prod = makeTasks(1, { cluster: "prod", family: "shop", tags, startedBy: "ecs-svc/1111" });
  const staging = makeTasks(150, { cluster: "staging", family: "shop", tags });
  task = await startAwsTask([...prod, ...staging], { clusters: ["staging"] });
  const r = await boot(task, [], { DNS_CLUSTER_ECS_QUERY: tagsQuery("staging") });
  assert.is(r.code, 0, r.stderr);
  assert.equal([r.ips.length >= 99, r.list], [true, "subset"]);
  assert.not.ok(described(task).includes(prod[0]!.taskArn), "our own ARN was described");
  assert.equal(task.aws.callsTo("DescribeTasks").map((c) => c.body.cluster), ["staging"]);
});

test("only tasks whose ARN was asked for count", async () => {
  const tasks = makeTasks(4, { cluster: "prod", family: "shop" });
  const strangers = makeTasks(3, { cluster: "prod", family: "other" });
  task = await startAwsTask([...tasks, ...strangers], { describeExtra: 3 });
  const r = await boot(task, ["--peers", "family"]);
  assert.equal(r.ips, sorted(ipsOf(tasks.slice(1))));
});

test("a repeated pagination token ends the listing with the pages received and a warning", async () => {
  const prod = makeTasks(11, { cluster: "prod", family: "shop", tags });
  task = await startAwsTask([...prod, ...makeTasks(200, { cluster: "staging", family: "shop", tags })], { repeatToken: true });
  const r = await boot(task, ["--peers-timeout", "5000"], { DNS_CLUSTER_ECS_QUERY: tagsQuery() });
  assert.is(r.code, 0, r.stderr);
  assert.equal([r.ips, r.lookup], [sorted(ipsOf(prod.slice(1))), "ok"]);
  assert.match(r.stderr, /handed back a page token it had already given; using the 2 page\(s\) received/);
  assert.ok(r.ms < 4000, `${Math.round(r.ms)} ms`);
});

test("TagFilters beyond GetResources' limits: exit 78 before any call", async () => {
  const q = (filters: unknown) => JSON.stringify({ params: { TagFilters: filters } });
  const cases: [unknown, RegExp][] = [
    [Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}` })), /51 TagFilters; GetResources takes at most 50/],
    [[{ Key: "app", Values: Array.from({ length: 21 }, (_, i) => `v${i}`) }], /has 21 Values; GetResources takes at most 20/],
    [[{ Key: "", Values: ["x"] }], /has an empty "Key"/],
  ];
  for (const [filters, message] of cases) {
    const r = await runEntrypoint(["--ip", "10.0.0.1", "--app", "shop", "true"], { env: { DNS_CLUSTER_ECS_QUERY: q(filters) } });
    assert.is(r.code, 78, r.stderr);
    assert.match(r.stderr, message);
  }
});

test("an awsvpc task among tasks without a task address (bridge/host): the warning says the group needs one network mode", async () => {
  const tasks = makeTasks(4, { cluster: "prod", family: "shop" });
  for (const t of tasks.slice(1)) {
    t.attachments = [];
    for (const c of t.containers ?? []) delete c.networkInterfaces;
  }
  task = await startAwsTask(tasks);
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal([r.ips, r.lookup], [[], "ok"]);
  assert.match(r.stderr, /3 running task\(s\) have no task IP address \(network mode host or bridge\?\); 0 peers: this task runs in awsvpc mode and finds awsvpc peers; give every task of the group the same networkMode/);
  assert.equal([task.aws.callsTo("DescribeContainerInstances").length, task.aws.callsTo("DescribeInstances").length], [0, 0], "an awsvpc boot makes no instance calls");
});

test("the peer variables stay far below the kernel's 128 KiB per string: the release starts, the app learns the cut", async () => {
  task = await startAwsTask(makeTasks(700, { cluster: "prod", family: "shop" }));
  const basename = "x".repeat(1000);
  const r = await boot(task, ["--peers", "family"], { RELEASE_NODE: `${basename}@${task.selfIp}` });
  assert.is(r.code, 0, r.stderr.slice(0, 500));
  assert.ok(r.nodes.length > 0 && Buffer.byteLength(r.nodes.join(",")) <= 32 * 1024, `${r.nodes.length} nodes`);
  assert.is(r.list, "subset");
  assert.match(r.stderr, /kept so that ECS_PEER_NODES stays under 32768 bytes; ECS_PEER_LIST=subset/);
});

test("the 32 KiB bound counts the commas: ECS_PEER_NODES as the release gets it is never longer", async () => {
  const tasks = makeTasks(60, { cluster: "prod", family: "shop" });
  const peers = sorted(ipsOf(tasks.slice(1)));
  // A basename that makes 32 node names fit 32 KiB without their commas, but not with them: 31 are kept.
  const basename = "x".repeat(Math.floor((32 * 1024 - peers.slice(0, 32).join("").length) / 32) - 1);
  task = await startAwsTask(tasks);
  const r = await boot(task, ["--peers", "family"], { RELEASE_NODE: `${basename}@${task.selfIp}` });
  assert.is(r.code, 0, r.stderr.slice(0, 500));
  assert.equal(r.nodes, peers.slice(0, 31).map((ip) => `${basename}@${ip}`));
  assert.ok(Buffer.byteLength(r.nodes.join(",")) <= 32 * 1024);
  assert.is(r.list, "subset");
});

test("throttling beyond the SDK's retries: retried with jitter until it passes, within the deadline, no storm", async () => {
  task = await startAwsTask(makeTasks(5, { cluster: "prod", family: "shop" }), { throttleFirst: 6 });
  const r = await boot(task, ["--peers", "family", "--peers-timeout", "20000"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal([r.ips.length, r.lookup], [4, "ok"]);
  assert.ok(task.aws.throttled().length >= 12, "both APIs were throttled");
  assert.ok(task.aws.calls.length <= 16, `${task.aws.calls.length} requests`);
});

test("throttled until the deadline: failed, with a warning naming the API and ThrottlingException", async () => {
  task = await startAwsTask(makeTasks(5, { cluster: "prod", family: "shop" }), { throttleFirst: 1000 });
  const r = await boot(task, ["--peers", "family", "--peers-timeout", "1500"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.lookup, "failed");
  assert.match(r.stderr, /peers \(family\): (ecs:ListTasks failed: ThrottlingException|no answer within 1500 ms \(waiting for ecs:ListTasks\))/);
  assert.ok(task.aws.calls.length < 30, `${task.aws.calls.length} requests in 1.5 s`);
});

test.run();

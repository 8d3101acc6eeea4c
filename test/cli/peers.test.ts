// Peer pre-resolution through the real AWS SDK against a fake AWS API that verifies every signature.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTasks, taskIps } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { bootWithPeers, ipsOf, sorted } from "../helpers/peers-boot.ts";
import { runEntrypoint } from "../helpers/run.ts";

let task: AwsTask | undefined;

test.after.each(async () => {
  await task?.close();
  task = undefined;
});

const boot = bootWithPeers;

test("family: 100 tasks -> the complete list, 99 peers in one ListTasks and one DescribeTasks", async () => {
  const tasks = makeTasks(100, { cluster: "prod", family: "shop" });
  task = await startAwsTask([...tasks, ...makeTasks(5, { cluster: "prod", family: "other" })]);
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted(ipsOf(tasks.slice(1))));
  assert.is(r.nodes.length, 99);
  assert.is(r.nodes[0], `shop-s1@${r.ips[0]}`);
  assert.not.ok(r.ips.includes(task.selfIp), "self excluded");
  assert.is(task.aws.callsTo("ListTasks").length, 1);
  assert.is(task.aws.callsTo("DescribeTasks").length, 1);
  assert.ok(task.aws.callsTo("ListTasks").every((c) => c.body.family === "shop" && c.body.desiredStatus === "RUNNING"));
  assert.match(r.stderr, /entrypoint: peers: 99 found strategy=family list=complete calls=2/);
});

test("service:NAME lists by service; sidecar duplicates collapse to one address per task", async () => {
  const web = makeTasks(4, { cluster: "prod", family: "shop", service: "web", sidecar: true });
  task = await startAwsTask([...web, ...makeTasks(3, { cluster: "prod", family: "shop", service: "worker" })]);
  const r = await boot(task, ["--peers", "service:web"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted(ipsOf(web.slice(1))));
  assert.is(task.aws.callsTo("ListTasks")[0]!.body.serviceName, "web");
});

test("tags via DNS_CLUSTER_ECS_QUERY: pages, only our own cluster, stopped tasks left out", async () => {
  const tags = { app: "shop" };
  const a = makeTasks(70, { cluster: "blue", family: "shop", tags });
  const b = makeTasks(40, { cluster: "green", family: "shop", tags });
  const gone = [
    ...makeTasks(3, { cluster: "blue", family: "shop", tags, lastStatus: "STOPPED", desiredStatus: "STOPPED" }),
    ...makeTasks(2, { cluster: "blue", family: "shop", tags, lastStatus: "DEPROVISIONING", desiredStatus: "STOPPED" }),
    ...makeTasks(2, { cluster: "green", family: "shop", tags, lastStatus: "STOPPING", desiredStatus: "RUNNING" }),
  ];
  const starting = makeTasks(2, { cluster: "blue", family: "shop", tags, lastStatus: "PROVISIONING", desiredStatus: "RUNNING" });
  task = await startAwsTask([a[0]!, ...b, ...a.slice(1), ...gone, ...starting, ...makeTasks(6, { cluster: "blue", family: "shop", tags: { app: "other" } })]);
  const query = JSON.stringify({ params: { TagFilters: [{ Key: "app", Values: ["shop"] }] } });
  const r = await boot(task, [], { DNS_CLUSTER_ECS_QUERY: query });
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted([...ipsOf(a.slice(1)), ...ipsOf(starting)]));
  assert.is(task.aws.callsTo("GetResources").length, 2, "paginated");
  for (const call of task.aws.callsTo("DescribeTasks")) {
    assert.ok(call.body.tasks.every((arn: string) => arn.includes(`:task/${call.body.cluster}/`)), "described in the ARN's own cluster");
  }
});

test("throttled first 2 calls of each API still succeed (SDK retry)", async () => {
  const tasks = makeTasks(5, { cluster: "prod", family: "shop" });
  task = await startAwsTask(tasks, { throttleFirst: 2 });
  const r = await boot(task, ["--peers", "family", "--peers-timeout", "15000"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.ips.length, 4);
  assert.ok(task.aws.calls.some((c) => c.error === "ThrottlingException"));
});

test("AccessDenied: a warning naming the API and error; empty vars; the command still runs with its own exit code", async () => {
  task = await startAwsTask(makeTasks(5, { cluster: "prod", family: "shop" }), { deny: ["ecs:DescribeTasks"] });
  const r = await boot(task, ["--peers", "family"], {}, "7");
  assert.is(r.code, 7);
  assert.equal([r.ips, r.nodes], [[], []]);
  assert.match(r.stdout, /^\n\nfailed\n\n$/);
  assert.match(r.stderr, /entrypoint: warning: peers \(family\): ecs:DescribeTasks failed: AccessDeniedException: .*ecs:DescribeTasks.*; the task role needs ecs:ListTasks and ecs:DescribeTasks/);
});

test("AWS 3 s slow, --peers-timeout 1000: the boot goes on after the deadline", async () => {
  task = await startAwsTask(makeTasks(5, { cluster: "prod", family: "shop" }), { latencyMs: 3000 });
  const r = await boot(task, ["--peers", "family", "--peers-timeout", "1000"]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /peers \(family\): no answer within 1000 ms \(waiting for ecs:ListTasks\)/);
  assert.ok(r.ms < 2900, `did not wait for the slow answer (${Math.round(r.ms)} ms)`);
});

test("credentials the API does not know: the request is rejected (the signature is really checked)", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }), { credentials: [{ accessKeyId: "AKIDOTHER", secretAccessKey: "x" }] });
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0);
  assert.match(r.stderr, /ecs:ListTasks failed: UnrecognizedClientException/);
  assert.is(task.aws.callsTo("ListTasks")[0]!.error, "UnrecognizedClientException");
});

test("IPv6 node: peers' IPv6 addresses written by AWS in any form come out canonical (RFC 5952)", async () => {
  const tasks = makeTasks(3, { cluster: "prod", family: "shop", ipv6: true });
  const canonical = ipsOf(tasks, true);
  // e.g. fd00::1:0:5 -> FD00:0:0::1:0:5 on the ENI and FD00:0:0:0:0:1:0:5 on the container
  for (const t of tasks.slice(1)) {
    const ip = taskIps(t).find((a) => a.includes(":"))!;
    const [head, tail] = ip.split("::");
    for (const d of t.attachments![0]!.details) if (d.name === "ipv6Address") d.value = `${head!.toUpperCase()}:0:0::${tail!.toUpperCase()}`;
    for (const c of t.containers!) for (const ni of c.networkInterfaces!) ni.ipv6Address = `${head!.toUpperCase()}:0:0:0:0:${tail!.toUpperCase()}`;
  }
  task = await startAwsTask(tasks, {}, true);
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted(canonical.slice(1)));
  assert.ok(task.aws.callsTo("DescribeTasks").length > 0 && JSON.stringify(tasks[1]).includes(":0:0::"), "the fake served non-canonical forms");
  assert.equal(r.nodes, r.ips.map((ip) => `shop-s1@${ip}`));
});

test("service-specific endpoint variables are honoured (AWS_ENDPOINT_URL_ECS)", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }));
  const r = await boot(task, ["--peers", "family"], { AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ENDPOINT_URL_ECS: task.aws.url });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.ips.length, 2);
});

test("an expired tagging PaginationToken restarts the listing once", async () => {
  const tags = { app: "shop" };
  const prod = makeTasks(60, { cluster: "prod", family: "shop", tags });
  task = await startAwsTask([prod[0]!, ...makeTasks(90, { cluster: "staging", family: "shop", tags }), ...prod.slice(1)], { expireTokenOnce: true });
  const r = await boot(task, ["--peers", "tags", "--peers-query", '{"params":{"TagFilters":[{"Key":"app"}]}}']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted(ipsOf(prod.slice(1))));
  assert.ok(task.aws.calls.some((c) => c.error === "PaginationTokenExpiredException"));
});

test("peers off (the default): no AWS call, no peer variables", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }));
  const r = await runEntrypoint(["--app", "shop", "sh", "-c", 'echo "${ECS_PEER_IPS-unset}"'], { env: task.env });
  assert.is(r.stdout, "unset\n");
  assert.is(task.aws.calls.length, 0);
});

test.run();

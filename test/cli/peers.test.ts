// Peer pre-resolution through the real AWS SDK against a fake AWS API that verifies every signature.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTasks, taskIps, type FakeTask } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { runEntrypoint } from "../helpers/run.ts";

const PRINT = ["sh", "-c", 'printf "%s\\n%s\\n" "$ECS_PEER_IPS" "$ECS_PEER_NODES"; exit "${1:-0}"', "sh"];
let task: AwsTask | undefined;

test.after.each(async () => {
  await task?.close();
  task = undefined;
});

async function boot(t: AwsTask, args: string[], env: Record<string, string> = {}, exit = "0") {
  const r = await runEntrypoint(["--app", "shop", "--sha", "s1", ...args, ...PRINT, exit], { env: { ...t.env, ...env } });
  for (const secret of t.secrets) assert.not.ok(r.stderr.includes(secret), "a credential reached the log");
  const [ips = "", nodes = ""] = r.stdout.split("\n");
  return { ...r, ips: ips ? ips.split(",") : [], nodes: nodes ? nodes.split(",") : [] };
}

const ipsOf = (tasks: FakeTask[], v6 = false) => tasks.map((t) => taskIps(t).find((ip) => ip.includes(":") === v6)!);
const sorted = (ips: string[]) => [...ips].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));

test("family: 250 tasks, pages of 100 -> 249 peers in 3 ListTasks and 3 DescribeTasks calls", async () => {
  const tasks = makeTasks(250, { cluster: "prod", family: "shop" });
  task = await startAwsTask([...tasks, ...makeTasks(5, { cluster: "prod", family: "other" })]);
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted(ipsOf(tasks.slice(1))));
  assert.is(r.nodes.length, 249);
  assert.is(r.nodes[0], `shop-s1@${r.ips[0]}`);
  assert.not.ok(r.ips.includes(task.selfIp), "self excluded");
  assert.is(task.aws.callsTo("ListTasks").length, 3);
  const describes = task.aws.callsTo("DescribeTasks");
  assert.is(describes.length, 3);
  assert.ok(describes.every((c) => c.body.tasks.length <= 100));
  assert.ok(task.aws.callsTo("ListTasks").every((c) => c.body.family === "shop" && c.body.desiredStatus === "RUNNING"));
  assert.match(r.stderr, /entrypoint: peers: 249 found strategy=family calls=6/);
});

test("service:NAME lists by service; sidecar duplicates collapse to one address per task", async () => {
  const web = makeTasks(4, { cluster: "prod", family: "shop", service: "web", sidecar: true });
  task = await startAwsTask([...web, ...makeTasks(3, { cluster: "prod", family: "shop", service: "worker" })]);
  const r = await boot(task, ["--peers", "service:web"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted(ipsOf(web.slice(1))));
  assert.is(task.aws.callsTo("ListTasks")[0]!.body.serviceName, "web");
});

test("tags via DNS_CLUSTER_ECS_QUERY: pages, two clusters, stopped tasks left out", async () => {
  const tags = { app: "shop" };
  const a = makeTasks(130, { cluster: "blue", family: "shop", tags });
  const b = makeTasks(40, { cluster: "green", family: "shop", tags });
  const gone = [
    ...makeTasks(3, { cluster: "blue", family: "shop", tags, lastStatus: "STOPPED", desiredStatus: "STOPPED" }),
    ...makeTasks(2, { cluster: "blue", family: "shop", tags, lastStatus: "DEPROVISIONING", desiredStatus: "STOPPED" }),
    ...makeTasks(2, { cluster: "green", family: "shop", tags, lastStatus: "STOPPING", desiredStatus: "RUNNING" }),
  ];
  const starting = makeTasks(2, { cluster: "green", family: "shop", tags, lastStatus: "PROVISIONING", desiredStatus: "RUNNING" });
  task = await startAwsTask([...a, ...b, ...gone, ...starting, ...makeTasks(6, { cluster: "blue", family: "shop", tags: { app: "other" } })]);
  const query = JSON.stringify({ params: { TagFilters: [{ Key: "app", Values: ["shop"] }] } });
  const r = await boot(task, [], { DNS_CLUSTER_ECS_QUERY: query });
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted([...ipsOf(a.slice(1)), ...ipsOf(b), ...ipsOf(starting)]));
  assert.ok(task.aws.callsTo("GetResources").length >= 2, "paginated");
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
  assert.match(r.stdout, /^\n\n$/);
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

test("IPv6 node: peers' IPv6 addresses, canonical", async () => {
  const tasks = makeTasks(3, { cluster: "prod", family: "shop", ipv6: true });
  task = await startAwsTask(tasks, {}, true);
  const r = await boot(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted(ipsOf(tasks.slice(1), true)));
  assert.match(r.nodes[0]!, /^shop-s1@[0-9a-f:]+$/);
});

test("service-specific endpoint variables are honoured (AWS_ENDPOINT_URL_ECS)", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }));
  const r = await boot(task, ["--peers", "family"], { AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ENDPOINT_URL_ECS: task.aws.url });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.ips.length, 2);
});

test("an expired tagging PaginationToken restarts the listing once", async () => {
  const tasks = makeTasks(150, { cluster: "prod", family: "shop", tags: { app: "shop" } });
  task = await startAwsTask(tasks, { expireTokenOnce: true });
  const r = await boot(task, ["--peers", "tags", "--peers-query", '{"params":{"TagFilters":[{"Key":"app"}]}}']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.ips.length, 149);
  assert.ok(task.aws.calls.some((c) => c.error === "PaginationTokenExpiredException"));
});

test("peers off (the default): no AWS call, no peer variables", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }));
  const r = await runEntrypoint(["--app", "shop", "sh", "-c", 'echo "${ECS_PEER_IPS-unset}"'], { env: task.env });
  assert.is(r.stdout, "unset\n");
  assert.is(task.aws.calls.length, 0);
});

test.run();

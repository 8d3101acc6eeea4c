import { test } from "uvu";
import * as assert from "uvu/assert";
import { DescribeTasksCommand, ListTasksCommand, paginateListTasks } from "@aws-sdk/client-ecs";
import { ecsClient, rejection, useContainerCredentials } from "./clients.ts";
import { makeTasks, startFakeAws, taskIps } from "./server.ts";

const creds = await useContainerCredentials();
const web = makeTasks(250, { cluster: "prod", family: "web", service: "web-svc" });
const stopped = makeTasks(2, { cluster: "prod", family: "web", service: "web-svc", lastStatus: "STOPPED", desiredStatus: "STOPPED" });
const sidecars = makeTasks(2, { cluster: "prod", family: "api", sidecar: true, ipv6: true, tags: { team: "core" } });
const other = makeTasks(3, { cluster: "staging", family: "web" });
const fake = await startFakeAws({ credentials: [creds], tasks: [...web, ...stopped, ...sidecars, ...other], clusters: ["empty"], services: ["idle-svc"] });
const ecs = ecsClient(fake.url);

test.before.each(() => fake.reset());
test.after(async () => {
  ecs.destroy();
  await fake.close();
});

test("ListTasks pages 250 tasks by 100 and keeps the filters", async () => {
  const arns: string[] = [];
  for await (const page of paginateListTasks({ client: ecs }, { cluster: "prod", family: "web" })) arns.push(...(page.taskArns ?? []));
  assert.equal([...arns].sort(), web.map((t) => t.taskArn).sort());
  const pages = fake.callsTo("ListTasks");
  assert.equal(pages.length, 3);
  assert.is(pages[0].body.nextToken, undefined);
  assert.type(pages[2].body.nextToken, "string");
  assert.ok(pages.every((c) => c.status === 200 && c.accessKeyId === creds.accessKeyId));
  assert.ok(creds.requests.some((r) => r.authorized && r.status === 200));
});

test("ListTasks honours serviceName, desiredStatus, cluster ARN and maxResults", async () => {
  const svc = await ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web-svc", maxResults: 100 }));
  assert.is(svc.taskArns?.length, 100);
  const gone = await ecs.send(new ListTasksCommand({ cluster: `arn:aws:ecs:us-east-1:${fake.account}:cluster/prod`, desiredStatus: "STOPPED" }));
  assert.equal(gone.taskArns?.sort(), stopped.map((t) => t.taskArn).sort());
  const empty = await ecs.send(new ListTasksCommand({ cluster: "empty" }));
  assert.equal([empty.taskArns, empty.nextToken], [[], undefined]);
  assert.equal((await ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "idle-svc" }))).taskArns, []);
});

test("ListTasks errors: unknown cluster, service, bad token, bad maxResults", async () => {
  const cases: [ListTasksCommand, string][] = [
    [new ListTasksCommand({ cluster: "nope" }), "ClusterNotFoundException"],
    [new ListTasksCommand({ cluster: "prod", serviceName: "nope" }), "ServiceNotFoundException"],
    [new ListTasksCommand({ cluster: "prod", nextToken: "forged" }), "InvalidParameterException"],
    [new ListTasksCommand({ cluster: "prod", maxResults: 101 }), "InvalidParameterException"],
  ];
  for (const [cmd, name] of cases) {
    const err = await rejection(ecs.send(cmd));
    assert.is(err.name, name);
    assert.is(err.$metadata?.httpStatusCode, 400);
  }
});

test("DescribeTasks takes at most 100 tasks", async () => {
  const ok = await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: web.slice(0, 100).map((t) => t.taskArn) }));
  assert.is(ok.tasks?.length, 100);
  const err = await rejection(ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: web.slice(0, 101).map((t) => t.taskArn) })));
  assert.is(err.name, "InvalidParameterException");
  assert.is(err.message, "Tasks cannot be longer than 100.");
});

test("DescribeTasks: real field names, failures for foreign and unknown ARNs, tags on request", async () => {
  const foreign = other[0].taskArn;
  const unknown = `arn:aws:ecs:us-east-1:${fake.account}:task/prod/ffffffffffffffffffffffffffffffff`;
  const ids = [sidecars[0].taskArn, sidecars[1].taskArn.split("/").pop()!, stopped[0].taskArn];
  const out = await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [...ids, foreign, unknown], include: ["TAGS"] }));
  assert.equal(out.failures, [{ arn: foreign, reason: "MISSING" }, { arn: unknown, reason: "MISSING" }]);
  const [a, b, s] = out.tasks ?? [];
  assert.is(a.taskArn, sidecars[0].taskArn);
  assert.is(b.taskArn, sidecars[1].taskArn);
  assert.equal([a.group, a.lastStatus, a.desiredStatus, a.launchType], ["family:api", "RUNNING", "RUNNING", "FARGATE"]);
  assert.equal([s.group, s.lastStatus], ["service:web-svc", "STOPPED"]);
  assert.is(a.clusterArn, `arn:aws:ecs:us-east-1:${fake.account}:cluster/prod`);
  assert.equal(a.tags, [{ key: "team", value: "core" }]);
  const eni = a.attachments?.find((x) => x.type === "ElasticNetworkInterface");
  const [ipv4, ipv6] = taskIps(sidecars[0]);
  assert.match(ipv4, /^10\.1\.\d+\.\d+$/);
  assert.match(ipv6, /^fd00::/);
  assert.is(eni?.details?.find((d) => d.name === "privateIPv4Address")?.value, ipv4);
  assert.is(eni?.details?.find((d) => d.name === "ipv6Address")?.value, ipv6);
  assert.equal(
    a.containers?.map((c) => c.networkInterfaces?.[0]?.privateIpv4Address),
    [ipv4, ipv4],
  );
  const noTags = await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [sidecars[0].taskArn] }));
  assert.is(noTags.tasks?.[0].tags, undefined);
});

test("throttled calls succeed through the SDK's retries", async () => {
  fake.set({ throttleFirst: 2 });
  const out = await ecs.send(new ListTasksCommand({ cluster: "staging" }));
  assert.is(out.taskArns?.length, 3);
  assert.is(out.$metadata.attempts, 3);
  assert.equal(fake.calls.map((c) => c.error ?? c.status), ["ThrottlingException", "ThrottlingException", 200]);
});

test("a denied action is AccessDeniedException naming the action, not retried", async () => {
  fake.set({ deny: ["ecs:DescribeTasks"] });
  const err = await rejection(ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [web[0].taskArn] })));
  assert.is(err.name, "AccessDeniedException");
  assert.match(err.message, "is not authorized to perform: ecs:DescribeTasks");
  assert.is(fake.calls.length, 1);
  fake.set({ deny: [] });
  assert.is((await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [web[0].taskArn] }))).tasks?.length, 1);
});

test("tasks of another region or account are invisible", async () => {
  fake.setTasks([...makeTasks(2, { cluster: "prod", family: "web", region: "eu-west-1" }), ...makeTasks(1, { cluster: "prod", family: "web" })]);
  try {
    assert.is((await ecs.send(new ListTasksCommand({ cluster: "prod" }))).taskArns?.length, 1);
  } finally {
    fake.setTasks([...web, ...stopped, ...sidecars, ...other]);
  }
});

test.run();

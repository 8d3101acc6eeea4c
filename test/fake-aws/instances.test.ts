// The fake's host/bridge-mode operations: DescribeContainerInstances read by the real ECS client's parser, EC2
// DescribeInstances in the Query protocol (signed for service ec2, XML in EC2's documented shape and errors).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DescribeContainerInstancesCommand, DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { ec2ErrorOf, instancesOf, parseXml } from "../../src/peers/ec2-xml.ts";
import { ecsClient, rawCall, rejection, useContainerCredentials } from "./clients.ts";
import { onInstances } from "./ec2-tasks.ts";
import { instanceAt, makeTasks, startFakeAws } from "./server.ts";

const creds = await useContainerCredentials();
const tasks = onInstances(makeTasks(4, { cluster: "prod", family: "shop" }), { networkMode: "bridge", ips: ["10.2.0.7", "10.2.0.12"], containerPort: 9100, hostPort: (i) => 32768 + i });
const fake = await startFakeAws({ credentials: [creds], tasks, buckets: null });
const ecs = ecsClient(fake.url);
const [a, b] = [instanceAt("us-east-1", "123456789012", "prod", "10.2.0.7"), instanceAt("us-east-1", "123456789012", "prod", "10.2.0.12")];
const sign = { ...creds, region: "us-east-1", service: "ec2" };
const form = (ids: string[], extra: Record<string, string> = {}) => new URLSearchParams({ Action: "DescribeInstances", Version: "2016-11-15", ...Object.fromEntries(ids.map((id, i) => [`InstanceId.${i + 1}`, id])), ...extra }).toString();

test.before.each(() => fake.reset());
test.after(async () => {
  ecs.destroy();
  await fake.close();
});

test("DescribeTasks: tasks on container instances carry containerInstanceArn and networkBindings, no ENI", async () => {
  const out = await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: tasks.map((t) => t.taskArn) }));
  const byArn = new Map(out.tasks!.map((t) => [t.taskArn, t]));
  const first = byArn.get(tasks[0]!.taskArn)!;
  assert.is(first.containerInstanceArn, a.containerInstanceArn);
  assert.is(first.launchType, "EC2");
  assert.equal(first.attachments, []);
  assert.equal(first.containers![0]!.networkBindings, [{ bindIP: "0.0.0.0", containerPort: 9100, hostPort: 32768, protocol: "tcp" }]);
  assert.is(byArn.get(tasks[2]!.taskArn)!.containerInstanceArn, a.containerInstanceArn, "tasks at one IP share the instance");
});

test("DescribeContainerInstances, as the SDK parses it: ec2InstanceId per ARN; unknown ARNs are failures", async () => {
  const unknown = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/00000000000000000000000000000000";
  const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: [a.containerInstanceArn, b.containerInstanceArn, unknown] }));
  assert.equal(out.containerInstances!.map((c) => [c.containerInstanceArn, c.ec2InstanceId, c.status, c.runningTasksCount]), [
    [a.containerInstanceArn, a.ec2InstanceId, "ACTIVE", 2],
    [b.containerInstanceArn, b.ec2InstanceId, "ACTIVE", 2],
  ]);
  assert.ok(out.containerInstances![0]!.registeredAt instanceof Date);
  assert.equal(out.failures, [{ arn: unknown, reason: "MISSING" }]);
  const empty = await rejection(ecs.send(new DescribeContainerInstancesCommand({ cluster: "prod", containerInstances: [] })));
  assert.is(empty.name, "InvalidParameterException");
  assert.is(fake.callsTo("DescribeContainerInstances").length, 2);
});

test("EC2 DescribeInstances: XML with EC2's namespace and elements, the instance-level privateIpAddress", async () => {
  const r = await rawCall(fake.url, { target: "", body: form([a.ec2InstanceId, b.ec2InstanceId]), sign });
  assert.is(r.status, 200, r.body);
  assert.match(r.headers["content-type"] as string, /^text\/xml/);
  assert.match(r.body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<DescribeInstancesResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><reservationSet><item><reservationId>r-/);
  assert.equal(instancesOf(parseXml(r.body)), [
    { instanceId: a.ec2InstanceId, privateIpAddress: "10.2.0.7" },
    { instanceId: b.ec2InstanceId, privateIpAddress: "10.2.0.12" },
  ]);
  assert.equal(fake.callsTo("DescribeInstances")[0]!.body["InstanceId.2"], b.ec2InstanceId);
});

test("EC2 errors: unknown id InvalidInstanceID.NotFound, malformed id, other actions; <Response><Errors><Error>", async () => {
  const missing = await rawCall(fake.url, { target: "", body: form([a.ec2InstanceId, "i-0123456789abcdef0"]), sign });
  assert.is(missing.status, 400);
  assert.match(missing.body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>InvalidInstanceID\.NotFound<\/Code><Message>The instance ID 'i-0123456789abcdef0' does not exist<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/);
  assert.equal(ec2ErrorOf(missing.body), { code: "InvalidInstanceID.NotFound", message: "The instance ID 'i-0123456789abcdef0' does not exist" });
  assert.is(ec2ErrorOf((await rawCall(fake.url, { target: "", body: form(["i-<x>"]), sign })).body)?.message, 'Invalid id: "i-<x>"', "entities read back");
  assert.is(ec2ErrorOf((await rawCall(fake.url, { target: "", body: form([], { Action: "RunInstances" }), sign })).body)?.code, "InvalidAction");
});

test("EC2 signatures: service ec2 only; unsigned and tampered requests refused", async () => {
  const wrong = await rawCall(fake.url, { target: "", body: form([a.ec2InstanceId]), sign: { ...sign, service: "ecs" } });
  assert.is(wrong.status, 400);
  assert.match(wrong.body, /<Code>InvalidSignatureException<\/Code><Message>Credential should be scoped to correct service: 'ec2'/);
  assert.match((await rawCall(fake.url, { target: "", body: form([a.ec2InstanceId]) })).body, /<Code>MissingAuthenticationTokenException<\/Code>/);
  const tampered = await rawCall(fake.url, { target: "", body: form([a.ec2InstanceId]), sign, tamperBody: form([b.ec2InstanceId]) });
  assert.match(tampered.body, /<Code>InvalidSignatureException<\/Code>/);
});

test("EC2 throttling and denial: RequestLimitExceeded (503) first, UnauthorizedOperation (403) when denied", async () => {
  fake.set({ throttleFirst: 1, deny: ["ec2:DescribeInstances"] });
  const throttled = await rawCall(fake.url, { target: "", body: form([a.ec2InstanceId]), sign });
  assert.equal([throttled.status, ec2ErrorOf(throttled.body)?.code], [503, "RequestLimitExceeded"]);
  const denied = await rawCall(fake.url, { target: "", body: form([a.ec2InstanceId]), sign });
  assert.is(denied.status, 403);
  assert.match(ec2ErrorOf(denied.body)!.message, /^You are not authorized to perform this operation\. User: .* is not authorized to perform: ec2:DescribeInstances/);
  assert.is(fake.throttled().length, 1);
});

test("EC2 has its own token bucket (burst 100), as EC2 throttles per action family", async () => {
  const limited = await startFakeAws({ credentials: [creds], tasks, buckets: { ecs: { burst: 100, perSecond: 20 }, tagging: { burst: 100, perSecond: 20 }, ec2: { burst: 2, perSecond: 0.001 } } });
  try {
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(ec2ErrorOf((await rawCall(limited.url, { target: "", body: form([a.ec2InstanceId]), sign })).body)?.code ?? "ok");
    assert.equal(codes, ["ok", "ok", "RequestLimitExceeded"]);
  } finally {
    await limited.close();
  }
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { ecsClient, useContainerCredentials } from "./clients.ts";
import { makeTasks, parseTaskArn, startFakeAws, taskIps } from "./server.ts";

test("makeTasks: distinct ids and addresses across calls, ARNs in the new format", () => {
  const tasks = [...makeTasks(300, { cluster: "a", family: "web" }), ...makeTasks(5, { cluster: "b", family: "web", region: "eu-west-1" })];
  const ips = tasks.flatMap(taskIps);
  assert.is(new Set(ips).size, 305);
  assert.ok(ips.every((ip) => /^10\.1\.\d{1,3}\.\d{1,3}$/.test(ip)));
  assert.is(new Set(tasks.map((t) => t.taskArn)).size, 305);
  assert.equal(parseTaskArn(tasks[304].taskArn)?.region, "eu-west-1");
  assert.equal(parseTaskArn(tasks[0].taskArn)?.cluster, "a");
});

test("makeTasks: ipv6, sidecar and where the addresses appear", () => {
  const [both] = makeTasks(1, { cluster: "a", family: "web", ipv6: true, sidecar: true });
  assert.is(both.containers?.length, 2);
  assert.is(taskIps(both).length, 2);
  assert.equal(
    both.containers?.map((c) => c.networkInterfaces?.[0].ipv6Address),
    [taskIps(both)[1], taskIps(both)[1]],
  );
  const [eni] = makeTasks(1, { cluster: "a", family: "web", addresses: "eni" });
  assert.ok(eni.containers?.every((c) => c.networkInterfaces === undefined));
  assert.is(eni.attachments?.[0].details.find((d) => d.name === "privateIPv4Address")?.value, taskIps(eni)[0]);
  const [ctr] = makeTasks(1, { cluster: "a", family: "web", addresses: "containers" });
  assert.equal(ctr.attachments, []);
  assert.is(ctr.containers?.[0].networkInterfaces?.[0].privateIpv4Address, taskIps(ctr)[0]);
});

test("latencyMs delays every answer", async () => {
  const creds = await useContainerCredentials();
  const fake = await startFakeAws({ credentials: [creds], tasks: makeTasks(1, { cluster: "default", family: "web" }), latencyMs: 150 });
  const ecs = ecsClient(fake.url);
  try {
    await ecs.send(new ListTasksCommand({}));
    const t0 = Date.now();
    assert.is((await ecs.send(new ListTasksCommand({}))).taskArns?.length, 1);
    assert.ok(Date.now() - t0 >= 145, `took ${Date.now() - t0} ms`);
  } finally {
    ecs.destroy();
    await fake.close();
  }
});

test.run();

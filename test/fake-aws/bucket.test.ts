// The fake's throttling: AWS's token bucket (ListTasks + DescribeTasks share one; tagging has its own),
// the services' throttling errors, and ListTasks in no favourable order.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";
import { ecsClient, rejection, taggingClient, useContainerCredentials } from "./clients.ts";
import { makeTasks, startFakeAws, TokenBucket } from "./server.ts";

const creds = await useContainerCredentials();

test("TokenBucket: burst, then the refill rate; time scale k refills k times slower", () => {
  let t = 0;
  const b = new TokenBucket({ burst: 3, perSecond: 2 }, 1, () => t);
  assert.equal([b.take(), b.take(), b.take(), b.take()], [true, true, true, false]);
  t = 500;
  assert.equal([b.take(), b.take()], [true, false]);
  t = 100_000;
  assert.equal([b.take(), b.take(), b.take(), b.take()], [true, true, true, false]);
  const slow = new TokenBucket({ burst: 1, perSecond: 2 }, 4, () => t);
  slow.take();
  t += 500;
  assert.is(slow.take(), false);
  t += 1500;
  assert.is(slow.take(), true);
});

test("ListTasks and DescribeTasks share one bucket; tagging has its own; 400 ThrottlingException / ThrottledException", async () => {
  const tasks = makeTasks(3, { cluster: "prod", family: "web", tags: { app: "web" } });
  const fake = await startFakeAws({ credentials: [creds], tasks, buckets: { ecs: { burst: 4, perSecond: 0.001 }, tagging: { burst: 2, perSecond: 0.001 } } });
  const ecs = ecsClient(fake.url);
  const tagging = taggingClient(fake.url);
  try {
    for (let i = 0; i < 2; i++) await ecs.send(new ListTasksCommand({ cluster: "prod" }));
    for (let i = 0; i < 2; i++) await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [tasks[0]!.taskArn] }));
    const err = await rejection(ecs.send(new ListTasksCommand({ cluster: "prod" })));
    assert.equal([err.name, err.$metadata?.httpStatusCode], ["ThrottlingException", 400]);
    await tagging.send(new GetResourcesCommand({}));
    await tagging.send(new GetResourcesCommand({}));
    const terr = await rejection(tagging.send(new GetResourcesCommand({})));
    assert.equal([terr.name, terr.$metadata?.httpStatusCode], ["ThrottledException", 400]);
    assert.ok(fake.throttled().length >= 2);
    fake.reset();
    await ecs.send(new ListTasksCommand({ cluster: "prod" }));
  } finally {
    ecs.destroy();
    tagging.destroy();
    await fake.close();
  }
});

test("ListTasks order: random per listing, pages of one listing neither repeat nor skip; startedBy filters alone", async () => {
  const tasks = makeTasks(300, { cluster: "prod", family: "web", startedBy: "ecs-svc/111" });
  const fake = await startFakeAws({ credentials: [creds], tasks, buckets: null });
  const ecs = ecsClient(fake.url);
  try {
    const first = await ecs.send(new ListTasksCommand({ cluster: "prod", family: "web" }));
    const again = await ecs.send(new ListTasksCommand({ cluster: "prod", family: "web" }));
    assert.not.equal(first.taskArns, again.taskArns);
    assert.not.equal(first.taskArns, tasks.slice(0, 100).map((t) => t.taskArn));
    const second = await ecs.send(new ListTasksCommand({ cluster: "prod", family: "web", nextToken: first.nextToken }));
    const third = await ecs.send(new ListTasksCommand({ cluster: "prod", family: "web", nextToken: second.nextToken }));
    assert.is(new Set([...first.taskArns!, ...second.taskArns!, ...third.taskArns!]).size, 300);
    const by = await ecs.send(new ListTasksCommand({ cluster: "prod", startedBy: "ecs-svc/111", maxResults: 10 }));
    assert.is(by.taskArns?.length, 10);
    assert.is((await rejection(ecs.send(new ListTasksCommand({ cluster: "prod", startedBy: "ecs-svc/111", family: "web" })))).name, "InvalidParameterException");
    const d = await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [tasks[0]!.taskArn] }));
    assert.is(d.tasks?.[0]?.startedBy, "ecs-svc/111");
  } finally {
    ecs.destroy();
    await fake.close();
  }
});

test.run();

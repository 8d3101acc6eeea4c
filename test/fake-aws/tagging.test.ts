import { test } from "uvu";
import * as assert from "uvu/assert";
import { GetResourcesCommand, paginateGetResources, type GetResourcesCommandInput } from "@aws-sdk/client-resource-groups-tagging-api";
import { rejection, taggingClient, useContainerCredentials } from "./clients.ts";
import { makeTasks, startFakeAws } from "./server.ts";

const creds = await useContainerCredentials();
const blue = makeTasks(120, { cluster: "prod", family: "web", tags: { app: "shop", color: "blue" } });
const green = makeTasks(2, { cluster: "prod", family: "web", tags: { app: "shop", color: "green" } });
const gone = makeTasks(1, { cluster: "prod", family: "web", tags: { app: "shop", color: "blue" }, lastStatus: "STOPPED", desiredStatus: "STOPPED" });
const other = makeTasks(2, { cluster: "batch", family: "job", tags: { app: "etl", owner: "" } });
const untagged = makeTasks(2, { cluster: "prod", family: "web" });
const fake = await startFakeAws({ credentials: [creds], tasks: [...blue, ...green, ...gone, ...other, ...untagged] });
const tagging = taggingClient(fake.url);
const arns = (ts: { taskArn: string }[]) => ts.map((t) => t.taskArn);

async function all(input: GetResourcesCommandInput): Promise<string[]> {
  const out: string[] = [];
  for await (const page of paginateGetResources({ client: tagging }, input)) {
    out.push(...(page.ResourceTagMappingList ?? []).map((m) => m.ResourceARN!));
  }
  return out;
}

test.before.each(() => fake.reset());
test.after(async () => {
  tagging.destroy();
  await fake.close();
});

test("TagFilters: AND across filters, OR within Values, any value without Values; STOPPED tasks included", async () => {
  const ecsTask = { ResourceTypeFilters: ["ecs:task"] };
  assert.equal(await all({ ...ecsTask, TagFilters: [{ Key: "app", Values: ["shop"] }, { Key: "color", Values: ["green"] }] }), arns(green));
  assert.equal(await all({ ...ecsTask, TagFilters: [{ Key: "color", Values: ["green", "blue"] }] }), arns([...blue, ...green, ...gone]));
  assert.equal(await all({ ...ecsTask, TagFilters: [{ Key: "owner" }] }), arns(other));
  assert.equal(await all({ ...ecsTask, TagFilters: [{ Key: "app", Values: ["etl"] }, { Key: "color" }] }), []);
  assert.equal(await all({ ResourceTypeFilters: ["ec2:instance"], TagFilters: [{ Key: "app" }] }), []);
  assert.equal(await all({}), arns([...blue, ...green, ...gone, ...other]));
});

test("pages of 50 by default, the last page's PaginationToken is the empty string", async () => {
  const got = await all({ TagFilters: [{ Key: "app", Values: ["shop"] }] });
  assert.equal(got, arns([...blue, ...green, ...gone]));
  const calls = fake.callsTo("GetResources");
  assert.equal(calls.map((c) => c.body.PaginationToken ?? null).map((t) => typeof t), ["object", "string", "string"]);
  const last = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: "owner" }] }));
  assert.is(last.PaginationToken, "");
});

test("ResourcesPerPage 100 over 250 tasks gives 3 pages; pageSize knob changes the default", async () => {
  fake.setTasks(makeTasks(250, { cluster: "big", family: "web", tags: { app: "big" } }));
  try {
    assert.is((await all({ TagFilters: [{ Key: "app" }], ResourcesPerPage: 100 })).length, 250);
    assert.is(fake.callsTo("GetResources").length, 3);
    fake.reset();
    fake.set({ pageSize: 125 });
    assert.is((await all({ TagFilters: [{ Key: "app" }] })).length, 250);
    assert.is(fake.callsTo("GetResources").length, 2);
    const err = await rejection(tagging.send(new GetResourcesCommand({ ResourcesPerPage: 101 })));
    assert.is(err.name, "InvalidParameterException");
  } finally {
    fake.setTasks([...blue, ...green, ...gone, ...other, ...untagged]);
  }
});

test("expireTokenOnce: the first token presented is expired, a fresh listing then works", async () => {
  fake.set({ expireTokenOnce: true });
  const err = await rejection(all({ TagFilters: [{ Key: "app", Values: ["shop"] }] }));
  assert.is(err.name, "PaginationTokenExpiredException");
  assert.is((await all({ TagFilters: [{ Key: "app", Values: ["shop"] }] })).length, 123);
});

test("a forged PaginationToken is InvalidParameterException", async () => {
  const err = await rejection(tagging.send(new GetResourcesCommand({ PaginationToken: "Zm9yZ2Vk" })));
  assert.is(err.name, "InvalidParameterException");
});

test("ThrottledException is retried by the SDK; AccessDeniedException is not", async () => {
  fake.set({ throttleFirst: 1 });
  const out = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: "owner" }] }));
  assert.is(out.ResourceTagMappingList?.length, 2);
  assert.equal(fake.calls.map((c) => c.error ?? c.status), ["ThrottledException", 200]);
  fake.reset();
  fake.set({ deny: ["tag:GetResources"] });
  const err = await rejection(tagging.send(new GetResourcesCommand({})));
  assert.is(err.name, "AccessDeniedException");
  assert.match(err.message, "tag:GetResources");
  assert.is(fake.calls.length, 1);
});

test.run();

// Short and empty pages (AWS documents both, an empty page with a token included): up to 100 tasks the list is
// complete however the API pages it, and the calls of one boot stay bounded when a listing never ends.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTasks } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { bootWithPeers, ipsOf, sorted } from "../helpers/peers-boot.ts";

let task: AwsTask | undefined;
test.after.each(async () => {
  await task?.close();
  task = undefined;
});

const tags = { app: "shop" };
const tagsQuery = JSON.stringify({ params: { TagFilters: [{ Key: "app", Values: ["shop"] }] } });

for (const kind of ["family", "service:web"]) {
  test(`${kind}: 31 tasks at 10 per page after 2 empty pages -> all 30 peers, ECS_PEER_LIST=complete`, async () => {
    const tasks = makeTasks(31, { cluster: "prod", family: "shop", service: "web" });
    task = await startAwsTask(tasks, { forcePageSize: 10, emptyPages: 2 });
    const r = await bootWithPeers(task, ["--peers", kind]);
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.ips, sorted(ipsOf(tasks.slice(1))));
    assert.equal([r.lookup, r.list], ["ok", "complete"]);
    assert.is(task.aws.callsTo("ListTasks").length, 6);
  });
}

test("family: 250 tasks at 30 per page: reading stops at 100, ECS_PEER_LIST=subset", async () => {
  task = await startAwsTask(makeTasks(250, { cluster: "prod", family: "shop" }), { forcePageSize: 30 });
  const r = await bootWithPeers(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(task.aws.callsTo("ListTasks").length, 4);
  assert.ok(r.ips.length >= 99, `${r.ips.length} peers`);
  assert.equal([r.lookup, r.list], ["ok", "subset"]);
});

test("tags: 5 empty GetResources pages with a token, then the tasks -> all peers", async () => {
  const tasks = makeTasks(8, { cluster: "prod", family: "shop", tags });
  task = await startAwsTask(tasks, { emptyPages: 5 });
  const r = await bootWithPeers(task, [], { DNS_CLUSTER_ECS_QUERY: tagsQuery });
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.ips, sorted(ipsOf(tasks.slice(1))));
  assert.equal([r.lookup, r.list], ["ok", "complete"]);
});

for (const kind of ["family", "tags"]) {
  test(`${kind}: a listing of nothing but empty pages stops at 20 pages: failed with a warning, not ok with nothing`, async () => {
    task = await startAwsTask(makeTasks(4, { cluster: "prod", family: "shop", tags }), { emptyPages: 1000 });
    const r = await bootWithPeers(task, kind === "tags" ? [] : ["--peers", kind], kind === "tags" ? { DNS_CLUSTER_ECS_QUERY: tagsQuery } : {});
    assert.is(r.code, 0, r.stderr);
    assert.is(r.lookup, "failed");
    assert.is(task.aws.calls.length, 20);
    assert.match(r.stderr, /warning: peers \(\w+\): the task listing was not finished after 20 pages, with no task so far/);
  });
}

test("empty pages, then a few tasks, then more empty pages up to the cap: the tasks found, as a subset with a warning", async () => {
  const tasks = makeTasks(30, { cluster: "prod", family: "shop" });
  task = await startAwsTask(tasks, { forcePageSize: 1, emptyPages: 3, listOrder: "oldest-first" });
  const r = await bootWithPeers(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(task.aws.callsTo("ListTasks").length, 20);
  assert.equal(r.ips, sorted(ipsOf(tasks.slice(1, 17))));
  assert.equal([r.lookup, r.list], ["ok", "subset"]);
  assert.match(r.stderr, /warning: peers: the listing was not finished after 20 pages; using the 20 page\(s\) received \(ECS_PEER_LIST=subset\)/);
});

test.run();

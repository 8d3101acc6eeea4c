// Input bounds of the peer step: out-of-range deadlines are configuration errors, an AWS answer is read up to a
// cap, and one malformed task in a DescribeTasks answer is skipped, not a failed lookup.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTasks, type FakeTask } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { bootWithPeers, ipsOf, sorted } from "../helpers/peers-boot.ts";
import { runEntrypoint } from "../helpers/run.ts";

let task: AwsTask | undefined;
test.after.each(async () => {
  await task?.close();
  task = undefined;
});

const ranges: [string[], Record<string, string>, RegExp][] = [
  [["--peers-timeout", "3000000000"], {}, /--peers-timeout: expected a whole number of milliseconds from 1 to 3600000 \(one hour\), e\.g\. 5000, got "3000000000"/],
  [["--metadata-timeout", "99999999999999999999"], {}, /--metadata-timeout: expected a whole number of milliseconds from 1 to 3600000 .*got "99999999999999999999"/],
  [[], { ENTRYPOINT_PEERS_TIMEOUT_MS: "3600001" }, /ENTRYPOINT_PEERS_TIMEOUT_MS: expected a whole number of milliseconds from 1 to 3600000/],
  [[], { ENTRYPOINT_METADATA_TIMEOUT_MS: "0" }, /ENTRYPOINT_METADATA_TIMEOUT_MS: expected a whole number of milliseconds from 1 to 3600000/],
];
for (const [args, env, message] of ranges) {
  test(`out of range: ${[...args, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(" ")} -> 78 naming the value and the range`, async () => {
    const r = await runEntrypoint(["--app", "shop", "--ip", "10.0.0.1", "--peers", "family", ...args, "true"], { env });
    assert.is(r.code, 78, r.stderr);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  });
}

test("control: the largest deadline is accepted", async () => {
  const r = await runEntrypoint(["env", "--app", "shop", "--ip", "10.0.0.1", "--peers-timeout", "3600000", "--metadata-timeout", "3600000"]);
  assert.is(r.code, 0, r.stderr);
});

test("an AWS answer beyond 16 MiB is not read: a warning, ECS_PEER_LOOKUP=failed, the boot goes on", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }), { answerBytes: 64 * 1024 * 1024 });
  const r = await bootWithPeers(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.lookup, "failed");
  assert.match(r.stderr, /warning: peers \(family\): ecs:ListTasks failed: AnswerTooLarge: the answer is larger than 16777216 bytes; not read/);
});

test("control: an answer of 8 MiB is read", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }), { answerBytes: 8 * 1024 * 1024 });
  const r = await bootWithPeers(task, ["--peers", "family"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.lookup, "ok");
});

// Shapes a careless or hostile answer can take; each task is one peer fewer, never a failed lookup.
const malformed: [string, (t: FakeTask) => unknown][] = [
  ["details not a list", (t) => ({ ...t, attachments: [{ ...t.attachments![0], details: "privateIPv4Address" }] })],
  ["attachments: [null]", (t) => ({ ...t, attachments: [null] })],
  ["attachments not a list", (t) => ({ ...t, attachments: { type: "ElasticNetworkInterface" } })],
  ["a number for the address", (t) => ({ ...t, attachments: [{ ...t.attachments![0], details: [{ name: "privateIPv4Address", value: 10 }] }], containers: [] })],
  ["a number for lastStatus", (t) => ({ ...t, lastStatus: 7 })],
  ["containers: [null]", (t) => ({ ...t, attachments: [], containers: [null] })],
  ["networkInterfaces: [42]", (t) => ({ ...t, attachments: [], containers: [{ ...t.containers![0], networkInterfaces: [42] }] })],
];
for (const [name, mangle] of malformed) {
  test(`one malformed task (${name}) is skipped with a debug line; the others are peers`, async () => {
    const tasks = makeTasks(5, { cluster: "prod", family: "shop" });
    task = await startAwsTask([...tasks.slice(0, 4), mangle(tasks[4]!) as FakeTask]);
    const r = await bootWithPeers(task, ["--peers", "family"], { ENTRYPOINT_DEBUG: "1" });
    assert.is(r.code, 0, r.stderr);
    assert.equal([r.lookup, r.ips], ["ok", sorted(ipsOf(tasks.slice(1, 4)))]);
    assert.match(r.stderr, /peers: a malformed task in the DescribeTasks answer was skipped/);
  });
}

test.run();

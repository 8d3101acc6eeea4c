// The doctor's peer lookup through the real AWS SDK against the fake AWS API: a denied IAM action
// becomes a finding that names it, and discovered peers are the ones checked. Every address is loopback.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTasks, type FakeTask } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { runEntrypoint } from "../helpers/run.ts";
import { deadPort, epmdHeader, startFakeEpmd } from "./loopback.ts";

const COOKIE = "aws-doctor-cookie-61aa";
let task: AwsTask | undefined;

test.after.each(async () => {
  await task?.close();
  task = undefined;
});

/** Moves a fake task (ENI address only) to a loopback address, so checking it stays on this machine. */
function onLoopback(t: FakeTask, ip: string): FakeTask {
  for (const a of t.attachments ?? []) for (const d of a.details) if (d.name === "privateIPv4Address") d.value = ip;
  return t;
}

async function doctor(t: AwsTask, args: string[], epmdPort: number) {
  const r = await runEntrypoint(["doctor", "--app", "shop", "--sha", "abc", "--peers", "family", ...args], { env: { ...t.env, RELEASE_COOKIE: COOKIE, ERL_EPMD_PORT: String(epmdPort) } });
  for (const secret of [...t.secrets, COOKIE]) assert.not.ok((r.stdout + r.stderr).includes(secret), "a credential or the cookie was printed");
  return r;
}

test("DescribeTasks denied: a finding that names the IAM action and the fix; exit 1", async () => {
  const tasks = makeTasks(3, { cluster: "prod", family: "shop", addresses: "eni" }).map((t, i) => onLoopback(t, `127.0.0.${i + 2}`));
  task = await startAwsTask(tasks, { deny: ["ecs:DescribeTasks"] });
  const r = await doctor(task, [], await deadPort());
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, "FAIL  peers      peer lookup (family): the IAM action ecs:DescribeTasks was denied; fix: add ecs:DescribeTasks to the task role");
  assert.match(r.stderr, /warning: peers \(family\): ecs:DescribeTasks failed: AccessDeniedException/);
  const json = JSON.parse((await doctor(task, ["--format", "json"], await deadPort())).stdout);
  assert.equal(json.findings.find((f: { check: string }) => f.check === "peers").severity, "fail");
});

test("peers found by --peers family are the ones checked (epmd on one, nothing on the other)", async () => {
  const tasks = makeTasks(3, { cluster: "prod", family: "shop", addresses: "eni" }).map((t, i) => onLoopback(t, `127.0.0.${i + 2}`));
  task = await startAwsTask(tasks);
  const fake = await startFakeEpmd("127.0.0.3", (s) => s.end(Buffer.concat([epmdHeader(4369), Buffer.from("name shop-old at port 9100\n")])));
  try {
    const r = await doctor(task, ["--format", "json"], fake.port);
    assert.is(r.code, 1, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.address, { ip: "127.0.0.2", family: 4, from: `metadata ${task.metadata.url}/v4/c1` });
    assert.equal(json.peers.map((p: { ip: string }) => p.ip), ["127.0.0.2", "127.0.0.3", "127.0.0.4"]);
    const byPeer = (ip: string) => json.findings.find((f: { peer?: string }) => f.peer === ip);
    assert.match(byPeer("127.0.0.3").message, "shop-old registered at 127.0.0.3, not shop-abc: different basename (git SHA?)");
    assert.match(byPeer("127.0.0.4").message, `cannot reach epmd at 127.0.0.4:${fake.port}: connection refused`);
    assert.match(json.findings.find((f: { check: string }) => f.check === "peers").message, "2 peer(s) found by --peers family");
  } finally {
    await fake.close();
  }
});

test("tasks without a task address (bridge/host): a finding that says peers need awsvpc; exit 1", async () => {
  const tasks = makeTasks(3, { cluster: "prod", family: "shop", addresses: "eni" });
  onLoopback(tasks[0]!, "127.0.0.2");
  for (const t of tasks.slice(1)) t.attachments = [];
  task = await startAwsTask(tasks);
  const r = await doctor(task, [], await deadPort());
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAIL\s+peers\s+2 running task\(s\) found by --peers family have no task IP address/);
});

test.run();

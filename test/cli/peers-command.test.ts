// "entrypoint peers": the lookup run on demand, printed as lines, JSON or shell, with its exit code.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTasks, taskIps } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { ENTRYPOINT, runEntrypoint, runProgram } from "../helpers/run.ts";

let task: AwsTask | undefined;

test.after.each(async () => {
  await task?.close();
  task = undefined;
});

async function peers(t: AwsTask, args: string[], env: Record<string, string> = {}) {
  const r = await runEntrypoint(["peers", ...args], { env: { ...t.env, ...env } });
  for (const secret of t.secrets) assert.not.ok(r.stderr.includes(secret), "a credential reached the log");
  return r;
}

const v4 = (t: { attachments?: unknown }) => taskIps(t as never).find((ip) => !ip.includes(":"))!;
const byNumber = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

test("lines (the default): one node name per line, family strategy when none is set, nothing exec'd", async () => {
  const tasks = makeTasks(4, { cluster: "prod", family: "shop" });
  task = await startAwsTask(tasks);
  const r = await peers(task, ["--app", "shop", "--sha", "s1"]);
  assert.is(r.code, 0, r.stderr);
  const want = tasks.slice(1).map(v4).sort(byNumber).map((ip) => `shop-s1@${ip}`);
  assert.is(r.stdout, want.join("\n") + "\n");
  assert.is(task.aws.callsTo("ListTasks")[0]!.body.family, "shop");
});

test("json: lookup, ips and nodes", async () => {
  const tasks = makeTasks(3, { cluster: "prod", family: "shop" });
  task = await startAwsTask(tasks);
  const r = await peers(task, ["--app", "shop", "--format", "json"]);
  assert.is(r.code, 0, r.stderr);
  const ips = tasks.slice(1).map(v4).sort(byNumber);
  assert.equal(JSON.parse(r.stdout), { lookup: "ok", ips, nodes: ips.map((ip) => `shop@${ip}`) });
});

test("shell: the three export lines, safe to eval", async () => {
  const tasks = makeTasks(3, { cluster: "prod", family: "shop" });
  task = await startAwsTask(tasks);
  const r = await peers(task, ["--app", "shop", "--format", "shell"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.split("\n").filter(Boolean).map((l) => l.split("=")[0]), ["export ECS_PEER_IPS", "export ECS_PEER_NODES", "export ECS_PEER_LOOKUP"]);
  const sh = await runProgram("sh", ["-c", `${r.stdout}\nprintf '%s|%s|%s' "$ECS_PEER_IPS" "$ECS_PEER_NODES" "$ECS_PEER_LOOKUP"`]);
  const ips = tasks.slice(1).map(v4).sort(byNumber);
  assert.is(sh.stdout, `${ips.join(",")}|${ips.map((ip) => `shop@${ip}`).join(",")}|ok`);
});

test("alone: exit 0 and no lines; json says ok", async () => {
  task = await startAwsTask(makeTasks(1, { cluster: "prod", family: "shop" }));
  const r = await peers(task, ["--app", "shop"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "");
  const j = await peers(task, ["--app", "shop", "--format", "json"]);
  assert.equal(JSON.parse(j.stdout), { lookup: "ok", ips: [], nodes: [] });
});

test("a failed lookup: exit 1, the warning on stderr, lookup failed", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }), { deny: ["ecs:DescribeTasks"] });
  const r = await peers(task, ["--app", "shop", "--format", "json"]);
  assert.is(r.code, 1);
  assert.equal(JSON.parse(r.stdout), { lookup: "failed", ips: [], nodes: [] });
  assert.match(r.stderr, /warning: peers \(family\): ecs:DescribeTasks failed: AccessDeniedException/);
  const s = await peers(task, ["--app", "shop", "--format", "shell"]);
  assert.is(s.code, 1);
  assert.match(s.stdout, "export ECS_PEER_LOOKUP='failed'");
});

test("the configured strategy is used (ENTRYPOINT_PEERS=service:web)", async () => {
  const web = makeTasks(3, { cluster: "prod", family: "shop", service: "web" });
  task = await startAwsTask([...web, ...makeTasks(2, { cluster: "prod", family: "shop", service: "worker" })]);
  const r = await peers(task, ["--app", "shop", "--format", "json"], { ENTRYPOINT_PEERS: "service:web" });
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).ips.length, 2);
  assert.is(task.aws.callsTo("ListTasks")[0]!.body.serviceName, "web");
});

test("inside the running release: the basename and address come from RELEASE_NODE", async () => {
  const tasks = makeTasks(3, { cluster: "prod", family: "shop" });
  task = await startAwsTask(tasks);
  const r = await peers(task, [], { RELEASE_NODE: `shop-abc@${task.selfIp}` });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, tasks.slice(1).map(v4).sort(byNumber).map((ip) => `shop-abc@${ip}\n`).join(""));
});

test("output that cannot be written (a full disk, a closed pipe): exit 74 as env, not 0", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }));
  const args = ["peers", "--app", "shop"];
  const full = await runProgram("sh", ["-c", 'exec "$0" "$@" >/dev/full', ENTRYPOINT, ...args], { env: task.env });
  assert.is(full.code, 74, full.stderr);
  assert.match(full.stderr, "entrypoint: error: could not write the output to stdout: ENOSPC");
  const broken = await runEntrypoint(args, { env: task.env, onSpawn: (child) => child.stdout!.destroy() });
  assert.is(broken.code, 74, broken.stderr);
  assert.match(broken.stderr, "could not write the output to stdout: EPIPE");
  const discarded = await runProgram("sh", ["-c", 'exec "$0" "$@" >/dev/null', ENTRYPOINT, ...args], { env: task.env });
  assert.is(discarded.code, 0, "control: >/dev/null is a choice, not an error");
});

test("bad --format: usage error 64", async () => {
  const r = await runEntrypoint(["peers", "--format", "yaml", "--ip", "10.0.0.1", "--app", "shop"]);
  assert.is(r.code, 64);
  assert.match(r.stderr, 'expected lines, json or shell, got "yaml"');
});

test("the boot hands ECS_PEER_LOOKUP to the release: ok, and failed when the lookup broke", async () => {
  const print = ["--app", "shop", "--peers", "family", "sh", "-c", 'printf "%s" "$ECS_PEER_LOOKUP"'];
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }));
  const ok = await runEntrypoint(print, { env: task.env });
  assert.is(ok.code, 0, ok.stderr);
  assert.is(ok.stdout, "ok");
  task.aws.set({ deny: ["ecs:ListTasks"] });
  const failed = await runEntrypoint(print, { env: task.env });
  assert.is(failed.code, 0, failed.stderr);
  assert.is(failed.stdout, "failed");
  assert.match(failed.stderr, "ECS_PEER_LOOKUP=failed");
});

test.run();

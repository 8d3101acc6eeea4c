// AWS unreachable: an endpoint (or a credentials endpoint) that accepts connections and never answers must not
// eat the whole 60 s peer deadline. Each request has its own timeout and is retried; the boot goes on with
// ECS_PEER_LOOKUP=failed, and no raw SDK line reaches stderr (it would break --log-format json).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTasks } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { startServer, type LoopbackServer } from "../helpers/http-server.ts";
import { FIXTURES, runEntrypoint } from "../helpers/run.ts";

let task: AwsTask | undefined;
let silent: LoopbackServer | undefined;
test.after.each(async () => {
  await Promise.all([task?.close(), silent?.close()]);
  task = silent = undefined;
});

// Accepts, reads the request, never answers.
const blackhole = () => startServer(() => {});

async function bootJson(env: Record<string, string>) {
  // The default deadline (60 s): the point is that the boot does not need it.
  const r = await runEntrypoint(["--app", "shop", "--peers", "family", "--log-format", "json", `${FIXTURES}/show-env`, "ECS_PEER_LOOKUP"], { env, timeoutMs: 90_000 });
  const lines = r.stderr.split("\n").filter(Boolean);
  for (const line of lines) assert.not.throws(() => JSON.parse(line), `not a JSON log line: ${line}`);
  assert.not.match(r.stderr, /@smithy|@aws-sdk/);
  return { ...r, warning: lines.map((l) => JSON.parse(l)).find((l) => l.level === "warn")?.msg ?? "" };
}

test("an AWS endpoint that never answers: each request times out and is retried; failed well before the deadline", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }));
  silent = await blackhole();
  const r = await bootJson({ ...task.env, AWS_ENDPOINT_URL: silent.url });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "ECS_PEER_LOOKUP=failed\n");
  assert.match(r.warning, /peers \(family\): ecs:ListTasks failed: TimeoutError: no answer within 5000 ms/);
  assert.is(silent.requests.length, 3, "the first attempt and two retries");
  // A safety net, not a measurement: three 5 s attempts, not the 60 s deadline.
  assert.ok(r.ms < 40_000, `${Math.round(r.ms)} ms`);
});

test("a container credentials endpoint that never answers: the same, and the SDK's warning stays out of stderr", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }), {}, false, { hang: true });
  const r = await bootJson(task.env);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "ECS_PEER_LOOKUP=failed\n");
  assert.match(r.warning, /peers \(family\): ecs:ListTasks failed: TimeoutError: the credentials endpoint gave no credentials within 4000 ms/);
  assert.is(task.aws.calls.length, 0);
  assert.ok(task.creds.requests.length >= 3, `${task.creds.requests.length} credential requests`);
  assert.ok(r.ms < 40_000, `${Math.round(r.ms)} ms`);
});

test("control: an endpoint that answers after 2 s is waited for (the timeout is not a latency budget)", async () => {
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }), { latencyMs: 2000 });
  const r = await bootJson(task.env);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "ECS_PEER_LOOKUP=ok\n");
  assert.is(task.aws.calls.length, 2);
});

test.run();

// Credentials from the container credentials endpoint (how ECS hands them out) never reach a log line or a report,
// even when an AWS error message quotes them: the values the SDK resolved are redacted, whatever their shape.
import { randomBytes } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deadPort } from "../doctor/loopback.ts";
import { makeTasks } from "../fake-aws/server.ts";
import { startAwsTask, type AwsTask } from "../helpers/aws-task.ts";
import { FIXTURES, runEntrypoint } from "../helpers/run.ts";

let task: AwsTask | undefined;
test.after.each(async () => {
  await task?.close();
  task = undefined;
});

// No pattern recognises these: only remembering what the SDK resolved redacts them.
const distinct = () => ({
  accessKeyId: `TASKKEY${randomBytes(6).toString("hex")}`,
  secretAccessKey: `s3cr3t-${randomBytes(12).toString("hex")}`,
  sessionToken: `tok-${randomBytes(24).toString("hex")}`,
});

async function echoingTask(status: 400 | 500) {
  const creds = distinct();
  task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }), { echoCredentials: status }, false, creds);
  return creds;
}

function assertRedacted(out: string, creds: ReturnType<typeof distinct>): void {
  for (const [name, value] of Object.entries(creds)) assert.not.ok(out.includes(value), `${name} was printed`);
}

for (const status of [400, 500] as const) {
  for (const format of ["text", "json"]) {
    test(`boot, ${format} logs, ${status}: an AWS error quoting the container credentials is redacted`, async () => {
      const creds = await echoingTask(status);
      const r = await runEntrypoint(["--app", "shop", "--peers", "family", "--peers-timeout", "8000", "--log-format", format, `${FIXTURES}/show-env`, "ECS_PEER_LOOKUP"], { env: task!.env });
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout, "ECS_PEER_LOOKUP=failed\n");
      assertRedacted(r.stderr, creds);
      // The message itself still reaches the log, with the values replaced.
      assert.match(r.stderr, /request signed by <access key id> with secret <redacted> and token <redacted> refused/);
      assert.ok(task!.creds.requests.some((q) => q.status === 200), "the credentials came from the container endpoint");
    });
  }
  test(`doctor --format json, ${status}: the report redacts the container credentials`, async () => {
    const creds = await echoingTask(status);
    const env = { ...task!.env, RELEASE_COOKIE: "c", ERL_EPMD_PORT: String(await deadPort()) };
    const r = await runEntrypoint(["doctor", "--app", "shop", "--peers", "family", "--peers-timeout", "8000", "--format", "json"], { env });
    assert.is(r.code, 1, r.stderr);
    assertRedacted(r.stdout + r.stderr, creds);
    assert.match(r.stdout, /<redacted>/);
  });
}

test("entrypoint peers --format json: redacted too, exit 1", async () => {
  const creds = await echoingTask(400);
  const r = await runEntrypoint(["peers", "--app", "shop", "--format", "json"], { env: task!.env });
  assert.is(r.code, 1, r.stderr);
  assertRedacted(r.stdout + r.stderr, creds);
});

test.run();

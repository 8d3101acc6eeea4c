// "entrypoint fake-metadata" tells local tasks apart by their credentials, as AWS does with task role sessions:
// every task on one machine calls the API from 127.0.0.1, so denying one task must go by its access key id.
// It also serves short and empty listing pages on request (PUT /fake/paging).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fakePerTest } from "../helpers/fake-metadata.ts";
import { runEntrypoint } from "../helpers/run.ts";

const { start, base, control } = fakePerTest(test);

/** The task at `ip` (127.0.0.x) boots with its own container credentials from the fake, as an ECS task would. */
const bootAs = (ip: string, extra: Record<string, string> = {}) =>
  runEntrypoint(["--app", "shop", "--peers", "family", "sh", "-c", 'echo "[$ECS_PEER_NODES] $ECS_PEER_LOOKUP $ECS_PEER_LIST"'], {
    env: {
      ECS_CONTAINER_METADATA_URI_V4: `${base()}/v4/${ip}`,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base()}/fake/credentials/${ip}`,
      AWS_ENDPOINT_URL: base(),
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
      AWS_EC2_METADATA_DISABLED: "true",
      ...extra,
    },
  });

test("GET /fake/credentials/<ip> hands each task its own access key id", async () => {
  await start(["--family", "shop"]);
  const a = await control("GET", "/fake/credentials/127.0.0.2");
  const b = await control("GET", "/fake/credentials/127.0.0.3");
  assert.is(a.status, 200);
  for (const field of ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"]) assert.type(a.body[field], "string");
  assert.is.not(a.body.AccessKeyId, b.body.AccessKeyId);
  assert.is((await control("GET", "/fake/credentials/not-an-ip")).status, 404);
});

test("two tasks on one machine: PUT /fake/deny/<task ip> denies that task's calls only", async () => {
  await start(["--family", "shop"]);
  await bootAs("127.0.0.2");
  await bootAs("127.0.0.3");
  assert.equal(await control("PUT", "/fake/deny/127.0.0.2"), { status: 200, body: { denied: ["127.0.0.2"] } });
  const denied = await bootAs("127.0.0.2");
  assert.is(denied.code, 0, denied.stderr);
  assert.is(denied.stdout, "[] failed \n");
  assert.match(denied.stderr, /AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/fake-task-role\/127\.0\.0\.2 is not authorized to perform: ecs:ListTasks/);
  const allowed = await bootAs("127.0.0.3");
  assert.is(allowed.stdout, "[shop@127.0.0.2] ok complete\n", allowed.stderr);
  const calls = (await control("GET", "/fake/aws-calls")).body;
  assert.equal([calls["127.0.0.2"].ListTasks, calls["127.0.0.3"].ListTasks], [2, 2]);
  assert.is(calls["127.0.0.1"], undefined, "calls are counted per task, not per source address");
  await control("DELETE", "/fake/deny/127.0.0.2");
  assert.is((await bootAs("127.0.0.2")).stdout, "[shop@127.0.0.3] ok complete\n");
});

test("control: denying the source address still denies every task calling from it (network namespaces)", async () => {
  await start(["--family", "shop"]);
  await control("PUT", "/fake/deny/127.0.0.1");
  assert.match((await bootAs("127.0.0.3")).stderr, /AccessDeniedException: .* \(denied by PUT \/fake\/deny\/127\.0\.0\.1\)/);
});

test("PUT /fake/paging?size=1&empty=3: short and empty pages, the list still complete", async () => {
  await start(["--family", "shop"]);
  for (const ip of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) await bootAs(ip);
  assert.equal(await control("PUT", "/fake/paging?size=1&empty=3"), { status: 200, body: { paging: { size: 1, empty: 3 } } });
  const before = (await control("GET", "/fake/aws-calls")).body["127.0.0.5"]?.ListTasks ?? 0;
  const r = await bootAs("127.0.0.5");
  assert.is(r.stdout, "[shop@127.0.0.2,shop@127.0.0.3,shop@127.0.0.4] ok complete\n", r.stderr);
  assert.is((await control("GET", "/fake/aws-calls")).body["127.0.0.5"].ListTasks - before, 3 + 4);
  assert.is((await control("PUT", "/fake/paging?size=0")).status, 400);
  assert.equal(await control("DELETE", "/fake/paging"), { status: 200, body: { paging: {} } });
});

test.run();

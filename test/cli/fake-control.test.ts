// The test controls of "entrypoint fake-metadata": AWS calls counted per caller, and a caller's
// AWS calls denied until it is allowed again (what the e2e test uses for "lookup failed at boot").
import { test } from "uvu";
import * as assert from "uvu/assert";
import { request } from "node:http";
import { fakePerTest } from "../helpers/fake-metadata.ts";
import { runEntrypoint } from "../helpers/run.ts";

const { start, base, control } = fakePerTest(test);
const LOCAL_AWS = { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", AWS_REGION: "us-east-1" };

/** The task at `ip` boots with --peers family; its AWS calls come from 127.0.0.1. */
const bootAs = (ip: string) =>
  runEntrypoint(["--app", "shop", "--peers", "family", "sh", "-c", 'echo "[$ECS_PEER_NODES]"'], {
    env: { ECS_CONTAINER_METADATA_URI_V4: `${base()}/v4/${ip}`, AWS_ENDPOINT_URL: base(), ...LOCAL_AWS },
  });

test("GET /fake/aws-calls counts every AWS call by the caller's source address and API", async () => {
  await start(["--family", "shop"]);
  assert.equal((await control("GET", "/fake/aws-calls")).body, {});
  await bootAs("10.0.0.2");
  const r = await bootAs("10.0.0.3");
  assert.is(r.stdout, "[shop@10.0.0.2]\n", r.stderr);
  assert.equal((await control("GET", "/fake/aws-calls")).body, { "127.0.0.1": { ListTasks: 2, DescribeTasks: 1 } });
});

test("PUT /fake/deny/<ip> answers that caller's AWS calls with AccessDeniedException until DELETE", async () => {
  await start(["--family", "shop"]);
  await bootAs("10.0.0.2");
  assert.equal(await control("PUT", "/fake/deny/127.0.0.1"), { status: 200, body: { denied: ["127.0.0.1"] } });
  const denied = await bootAs("10.0.0.3");
  assert.is(denied.code, 0, "a failed lookup never stops the boot");
  assert.is(denied.stdout, "[]\n");
  assert.match(denied.stderr, /AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/fake-task-role\/127\.0\.0\.1 is not authorized to perform: ecs:ListTasks/);
  assert.equal(await control("DELETE", "/fake/deny/127.0.0.1"), { status: 200, body: { denied: [] } });
  assert.is((await bootAs("10.0.0.3")).stdout, "[shop@10.0.0.2]\n");
  assert.equal((await control("GET", "/fake/aws-calls")).body["127.0.0.1"].ListTasks, 3, "denied calls count too");
});

test("a deny path that names no IP address is a 400 naming it", async () => {
  await start([]);
  for (const bad of ["nope", "%zz", "10.0.0.300"]) {
    const r = await control("PUT", `/fake/deny/${bad}`);
    assert.is(r.status, 400, bad);
    assert.is(r.body.error, `not an IP address: ${bad}`);
  }
});

test("at most 1024 denied callers: the next PUT is a 400 saying so; a DELETE makes room; a PUT of one already denied is no new entry", async () => {
  await start([]);
  const ips = Array.from({ length: 1024 }, (_, i) => `10.9.${i >> 8}.${i & 255}`);
  for (let i = 0; i < ips.length; i += 64) {
    const answers = await Promise.all(ips.slice(i, i + 64).map((ip) => control("PUT", `/fake/deny/${ip}`)));
    assert.ok(answers.every((a) => a.status === 200), `PUTs from ${ips[i]}`);
  }
  const over = await control("PUT", "/fake/deny/10.9.4.0");
  assert.equal(over, { status: 400, body: { error: "at most 1024 denied callers" } });
  assert.is((await control("PUT", "/fake/deny/10.9.0.0")).status, 200, "control: one already denied");
  assert.is((await control("DELETE", "/fake/deny/10.9.0.0")).status, 200);
  const room = await control("PUT", "/fake/deny/10.9.4.0");
  assert.is(room.status, 200);
  assert.is(room.body.denied.length, 1024);
});

test("the call counter keeps at most 1024 callers, the oldest dropped first", async () => {
  await start([]);
  const call = (source: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(base(), { method: "POST", agent: false, localAddress: source, headers: { "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListTasks" } }, (res) => res.resume().on("end", resolve));
      req.on("error", reject).end("{}");
    });
  const sources = Array.from({ length: 1030 }, (_, i) => `127.0.${1 + (i >> 8)}.${i & 255}`);
  for (let i = 0; i < sources.length; i += 50) await Promise.all(sources.slice(i, i + 50).map(call));
  const callers = Object.keys((await control("GET", "/fake/aws-calls")).body);
  assert.is(callers.length, 1024);
  assert.not.ok(callers.includes(sources[0]!), "the oldest caller is dropped");
  assert.ok(callers.includes(sources.at(-1)!));
});

test.run();

// "entrypoint fake-metadata": the local stand-in for the ECS task metadata endpoint.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { get } from "node:http";
import { startFakeMetadata, type RunningFake } from "../helpers/fake-metadata.ts";
import { FIXTURES, runEntrypoint } from "../helpers/run.ts";

let fake: RunningFake | undefined;
test.after.each(async () => {
  await fake?.stop();
  fake = undefined;
});

/** GET from a chosen loopback source address, as one container of a compose network would. */
function fetchJson(url: string, localAddress = "127.0.0.1"): Promise<any> {
  return new Promise((resolve, reject) => {
    get(url, { localAddress }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve(JSON.parse(body)));
    }).on("error", reject);
  });
}

test("prints the URI first, on loopback; serves the container and task documents with ECS field names", async () => {
  fake = await startFakeMetadata(["--ip", "10.0.0.7", "--cluster", "prod", "--family", "shop"]);
  assert.match(fake.uri, /^http:\/\/127\.0\.0\.1:\d+\/v4\/[\w-]+$/);
  const container = await fetchJson(fake.uri);
  assert.equal(container.Networks[0].IPv4Addresses, ["10.0.0.7"]);
  assert.is(container.Networks[0].NetworkMode, "awsvpc");
  assert.not.ok("IPv6Addresses" in container.Networks[0], "empty lists are left out");
  assert.is(container.Labels["com.amazonaws.ecs.cluster"], "prod");
  const task = await fetchJson(`${fake.uri}/task`);
  assert.match(task.Cluster, /:cluster\/prod$/);
  assert.match(task.TaskARN, /^arn:aws:ecs:us-east-1:\d{12}:task\/prod\/[0-9a-f]{32}$/);
  assert.is(task.Family, "shop");
  assert.is(task.Containers[0].Labels["com.amazonaws.ecs.task-arn"], task.TaskARN);
});

test("--ip auto: each caller gets its own source address and its own task", async () => {
  fake = await startFakeMetadata(["--ip", "auto"]);
  const a = await fetchJson(`${fake.uri}/task`, "127.0.0.2");
  const b = await fetchJson(`${fake.uri}/task`, "127.0.0.3");
  assert.equal(a.Containers[0].Networks[0].IPv4Addresses, ["127.0.0.2"]);
  assert.equal(b.Containers[0].Networks[0].IPv4Addresses, ["127.0.0.3"]);
  assert.is.not(a.TaskARN, b.TaskARN);
  assert.is((await fetchJson(`${fake.uri}/task`, "127.0.0.2")).TaskARN, a.TaskARN, "stable per caller");
});

test("the entrypoint boots against it: IPv6 task", async () => {
  fake = await startFakeMetadata(["--ip", "fd00:0:0:0:0:0:0:9"]);
  const r = await runEntrypoint(["--app", "shop", `${FIXTURES}/show-env`, "RELEASE_NODE", "ELIXIR_ERL_OPTIONS"], { env: { ECS_CONTAINER_METADATA_URI_V4: fake.uri } });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "RELEASE_NODE=shop@fd00::9\nELIXIR_ERL_OPTIONS=-proto_dist inet6_tcp\n");
});

test("--network-mode host: the entrypoint exits 69 and suggests --ip", async () => {
  fake = await startFakeMetadata(["--network-mode", "host"]);
  const r = await runEntrypoint(["--app", "shop", "true"], { env: { ECS_CONTAINER_METADATA_URI_V4: fake.uri } });
  assert.is(r.code, 69);
  assert.match(r.stderr, "--ip");
});

test("bad flags are refused with exit 78 / 64", async () => {
  const bad = await runEntrypoint(["fake-metadata", "--ip", "nope"]);
  assert.is(bad.code, 78);
  assert.match(bad.stderr, '--ip: expected an IP address or auto, got "nope"');
  const unknown = await runEntrypoint(["fake-metadata", "--format", "json"]);
  assert.is(unknown.code, 64);
});

test("SIGTERM stops it with exit 0", async () => {
  const f = await startFakeMetadata([]);
  assert.is(await f.stop(), 0);
});

test.run();

// The metadata step as a user meets it: the built entrypoint against real loopback servers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { json, startServer, type LoopbackServer } from "../helpers/http-server.ts";
import { FIXTURES, runEntrypoint } from "../helpers/run.ts";

const doc = (networks: unknown[]) => ({ DockerId: "abc", Networks: networks });
const awsvpc = (ip: string) => doc([{ NetworkMode: "awsvpc", IPv4Addresses: [ip] }]);
const SHOW = `${FIXTURES}/show-env`;

let server: LoopbackServer | undefined;
test.after.each(async () => {
  await server?.close();
  server = undefined;
});

async function boot(handler: Parameters<typeof startServer>[0], extra: Record<string, string> = {}, args: string[] = []) {
  server = await startServer(handler);
  return runEntrypoint(["--app", "shop", "--sha", "abc123", ...args, SHOW, "RELEASE_NODE", "RELEASE_DISTRIBUTION", "ELIXIR_ERL_OPTIONS"], {
    env: { ECS_CONTAINER_METADATA_URI_V4: `${server.url}/v4/c1`, ...extra },
  });
}

test("awsvpc: RELEASE_NODE is <app>-<sha>@<ip>, distribution name", async () => {
  const r = await boot((_q, res) => json(res, 200, awsvpc("10.0.3.7")));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "RELEASE_NODE=shop-abc123@10.0.3.7\n");
  assert.match(r.stdout, "RELEASE_DISTRIBUTION=name\n");
  assert.match(r.stderr, /entrypoint: node shop-abc123@10\.0\.3\.7/);
  assert.equal(server!.requests.map((q) => q.url), ["/v4/c1"]);
});

test("500 three times, then OK: retried within the deadline", async () => {
  const r = await boot((_q, res, n) => (n <= 3 ? json(res, 500, "oops") : json(res, 200, awsvpc("10.0.0.9"))));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "RELEASE_NODE=shop-abc123@10.0.0.9");
  assert.is(server!.requests.length, 4);
});

test("404 then OK (the endpoint lags the container start)", async () => {
  const r = await boot((_q, res, n) => (n === 1 ? json(res, 404, "not yet") : json(res, 200, awsvpc("10.0.0.8"))));
  assert.is(r.code, 0, r.stderr);
  assert.is(server!.requests.length, 2);
});

test("connection refused until the deadline: exit 69 naming the URI", async () => {
  const r = await runEntrypoint(["--app", "shop", "--metadata-timeout", "600", SHOW], { env: { ECS_CONTAINER_METADATA_URI_V4: "http://127.0.0.1:1/v4/x" } });
  assert.is(r.code, 69);
  assert.match(r.stderr, /entrypoint: error: metadata endpoint http:\/\/127\.0\.0\.1:1\/v4\/x gave no document within 600 ms \(\d+ attempts, last: ECONNREFUSED\)/);
  assert.is(r.stdout, "");
});

test("hanging endpoint: per-attempt timeout, then exit 69", async () => {
  const r = await boot(() => {}, { ENTRYPOINT_METADATA_TIMEOUT_MS: "1500" });
  assert.is(r.code, 69);
  assert.match(r.stderr, /no answer within/);
  assert.ok(server!.requests.length >= 2, `retried after the 1 s attempt timeout (${server!.requests.length} requests)`);
  assert.ok(r.ms < 4000, `stopped near the deadline (${r.ms} ms)`);
});

test("garbage JSON: exit 69, not retried", async () => {
  const r = await boot((_q, res) => json(res, 200, "{not json"));
  assert.is(r.code, 69);
  assert.match(r.stderr, /metadata endpoint http:\/\/127\.0\.0\.1:\d+\/v4\/c1: the answer is not JSON: "\{not json"/);
  assert.is(server!.requests.length, 1);
});

test("no Networks: exit 69 saying what is missing", async () => {
  const r = await boot((_q, res) => json(res, 200, { DockerId: "x" }));
  assert.is(r.code, 69);
  assert.match(r.stderr, /gave no usable address: no Networks list; the task needs the awsvpc network mode, or pass --ip/);
});

test("IPv6-only task: canonical IPv6 node name and -proto_dist inet6_tcp appended", async () => {
  const r = await boot((_q, res) => json(res, 200, doc([{ NetworkMode: "awsvpc", IPv6Addresses: ["FD00:200:0:0:0:0:0:3"] }])), { ELIXIR_ERL_OPTIONS: "+S 2" });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "RELEASE_NODE=shop-abc123@fd00:200::3\n");
  assert.match(r.stdout, "ELIXIR_ERL_OPTIONS=+S 2 -proto_dist inet6_tcp\n");
});

test("--ip-family ipv4 on an IPv6-only task: exit 69", async () => {
  const r = await boot((_q, res) => json(res, 200, doc([{ NetworkMode: "awsvpc", IPv6Addresses: ["fd00::3"] }])), {}, ["--ip-family", "ipv4"]);
  assert.is(r.code, 69);
  assert.match(r.stderr, /no IPv4 address in Networks \(network mode awsvpc\); pass --ip-family auto, or --ip/);
});

test("bridge mode: works, with a warning", async () => {
  const r = await boot((_q, res) => json(res, 200, doc([{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.2"] }])));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /entrypoint: warning: network mode bridge: 172\.17\.0\.2/);
});

test("host mode: exit 69 suggesting --ip", async () => {
  const r = await boot((_q, res) => json(res, 200, doc([{ NetworkMode: "host" }])));
  assert.is(r.code, 69);
  assert.match(r.stderr, /network mode host.*--ip/);
});

test("v3 variable used when v4 is absent", async () => {
  server = await startServer((_q, res) => json(res, 200, awsvpc("10.0.0.3")));
  const r = await runEntrypoint(["--app", "shop", SHOW, "RELEASE_NODE"], { env: { ECS_CONTAINER_METADATA_URI: `${server.url}/v3/c` } });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "RELEASE_NODE=shop@10.0.0.3\n");
  assert.equal(server.requests.map((q) => q.url), ["/v3/c"]);
});

test("no metadata URI: exit 78 naming the variable and the ways out", async () => {
  const r = await runEntrypoint(["--app", "shop", SHOW, "RELEASE_NODE"]);
  assert.is(r.code, 78);
  assert.match(r.stderr, /ECS_CONTAINER_METADATA_URI_V4 is not set.*--ip.*--allow-no-metadata/);
});

test("--allow-no-metadata: the command runs without distribution variables, with a warning", async () => {
  const r = await runEntrypoint(["--app", "shop", "--allow-no-metadata", SHOW, "RELEASE_NODE", "RELEASE_DISTRIBUTION"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "RELEASE_NODE=<unset>\nRELEASE_DISTRIBUTION=<unset>\n");
  assert.match(r.stderr, /warning: no metadata endpoint/);
});

test("--ip: metadata is not fetched", async () => {
  const r = await boot((_q, res) => json(res, 200, awsvpc("10.9.9.9")), {}, ["--ip", "10.0.0.42"]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "RELEASE_NODE=shop-abc123@10.0.0.42\n");
  assert.is(server!.requests.length, 0);
});

test("RELEASE_NODE already set: kept, metadata not fetched, and the log says so", async () => {
  const r = await boot((_q, res) => json(res, 200, awsvpc("10.9.9.9")), { RELEASE_NODE: "mine@10.1.1.1" });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "RELEASE_NODE=mine@10.1.1.1\n");
  assert.match(r.stderr, /RELEASE_NODE is already set to mine@10\.1\.1\.1; keeping it/);
  assert.is(server!.requests.length, 0);
});

test.run();

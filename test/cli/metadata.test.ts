// The metadata step as a user meets it: the built entrypoint against real loopback servers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { json, startServer, type LoopbackServer } from "../helpers/http-server.ts";
import { FIXTURES, runEntrypoint } from "../helpers/run.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const doc = (networks: unknown[]) => ({ DockerId: "abc", Networks: networks });
const awsvpc = (ip: string) => doc([{ NetworkMode: "awsvpc", IPv4Addresses: [ip] }]);
const SHOW = `${FIXTURES}/show-env`;

let server: LoopbackServer | undefined;
test.after.each(async () => {
  await server?.close();
  server = undefined;
});

async function boot(handler: Parameters<typeof startServer>[0], extra: Record<string, string> = {}, args: string[] = []) {
  await server?.close();
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

test("a non-JSON answer with a newline, ESC, quotes and a bidi override: quoted once, each character escaped once", async () => {
  const r = await boot((_q, res) => res.writeHead(200, { "content-type": "application/json" }).end('{not json\n\x1b[31m"red"\u202e'));
  assert.is(r.code, 69);
  const line = r.stderr.split("\n").find((l) => l.includes("the answer is not JSON"));
  assert.ok(line?.endsWith(String.raw`: the answer is not JSON: "{not json\n\x1b[31m"red"\u202e"`), line);
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

test("bridge mode: the container's Docker-bridge address is never the node's; without --dist-port, exit 78 before any waiting", async () => {
  const r = await boot((_q, res) => json(res, 200, doc([{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.2"] }])));
  assert.is(r.code, 78, r.stderr);
  assert.is(r.stdout, "");
  assert.match(r.stderr, /network mode bridge: the distribution port must be pinned and published/);
});

test("host mode: the instance's address from the container metadata file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "metadata-file-"));
  const file = join(dir, "ecs-container-metadata.json");
  writeFileSync(file, JSON.stringify({ MetadataFileStatus: "READY", HostPrivateIPv4Address: "10.0.1.43" }));
  try {
    const r = await boot((_q, res) => json(res, 200, doc([{ NetworkMode: "host" }])), { ECS_CONTAINER_METADATA_FILE: file }, ["--dist-port", "9100"]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, "RELEASE_NODE=shop-abc123@10.0.1.43\n");
    assert.match(r.stderr, `ip_from=metadata-file ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

test("403: exit 69 at once, after one request (only 404, 5xx and connection errors are retried)", async () => {
  const r = await boot((_q, res) => json(res, 403, { message: "forbidden" }));
  assert.is(r.code, 69);
  assert.match(r.stderr, /metadata endpoint http:\/\/127\.0\.0\.1:\d+\/v4\/c1: HTTP 403: /);
  assert.is(server!.requests.length, 1);
});

test("https:// metadata URI: config error 78 up front, no request, no stack", async () => {
  server = await startServer((_q, res) => json(res, 200, awsvpc("10.0.0.1")));
  const r = await runEntrypoint(["--app", "shop", "--metadata-uri", `${server.url.replace("http:", "https:")}/v4/c1`, SHOW]);
  assert.is(r.code, 78, r.stderr);
  assert.match(r.stderr, /^entrypoint: error: --metadata-uri: expected an http:\/\/ URI of the ECS task metadata endpoint \(it has no https\), got "https:\/\/127\.0\.0\.1:\d+\/v4\/c1"\n$/);
  assert.is(server.requests.length, 0);
});

/** A server that streams a body of `bytes` (endless when Infinity) and counts what it got to write before the client hung up. */
async function bigBody(bytes: number, declare: boolean) {
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  server = await startServer((_q, res) => {
    res.writeHead(200, { "content-type": "application/json", ...(declare ? { "content-length": String(bytes) } : {}) });
    res.write("{");
    const pump = () => {
      while (written < bytes && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      if (!res.destroyed) res.end();
    };
    res.on("close", () => (written = Math.min(written, bytes)));
    pump();
  });
  return { written: () => written };
}

for (const [name, bytes, declare] of [["an endless chunked body", Infinity, false], ["a declared 2 MiB body", 2 * 1024 * 1024, true]] as const) {
  test(`metadata with ${name}: exit 69 with one clear line, the rest never read`, async () => {
    const sent = await bigBody(bytes, declare);
    const r = await runEntrypoint(["--app", "shop", SHOW, "RELEASE_NODE"], { env: { ECS_CONTAINER_METADATA_URI_V4: `${server!.url}/v4/c1` } });
    assert.is(r.code, 69, r.stderr);
    assert.match(r.stderr, /^entrypoint: error: metadata endpoint http:\/\/127\.0\.0\.1:\d+\/v4\/c1: the answer is larger than 1 MiB\n$/);
    assert.is(server!.requests.length, 1, "not retried");
    assert.ok(sent.written() < 32 * 1024 * 1024, `the client stopped reading (${sent.written()} bytes sent)`);
  });
}

// SPEC 4.1: the first usable address of the wanted family, in Networks order; unusable entries are skipped.
const v4list = (...ips: unknown[]) => doc([{ NetworkMode: "awsvpc", IPv4Addresses: ips }]);
const addressCases: [string, unknown, string[], string | RegExp][] = [
  ["an unusable entry is skipped: the second one is used", v4list("bogus", "10.0.0.2"), [], "shop-abc123@10.0.0.2"],
  ["IPv4-mapped IPv6 in IPv4Addresses is not IPv4", v4list("::ffff:10.0.0.1"), ["--ip-family", "ipv4"], /no IPv4 address in Networks \(network mode awsvpc; unusable: "::ffff:10\.0\.0\.1" \(an IPv4-mapped IPv6 address is not an IPv4 address in IPv4Addresses\)\)/],
  ["an IPv4 address in IPv6Addresses is not IPv6", doc([{ NetworkMode: "awsvpc", IPv6Addresses: ["10.0.0.5"] }]), [], /unusable: "10\.0\.0\.5" \(an IPv4 address in IPv6Addresses\)/],
  ["0.0.0.0 is unspecified", v4list("0.0.0.0"), [], /"0\.0\.0\.0" \(unspecified/],
  [":: is unspecified", doc([{ NetworkMode: "awsvpc", IPv6Addresses: ["::"] }]), [], /"::" \(unspecified/],
  ["broadcast", v4list("255.255.255.255"), [], /\(broadcast\)/],
  ["multicast", v4list("224.0.0.251"), [], /\(multicast\)/],
  ["IPv6 multicast", doc([{ NetworkMode: "awsvpc", IPv6Addresses: ["ff02::1"] }]), [], /\(multicast/],
  ["link-local", v4list("169.254.172.2"), [], /\(link-local/],
  ["IPv6 link-local", doc([{ NetworkMode: "awsvpc", IPv6Addresses: ["fe80::1"] }]), [], /\(link-local/],
  ["bracketed", v4list("[10.0.0.1]"), [], /"\[10\.0\.0\.1\]" \(not an IP address\)/],
  ["path-like", doc([{ NetworkMode: "awsvpc", IPv6Addresses: ["fd00::1]/x"] }]), [], /"fd00::1\]\/x" \(not an IP address\)/],
  ["link-local skipped, the next network used", doc([{ NetworkMode: "awsvpc", IPv4Addresses: ["169.254.1.1"] }, { NetworkMode: "awsvpc", IPv4Addresses: ["10.0.0.6"] }]), [], "shop-abc123@10.0.0.6"],
  ["loopback is allowed (local runs)", v4list("127.0.0.1"), [], "shop-abc123@127.0.0.1"],
];
for (const [name, body, args, want] of addressCases) {
  test(`address: ${name}`, async () => {
    const r = await boot((_q, res) => json(res, 200, body), {}, args);
    if (typeof want === "string") {
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, `RELEASE_NODE=${want}\n`);
      assert.not.match(r.stdout, "inet6_tcp");
    } else {
      assert.is(r.code, 69, r.stderr);
      assert.match(r.stderr, want);
    }
  });
}

test("--ip 0.0.0.0 or a link-local --ip: config error 78", async () => {
  for (const ip of ["0.0.0.0", "169.254.170.2", "::"]) {
    const r = await runEntrypoint(["--app", "shop", "--ip", ip, SHOW]);
    assert.is(r.code, 78, r.stderr);
    assert.match(r.stderr, /--ip: .* which other nodes cannot reach; pass this task's own private IP/);
  }
});

test("a NetworkMode that is not a string: a warning and the address, or 69 with a clear line; never a stack", async () => {
  const odd = { toString: 1, valueOf: 2 };
  const ok = await boot((_q, res) => json(res, 200, doc([{ NetworkMode: odd, IPv4Addresses: ["10.0.0.3"] }])));
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, "RELEASE_NODE=shop-abc123@10.0.0.3\n");
  assert.match(ok.stderr, "entrypoint: warning: the metadata's NetworkMode is not a string (object); using 10.0.0.3 anyway\n");
  const none = await boot((_q, res) => json(res, 200, doc([{ NetworkMode: odd }])));
  assert.is(none.code, 69, none.stderr);
  assert.match(none.stderr, /^entrypoint: error: metadata endpoint \S+ gave no usable address: no IPv4 or IPv6 address in Networks \(network mode not a string \(object\)\); pass --ip/);
  assert.is(none.stderr.split("\n").length, 2, "one line");
});

const HOSTILE = "\x1b]0;owned\x07\x1b[2J\u009b31m\u202eevil\nentrypoint: node forged@1.2.3.4";
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

test("control characters of a metadata field are escaped in text and json logs", async () => {
  for (const format of ["text", "json"]) {
    const r = await boot((_q, res) => json(res, 200, doc([{ NetworkMode: HOSTILE }])), {}, ["--log-format", format]);
    assert.is(r.code, 69, r.stderr);
    assert.not.match(r.stderr, RAW);
    assert.is(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
    const line = format === "json" ? JSON.parse(r.stderr).msg : r.stderr;
    assert.not.match(line, RAW);
    assert.match(line, "\\x1b]0;owned\\x07");
    assert.match(line, "\\u202eevil\\nentrypoint: node forged@1.2.3.4");
  }
});

test.run();

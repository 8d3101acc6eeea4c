// bridge and host mode (SPEC 4.9): the node is named after the container instance's private IP, from
// the metadata file, then IMDSv2 (all loopback fakes); bridge mode needs its published port and runs
// without EPMD. The host-mode route source runs in a namespace: test/cli/network-modes-route.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startFakeInstance, type FakeInstance } from "../helpers/fake-instance.ts";
import { startServer, type LoopbackServer } from "../helpers/http-server.ts";
import { FIXTURES, runEntrypoint } from "../helpers/run.ts";

let fake: FakeInstance | undefined;
let imds: LoopbackServer | undefined;
test.after.each(async () => {
  await fake?.stop();
  await imds?.close();
  fake = imds = undefined;
});

const SHOW = [`${FIXTURES}/show-env`, "RELEASE_NODE", "ELIXIR_ERL_OPTIONS"];
const EPMD_OFF = "-start_epmd false -erl_epmd_port 9100 -kernel erl_epmd_node_listen_port 9100";
const PINNED = "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100";
/** The fake's variables, with IMDS on at the fake's endpoint (the helpers switch it off by default). */
const withImds = (extra: Record<string, string | undefined> = {}) => ({ ...fake!.vars, AWS_EC2_METADATA_DISABLED: undefined, ...extra });
const boot = (args: string[], env: Record<string, string | undefined>) => runEntrypoint(["--app", "shop", ...args], { env });

test("bridge: the metadata file turns READY after a delay; node shop@<instance ip> on the published port, without EPMD", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--instance-ip", "10.1.2.3", "--metadata-file-delay", "400"]);
  const r = await boot(["--dist-port", "9100", ...SHOW], withImds());
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `RELEASE_NODE=shop@10.1.2.3\nELIXIR_ERL_OPTIONS=${EPMD_OFF} ${PINNED}\n`);
  assert.match(r.stderr, `ip_from=metadata-file ${fake.vars.ECS_CONTAINER_METADATA_FILE}`);
  assert.match(r.stderr, "network mode bridge: distribution without EPMD");
  assert.not.match(r.stderr, "172.17.0.2", "the container's bridge address is never used");
});

test("bridge: rpc through the entrypoint gets the node name, the port flags and -dist_listen false", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--instance-ip", "10.1.2.3", "--metadata-file-delay", "0"]);
  const r = await boot(["--dist-port", "9100", `${FIXTURES}/show-env`, "rpc", "RELEASE_NODE", "ELIXIR_ERL_OPTIONS"], fake.vars);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, `RELEASE_NODE=shop@10.1.2.3\nELIXIR_ERL_OPTIONS=${EPMD_OFF} -dist_listen false\n`);
});

test("bridge: a metadata file that never turns READY → IMDSv2 (token, then local-ipv4)", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--instance-ip", "10.1.2.4", "--metadata-file-delay", "never"]);
  const r = await boot(["--dist-port", "9100", "--metadata-timeout", "600", ...SHOW], withImds());
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "RELEASE_NODE=shop@10.1.2.4\n");
  assert.match(r.stderr, "ip_from=imds");
});

/** An IMDS that hands out tokens but rejects them (a token for another instance, or expired). */
async function rejectingImds(): Promise<LoopbackServer> {
  return startServer((req, res) => {
    req.resume();
    if (req.method === "PUT" && req.url === "/latest/api/token") return void res.end("a-token");
    res.writeHead(401).end();
  });
}

test("bridge: IMDS answers 401 and no other source: exit 69 naming every source, why, and the fixes", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--metadata-file-delay", "never"]);
  imds = await rejectingImds();
  const r = await boot(["--dist-port", "9100", "--metadata-timeout", "400", "true"], withImds({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }));
  assert.is(r.code, 69, r.stderr);
  const line = r.stderr.trim().split("\n").pop()!;
  assert.match(line, "network mode bridge: no source gave the container instance's private IPv4 address");
  assert.match(line, "--ip: not given");
  assert.match(line, `metadata-file ${fake.vars.ECS_CONTAINER_METADATA_FILE}: ${fake.vars.ECS_CONTAINER_METADATA_FILE}: MetadataFileStatus is "NOT_READY", not READY`);
  assert.match(line, `imds: ${imds.url}: GET /latest/meta-data/local-ipv4: HTTP 401 (token rejected)`);
  assert.match(line, "ECS_ENABLE_CONTAINER_METADATA=true");
  assert.match(line, "--http-put-response-hop-limit 2");
  assert.not.match(line, "route", "bridge mode has no route source: the bridge's route is not the instance's");
  assert.equal(imds.requests.map((q) => `${q.method} ${q.url}`), ["PUT /latest/api/token", "GET /latest/meta-data/local-ipv4"]);
});

test("bridge: an IMDS that never answers (hop limit 1 drops the answer) costs its budget once, then exit 69 with the fix", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--metadata-file-delay", "never"]);
  // Accepts the connection and the request, then says nothing, as when the answer dies at the hop limit.
  imds = await startServer(() => {});
  const r = await boot(["--dist-port", "9100", "--metadata-timeout", "300", "true"], withImds({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }));
  assert.is(r.code, 69, r.stderr);
  assert.match(r.stderr, `imds: ${imds.url}: no answer within 1000 ms`);
  assert.match(r.stderr, "--http-put-response-hop-limit 2");
  assert.is(imds.requests.length, 1, "one token request, no retry");
  assert.ok(r.ms < 10_000, `safety net only: ${r.ms} ms`);
});

test("AWS_EC2_METADATA_DISABLED=true: IMDS is not asked; no metadata file: exit 69 that says both", async () => {
  imds = await rejectingImds();
  const doc = await startServer((_req, res) => res.end(JSON.stringify({ Networks: [{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.2"] }], Ports: [{ ContainerPort: 9100, HostPort: 9100, Protocol: "tcp", HostIp: "0.0.0.0" }] })));
  try {
    const env = { ECS_CONTAINER_METADATA_URI_V4: `${doc.url}/v4/x`, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url, AWS_EC2_METADATA_DISABLED: "TRUE" };
    const r = await boot(["--dist-port", "9100", "true"], env);
    assert.is(r.code, 69, r.stderr);
    assert.match(r.stderr, "metadata-file: ECS_CONTAINER_METADATA_FILE is not set (the agent sets it only with ECS_ENABLE_CONTAINER_METADATA=true)");
    assert.match(r.stderr, "imds: switched off by AWS_EC2_METADATA_DISABLED=true");
    assert.is(imds.requests.length, 0, "IMDS must not be contacted");
  } finally {
    await doc.close();
  }
});

test("bridge without --dist-port: exit 78 with the portMappings entry to add; the command never runs", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--instance-ip", "10.1.2.3", "--metadata-file-delay", "0"]);
  const r = await boot(["sh", "-c", "echo ran"], fake.vars);
  assert.is(r.code, 78, r.stderr);
  assert.is(r.stdout, "");
  assert.match(r.stderr, 'set ENTRYPOINT_DIST_PORT=9100 (or --dist-port 9100) and add to the container\'s portMappings {"containerPort": 9100, "hostPort": 9100, "protocol": "tcp"}');
});

test("bridge: no mapping for the distribution port: exit 78 naming the port, what is mapped, and the line to add", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--container-port", "4000", "--host-port", "80", "--metadata-file-delay", "0"]);
  const r = await boot(["--dist-port", "9100", "true"], fake.vars);
  assert.is(r.code, 78, r.stderr);
  assert.match(r.stderr, 'no port mapping of this container publishes the distribution port 9100 (it has 4000→80/tcp); add to the container\'s portMappings {"containerPort": 9100, "hostPort": 9100, "protocol": "tcp"} or, for a dynamic host port, "hostPort": 0');
});

test("host: the metadata file's address, the pinned port, EPMD kept (opt-in there); unpinned: a warning", async () => {
  fake = await startFakeInstance(["--network-mode", "host", "--instance-ip", "10.1.2.5", "--metadata-file-delay", "0"]);
  const pinned = await boot(["--dist-port", "9100", ...SHOW], fake.vars);
  assert.is(pinned.code, 0, pinned.stderr);
  assert.is(pinned.stdout, `RELEASE_NODE=shop@10.1.2.5\nELIXIR_ERL_OPTIONS=${PINNED}\n`);
  assert.not.match(pinned.stderr, "warning");
  const unpinned = await boot(SHOW, fake.vars);
  assert.is(unpinned.stdout, "RELEASE_NODE=shop@10.1.2.5\nELIXIR_ERL_OPTIONS=<unset>\n");
  assert.match(unpinned.stderr, "warning: network mode host: the distribution port is not pinned");
});

test("doctor in bridge mode names the address source and the published port", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--instance-ip", "10.1.2.3", "--metadata-file-delay", "0"]);
  const r = await boot(["doctor", "--dist-port", "9100", "--peer", "127.0.0.1", "--format", "json"], { ...fake.vars, RELEASE_COOKIE: "cookie" });
  const report = JSON.parse(r.stdout);
  assert.is(report.address.from, `metadata-file ${fake.vars.ECS_CONTAINER_METADATA_FILE}`);
  const text = JSON.stringify(report.findings);
  assert.match(text, "network mode bridge: the container instance's private IP");
  assert.match(text, "published on the instance as host port 9100");
});

test.run();

// bridge mode with a dynamic host port (SPEC 4.9): the node name carries the published port, the
// running node gets EcsEpmd and listens on the container port, rpc dials the host port without
// listening, and an init container (no port mapping of its own) is told to run in the app container.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { startFakeInstance, type FakeInstance } from "../helpers/fake-instance.ts";
import { startServer } from "../helpers/http-server.ts";
import { FIXTURES, runEntrypoint } from "../helpers/run.ts";

let fake: FakeInstance | undefined;
test.after.each(async () => {
  await fake?.stop();
  fake = undefined;
});

const SHOW = [`${FIXTURES}/show-env`, "RELEASE_NODE", "ELIXIR_ERL_OPTIONS"];
const boot = (args: string[], env: Record<string, string | undefined>) => runEntrypoint(["--app", "shop", "--dist-port", "9100", ...args], { env });
const dynamic = () => startFakeInstance(["--network-mode", "bridge", "--instance-ip", "10.1.2.3", "--host-port", "32768", "--metadata-file-delay", "0"]);

test("the running node: named <basename>-<host port>@<instance ip>, EcsEpmd, listening on the container port", async () => {
  fake = await dynamic();
  const r = await boot(SHOW, fake.vars);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "RELEASE_NODE=shop-32768@10.1.2.3\nELIXIR_ERL_OPTIONS=-start_epmd false -kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100 -epmd_module Elixir.EcsEpmd\n");
  assert.match(r.stderr, "network mode bridge, dynamic host port 32768: distribution without EPMD on container port 9100; peers' ports come from their names (EcsEpmd)");
  assert.match(r.stderr, "node shop-32768@10.1.2.3");
});

test("ENTRYPOINT_EPMD=off too: the dynamic port's flags win (the configured port would be the container's)", async () => {
  fake = await dynamic();
  const r = await boot(SHOW, { ...fake.vars, ENTRYPOINT_EPMD: "off" });
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stdout, "erl_epmd_port", "the running node must not pin erl_epmd's port: it would dial every peer on it");
  assert.match(r.stdout, "-epmd_module Elixir.EcsEpmd");
});

test("a release without EcsEpmd: a warning that says which file to copy; with it, none", async () => {
  fake = await dynamic();
  const root = mkdtempSync(join(tmpdir(), "release-"));
  try {
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "lib", "shop-0.1.0", "ebin"), { recursive: true });
    const without = await boot(["--bin-dir", join(root, "bin"), ...SHOW], fake.vars);
    assert.is(without.code, 0, without.stderr);
    assert.match(without.stderr, `warning: the release in ${join(root, "bin")}/.. has no Elixir.EcsEpmd module: copy examples/elixir/ecs_epmd.ex into the app's lib/`);
    writeFileSync(join(root, "lib", "shop-0.1.0", "ebin", "Elixir.EcsEpmd.beam"), "");
    const withIt = await boot(["--bin-dir", join(root, "bin"), ...SHOW], fake.vars);
    assert.not.match(withIt.stderr, "warning");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("rpc through the entrypoint: same name; dials the host port (erl_epmd's port, both forms without a release), does not listen, no EcsEpmd", async () => {
  fake = await dynamic();
  const r = await boot([`${FIXTURES}/show-env`, "rpc", "RELEASE_NODE", "ELIXIR_ERL_OPTIONS"], fake.vars);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "RELEASE_NODE=shop-32768@10.1.2.3\nELIXIR_ERL_OPTIONS=-start_epmd false -erl_epmd_port 32768 -kernel erl_epmd_node_listen_port 32768 -dist_listen false\n");
});

test("a static host port keeps the plain name and today's flags", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--instance-ip", "10.1.2.3", "--metadata-file-delay", "0"]);
  const r = await boot(SHOW, fake.vars);
  assert.match(r.stdout, /^RELEASE_NODE=shop@10\.1\.2\.3\nELIXIR_ERL_OPTIONS=-start_epmd false -erl_epmd_port 9100 /);
  assert.not.match(r.stdout, "EcsEpmd");
});

test("an init container (env --output; its own document maps no port): exit 78 that says to run the entrypoint in the app container", async () => {
  const doc = await startServer((_req, res) => res.end(JSON.stringify({ Networks: [{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.3"] }] })));
  const dir = mkdtempSync(join(tmpdir(), "init-bridge-"));
  try {
    const r = await runEntrypoint(["env", "--output", join(dir, "release.env"), "--app", "shop", "--dist-port", "9100"], { env: { ECS_CONTAINER_METADATA_URI_V4: `${doc.url}/v4/init` } });
    assert.is(r.code, 78, r.stderr);
    assert.match(r.stderr, "(it has none); add to the container's portMappings");
    assert.match(r.stderr, "an init container cannot learn the app container's published port: in bridge mode run the entrypoint in the app container");
  } finally {
    await doc.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A TCP listener on loopback that accepts and says nothing (stands in for this node's published port). */
async function silentListener(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.on("error", () => {}));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port };
}

test("doctor: this node dialed at its published port, a peer at the port its name carries, no epmd step; a bare IP is not checked, with the fix", async () => {
  const own = await silentListener();
  const closed = await silentListener();
  await new Promise((resolve) => closed.server.close(resolve));
  try {
    fake = await startFakeInstance(["--network-mode", "bridge", "--instance-ip", "127.0.0.1", "--host-port", String(own.port), "--metadata-file-delay", "0"]);
    const args = ["doctor", "--peer", `shop-${closed.port}@127.0.0.1`, "--peer", "127.0.0.2", "--format", "json"];
    const r = await boot(args, { ...fake.vars, RELEASE_COOKIE: "cookie" });
    assert.is(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { node: string; findings: { severity: string; check: string; peer?: string; message: string; fix?: string }[] };
    assert.is(report.node, `shop-${own.port}@127.0.0.1`);
    const rows = report.findings.map((f) => `${f.severity} ${f.check} ${f.message}${f.fix ? ` | ${f.fix}` : ""}`);
    const has = (text: string) => assert.ok(rows.some((row) => row.includes(text)), `${text}\n${rows.join("\n")}`);
    has(`ok address node shop-${own.port}@127.0.0.1; ip 127.0.0.1 from metadata-file`);
    has(`published on the instance as the dynamic host port ${own.port}, which the node name carries (shop-${own.port}@127.0.0.1); peers reach it through EcsEpmd`);
    has(`warn handshake this task: handshake with shop-${own.port}@127.0.0.1 not completed`);
    has(`fail dist_port cannot reach shop-${closed.port}@127.0.0.1 on port ${closed.port}, the host port its name carries (bridge mode, dynamic host ports): connection refused`);
    has("allow inbound TCP 32768-65535");
    has("fail peer not checked: in bridge mode with dynamic host ports each node listens on its own host port, which only its node name tells | pass the peer's node name, e.g. --peer shop-32769@127.0.0.2");
    assert.not.ok(report.findings.some((f) => f.check === "epmd"), "no epmd step");
  } finally {
    own.server.close();
  }
});

test.run();

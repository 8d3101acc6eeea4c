// bridge mode with a dynamic host port (SPEC 4.9): the node name carries the published port, the
// running node gets EcsEpmd and listens on the container port, rpc dials the host port without
// listening, and an init container (no port mapping of its own) is told to run in the app container.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
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

test.run();

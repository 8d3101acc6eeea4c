// "entrypoint env": what it would set, printed safely, with nothing executed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { baseEnv, ENTRYPOINT, runEntrypoint, runProgram } from "../helpers/run.ts";

const marker = join(tmpdir(), `ep-pwned-${process.pid}`);
// Hostile values reach the output through ELIXIR_ERL_OPTIONS, which is passed on and extended.
const HOSTILE = `it's $(touch ${marker}) \`touch ${marker}\` "q" \\ $HOME\nline2 ; touch ${marker}`;

test("shell format: eval in sh round-trips hostile values and runs nothing", async () => {
  rmSync(marker, { force: true });
  const r = await runEntrypoint(["env", "--ip", "fd00::5", "--app", "shop"], { env: { ELIXIR_ERL_OPTIONS: HOSTILE } });
  assert.is(r.code, 0, r.stderr);
  const script = `${r.stdout}\nprintf '%s' "$ELIXIR_ERL_OPTIONS"`;
  const sh = await runProgram("sh", ["-c", script]);
  assert.is(sh.code, 0, sh.stderr);
  assert.is(sh.stdout, `${HOSTILE} -proto_dist inet6_tcp`);
  assert.not.ok(existsSync(marker), "a command substitution ran");
});

test("shell format lines", async () => {
  const r = await runEntrypoint(["env", "--ip", "10.0.0.1", "--app", "shop", "--sha", "abc"]);
  assert.is(r.stdout, "export RELEASE_DISTRIBUTION='name'\nexport RELEASE_NODE='shop-abc@10.0.0.1'\n");
});

test("json and dotenv formats", async () => {
  const j = await runEntrypoint(["env", "--format", "json", "--ip", "10.0.0.1", "--app", "shop"], { env: { ELIXIR_ERL_OPTIONS: HOSTILE } });
  assert.equal(JSON.parse(j.stdout), { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "shop@10.0.0.1" });
  const d = await runEntrypoint(["env", "--format", "dotenv", "--ip", "10.0.0.1", "--app", "shop", "--dist-port", "9100"]);
  assert.is(d.stdout, 'RELEASE_DISTRIBUTION="name"\nRELEASE_NODE="shop@10.0.0.1"\nELIXIR_ERL_OPTIONS="-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100"\n');
});

const dotenv = createRequire(import.meta.url)("dotenv") as { parse(text: string, options?: { fast?: boolean }): Record<string, string> };
const TRICKY = [HOSTILE.replace(/`/g, ""), HOSTILE.replace(/'/g, ""), "a\\nb \\r $X ${Y} #c", "'single' only", '"double" only', "`tick` and 'single'", "  padded  ", "tab\there", "trailing backslash \\", "cr\rlf\r\n"];

test("dotenv format: the dotenv package's parser reads every value back exactly (both of its parsers)", async () => {
  for (const value of TRICKY) {
    const args = ["env", "--ip", "fd00::5", "--app", "shop", "--dist-port", "9100"];
    const [d, j] = await Promise.all([runEntrypoint([...args, "--format", "dotenv"], { env: { ELIXIR_ERL_OPTIONS: value } }), runEntrypoint([...args, "--format", "json"], { env: { ELIXIR_ERL_OPTIONS: value } })]);
    assert.is(d.code, 0, d.stderr);
    const want = JSON.parse(j.stdout);
    assert.is(want.ELIXIR_ERL_OPTIONS, `${value} -proto_dist inet6_tcp -kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100`);
    assert.equal(dotenv.parse(d.stdout), want, JSON.stringify(value));
    assert.equal(dotenv.parse(d.stdout, { fast: true }), want, JSON.stringify(value));
  }
});

test("dotenv format: a value no dotenv quoting can carry is refused (78) naming the variable, not printed wrong", async () => {
  const r = await runEntrypoint(["env", "--format", "dotenv", "--ip", "fd00::5", "--app", "shop"], { env: { ELIXIR_ERL_OPTIONS: HOSTILE } });
  assert.is(r.code, 78, r.stderr);
  assert.match(r.stderr, "ELIXIR_ERL_OPTIONS cannot be written as a dotenv value that reads back exactly");
  assert.is(r.stdout, "");
});

test("ELIXIR_ERL_OPTIONS: the existing value is kept byte for byte, ours appended", async () => {
  const r = await runEntrypoint(["env", "--format", "json", "--ip", "fd00::5", "--app", "shop"], { env: { ELIXIR_ERL_OPTIONS: "  +S 2\n\t" } });
  assert.is(JSON.parse(r.stdout).ELIXIR_ERL_OPTIONS, "  +S 2\n\t -proto_dist inet6_tcp");
});

test("ELIXIR_ERL_OPTIONS with its own -proto_dist: never a second one; a warning when it is not IPv6 on an IPv6 address", async () => {
  const run = (options: string, ip: string) => runEntrypoint(["env", "--format", "json", "--ip", ip, "--app", "shop"], { env: { ELIXIR_ERL_OPTIONS: options } });
  const tls6 = await run("-proto_dist inet6_tls -ssl_dist_optfile /etc/ssl.conf", "fd00::5");
  assert.is(JSON.parse(tls6.stdout).ELIXIR_ERL_OPTIONS, undefined, "left as it is");
  assert.not.match(tls6.stderr, "warning");
  const tls4 = await run("-proto_dist inet_tls", "fd00::5");
  assert.is(tls4.code, 0, tls4.stderr);
  assert.is(JSON.parse(tls4.stdout).ELIXIR_ERL_OPTIONS, undefined, "not doubled");
  assert.match(tls4.stderr, "entrypoint: warning: ELIXIR_ERL_OPTIONS has -proto_dist inet_tls, which is not an IPv6 variant, but the node's address is IPv6");
  const v4 = await run("-proto_dist inet_tls", "10.0.0.1");
  assert.not.match(v4.stderr, "warning");
});

test("output that cannot be written (a closed pipe, a full disk): exit 74, not 0", async () => {
  const args = ["env", "--ip", "10.0.0.1", "--app", "shop"];
  const full = await runProgram("sh", ["-c", 'exec "$0" "$@" >/dev/full', ENTRYPOINT, ...args]);
  assert.is(full.code, 74, full.stderr);
  assert.match(full.stderr, "entrypoint: error: could not write the output to stdout: ENOSPC");
  const broken = await runEntrypoint(args, { onSpawn: (child) => child.stdout!.destroy() });
  assert.is(broken.code, 74, broken.stderr);
  assert.match(broken.stderr, "could not write the output to stdout: EPIPE");
  const discarded = await runProgram("sh", ["-c", 'exec "$0" "$@" >/dev/null', ENTRYPOINT, ...args]);
  assert.is(discarded.code, 0, "control: >/dev/null is a choice, not an error");
  // A supervisor that discards the output (Node's stdio "ignore" opens /dev/null read-write) is no error either.
  const ignored = spawnSync(ENTRYPOINT, args, { env: baseEnv(), stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  assert.is(ignored.status, 0, ignored.stderr);
});

test("bad format: usage error 64", async () => {
  const r = await runEntrypoint(["env", "--format", "yaml", "--ip", "10.0.0.1", "--app", "shop"]);
  assert.is(r.code, 64);
  assert.match(r.stderr, 'expected shell, json or dotenv, got "yaml"');
});

test("no app name anywhere: exit 78 listing the ways to give one", async () => {
  const r = await runEntrypoint(["env", "--ip", "10.0.0.1", "--bin-dir", tmpdir()]);
  assert.is(r.code, 78);
  assert.match(r.stderr, /no app name for the node name: pass --app NAME, set ENTRYPOINT_APP/);
});

test("app name read from the release start script in the bin dir", async () => {
  const release = mkdtempSync(join(tmpdir(), "ep-rel-"));
  mkdirSync(join(release, "bin"));
  writeFileSync(join(release, "bin", "my_shop"), '#!/bin/sh\nset -e\nexport RELEASE_NAME="${RELEASE_NAME:-"my_shop"}"\n', { mode: 0o755 });
  const r = await runEntrypoint(["env", "--ip", "10.0.0.1", "--sha", "s1", "--bin-dir", join(release, "bin")]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "RELEASE_NODE='my_shop-s1@10.0.0.1'");
});

test("releases/*/env.sh that sets RELEASE_NODE: a warning naming the file", async () => {
  const release = mkdtempSync(join(tmpdir(), "ep-rel-"));
  mkdirSync(join(release, "bin"));
  mkdirSync(join(release, "releases", "0.1.0"), { recursive: true });
  const envSh = join(release, "releases", "0.1.0", "env.sh");
  writeFileSync(envSh, '#!/bin/sh\n# export RELEASE_NODE=commented\nexport RELEASE_NODE="shop@127.0.0.1"\nRELEASE_DISTRIBUTION=sname\n');
  const r = await runEntrypoint(["env", "--ip", "10.0.0.1", "--app", "shop", "--bin-dir", join(release, "bin")]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, `entrypoint: warning: ${envSh} sets RELEASE_NODE and runs after the entrypoint`);
  assert.match(r.stderr, `entrypoint: warning: ${envSh} sets RELEASE_DISTRIBUTION and runs after the entrypoint`);
  writeFileSync(envSh, '#!/bin/sh\n# export RELEASE_NODE=<%= @release.name %>\nexport RELEASE_NODE="${RELEASE_NODE:-shop}"\n');
  const quiet = await runEntrypoint(["env", "--ip", "10.0.0.1", "--app", "shop", "--bin-dir", join(release, "bin")]);
  assert.not.match(quiet.stderr, "warning", "a commented line or a default of itself is not an override");
});

test("json logs: one JSON object per line with level and msg", async () => {
  const r = await runEntrypoint(["env", "--log-format", "json", "--ip", "10.0.0.1", "--app", "shop"]);
  const lines = r.stderr.trim().split("\n").map((l) => JSON.parse(l));
  assert.is(lines[0].level, "info");
  assert.match(lines[0].msg, "node shop@10.0.0.1");
  const bad = await runEntrypoint(["env", "--ip", "10.0.0.1", "--app", "a.b"], { env: { ENTRYPOINT_LOG_FORMAT: "json" } });
  assert.is(JSON.parse(bad.stderr.trim()).level, "error");
});

test("--quiet: warnings and errors only", async () => {
  const r = await runEntrypoint(["env", "--quiet", "--ip", "10.0.0.1", "--app", "shop"]);
  assert.is(r.stderr, "");
});

test.run();

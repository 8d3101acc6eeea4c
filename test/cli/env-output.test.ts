// "entrypoint env --output FILE": the init container's file, which the app container's rel/env.sh
// sources (examples/elixir/rel/env.sh.eex). Atomic, readable by any user, and it carries what the
// exec would set — the Erlang flags appended to the app container's own, the pinned port only for
// the node that listens.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runEntrypoint, runProgram } from "../helpers/run.ts";

let dir = "";
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), "env-output-"));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

/** Sources the file as env.sh does, for one release command, with the app container's own ELIXIR_ERL_OPTIONS. */
async function sourced(file: string, command: string, own?: string): Promise<string> {
  const script = `. "$1"; printf '%s|%s|%s' "$RELEASE_NODE" "\${ECS_PEER_LOOKUP-}" "\${ELIXIR_ERL_OPTIONS-unset}"`;
  const r = await runProgram("sh", ["-euc", script, "sh", file], { env: { RELEASE_COMMAND: command, ELIXIR_ERL_OPTIONS: own } });
  assert.is(r.code, 0, r.stderr);
  return r.stdout;
}

test("writes the variables the exec would set, 0644, nothing on stdout; the file sourced with set -eu gives them back", async () => {
  const file = join(dir, "release.env");
  const r = await runEntrypoint(["env", "--output", file, "--ip", "10.0.0.7", "--app", "shop", "--sha", "abc"], { env: { ELIXIR_ERL_OPTIONS: "+init-container-only" } });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "");
  assert.match(r.stderr, `wrote ${file}`);
  assert.is(statSync(file).mode & 0o777, 0o644);
  assert.is(await sourced(file, "start"), "shop-abc@10.0.0.7||unset", "the init container's own ELIXIR_ERL_OPTIONS stay out of the app's");
  assert.equal(readdirSync(dir), ["release.env"], "no temporary file left");
});

test("IPv6 and a pinned port: appended to the app's flags; remote/rpc/stop get no pinned port; an app -proto_dist wins", async () => {
  const file = join(dir, "release.env");
  const r = await runEntrypoint(["env", "--output", file, "--ip", "fd00::7", "--app", "shop", "--dist-port", "9100"]);
  assert.is(r.code, 0, r.stderr);
  const pinned = "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100";
  assert.is(await sourced(file, "start", "+fnu"), `shop@fd00::7||+fnu -proto_dist inet6_tcp ${pinned}`);
  assert.is(await sourced(file, "daemon"), `shop@fd00::7||-proto_dist inet6_tcp ${pinned}`);
  for (const operator of ["remote", "rpc", "stop", "restart", "pid"]) assert.is(await sourced(file, operator), "shop@fd00::7||-proto_dist inet6_tcp", operator);
  assert.is(await sourced(file, "start", "-proto_dist inet6_tls"), `shop@fd00::7||-proto_dist inet6_tls ${pinned}`);
});

test("without EPMD: every command gets the port flags, the listening node the pinned port, the operator's nodes -dist_listen false", async () => {
  const file = join(dir, "release.env");
  // The init container's image has no release: no ERTS version there, so both port forms (OTP 23+).
  const r = await runEntrypoint(["env", "--output", file, "--ip", "10.0.0.7", "--app", "shop", "--dist-port", "9100", "--epmd", "off", "--bin-dir", dir]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /distribution without EPMD on port 9100; no ERTS version in /);
  const epmdless = "-start_epmd false -erl_epmd_port 9100 -kernel erl_epmd_node_listen_port 9100";
  assert.is(await sourced(file, "start", "+fnu"), `shop@10.0.0.7||+fnu ${epmdless} -kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100`);
  for (const operator of ["remote", "rpc", "stop", "restart", "pid"]) assert.is(await sourced(file, operator), `shop@10.0.0.7||${epmdless} -dist_listen false`, operator);
});

test("replaces an existing file whole (rename), never leaves a half-written one", async () => {
  const file = join(dir, "release.env");
  writeFileSync(file, "old contents\n");
  const r = await runEntrypoint(["env", "--output", file, "--ip", "10.0.0.8", "--app", "shop"]);
  assert.is(r.code, 0, r.stderr);
  assert.match(readFileSync(file, "utf8"), /^# Written by ecs-release-entrypoint[^\n]*\nexport RELEASE_DISTRIBUTION='name'\nexport RELEASE_NODE='shop@10.0.0.8'\n$/);
});

test("cannot write: exit 73 with one line naming the path and what is in the way", async () => {
  mkdirSync(join(dir, "ro"));
  chmodSync(join(dir, "ro"), 0o555);
  const cases: [string, RegExp][] = [
    [join(dir, "missing", "release.env"), /the directory \S+missing does not exist: mount the task volume there/],
    [dir, /is a directory: name a file inside it/],
  ];
  // root writes into a read-only directory anyway: that case needs another user.
  if (process.getuid?.() !== 0) cases.push([join(dir, "ro", "release.env"), /is not writable by uid/]);
  for (const [path, why] of cases) {
    const r = await runEntrypoint(["env", "--output", path, "--ip", "10.0.0.9", "--app", "shop"]);
    assert.is(r.code, 73, `${path}: ${r.stderr}`);
    const error = r.stderr.split("\n").filter((l) => l.includes("error"));
    assert.is(error.length, 1, r.stderr);
    assert.match(error[0]!, why);
  }
});

test("--output with --format json is a usage error (the file is for a shell to source)", async () => {
  const r = await runEntrypoint(["env", "--output", join(dir, "x"), "--format", "json", "--ip", "10.0.0.1", "--app", "shop"]);
  assert.is(r.code, 64, r.stderr);
  assert.match(r.stderr, /--output writes the file that rel\/env.sh sources, in shell form/);
});

test.run();

// "entrypoint install": the workflow step that writes the overlay copy with app/sha baked in.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENTRYPOINT, runEntrypoint, runProgram } from "../helpers/run.ts";

const hash = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

test("the copy runs alone in an empty directory and uses the baked values; the original is unchanged", async () => {
  const before = hash(ENTRYPOINT);
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  const target = join(dir, "rel", "overlays", "bin", "entrypoint");
  const r = await runEntrypoint(["install", target, "--app", "shop", "--sha", "0f3c9e1"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(hash(ENTRYPOINT), before);
  assert.ok(statSync(target).mode & 0o111, "executable");
  const version = await runProgram(target, ["--version"], { cwd: dir });
  assert.match(version.stdout, /ecs-release-entrypoint \d+\.\d+\.\d+ \(app shop, sha 0f3c9e1\)/);
  const env = await runProgram(target, ["env", "--ip", "10.0.0.1"], { cwd: dir });
  assert.is(env.code, 0, env.stderr);
  assert.match(env.stdout, "RELEASE_NODE='shop-0f3c9e1@10.0.0.1'");
  const overridden = await runProgram(target, ["env", "--ip", "10.0.0.1"], { cwd: dir, env: { ENTRYPOINT_GIT_SHA: "fromenv" } });
  assert.match(overridden.stdout, "RELEASE_NODE='shop-fromenv@10.0.0.1'", "env beats baked");
});

test("installing from a copy keeps its baked values unless replaced", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  await runEntrypoint(["install", join(dir, "a"), "--app", "shop", "--sha", "one"]);
  const r = await runProgram(join(dir, "a"), ["install", join(dir, "b"), "--sha", "two"]);
  assert.is(r.code, 0, r.stderr);
  const v = await runProgram(join(dir, "b"), ["--version"]);
  assert.match(v.stdout, "(app shop, sha two)");
});

test("install rejects a value that cannot be a node name (78) and a missing PATH (64)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  const bad = await runEntrypoint(["install", join(dir, "x"), "--app", "my.shop"]);
  assert.is(bad.code, 78);
  assert.match(bad.stderr, 'install --app "my.shop"');
  const none = await runEntrypoint(["install"]);
  assert.is(none.code, 64);
});

test("a symlink planted at a temp name next to PATH is never followed; the file it points to is untouched", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  const victim = join(dir, "victim");
  writeFileSync(victim, "precious\n", { mode: 0o600 });
  // exec keeps the PID, so the shell plants links at the names a PID-based temp file would use.
  const plant = 'for n in "$1.tmp-$$" "$1.tmp"; do ln -s "$2" "$n"; done; exec "$3" install "$1" --app shop';
  const r = await runProgram("sh", ["-c", plant, "sh", join(dir, "entrypoint"), victim, ENTRYPOINT]);
  assert.is(r.code, 0, r.stderr);
  assert.is(readFileSync(victim, "utf8"), "precious\n");
  assert.is(statSync(victim).mode & 0o777, 0o600);
  assert.match(readFileSync(join(dir, "entrypoint"), "utf8"), "__ENTRYPOINT_BAKED__");
});

test("PATH is a directory: writes DIR/entrypoint, as cp does, and leaves nothing else", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  const r = await runEntrypoint(["install", dir, "--app", "shop"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(readdirSync(dir), ["entrypoint"]);
  assert.match((await runProgram(join(dir, "entrypoint"), ["--version"])).stdout, "(app shop)");
});

test("a place that cannot be written: exit 73, one line naming it, no temp file left behind", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  mkdirSync(join(dir, "entrypoint", "busy"), { recursive: true });
  const r = await runEntrypoint(["install", dir, "--app", "shop"]);
  assert.is(r.code, 73, r.stderr);
  assert.match(r.stderr, `entrypoint: error: install: cannot write ${join(dir, "entrypoint")}: `);
  assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.equal(readdirSync(dir), ["entrypoint"]);
  writeFileSync(join(dir, "plain"), "");
  const notDir = await runEntrypoint(["install", join(dir, "plain", "entrypoint"), "--app", "shop"]);
  assert.is(notDir.code, 73);
  assert.match(notDir.stderr, "cannot write");
});

test("--app and --sha that together make a basename over 200 characters: 78 at install time, nothing written", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  const r = await runEntrypoint(["install", join(dir, "entrypoint"), "--app", "a".repeat(150), "--sha", "b".repeat(100)]);
  assert.is(r.code, 78, r.stderr);
  assert.match(r.stderr, /would be invalid: it is 251 characters long \(at most 200\)/);
  assert.equal(readdirSync(dir), []);
  const dash = await runEntrypoint(["install", join(dir, "entrypoint"), "--app=-shop"]);
  assert.is(dash.code, 78);
  assert.match(dash.stderr, 'it starts with "-"');
});

test("build.mjs --app --sha --outfile bakes the defaults into a new bundle", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "ep-build-")), "entrypoint");
  const build = await runProgram(process.execPath, ["build.mjs", "--app", "shop", "--sha", "b4k3d", "--outfile", out], { timeoutMs: 60_000 });
  assert.is(build.code, 0, build.stderr);
  const env = await runProgram(out, ["env", "--ip", "10.0.0.1"]);
  assert.match(env.stdout, "RELEASE_NODE='shop-b4k3d@10.0.0.1'");
});

test("help and version", async () => {
  const help = await runEntrypoint(["--help"]);
  assert.is(help.code, 0);
  for (const name of ["--metadata-uri", "ECS_CONTAINER_METADATA_URI_V4", "ENTRYPOINT_PEERS", "--exec-mode"]) assert.match(help.stdout, name);
  const v = await runEntrypoint(["version"]);
  assert.match(v.stdout, /^ecs-release-entrypoint \d+\.\d+\.\d+\n$/);
});

test.run();

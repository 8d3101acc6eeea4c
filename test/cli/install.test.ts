// "entrypoint install": the workflow step that writes the overlay copy with app/sha baked in.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
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

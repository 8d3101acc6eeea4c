// Where the entrypoint reads the release's ERTS version: releases/start_erl.data, else an erts-* directory.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { releaseErtsVersion } from "../../../src/network/erts.ts";

let root = "";
test.before.each(() => {
  root = mkdtempSync(join(tmpdir(), "erts-"));
  mkdirSync(join(root, "bin"));
  mkdirSync(join(root, "releases"));
});
test.after.each(() => rmSync(root, { recursive: true, force: true }));

test("start_erl.data, as mix release writes it", () => {
  writeFileSync(join(root, "releases", "start_erl.data"), "15.2.3 0.1.0");
  assert.equal(releaseErtsVersion(join(root, "bin")), { version: "15.2.3", from: join(root, "releases", "start_erl.data") });
});

test("no start_erl.data: the newest erts-* directory (numeric order)", () => {
  for (const d of ["erts-15.2", "erts-15.10", "erts-junk"]) mkdirSync(join(root, d));
  assert.equal(releaseErtsVersion(join(root, "bin")), { version: "15.10", from: join(root, "erts-15.10") });
});

test("a start_erl.data without a version falls back to the directory", () => {
  writeFileSync(join(root, "releases", "start_erl.data"), "garbage\n");
  mkdirSync(join(root, "erts-13.1.5"));
  assert.is(releaseErtsVersion(join(root, "bin"))?.version, "13.1.5");
});

test("nothing found (the init container's image has no release): undefined", () => {
  assert.is(releaseErtsVersion(join(root, "bin")), undefined);
  assert.is(releaseErtsVersion(join(root, "nowhere", "bin")), undefined);
});

test.run();

// test/run.mjs gives a test run its own TMPDIR and removes it: `npm test` leaves nothing in /tmp.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runProgram } from "./helpers/run.ts";

test("a run of tests that make temporary directories leaves its TMPDIR as it found it", async () => {
  const outer = mkdtempSync(join(tmpdir(), "ep-outer-"));
  const r = await runProgram(process.execPath, [join(ROOT, "test", "run.mjs"), "cli/install"], { env: { TMPDIR: outer }, timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\n[1-9]\d* passed, 0 failed\n$/);
  assert.equal(readdirSync(outer), []);
});

test.run();

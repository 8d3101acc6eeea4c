// test/run.mjs gives a test run its own TMPDIR and removes it: `npm test` leaves nothing in /tmp. A run that
// tested nothing, or that skipped in CI a test CI can run, fails; a stale ./entrypoint is rebuilt first.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readdirSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENTRYPOINT, ROOT, runProgram } from "./helpers/run.ts";

const runTests = (filter: string, env: Record<string, string> = {}) => runProgram(process.execPath, [join(ROOT, "test", "run.mjs"), filter], { env, timeoutMs: 120_000 });

test("a run of tests that make temporary directories leaves its TMPDIR as it found it", async () => {
  const outer = mkdtempSync(join(tmpdir(), "ep-outer-"));
  const r = await runProgram(process.execPath, [join(ROOT, "test", "run.mjs"), "cli/install"], { env: { TMPDIR: outer }, timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\n[1-9]\d* passed, 0 failed\n$/);
  assert.equal(readdirSync(outer), []);
});

test("a filter that matches no test file fails, saying so", async () => {
  const r = await runTests("no/such/test/file");
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stdout, /no test matched "no\/such\/test\/file": nothing was tested\n0 passed, 1 failed\n$/);
});

const skipCases: [string, Record<string, string>, number, RegExp][] = [
  ["control: the probe runs and passes", {}, 0, /\n1 passed, 0 failed\n$/],
  ["a skip is counted and said loudly, outside CI", { SKIP_PROBE: "ci" }, 0, /\n0 passed, 0 failed, 1 skipped\n$/],
  ["in CI, a skipped test that CI can run fails the run", { SKIP_PROBE: "ci", CI: "true" }, 1, /CI can run these tests, but they were skipped:\n  skip probe: runs unless SKIP_PROBE is set: SKIP_PROBE is set\n\n0 passed, 1 failed, 1 skipped\n$/],
  ["in CI, a skipped test that CI's machine may not run is only counted", { SKIP_PROBE: "other", CI: "true" }, 0, /\n0 passed, 0 failed, 1 skipped\n$/],
];
for (const [name, env, code, summary] of skipCases) {
  test(`skips: ${name}`, async () => {
    const r = await runTests("fixtures/skip-probe", env);
    assert.is(r.code, code, r.stdout + r.stderr);
    assert.match(r.stdout, summary);
    if (env.SKIP_PROBE) assert.match(r.stderr, "!!! SKIPPED: skip probe: runs unless SKIP_PROBE is set: SKIP_PROBE is set");
  });
}

test("a source newer than ./entrypoint: the bundle is rebuilt before the tests run", async () => {
  const source = join(ROOT, "src", "main.ts");
  // Newer than the bundle, and not in the future (the rebuilt bundle must be newer still).
  const later = new Date(Math.max(statSync(ENTRYPOINT).mtimeMs + 1, Date.now() - 1000));
  utimesSync(source, later, later);
  const r = await runTests("fixtures/skip-probe");
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^\.\/entrypoint is older than src\/: building it first\n/);
  assert.ok(statSync(ENTRYPOINT).mtimeMs >= later.getTime(), "rebuilt");
  const again = await runTests("fixtures/skip-probe");
  assert.not.match(again.stdout, "building it first", "a fresh bundle is not rebuilt");
});

test.run();

#!/usr/bin/env node
// Runs every *.test.ts under test/ with uvu and ends with the line CI reads: "N passed, N failed".
// Usage: node test/run.mjs [FILTER]   (FILTER: regex that the test file path must contain, default all)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const uvu = join(root, "node_modules", "uvu", "bin.js");
const pattern = `${process.argv[2] ?? ""}.*\\.test\\.ts$`;

function fail(why) {
  console.log(`\n${why}\n0 passed, 1 failed`);
  process.exit(1);
}

// The tests run the built ./entrypoint: one older than its sources is rebuilt first (a build takes a second or two).
const newest = (path) => (statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((n) => newest(join(path, n)))) : statSync(path).mtimeMs);
const bundle = join(root, "entrypoint");
const sources = Math.max(...["src", "build.mjs", "package.json"].map((p) => newest(join(root, p))));
if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources) {
  console.log("./entrypoint is older than src/: building it first");
  if (spawnSync(process.execPath, [join(root, "build.mjs")], { cwd: root, stdio: "inherit" }).status !== 0) fail("the build failed");
}

// The run's own TMPDIR: every temporary file of the tests goes there and is removed with it at the end.
const runTmp = mkdtempSync(join(tmpdir(), "ecs-release-entrypoint-test-"));
// Skips of tests that CI's machine can run are written here (test/helpers/skip.ts).
const skipRecord = join(runTmp, "skipped-but-ci-can-run");
const env = { ...process.env, TMPDIR: runTmp, ENTRYPOINT_TEST_SKIPS: skipRecord };
const child = spawn(process.execPath, [uvu, "test", pattern, "--color", "false"], { stdio: ["ignore", "pipe", "inherit"], env });
// Ctrl-C or a CI timeout ends the tests first, so that the close handler still removes the TMPDIR.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
let out = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  out += chunk;
});
child.on("close", (code) => {
  const ciSkips = existsSync(skipRecord) ? readFileSync(skipRecord, "utf8").split("\n").filter(Boolean) : [];
  rmSync(runTmp, { recursive: true, force: true });
  const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
  // The last summary is uvu's own: a test's output may hold another one (a nested run it checks).
  const count = (label) => Number([...plain.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "gm"))].at(-1)?.[1] ?? NaN);
  const total = count("Total");
  const passed = count("Passed");
  const skipped = count("Skipped");
  if (Number.isNaN(total)) fail("the test run stopped before its summary (a test file failed to load or crashed)");
  if (total + skipped === 0) fail(`no test matched ${JSON.stringify(process.argv[2] ?? "")}: nothing was tested`);
  // uvu's Total counts the tests that ran; skipped ones are counted apart.
  let failed = total - passed;
  if (process.env.CI === "true" && ciSkips.length > 0) {
    console.log(`\nCI can run these tests, but they were skipped:\n${ciSkips.map((s) => `  ${s}`).join("\n")}`);
    failed += ciSkips.length;
  }
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});

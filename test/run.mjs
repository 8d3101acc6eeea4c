#!/usr/bin/env node
// Runs every *.test.ts under test/ with uvu and ends with the line CI reads: "N passed, N failed".
// Usage: node test/run.mjs [FILTER]   (FILTER: regex that the test file path must contain, default all)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const uvu = fileURLToPath(new URL("../node_modules/uvu/bin.js", import.meta.url));
const pattern = `${process.argv[2] ?? ""}.*\\.test\\.ts$`;
// The run's own TMPDIR: every temporary file of the tests goes there and is removed with it at the end.
const runTmp = mkdtempSync(join(tmpdir(), "ecs-release-entrypoint-test-"));
const env = { ...process.env, TMPDIR: runTmp };
const child = spawn(process.execPath, [uvu, "test", pattern, "--color", "false"], { stdio: ["ignore", "pipe", "inherit"], env });
// Ctrl-C or a CI timeout ends the tests first, so that the close handler still removes the TMPDIR.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
let out = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  out += chunk;
});
child.on("close", (code) => {
  rmSync(runTmp, { recursive: true, force: true });
  const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
  // The last summary is uvu's own: a test's output may hold another one (a nested run it checks).
  const count = (label) => Number([...plain.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "gm"))].at(-1)?.[1] ?? NaN);
  const total = count("Total");
  const passed = count("Passed");
  const skipped = count("Skipped");
  if (Number.isNaN(total)) {
    console.log("\nthe test run stopped before its summary (a test file failed to load or crashed)");
    console.log(`0 passed, 1 failed`);
    process.exit(1);
  }
  // uvu's Total counts the tests that ran; skipped ones are counted apart.
  const failed = total - passed;
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});

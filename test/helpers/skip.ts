// A test that needs something this machine may lack (root, a namespace, prlimit, Node.js 20) is skipped,
// never passed: uvu counts it under "Skipped", one loud line says why, and a skip of a test that CI's
// machine can run is written down for test/run.mjs, which fails a CI run that has one.
import { appendFileSync } from "node:fs";
import { test } from "uvu";

type Test = typeof test;

/** Where test/run.mjs collects the skips of tests that CI can run (unset when uvu runs a file by itself). */
export const SKIP_RECORD_VAR = "ENTRYPOINT_TEST_SKIPS";

/**
 * uvu's `test` when `condition` holds, else a `test` that registers its tests as skipped (decided when the
 * file loads). `ci`: CI's machine has what the test needs (root, namespaces, util-linux, Node.js 20, Erlang).
 */
export function skipUnless(condition: unknown, reason: string, options: { ci: boolean }): Test {
  if (condition) return test;
  const skip = ((name: string, fn: Parameters<Test>[1]) => {
    console.error(`\n!!! SKIPPED: ${name}: ${reason}${options.ci ? " (CI can run it: a CI run fails)" : ""}\n`);
    const record = process.env[SKIP_RECORD_VAR];
    if (options.ci && record) appendFileSync(record, `${name}: ${reason}\n`);
    test.skip(name, fn);
  }) as Test;
  return Object.assign(skip, { skip: test.skip, only: test.only, before: test.before, after: test.after, run: test.run });
}

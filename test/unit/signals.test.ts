import { test } from "uvu";
import * as assert from "uvu/assert";
import { BEFORE_EXEC, FORWARDED_SIGNALS } from "../../src/signals.ts";

// What each signal does before the command runs (docs/operations.md has the same table).
const cases: [string, "stop" | "ignore" | undefined][] = [
  ["SIGTERM", "stop"],
  ["SIGINT", "stop"],
  ["SIGQUIT", "stop"],
  ["SIGHUP", "ignore"],
  ["SIGUSR1", "ignore"],
  ["SIGUSR2", "ignore"],
  ["SIGALRM", "ignore"],
  ["SIGVTALRM", "ignore"],
  ["SIGPWR", "ignore"],
  ["SIGIO", "ignore"],
  ["SIGXCPU", "ignore"],
  ["SIGWINCH", undefined],
  ["SIGPROF", undefined],
  ["SIGKILL", undefined],
  ["SIGPIPE", undefined],
];
for (const [signal, want] of cases) test(`before exec, ${signal}: ${want ?? "kernel default"}`, () => assert.is(BEFORE_EXEC[signal], want));

test("every signal spawn mode forwards has a defined outcome before the child exists (SIGWINCH's default is to do nothing)", () => {
  for (const signal of FORWARDED_SIGNALS) if (signal !== "SIGWINCH") assert.ok(BEFORE_EXEC[signal], signal);
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { BEFORE_EXEC, FORWARDED_SIGNALS, relaySignals } from "../../../src/exec/signals.ts";

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

/** Sends this process a real signal and waits until Node.js has dispatched it to the listeners. */
function deliver(signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve, reject) => {
    // Signal handles keep no process alive: this timer does, until the signal has come.
    const guard = setTimeout(() => reject(new Error(`${signal} never came`)), 5000);
    process.once(signal, () => setImmediate(() => (clearTimeout(guard), resolve())));
    process.kill(process.pid, signal);
  });
}

// In the boot no event-loop turn separates relaySignals() from attach(), so no black-box test can fill the queue:
// real signals to this process can, with a turn in between.
test("relay: signals that came before the child existed are passed on at attach, in order; later ones at once", async () => {
  const relay = relaySignals();
  const got: string[] = [];
  try {
    await deliver("SIGUSR2");
    await deliver("SIGWINCH");
    await deliver("SIGUSR2");
    assert.equal(got, [], "nothing to pass them to yet");
    relay.attach((signal) => got.push(signal));
    assert.equal(got, ["SIGUSR2", "SIGWINCH", "SIGUSR2"]);
    await deliver("SIGHUP");
    assert.equal(got, ["SIGUSR2", "SIGWINCH", "SIGUSR2", "SIGHUP"]);
  } finally {
    relay.detach();
  }
});

test.run();

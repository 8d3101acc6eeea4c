// Spawn mode stands in for the command: signals in, exit status out, also as PID 1.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { spawnSync, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { ENTRYPOINT, FIXTURES, runEntrypoint, runProgram, waitFor } from "../helpers/run.ts";

const BOOT = ["--ip", "10.0.0.1", "--app", "shop", "--bin-dir", FIXTURES, "--exec-mode", "spawn", "--quiet"];
const SIGNALS = ["SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"] as const;

/** Starts trap-signals under the entrypoint, sends each signal once "ready" is printed, then TERM. */
function sendWhenReady(signals: readonly NodeJS.Signals[], pidOf: (child: ChildProcess) => number = (c) => c.pid!) {
  return (child: ChildProcess) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d));
    void (async () => {
      await waitFor(() => out.includes("ready"), 10_000, "fixture ready");
      const pid = pidOf(child);
      for (const signal of signals) {
        process.kill(pid, signal);
        await waitFor(() => out.includes(`got ${signal.slice(3)}`), 5000, `${signal} to arrive`);
      }
    })().catch(() => child.kill("SIGKILL"));
  };
}

test("spawn: every listed signal reaches the command; TERM ends it with its own status", async () => {
  const r = await runEntrypoint([...BOOT, "trap-signals"], { onSpawn: sendWhenReady([...SIGNALS, "SIGTERM"]) });
  for (const signal of [...SIGNALS, "SIGTERM"]) assert.match(r.stdout, `got ${signal.slice(3)}\n`);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.signal, null);
});

// The debug line "exec … mode=spawn" is written once the handlers are in and before the child is started.
for (const signal of ["SIGHUP", "SIGTERM"] as const) {
  test(`spawn: ${signal} while the child is being started is kept and passed to it as soon as it exists`, async () => {
    let err = "";
    const r = await runEntrypoint([...BOOT, "sleep", "30"], {
      env: { ENTRYPOINT_DEBUG: "1" },
      onSpawn: (child) =>
        child.stderr!.on("data", (d: Buffer) => {
          const before = err;
          err += d;
          if (!/mode=spawn/.test(before) && /entrypoint: exec .*mode=spawn/.test(err)) process.kill(child.pid!, signal);
        }),
    });
    assert.is(r.signal, null, "the entrypoint itself was killed, leaving the child behind");
    assert.is(r.code, 128 + constants.signals[signal], r.stderr);
  });
}

test("spawn: a command killed by SIGKILL gives 137 (128+9)", async () => {
  const r = await runEntrypoint([...BOOT, "sh", "-c", "kill -KILL $$"]);
  assert.is(r.code, 128 + constants.signals.SIGKILL);
});

test("spawn: a command ended by a forwarded SIGTERM without a handler gives 143", async () => {
  const r = await runEntrypoint([...BOOT, "sleep", "30"], {
    onSpawn: (child) => setTimeout(() => child.kill("SIGTERM"), 400),
  });
  assert.is(r.code, 143);
});

const canUnshare = spawnSync("unshare", ["--pid", "--fork", "true"]).status === 0;

skipUnless(canUnshare, "cannot create a PID namespace here (needs root)", { ci: true })("spawn as PID 1 in a new PID namespace: SIGTERM still reaches the command", async () => {
  // unshare forks the entrypoint as PID 1 of the namespace; signal that process from outside.
  const entrypointPid = (child: ChildProcess) => {
    const found = spawnSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).stdout.trim();
    return Number(found.split("\n")[0]);
  };
  const r = await runProgram("unshare", ["--pid", "--fork", ENTRYPOINT, ...BOOT, "sh", "-c", 'echo "pid $$"; exec "$0" "$@"', `${FIXTURES}/trap-signals`], {
    onSpawn: sendWhenReady(["SIGTERM"], entrypointPid),
  });
  assert.match(r.stdout, "got TERM\n");
  assert.is(r.code, 0, r.stderr);
});

test.run();

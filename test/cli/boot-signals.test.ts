// Signals around the exec: a stop request during the boot ends it (also as PID 1), and the command
// starts with the signal state a container runtime gives it, not Node's.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { spawnSync, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { json, startServer, type LoopbackServer } from "../helpers/http-server.ts";
import { ENTRYPOINT, FIXTURES, runEntrypoint, runProgram, waitFor } from "../helpers/run.ts";

const DOC = { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["10.0.0.5"] }] };

/** A metadata endpoint that answers only when told to, or after 1.5 s: the boot is caught waiting for it. */
async function slowMetadata(): Promise<{ server: LoopbackServer; answer: () => void }> {
  let answer: () => void = () => {};
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const server = await startServer((_q, res) => {
    const timer = setTimeout(answer, 1500);
    void answered.then(() => (clearTimeout(timer), json(res, 200, DOC)));
  });
  return { server, answer };
}

/** Sends `signal` to the process `pidOf` names once the boot is waiting for the metadata. */
const signalWhileWaiting = (server: LoopbackServer, signal: NodeJS.Signals, pidOf: (c: ChildProcess) => number = (c) => c.pid!) => (child: ChildProcess) =>
  void waitFor(() => server.requests.length > 0, 10_000, "the metadata request").then(() => process.kill(pidOf(child), signal));

for (const signal of ["SIGTERM", "SIGINT", "SIGQUIT"] as const) {
  test(`${signal} during the metadata step: exit ${128 + constants.signals[signal]} at once, the command never starts`, async () => {
    const { server } = await slowMetadata();
    try {
      const r = await runEntrypoint(["--app", "shop", `${FIXTURES}/print-pid`], { env: { ECS_CONTAINER_METADATA_URI_V4: `${server.url}/v4/x` }, onSpawn: signalWhileWaiting(server, signal) });
      assert.is(r.signal, null, "ended by itself, not killed");
      assert.is(r.code, 128 + constants.signals[signal], r.stderr);
      assert.is(r.stdout, "", "the command ran");
      assert.match(r.stderr, `entrypoint: warning: ${signal} before the command started: stopping, ${FIXTURES}/print-pid is not run`);
    } finally {
      await server.close();
    }
  });
}

const canUnshare = spawnSync("unshare", ["--pid", "--fork", "true"]).status === 0;

skipUnless(canUnshare, "cannot create a PID namespace here (needs root)", { ci: true })("as PID 1 (no init): SIGTERM during the metadata step still ends the boot with 143; the release never starts", async () => {
  const { server } = await slowMetadata();
  // unshare forks the entrypoint as PID 1 of the new namespace; it is signalled from outside.
  const entrypointPid = (child: ChildProcess) => Number(spawnSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).stdout.trim().split("\n")[0]);
  try {
    const r = await runProgram("unshare", ["--pid", "--fork", ENTRYPOINT, "--app", "shop", `${FIXTURES}/print-pid`], {
      env: { ECS_CONTAINER_METADATA_URI_V4: `${server.url}/v4/x` },
      onSpawn: signalWhileWaiting(server, "SIGTERM", entrypointPid),
    });
    assert.is(r.stdout, "", "the release started");
    assert.is(r.code, 143, r.stderr);
  } finally {
    await server.close();
  }
});

// What the command itself sees: grep reads its own /proc status; `yes` dies of SIGPIPE (141) only with the default.
const PROBE = ["bash", "-c", 'grep -E "^Sig(Ign|Blk):" /proc/self/status; yes | head -1 >/dev/null; echo "yes=${PIPESTATUS[0]}"'];
for (const mode of ["execve", "spawn"] as const) {
  test(`${mode}: the command starts with default signal dispositions and an empty mask (no ignored SIGPIPE/SIGXFSZ)`, async () => {
    const r = await runEntrypoint(["--ip", "10.0.0.1", "--app", "shop", "--exec-mode", mode, "--quiet", ...PROBE]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nyes=141\n");
  });
}

test.run();

// The old shell-script entrypoint (SPEC §1) as a container's PID 1, given ECS's SIGTERM:
// records what happens so the README can quote a measurement instead of a claim.
import { join } from "node:path";
import { createNet, destroyNet } from "./netns.ts";
import { childrenOf, commandName, killStarted, pidAlive, sleep, waitForOutput } from "./procs.ts";
import { cleanEnv, COOKIE, RELEASE, startAsPid1, startEpmd, startFakeMetadata } from "./task.ts";

const SCRIPT = join(import.meta.dirname, "old-entrypoint.sh");
/** How long the release is given to react to SIGTERM before we conclude it never will. */
const GRACE_MS = 5000;

export interface OldScriptObservation {
  pid1: string;
  releaseStillRunning: boolean;
  exit: string;
  stopCallbackRan: boolean;
  text: string;
}

export async function observeOldScript(address: string): Promise<OldScriptObservation> {
  const net = createNet("old", [address]);
  const task = net.tasks[0]!;
  try {
    await startEpmd(task);
    // Its own fake on the task's loopback reporting its address: the script only reads the metadata.
    const { uri } = await startFakeMetadata(task.ns, ["--host", "127.0.0.1", "--ip", task.ip]);
    const env = cleanEnv({ ECS_CONTAINER_METADATA_URI_V4: uri, RELEASE_COOKIE: COOKIE, APP_BIN: join(RELEASE, "bin") });
    const running = await startAsPid1(task, ["sh", SCRIPT, "server"], env);
    await waitForOutput(running.proc, /shop: node shop-e2e1@/, 30_000);
    const pid1 = commandName(running.pid1) ?? "?";
    // The VM is below sh: sh → (server and shop exec) → beam.smp.
    const vm = childrenOf(running.pid1).find((pid) => commandName(pid) === "beam.smp");
    if (vm === undefined) throw new Error(`no beam.smp below the old script's PID 1 (${pid1}):\n${running.proc.output()}`);
    process.kill(running.pid1, "SIGTERM");
    await Promise.race([running.proc.exited, sleep(GRACE_MS)]);
    const releaseStillRunning = pidAlive(vm);
    // What ECS does after stopTimeout: SIGKILL, which takes the whole PID namespace down.
    process.kill(running.pid1, "SIGKILL");
    const end = await running.proc.exited;
    const stopCallbackRan = /shop: application stopped/.test(running.proc.output());
    // unshare reports its child's death by signal as a plain failure; the PID 1 itself is gone.
    const exit = `SIGKILL ended it (unshare exit ${end.code ?? end.signal}, PID 1 alive: ${pidAlive(running.pid1)})`;
    const text =
      `old script: PID 1 is "${pid1}"; SIGTERM to it ${releaseStillRunning ? `was dropped, the release (beam.smp) was still running ${GRACE_MS / 1000} s later` : "stopped the release"}; ` +
      `${exit}; the application's stop/1 ${stopCallbackRan ? "ran" : "never ran"}`;
    return { pid1, releaseStillRunning, exit, stopCallbackRan, text };
  } finally {
    killStarted();
    await destroyNet(net);
  }
}

import { EntrypointError, EXIT } from "../errors.ts";
import type { ExecTarget } from "./exec.ts";
import type { Logger } from "../log.ts";
import { signalExitCode, type SignalRelay } from "./signals.ts";
import { refuseBusy } from "./text-busy.ts";

/** Shell convention: the child's exit code, or 128+N when signal N ended it. */
export function exitCodeOf(result: { exitCode?: number; signal?: string }): number {
  if (result.signal) return signalExitCode(result.signal as NodeJS.Signals);
  return result.exitCode ?? EXIT.software;
}

/**
 * Runs the command as a child and stands in for it: the relay's handlers (installed before this
 * chunk was even loaded, which also makes the signals deliverable when this process is PID 1)
 * pass every listed signal on, and the child's status becomes ours. execa is loaded only here,
 * so the execve path never parses it.
 */
export async function spawnAndWait(target: ExecTarget, log: Logger, signals: SignalRelay): Promise<number> {
  // The spawn would fail with a bare "spawn ETXTBSY": name the writer, as the exec does.
  refuseBusy(target.path, target.files ?? [target.path]);
  const { execa } = await import("execa");
  const child = execa(target.path, target.argv.slice(1), {
    argv0: target.argv[0],
    env: target.env,
    extendEnv: false,
    stdio: "inherit",
    reject: false,
    // A release may take until the task's stopTimeout to shut down: never SIGKILL it ourselves.
    forceKillAfterDelay: false,
    cleanup: false,
  });
  signals.attach((signal) => child.kill(signal));
  const result = await child;
  signals.detach();
  if (result.failed && result.exitCode === undefined && !result.signal) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    throw new EntrypointError(code === "ENOENT" ? EXIT.notFound : EXIT.notExecutable, `${target.path}: could not start: ${result.cause instanceof Error ? result.cause.message : result.shortMessage}`);
  }
  log.debug("command ended", { exitCode: result.exitCode, signal: result.signal });
  return exitCodeOf(result);
}

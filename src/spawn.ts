import { constants } from "node:os";
import { EntrypointError, EXIT } from "./errors.ts";
import type { ExecTarget } from "./exec.ts";
import type { Logger } from "./log.ts";

export const FORWARDED_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"] as const;

/** Shell convention: the child's exit code, or 128+N when signal N ended it. */
export function exitCodeOf(result: { exitCode?: number; signal?: string }): number {
  if (result.signal) return 128 + (constants.signals[result.signal as NodeJS.Signals] ?? 0);
  return result.exitCode ?? EXIT.software;
}

/**
 * Runs the command as a child and stands in for it: every listed signal is passed on (a handler
 * is installed for each, which also makes them deliverable when this process is PID 1), and the
 * child's status becomes ours. execa is loaded only here, so the execve path never parses it.
 */
export async function spawnAndWait(target: ExecTarget, log: Logger): Promise<number> {
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
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  const result = await child;
  for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  if (result.failed && result.exitCode === undefined && !result.signal) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    throw new EntrypointError(code === "ENOENT" ? EXIT.notFound : EXIT.notExecutable, `${target.path}: could not start: ${result.cause instanceof Error ? result.cause.message : result.shortMessage}`);
  }
  log.debug("command ended", { exitCode: result.exitCode, signal: result.signal });
  return exitCodeOf(result);
}

import { EntrypointError, EXIT } from "../errors.ts";
import { checkSizes, type ExecTarget } from "./exec-limits.ts";
import { defaultSignalsAfterExec } from "./signals.ts";
import { refuseBusy } from "./text-busy.ts";
import { divertWarnings } from "../warnings.ts";

export type { ExecTarget } from "./exec-limits.ts";

export const canExecve = () => typeof process.execve === "function";

/** Replaces this process with the command: same PID, nothing of Node left. Returns only on failure. */
export function execve(target: ExecTarget): never {
  // A failed execve aborts Node.js 22-24 instead of throwing: what the kernel would refuse is refused here.
  checkSizes(target);
  // At the last moment: a writer may have come or gone while the boot waited on the network.
  refuseBusy(target.path, target.files ?? [target.path]);
  // execve is experimental in Node 22-24; its one-time warning must not reach the user's logs.
  divertWarnings((_, type) => type === "ExperimentalWarning");
  defaultSignalsAfterExec();
  try {
    process.execve!(target.path, target.argv, target.env);
  } catch (err) {
    throw new EntrypointError(EXIT.notExecutable, `${target.path}: exec failed: ${(err as Error).message ?? String(err)}`, { cause: err });
  }
  throw new EntrypointError(EXIT.software, `${target.path}: exec returned`);
}

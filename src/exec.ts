import { EntrypointError, EXIT } from "./errors.ts";

export interface ExecTarget {
  path: string;
  /** argv as the command will see it; argv[0] is the command as given. */
  argv: string[];
  env: NodeJS.ProcessEnv;
}

export const canExecve = () => typeof process.execve === "function";

/** Replaces this process with the command: same PID, nothing of Node left. Returns only on failure. */
export function execve(target: ExecTarget): never {
  // execve is experimental in Node 22-24; its one-time warning must not reach the user's logs.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === "ExperimentalWarning") return;
    (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    process.execve!(target.path, target.argv, target.env);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const exit = code === "ENOENT" ? EXIT.notFound : EXIT.notExecutable;
    const why = code === "ENOEXEC" ? "not a binary and has no #! line" : ((err as Error).message ?? String(err));
    throw new EntrypointError(exit, `${target.path}: exec failed: ${why}`, { cause: err });
  }
  throw new EntrypointError(EXIT.software, `${target.path}: exec returned`);
}

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { EntrypointError, EXIT } from "./errors.ts";

type Check = "ok" | "missing" | "not-executable" | "directory";

function check(path: string): Check {
  try {
    if (statSync(path).isDirectory()) return "directory";
    accessSync(path, constants.X_OK);
    return "ok";
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EACCES" ? "not-executable" : "missing";
  }
}

const notExecutable = (path: string, why: string) =>
  new EntrypointError(EXIT.notExecutable, `${path}: ${why}; make it executable (chmod +x) or name another command`);

/**
 * Finds the file to exec, as the old `/app/bin/$1` did: a bare name is looked up in the bin dir
 * first, then on PATH; a name with "/" is used as given. execve does no PATH search, so this
 * must be complete.
 */
export function resolveCommand(command: string, binDir: string, pathVar: string | undefined): string {
  const candidates = command.includes("/")
    ? [resolve(command)]
    : [join(binDir, command), ...(pathVar ?? "").split(delimiter).filter(Boolean).map((dir) => join(resolve(dir), command))];
  let firstFound: { path: string; result: Check } | undefined;
  for (const path of candidates) {
    const result = check(path);
    if (result === "ok") return path;
    if (result !== "missing") firstFound ??= { path, result };
  }
  if (firstFound) throw notExecutable(firstFound.path, firstFound.result === "directory" ? "is a directory" : "is not executable");
  const where = command.includes("/") ? candidates[0]! : `${join(binDir, command)} or on PATH`;
  throw new EntrypointError(EXIT.notFound, `command not found: ${JSON.stringify(command)} (looked for ${where}); check the ENTRYPOINT/CMD of the task, or --bin-dir`);
}

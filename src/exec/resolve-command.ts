import { delimiter, join, resolve } from "node:path";
import { EntrypointError, EXIT } from "../errors.ts";
import { fileProblem } from "./file-kind.ts";

/** The fix for a command the kernel would refuse: chmod for a plain file, another command for anything else. */
const notExecutable = (path: string, problem: string) =>
  new EntrypointError(EXIT.notExecutable, `${path}: ${problem}; ${problem === "is not executable" ? "make it executable (chmod +x) or name another command" : "name a regular file as the command"}`);

/**
 * Finds the file to exec, as the old `/app/bin/$1` did: a bare name is looked up in the bin dir
 * first, then on PATH; a name with "/" is used as given. execve does no PATH search, so this
 * must be complete. Only a regular file will do: the kernel refuses anything else (EACCES), and
 * opening a FIFO to look inside would block the boot.
 */
export function resolveCommand(command: string, binDir: string, pathVar: string | undefined): string {
  const candidates = command.includes("/")
    ? [resolve(command)]
    : [join(binDir, command), ...(pathVar ?? "").split(delimiter).filter(Boolean).map((dir) => join(resolve(dir), command))];
  let firstFound: { path: string; problem: string } | undefined;
  for (const path of candidates) {
    const problem = fileProblem(path);
    if (problem === undefined) return path;
    if (problem !== "missing") firstFound ??= { path, problem };
  }
  if (firstFound) throw notExecutable(firstFound.path, firstFound.problem.replace(/, not a file$/, ""));
  const where = command.includes("/") ? candidates[0]! : `${join(binDir, command)} or on PATH`;
  throw new EntrypointError(EXIT.notFound, `command not found: ${JSON.stringify(command)} (looked for ${where}); check the ENTRYPOINT/CMD of the task, or --bin-dir`);
}

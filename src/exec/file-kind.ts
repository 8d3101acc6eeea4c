// What the kernel's execve wants of every file it opens (the command, a #! interpreter, an ELF loader):
// a regular file (a directory, FIFO, socket or device is EACCES) with execute permission.
import { accessSync, constants, statSync, type Stats } from "node:fs";

/** The kind of a file that is not a regular one, in words. */
export function kindOf(stats: Pick<Stats, "isDirectory" | "isFIFO" | "isSocket" | "isCharacterDevice" | "isBlockDevice">): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "not a regular file";
}

/** "missing", or why the kernel would not exec the file, or undefined when it would (as far as a stat can tell). */
export function fileProblem(path: string): string | undefined {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "EACCES" ? "cannot be reached (a directory on its path is not searchable)" : "missing";
  }
  if (!stats.isFile()) return `is ${kindOf(stats)}, not a file`;
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return "is not executable";
  }
}

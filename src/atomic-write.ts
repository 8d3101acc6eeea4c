import { chmodSync, closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Writes `data` to a fresh, exclusively created file beside `target`, then renames it into place:
 * a reader sees the old file or the whole new one, never half of it, and nothing planted at a
 * guessable name is followed. The temporary file is removed if anything fails.
 */
export function writeFileAtomic(target: string, data: string, mode: number): void {
  // node:crypto is loaded here only: loading it costs every boot about 5 ms.
  const random = process.getBuiltinModule("node:crypto").randomBytes(8).toString("hex");
  const temporary = join(dirname(target), `.${basename(target)}.${random}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, "wx", mode);
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    // The umask may have taken bits away: the mode is part of the contract (who may read it).
    chmodSync(temporary, mode);
    renameSync(temporary, target);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw err;
  }
}

// ETXTBSY: Linux refuses to exec a file that some process has open for writing (a copy still being
// written, an editor, a build). A failed execve aborts Node.js 22-24, so the writers are looked for first
// in /proc: every process of this PID namespace that we may inspect (in a container, a handful: < 1 ms).
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { EntrypointError, EXIT } from "../errors.ts";

// fdinfo's "flags" are the open(2) flags in octal; the access mode is the low two bits.
const O_ACCMODE = 3;
const O_RDONLY = 0;

/** Whether an fdinfo text says the file is open for writing (pure). */
export const writableFdinfo = (fdinfo: string) => {
  const m = /^flags:\s+([0-7]+)/m.exec(fdinfo);
  return m !== null && (parseInt(m[1]!, 8) & O_ACCMODE) !== O_RDONLY;
};

/** A process that has one of `files` open for writing, as "pid (command) has PATH open for writing". */
export function findWriter(files: readonly string[]): string | undefined {
  const wanted = new Set(files.map((f) => realOrSame(f)));
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => name.charCodeAt(0) <= 57);
  } catch {
    return undefined; // no /proc: the kernel decides
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    for (const fd of fds) {
      try {
        const file = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (!wanted.has(file) || !writableFdinfo(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "latin1"))) continue;
        const comm = readFileSync(`/proc/${pid}/comm`, "latin1").trim();
        return `process ${pid} (${comm}) has ${file} open for writing`;
      } catch {}
    }
  }
  return undefined;
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** 126 when the kernel would answer ETXTBSY for any file of this exec. */
export function refuseBusy(path: string, files: readonly string[]): void {
  const writer = findWriter(files);
  if (writer) throw new EntrypointError(EXIT.notExecutable, `${path}: text file busy: ${writer}; run it once it is completely written and closed`);
}

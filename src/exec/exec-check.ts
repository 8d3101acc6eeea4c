// What the kernel would refuse, found before process.execve: in Node.js 22-24 a failed execve
// aborts the process (SIGABRT, a native stack) instead of throwing. Spawn mode runs the same checks.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { basename, delimiter, join, resolve } from "node:path";
import { checkElf, ELF_MAGIC } from "./elf.ts";
import { EntrypointError, EXIT } from "../errors.ts";
import { fileProblem } from "./file-kind.ts";

export type { ExecTarget } from "./exec-limits.ts";

// Linux reads the first 256 bytes of a file for its #! line (BINPRM_BUF_SIZE), and runs at most five
// scripts in one exec, the command and four interpreters (exec_binprm: a sixth level is ELOOP).
const HEADER_BYTES = 256;
export const MAX_SCRIPTS = 5;

const fail = (code: number, message: string) => new EntrypointError(code, message);

function readHeader(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    // Execute-only: the kernel might run it, but only a look inside can tell, and a failed exec aborts.
    const uid = process.getuid?.() ?? "?";
    throw fail(EXIT.notExecutable, `${path}: cannot be read by this user (uid ${uid}: ${(err as NodeJS.ErrnoException).code}), so the entrypoint cannot check that it can be executed; make it readable (chmod a+r ${path})`);
  }
  try {
    const buf = Buffer.alloc(HEADER_BYTES);
    return buf.subarray(0, readSync(fd, buf, 0, HEADER_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

export type Shebang = { interpreter: string; arg: string } | { problem: string; code: number };

/** The #! line as the kernel reads it: interpreter, then the rest of the line as one argument (pure). */
export function parseShebang(header: Buffer): Shebang {
  if (!header.subarray(0, 2).equals(Buffer.from("#!"))) {
    const what = header.length === 0 ? "is empty" : "is neither an ELF binary nor a script with a #! line";
    return { code: EXIT.notExecutable, problem: `${what}, so it cannot be executed; add a #! line (e.g. #!/bin/sh) or name the real command` };
  }
  const text = header.toString("latin1");
  const end = text.indexOf("\n");
  const line = (end < 0 ? text : text.slice(0, end)).slice(2).replace(/^[ \t]+/, "").replace(/[ \t]+$/, "");
  const [interpreter = "", ...rest] = line.split(/[ \t]+/);
  if (interpreter === "") return { code: EXIT.notExecutable, problem: "its #! line names no interpreter" };
  if (end < 0 && header.length === HEADER_BYTES && rest.length === 0) return { code: EXIT.notExecutable, problem: `its #! line is longer than ${HEADER_BYTES - 1} bytes` };
  if (interpreter.endsWith("\r")) {
    return { code: EXIT.notFound, problem: `its #! line ends with a carriage return (Windows line endings), so the kernel looks for "${interpreter.slice(0, -1)}\\r"; convert the file to LF line endings (dos2unix)` };
  }
  return { interpreter, arg: line.slice(interpreter.length).replace(/^[ \t]+/, "") };
}

function requireFile(path: string, owner: string, what: string): void {
  const problem = fileProblem(path);
  if (problem === "missing") throw fail(EXIT.notFound, `${owner}: ${what} ${path} does not exist; install it in the image or change the #! line`);
  if (problem) throw fail(EXIT.notExecutable, `${owner}: ${what} ${path} ${problem}`);
}

/** `#!/usr/bin/env NAME`: env looks NAME up on PATH itself; a missing NAME is the usual slim-image failure. */
function checkEnvProgram(path: string, arg: string, pathVar: string | undefined): void {
  const words = arg.split(/[ \t]+/);
  // Only "-S NAME …" is understood here; other env options are left to env itself.
  const name = words[0] === "-S" ? words[1] : words[0]!.startsWith("-") ? undefined : arg;
  if (!name) return;
  if (name.includes("/")) return requireFile(resolve(name), path, "the #! line's program");
  const dirs = (pathVar ?? "").split(delimiter).filter(Boolean);
  if (dirs.some((dir) => isFile(join(resolve(dir), name)))) return;
  throw fail(EXIT.notFound, `${path}: its #! line runs ${JSON.stringify(name)} through env, and that is not on PATH (${pathVar ?? ""}); install it in the image`);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The file is an ELF program or a chain of #! scripts ending in one, each link a regular, readable,
 * executable file the kernel would accept. Returns every file the kernel opens for this exec.
 */
export function checkImage(path: string, pathVar: string | undefined): string[] {
  const chain: string[] = [];
  for (let current = path; ; ) {
    const header = readHeader(current);
    if (header.subarray(0, 4).equals(ELF_MAGIC)) {
      const loader = checkElf(current);
      return [...chain, current, ...(loader ? [loader] : [])];
    }
    const shebang = parseShebang(header);
    if ("problem" in shebang) throw fail(shebang.code, `${current}: ${shebang.problem}`);
    chain.push(current);
    const full = resolve(shebang.interpreter);
    requireFile(full, current, "its #! interpreter");
    if (basename(full) === "env" && shebang.arg) checkEnvProgram(current, shebang.arg, pathVar);
    if (chain.length === MAX_SCRIPTS && "interpreter" in parseShebang(readHeader(full))) {
      const links = [...chain, full].join(" → ");
      throw fail(EXIT.notExecutable, `${path}: its #! interpreters nest deeper than Linux follows (${links} → …): at most ${MAX_SCRIPTS} scripts run in one exec, the command and ${MAX_SCRIPTS - 1} interpreters; shorten the chain`);
    }
    current = full;
  }
}

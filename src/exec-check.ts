// What the kernel would refuse, found before process.execve: in Node.js 22-24 a failed execve
// aborts the process (SIGABRT, a native stack) instead of throwing.
import { accessSync, closeSync, constants, openSync, readFileSync, readSync, statSync } from "node:fs";
import { basename, delimiter, join, resolve } from "node:path";
import { checkElf } from "./elf.ts";
import { EntrypointError, EXIT } from "./errors.ts";

export interface ExecTarget {
  path: string;
  /** argv as the command will see it; argv[0] is the command as given. */
  argv: string[];
  env: NodeJS.ProcessEnv;
}

// Linux: the bytes of a #! line the kernel reads (BINPRM_BUF_SIZE), the nesting of interpreters it
// follows, and the longest single argument or environment string (MAX_ARG_STRLEN, NUL included).
const HEADER_BYTES = 256;
const MAX_NESTING = 4;
export const MAX_STRING = 128 * 1024;

function readHeader(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    // Execute-only (no read permission): only the kernel can look inside; let it.
    return undefined;
  }
  try {
    const buf = Buffer.alloc(HEADER_BYTES);
    return buf.subarray(0, readSync(fd, buf, 0, HEADER_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

const fail = (code: number, message: string) => new EntrypointError(code, message);

function requireFile(path: string, owner: string, what: string): void {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw fail(EXIT.notFound, `${owner}: ${what} ${path} does not exist; install it in the image or change the #! line`);
  }
  if (!isFile) throw fail(EXIT.notExecutable, `${owner}: ${what} ${path} is not a file`);
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

/** The file is an ELF binary or a #! script whose interpreter exists and can itself be exec'd. */
export function checkImage(path: string, pathVar: string | undefined, depth = 0): void {
  const header = readHeader(path);
  if (header === undefined) return;
  if (header.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return checkElf(path);
  if (header.subarray(0, 2).toString("latin1") !== "#!") {
    const what = header.length === 0 ? "is empty" : "is neither an ELF binary nor a script with a #! line";
    throw fail(EXIT.notExecutable, `${path}: ${what}, so it cannot be executed; add a #! line (e.g. #!/bin/sh) or name the real command`);
  }
  const text = header.toString("latin1");
  const end = text.indexOf("\n");
  const line = (end < 0 ? text : text.slice(0, end)).slice(2).replace(/^[ \t]+/, "").replace(/[ \t]+$/, "");
  const [interpreter = "", ...rest] = line.split(/[ \t]+/);
  if (interpreter === "") throw fail(EXIT.notExecutable, `${path}: its #! line names no interpreter`);
  if (end < 0 && header.length === HEADER_BYTES && rest.length === 0) throw fail(EXIT.notExecutable, `${path}: its #! line is longer than ${HEADER_BYTES - 1} bytes`);
  const arg = line.slice(interpreter.length).replace(/^[ \t]+/, "");
  if (interpreter.endsWith("\r")) {
    throw fail(EXIT.notFound, `${path}: its #! line ends with a carriage return (Windows line endings), so the kernel looks for "${interpreter.slice(0, -1)}\\r"; convert the file to LF line endings (dos2unix)`);
  }
  const full = resolve(interpreter);
  requireFile(full, path, "its #! interpreter");
  if (!isExecutable(full)) throw fail(EXIT.notExecutable, `${path}: its #! interpreter ${full} is not executable`);
  if (depth + 1 > MAX_NESTING) throw fail(EXIT.notExecutable, `${path}: #! interpreters nest more than ${MAX_NESTING} deep`);
  checkImage(full, pathVar, depth + 1);
  if (basename(full) === "env" && arg) checkEnvProgram(path, arg, pathVar);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A quarter of the stack limit, between 128 KiB and 6 MiB: what Linux allows for argv + environment. */
function argLimit(): number {
  let stack = Infinity;
  try {
    const m = /^Max stack size\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    if (m && m[1] !== "unlimited") stack = Number(m[1]);
  } catch {}
  return Math.max(MAX_STRING, Math.min(6 * 1024 * 1024, stack / 4));
}

// Room for what the kernel adds for a #! script (interpreter, its argument, the script path).
const SCRIPT_ROOM = 2 * HEADER_BYTES + 4096;

/** argv and environment fit the kernel's limits: one string at most 128 KiB, all of them a quarter of the stack. */
export function checkSizes(target: ExecTarget): void {
  const size = (s: string) => Buffer.byteLength(s) + 1;
  const env = Object.entries(target.env).filter(([, v]) => v !== undefined);
  for (const [name, value] of env) {
    const bytes = size(`${name}=${value}`);
    if (bytes > MAX_STRING) throw fail(EXIT.config, `${target.path}: environment variable ${name} is ${bytes} bytes, more than the kernel's ${MAX_STRING} for one variable; shorten it`);
  }
  target.argv.forEach((arg, i) => {
    if (size(arg) > MAX_STRING) throw fail(EXIT.notExecutable, `${target.path}: argument ${i} is ${size(arg)} bytes, more than the kernel's ${MAX_STRING} for one argument`);
  });
  const envBytes = env.reduce((sum, [k, v]) => sum + size(`${k}=${v}`) + 8, 0);
  const argBytes = target.argv.reduce((sum, a) => sum + size(a) + 8, size(target.path));
  const limit = argLimit();
  if (envBytes + argBytes + SCRIPT_ROOM <= limit) return;
  const what = `the environment (${envBytes} bytes) and the arguments (${argBytes} bytes) exceed the kernel's limit of ${limit} bytes (a quarter of the stack limit, ulimit -s)`;
  throw fail(envBytes >= argBytes ? EXIT.config : EXIT.notExecutable, `${target.path}: ${what}; shorten them or raise the stack limit`);
}

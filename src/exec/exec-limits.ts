// What the kernel allows for argv and the environment of one execve: a failed call aborts Node.js 22-24.
import { readFileSync } from "node:fs";
import { EntrypointError, EXIT } from "../errors.ts";

export interface ExecTarget {
  path: string;
  /** argv as the command will see it; argv[0] is the command as given. */
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Every file the kernel opens for this exec (the command, #! interpreters, the ELF loader), from checkImage. */
  files?: readonly string[];
}

// Linux: the longest single argument or environment string (MAX_ARG_STRLEN, NUL included), and the
// bytes of a #! line (BINPRM_BUF_SIZE), for the room a script's interpreter line takes.
export const MAX_STRING = 128 * 1024;
const HEADER_BYTES = 256;

const fail = (code: number, message: string) => new EntrypointError(code, message);

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

import { writeSync } from "node:fs";
import { EntrypointError, EXIT } from "./errors.ts";
import { safeText } from "./safe-text.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | undefined>;
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}
export interface LogOptions {
  format: "text" | "json";
  quiet: boolean;
  debug: boolean;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

// Messages can carry network text (AWS errors, metadata fields): escaped, bounded and redacted in
// both formats, so a newline inside a value cannot start a fake log line either.
const MAX_MSG_CHARS = 4000;
const MAX_FIELD_CHARS = 1000;

export function formatLine(level: LogLevel, msg: string, fields: LogFields, format: LogOptions["format"]): string {
  const defined = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [safeText(k, 100), typeof v === "string" ? safeText(v, MAX_FIELD_CHARS) : v] as const);
  const text = safeText(msg, MAX_MSG_CHARS);
  if (format === "json") {
    return JSON.stringify({ level, msg: text, ...Object.fromEntries(defined) }) + "\n";
  }
  const prefix = level === "info" || level === "debug" ? "" : `${level === "warn" ? "warning" : "error"}: `;
  const tail = defined.map(([k, v]) => ` ${k}=${String(v)}`).join("");
  return `entrypoint: ${prefix}${text}${tail}\n`;
}

/** Milliseconds from a monotonic clock; the global `performance` would load perf_hooks on the boot path. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Synchronous write of the whole text: the process may be replaced by execve right after,
 * and process.stdout/stderr would build stream objects the boot does not otherwise need.
 */
export function writeFd(fd: number, text: string): NodeJS.ErrnoException | undefined {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") return err as NodeJS.ErrnoException;
    }
  }
  return undefined;
}

/** Output that a script reads (`eval "$(entrypoint env)"`): if it cannot be written, the exit code says so (74). */
export function writeStdout(text: string): void {
  const err = writeFd(1, text);
  if (err) throw new EntrypointError(EXIT.ioError, `could not write the output to stdout: ${err.code ?? err.message}`);
}

const writeStderr = (text: string) => void writeFd(2, text);

export function createLogger(options: LogOptions, write: (text: string) => void = writeStderr): Logger {
  const min = options.debug ? RANK.debug : options.quiet ? RANK.warn : RANK.info;
  const emit = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (RANK[level] >= min) write(formatLine(level, msg, fields, options.format));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

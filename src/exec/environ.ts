// Node.js decodes the environment as UTF-8, and execve and spawn take strings: bytes that are not
// UTF-8 cannot reach the command unchanged (they become U+FFFD). Such variables are named, not lost silently.
import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";

/** Names of the variables whose bytes, as this process received them, are not UTF-8 (Linux; else none). */
export function nonUtf8Variables(): string[] {
  let raw: Buffer;
  try {
    raw = readFileSync("/proc/self/environ");
  } catch {
    return [];
  }
  if (isUtf8(raw)) return [];
  const names: string[] = [];
  let start = 0;
  while (start < raw.length) {
    const nul = raw.indexOf(0, start);
    const entry = raw.subarray(start, nul < 0 ? raw.length : nul);
    const eq = entry.indexOf("=");
    if (!isUtf8(entry)) names.push(entry.subarray(0, eq < 0 ? entry.length : eq).toString("utf8"));
    start = entry.length + start + 1;
  }
  return names;
}

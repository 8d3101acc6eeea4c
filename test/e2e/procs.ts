// Child processes of the e2e runner: each one is tracked by PID so that cleanup never has to
// guess by name, and its output is kept so a failure can show what the release printed.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export interface Proc {
  label: string;
  child: ChildProcess;
  pid: number;
  /** stdout and stderr interleaved, as a person watching the container log would see them. */
  output: () => string;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  running: () => boolean;
}

const started = new Set<Proc>();

/** `input`: keep stdin open as a pipe (child.stdin), for a process that is typed into. */
export function startProc(label: string, file: string, args: string[], env: NodeJS.ProcessEnv, input = false): Proc {
  const child = spawn(file, args, { env, stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] });
  let text = "";
  let alive = true;
  const append = (chunk: string) => (text += chunk);
  child.stdout!.setEncoding("utf8").on("data", append);
  child.stderr!.setEncoding("utf8").on("data", append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.on("error", (err) => {
      alive = false;
      append(`\n[spawn error] ${err.message}\n`);
      resolve({ code: null, signal: null, at: performance.now() });
    });
    child.on("exit", (code, signal) => {
      alive = false;
      resolve({ code, signal, at: performance.now() });
    });
  });
  if (child.pid === undefined) alive = false;
  const proc: Proc = { label, child, pid: child.pid ?? -1, output: () => text, exited, running: () => alive };
  started.add(proc);
  return proc;
}

/** Runs a short command to its end; killed (by its PID) after timeoutMs. */
export async function runToEnd(label: string, file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000) {
  const proc = startProc(label, file, args, env);
  const timer = setTimeout(() => killPid(proc.pid, "SIGKILL"), timeoutMs);
  const end = await proc.exited;
  clearTimeout(timer);
  started.delete(proc);
  return { code: end.code, signal: end.signal, output: proc.output() };
}

export function killPid(pid: number, signal: NodeJS.Signals): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs every process this runner started that is still running. */
export function killStarted(): void {
  for (const proc of started) if (proc.running()) killPid(proc.pid, "SIGKILL");
  started.clear();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until check() returns a value (not undefined), or throws naming `what`. */
export async function waitUntil<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Waits for a line of output that matches; returns the time it was first seen. */
export const waitForOutput = (proc: Proc, pattern: RegExp, timeoutMs: number) =>
  waitUntil(`${proc.label} to print ${pattern}`, timeoutMs, () => {
    if (pattern.test(proc.output())) return performance.now();
    if (!proc.running()) throw new Error(`${proc.label} exited before printing ${pattern}:\n${proc.output()}`);
    return undefined;
  });

/** Direct children of a process, from /proc (no pgrep: it matches by name). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function commandName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Whether the PID still exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

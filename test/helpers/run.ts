import { spawn, type SpawnOptions } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ENTRYPOINT = join(ROOT, "entrypoint");
export const FIXTURES = join(ROOT, "test", "fixtures", "bin");

/**
 * A clean environment: the runner's own ECS, ENTRYPOINT and RELEASE variables never leak into a test.
 * IMDS is off unless a test passes `AWS_EC2_METADATA_DISABLED: undefined` and its own loopback endpoint:
 * no test may reach the real one (169.254.169.254). A key given as undefined is left out.
 */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", AWS_EC2_METADATA_DISABLED: "true" };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
  ms: number;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** Called once the child is running, e.g. to send it signals. */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
  spawnOptions?: SpawnOptions;
}

/** Runs a program to the end (killing it after timeoutMs) and collects its output. */
export function runProgram(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  // Own process group: a timeout kills the command's children too, which would otherwise hold the pipes open.
  const child = spawn(file, args, { env: baseEnv(options.env), cwd: options.cwd ?? ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true, ...options.spawnOptions });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {}
  };
  const timer = setTimeout(killGroup, options.timeoutMs ?? 20_000);
  options.onSpawn?.(child);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      // Leftover grandchildren (a failed test) must not keep the run waiting on open pipes.
      const grace = setTimeout(killGroup, 2000);
      child.on("close", () => {
        clearTimeout(grace);
        resolve({ code, signal, stdout, stderr, pid: child.pid!, ms });
      });
    });
  });
}

/** Runs the built ./entrypoint the way a user does. */
export const runEntrypoint = (args: string[], options: RunOptions = {}) => runProgram(ENTRYPOINT, args, options);

/** Waits until text appears in a growing string source. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

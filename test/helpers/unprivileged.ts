// Running the entrypoint as an unprivileged user (nobody, 65534) from a root test run.
import { spawnSync } from "node:child_process";
import { chmodSync, statSync } from "node:fs";
import { dirname } from "node:path";

export const NOBODY = { uid: 65534, gid: 65534 };

/** Root, and a system where a process can drop to nobody. */
export const canRunAsNobody = () => process.getuid?.() === 0 && spawnSync("true", { ...NOBODY }).status === 0;

/**
 * Runs `fn` with every directory from `dir` up to / searchable by others, so nobody can reach `dir`
 * (a test run's TMPDIR, and any TMPDIR around it, is 0700), and puts the modes back afterwards.
 */
export async function withReachable<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const changed: [string, number][] = [];
  for (let at = dir; ; at = dirname(at)) {
    const mode = statSync(at).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(at, mode | 0o001);
      changed.push([at, mode]);
    }
    if (dirname(at) === at) break;
  }
  try {
    return await fn();
  } finally {
    for (const [at, mode] of changed.reverse()) chmodSync(at, mode);
  }
}

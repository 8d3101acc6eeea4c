// EcsPeers on its own: examples/elixir/ecs_peers.ex run with `elixir -r` as node `a` in a test
// namespace with its own epmd, and a stand-in for bin/entrypoint (a shell script) that records
// each call — when, its PID, its arguments — so the tests can see the lookups' schedule.
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNet, destroyNet, type Task } from "./netns.ts";
import { killPid, killStarted, pidAlive, runToEnd } from "./procs.ts";
import { cleanEnv, startEpmd } from "./task.ts";

export const COMPANION = join(import.meta.dirname, "..", "..", "examples", "elixir", "ecs_peers.ex");
export const IP = "10.77.20.2";
export const node = (name: string) => `${name}@${IP}`;
export const count = (out: string, text: string) => out.split(text).length - 1;

export interface Lookup {
  /** Wall-clock ms when the stand-in started. */
  at: number;
  pid: number;
  /** The name it was called by (the tests give each EcsPeers instance its own link). */
  name: string;
  args: string;
}

/** A scratch directory holding the stand-in entrypoint; `body` is what the script does after recording the call. */
export function standIn(body: string): { dir: string; entrypoint: string; lookups: () => Lookup[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "ecs-peers-"));
  const entrypoint = join(dir, "entrypoint");
  const calls = join(dir, "calls");
  writeFileSync(entrypoint, `#!/bin/sh\necho "$(date +%s%3N) $$ $(basename "$0") $* quiet=$ENTRYPOINT_QUIET" >> "${calls}"\n${body}\n`);
  chmodSync(entrypoint, 0o755);
  const lookups = () =>
    existsSync(calls)
      ? readFileSync(calls, "utf8").trim().split("\n").map((line) => {
          const [at, pid, name, ...args] = line.split(" ");
          return { at: Number(at), pid: Number(pid), name: name!, args: args.join(" ") };
        })
      : [];
  // A stand-in left running (by a broken companion) must not outlive the test.
  const cleanup = () => {
    for (const l of lookups()) if (pidAlive(l.pid)) killPid(l.pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, entrypoint, lookups, cleanup };
}

export interface RunOptions {
  /** Runs in the namespace before the VM starts (epmd already up). */
  before?: (task: Task) => void;
  /** Elixir run after EcsPeers started, instead of sleeping `ms`; `ms` still bounds the run. */
  body?: string;
  during?: (task: Task) => Promise<void>;
  /** Runs once the VM has exited, before the namespace (and whatever still runs in it) goes. */
  after?: () => Promise<void>;
}

/** Runs node `a` with `EcsPeers.start_link(options)` for `ms`; returns what it printed. */
export async function runA(env: Record<string, string>, options: string, ms: number, run: RunOptions = {}): Promise<string> {
  const net = createNet("ecsp", [IP]);
  const task = net.tasks[0]!;
  try {
    await startEpmd(task);
    run.before?.(task);
    const script = `{:ok, _} = EcsPeers.start_link(${options}); ${run.body ?? `Process.sleep(${ms})`}; Logger.flush()`;
    const a = runToEnd("node a", "ip", ["netns", "exec", task.ns, "elixir", "--name", node("a"), "--cookie", "c", "-r", COMPANION, "-e", script], cleanEnv(env), ms + 20_000);
    await run.during?.(task);
    const out = (await a).output;
    assert.ok(!/\*\* \(|\[error\]/i.test(out), out);
    await run.after?.();
    return out;
  } finally {
    killStarted();
    await destroyNet(net);
  }
}

/** Gaps between the starts of consecutive lookups, in ms. */
export const gaps = (ls: Lookup[]) => ls.slice(1).map((l, i) => l.at - ls[i]!.at);

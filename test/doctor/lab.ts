// A private network for the doctor tests, built the way test/e2e/netns.ts does it: one network
// namespace per address, joined by veth pairs to a bridge in a hub namespace. The addresses
// (10.78.0.x, fd00:78::x) exist only inside these namespaces. Every process started here is
// killed by PID (`ip netns pids`) before the namespaces are deleted.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { ENTRYPOINT, runProgram, type RunResult } from "../helpers/run.ts";

export interface Lab {
  hub: string;
  /** Namespace name by address. */
  ns: Map<string, string>;
  children: ChildProcess[];
}

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
const env = () => ({ PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8" });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why namespaces cannot be made here, or undefined. */
export function labUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not running as root";
  for (const tool of ["ip", "epmd", "erl"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} not found (apt-get install iproute2 erlang-base)`;
    }
  }
  const probe = `doc-probe-${process.pid}`;
  try {
    ip("netns", "add", probe);
    return undefined;
  } catch (err) {
    return `ip netns add failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`;
  } finally {
    try {
      ip("netns", "del", probe);
    } catch {}
  }
}

export function createLab(tag: string, addresses: string[]): Lab {
  const lab: Lab = { hub: `doc-${process.pid}-${tag}-hub`, ns: new Map(), children: [] };
  try {
    ip("netns", "add", lab.hub);
    ip("-n", lab.hub, "link", "add", "br0", "type", "bridge");
    ip("-n", lab.hub, "link", "set", "br0", "up");
    addresses.forEach((address, i) => {
      const ns = `doc-${process.pid}-${tag}-${i + 1}`;
      ip("netns", "add", ns);
      lab.ns.set(address, ns);
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", lab.hub, "link", "add", `v${i + 1}`, "type", "veth", "peer", "name", "eth0", "netns", ns);
      ip("-n", lab.hub, "link", "set", `v${i + 1}`, "master", "br0", "up");
      if (address.includes(":")) ip("-n", ns, "addr", "add", `${address}/64`, "dev", "eth0", "nodad");
      else ip("-n", ns, "addr", "add", `${address}/24`, "dev", "eth0");
      ip("-n", ns, "link", "set", "eth0", "up");
    });
    return lab;
  } catch (err) {
    void destroyLab(lab);
    throw err;
  }
}

const pidsIn = (ns: string) => {
  try {
    return ip("netns", "pids", ns).trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

export async function destroyLab(lab: Lab): Promise<void> {
  const names = [...lab.ns.values(), lab.hub];
  const pids = [...new Set([...names.flatMap(pidsIn), ...lab.children.map((c) => c.pid ?? -1).filter((p) => p > 0)])];
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  const deadline = Date.now() + 3000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(20);
  for (const name of names) {
    try {
      ip("netns", "del", name);
    } catch {}
  }
}

/** Starts a long-running program inside the namespace of `address` (`ip netns exec` execs it: same PID). */
export function startIn(lab: Lab, address: string, argv: string[]): ChildProcess {
  const child = spawn("ip", ["netns", "exec", lab.ns.get(address)!, ...argv], { env: env(), stdio: "ignore" });
  lab.children.push(child);
  return child;
}

/** epmd in the foreground, and an Erlang node that must not start an epmd daemon of its own. */
export const startEpmd = (lab: Lab, address: string) => startIn(lab, address, ["epmd"]);
export const startNode = (lab: Lab, address: string, name: string, cookie: string, extra: string[] = []) =>
  startIn(lab, address, ["erl", "-noshell", "-noinput", "-start_epmd", "false", ...extra, "-name", name, "-setcookie", cookie]);

/** Waits until `epmd -names` inside the namespace answers and lists every name. */
export async function waitRegistered(lab: Lab, address: string, names: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let out: string | undefined;
    try {
      out = execFileSync("ip", ["netns", "exec", lab.ns.get(address)!, "epmd", "-names"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 3000 });
    } catch {}
    if (out !== undefined && names.every((n) => out.includes(`name ${n} at port`))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${names.join(", ")} in epmd at ${address}: ${out}`);
    await sleep(100);
  }
}

/** Runs the built ./entrypoint doctor inside the namespace of `address`. */
export function doctorIn(lab: Lab, address: string, args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return runProgram("ip", ["netns", "exec", lab.ns.get(address)!, process.execPath, ENTRYPOINT, "doctor", ...args], { env: extraEnv, timeoutMs: 20_000 });
}

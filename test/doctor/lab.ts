// A private network for the doctor tests: the e2e test's namespaces (test/e2e/netns.ts), one per
// address, joined by a bridge. The addresses (10.78.0.x, fd00:78::x) exist only inside them. Every
// process started here is killed by PID before the namespaces are deleted.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createNet, destroyNet, netnsUnavailable, type Net } from "../e2e/netns.ts";
import { killPid } from "../e2e/procs.ts";
import { ENTRYPOINT, runProgram, type RunResult } from "../helpers/run.ts";

export interface Lab {
  net: Net;
  /** Namespace name by address. */
  ns: Map<string, string>;
  children: ChildProcess[];
}

const env = () => ({ PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8" });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why namespaces cannot be made here, or undefined. */
export function labUnavailable(): string | undefined {
  for (const tool of ["ip", "epmd", "erl"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} not found (apt-get install iproute2 erlang-base)`;
    }
  }
  return netnsUnavailable();
}

export function createLab(tag: string, addresses: string[]): Lab {
  const net = createNet(`doc-${tag}`, addresses);
  return { net, ns: new Map(net.tasks.map((t) => [t.ip, t.ns])), children: [] };
}

export async function destroyLab(lab: Lab): Promise<void> {
  for (const child of lab.children) if (child.pid) killPid(child.pid, "SIGKILL");
  await destroyNet(lab.net);
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

// Private networks for the e2e test: one network namespace per "task", joined by veth pairs to a
// bridge that lives in its own hub namespace. The hub has address .1 / ::1 on the bridge, where the
// one fake metadata/AWS endpoint of the whole "cluster" listens. Nothing is added to the host's
// network: the test addresses (10.77.0.x, fd00:77::x) exist only inside these namespaces.
import { execFileSync } from "node:child_process";
import { killPid, pidAlive, sleep } from "./procs.ts";

export interface Task {
  ns: string;
  ip: string;
}

export interface Net {
  hub: string;
  /** The hub's address on the bridge, in the tasks' subnet (x.y.z.1 or <prefix>::1). */
  hubIp: string;
  tasks: Task[];
}

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

/** Why namespaces cannot be made here (not root, no iproute2, no CAP_SYS_ADMIN), or undefined. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not running as root";
  const probe = `e2e-probe-${process.pid}`;
  try {
    ip("netns", "add", probe);
    ip("-n", probe, "link", "set", "lo", "up");
    return undefined;
  } catch (err) {
    return `ip netns add failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`;
  } finally {
    try {
      ip("netns", "del", probe);
    } catch {
      // the probe was never created
    }
  }
}

/** Adds an address to a namespace's interface; IPv4 or IPv6 by its form. */
function addAddress(ns: string, dev: string, address: string): void {
  // nodad: the address is usable at once instead of after IPv6 duplicate address detection.
  if (address.includes(":")) ip("-n", ns, "addr", "add", `${address}/64`, "dev", dev, "nodad");
  else ip("-n", ns, "addr", "add", `${address}/24`, "dev", dev);
}

/** x.y.z.1 or <prefix>:1 for the subnet of the first task address (all tasks share it). */
const hubAddressFor = (address: string) => address.slice(0, address.lastIndexOf(address.includes(":") ? ":" : ".") + 1) + "1";

/** Creates the hub with its bridge and one namespace per address (IPv4 or IPv6 by its form). */
export function createNet(tag: string, addresses: string[]): Net {
  const hub = `e2e-${process.pid}-${tag}-hub`;
  const net: Net = { hub, hubIp: hubAddressFor(addresses[0]!), tasks: [] };
  try {
    ip("netns", "add", hub);
    // The test's own requests to the fake (its control endpoints) are made from the hub: local traffic needs lo.
    ip("-n", hub, "link", "set", "lo", "up");
    ip("-n", hub, "link", "add", "br0", "type", "bridge");
    addAddress(hub, "br0", net.hubIp);
    ip("-n", hub, "link", "set", "br0", "up");
    addresses.forEach((address, i) => net.tasks.push(addTask(hub, `e2e-${process.pid}-${tag}-${i + 1}`, `v${i + 1}`, address)));
    return net;
  } catch (err) {
    void destroyNet(net);
    throw err;
  }
}

function addTask(hub: string, ns: string, port: string, address: string): Task {
  ip("netns", "add", ns);
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
  ip("-n", hub, "link", "set", port, "master", "br0", "up");
  addAddress(ns, "eth0", address);
  ip("-n", ns, "link", "set", "eth0", "up");
  return { ns, ip: address };
}

/** PIDs of every process inside a namespace: all of them were started by this runner. */
export function pidsIn(ns: string): number[] {
  try {
    return ip("netns", "pids", ns).trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kills what still runs in the namespaces (by PID), then deletes them; the veths and bridge go with them. */
export async function destroyNet(net: Net): Promise<void> {
  const names = [...net.tasks.map((t) => t.ns), net.hub];
  const pids = names.flatMap(pidsIn);
  for (const pid of pids) killPid(pid, "SIGKILL");
  const deadline = Date.now() + 3000;
  while (pids.some(pidAlive) && Date.now() < deadline) await sleep(20);
  for (const name of names) {
    try {
      ip("netns", "del", name);
    } catch {
      // never created, or already gone
    }
  }
}

/** TCP listeners in a namespace as [port, process name] pairs, from `ss -ltnp`. */
export function listeners(ns: string): Array<[number, string]> {
  const out = execFileSync("ip", ["netns", "exec", ns, "ss", "-Hltnp"], { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const local = line.trim().split(/\s+/)[3] ?? "";
      return [Number(local.slice(local.lastIndexOf(":") + 1)), /users:\(\("([^"]+)"/.exec(line)?.[1] ?? "?"] as [number, string];
    });
}

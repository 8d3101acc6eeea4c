// ECS bridge mode, rebuilt in network namespaces: "instances" on a shared VPC bridge (the hub of
// netns.ts), each with a Docker-like bridge (docker0, 172.x.0.1/24, forwarding on) and "containers"
// behind NAT. As Docker publishes a port, nft DNATs the instance's address and a dynamic host port to
// the container's distribution port, and masquerades the containers' outgoing and hairpin traffic.
import { execFileSync } from "node:child_process";
import { createNet, destroyNet, type Net, type Task } from "./netns.ts";

export interface Container extends Task {
  /** The instance's private IP (the VPC address of its namespace). */
  instanceIp: string;
  /** The host port Docker picked for the container's distribution port. */
  hostPort: number;
}

export interface BridgeNet {
  net: Net;
  /** One per instance, in order. */
  instances: Task[];
  containers: Container[];
}

/** Where a container listens inside its namespace (its portMappings' containerPort). */
export const CONTAINER_PORT = 9100;
/** The first ports of ECS's dynamic range; each instance hands them out from the start. */
const FIRST_HOST_PORT = 32768;

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] });
const nft = (ns: string, rules: string) => execFileSync("ip", ["netns", "exec", ns, "nft", "-f", "-"], { input: rules, stdio: ["pipe", "pipe", "pipe"] });

/** Why the NAT cannot be built here (no nft, or a kernel without nftables NAT), or undefined. */
export function natUnavailable(): string | undefined {
  const probe = `e2e-nat-probe-${process.pid}`;
  try {
    ip("netns", "add", probe);
    nft(probe, "table ip nat {\n  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n  }\n}\n");
    return undefined;
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer; message: string };
    return e.code === "ENOENT" ? "ip not found" : `nft cannot make a NAT table in a network namespace (apt-get install nftables): ${e.stderr?.toString().trim() || e.message}`;
  } finally {
    try {
      ip("netns", "del", probe);
    } catch {
      // never created
    }
  }
}

/** The nft ruleset of one instance: Docker's published ports and its masquerading. */
export function natRules(instanceIp: string, subnet: string, published: Container[]): string {
  const dnat = published.map((c) => `    ip daddr ${instanceIp} tcp dport ${c.hostPort} dnat to ${c.ip}:${CONTAINER_PORT}`);
  return [
    "table ip nat {",
    "  chain prerouting {",
    "    type nat hook prerouting priority dstnat; policy accept;",
    // Not only from eth0: a container that dials its own instance's address and port hairpins through here.
    ...dnat,
    "  }",
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip saddr ${subnet} oifname "eth0" masquerade`,
    `    ip saddr ${subnet} ip daddr ${subnet} ct status dnat masquerade`,
    "  }",
    "}",
    "",
  ].join("\n");
}

function addContainer(instance: Task, ns: string, veth: string, address: string, hostPort: number): Container {
  ip("netns", "add", ns);
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", instance.ns, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
  ip("-n", instance.ns, "link", "set", veth, "master", "docker0", "up");
  // As Docker without its userland proxy: a container may reach its own published port (rpc dials its own node).
  ip("-n", instance.ns, "link", "set", veth, "type", "bridge_slave", "hairpin", "on");
  ip("-n", ns, "addr", "add", `${address}/24`, "dev", "eth0");
  ip("-n", ns, "link", "set", "eth0", "up");
  ip("-n", ns, "route", "add", "default", "via", address.replace(/\.\d+$/, ".1"));
  return { ns, ip: address, instanceIp: instance.ip, hostPort };
}

/**
 * `perInstance` containers on each instance; instance i (from 0) is 10.78.<n>.<11+i> on the hub and
 * has the bridge 172.<20+i>.0.0/24, its containers .2, .3, ... published on 32768, 32769, ... (or all
 * on `staticPort`). With 0 per instance, the instances stay plain hosts: no bridge, no NAT (host mode).
 */
export function createBridgeNet(tag: string, n: number, instances: number, perInstance: number, staticPort?: number): BridgeNet {
  const net = createNet(tag, Array.from({ length: instances }, (_, i) => `10.78.${n}.${11 + i}`));
  const bridge: BridgeNet = { net, instances: net.tasks, containers: [] };
  try {
    for (const [i, instance] of net.tasks.entries()) {
      // Via the VPC's router, as on EC2: a host-mode node learns its address from this route.
      ip("-n", instance.ns, "route", "add", "default", "via", net.hubIp);
      if (perInstance === 0) continue;
      const subnet = `172.${20 + i}.0`;
      execFileSync("ip", ["netns", "exec", instance.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      ip("-n", instance.ns, "link", "add", "docker0", "type", "bridge");
      ip("-n", instance.ns, "addr", "add", `${subnet}.1/24`, "dev", "docker0");
      ip("-n", instance.ns, "link", "set", "docker0", "up");
      const mine = Array.from({ length: perInstance }, (_, k) =>
        addContainer(instance, `${instance.ns}-c${k + 1}`, `veth${k + 1}`, `${subnet}.${k + 2}`, staticPort ?? FIRST_HOST_PORT + k),
      );
      bridge.containers.push(...mine);
      nft(instance.ns, natRules(instance.ip, `${subnet}.0/24`, mine));
    }
    return bridge;
  } catch (err) {
    void destroyBridgeNet(bridge);
    throw err;
  }
}

/** Kills what runs in every namespace, containers included, and deletes them all. */
export const destroyBridgeNet = (b: BridgeNet) => destroyNet({ ...b.net, tasks: [...b.containers, ...b.net.tasks] });

/** Cuts (or restores) an instance's link to the VPC, at the hub's end. */
export const instanceLink = (b: BridgeNet, instance: Task, state: "up" | "down") => ip("-n", b.net.hub, "link", "set", `v${b.instances.indexOf(instance) + 1}`, state);

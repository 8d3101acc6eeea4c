// Peers in host and bridge mode (SPEC 4.9), pure: a peer is reached at its container instance's private IP,
// in bridge mode at the host port that publishes the distribution port; its node name follows ours.
import { nodeName, portNodeName } from "../boot/node-name.ts";
import type { LogFields } from "../log.ts";
import type { EcsTask } from "./filter.ts";
import { ipSortKey, isLive } from "./filter.ts";

/** How this boot's own node is reached, which every task of its group shares (one task definition). */
export interface InstanceNaming {
  networkMode: "bridge" | "host";
  /** The distribution port inside the container (bridge: required; host: the pinned port, if any). */
  distPort?: number;
  /** Bridge mode with a dynamic host port: node names carry the published port. */
  dynamic: boolean;
}

export interface Member {
  ip: string;
  node: string;
}

const isTcp = (protocol: string | undefined) => protocol === undefined || protocol === null || protocol.toLowerCase() === "tcp";

/** The host port that publishes `containerPort` over TCP in any of the task's containers, if one does. */
export function hostPortOf(task: EcsTask, containerPort: number): number | undefined {
  for (const container of task.containers ?? []) {
    for (const b of container.networkBindings ?? []) {
      if (b.containerPort === containerPort && isTcp(b.protocol) && Number.isInteger(b.hostPort) && b.hostPort! >= 1 && b.hostPort! <= 65535) return b.hostPort;
    }
  }
  return undefined;
}

/** Why a live task gives no peer (for a debug line), or its port part: undefined when no port is needed. */
export function peerPort(task: EcsTask, naming: InstanceNaming): { port?: number } | { skip: string } {
  if (naming.networkMode === "host") return {};
  if (naming.distPort === undefined) return { skip: "no distribution port" };
  const port = hostPortOf(task, naming.distPort);
  return port === undefined ? { skip: `no networkBindings entry for container port ${naming.distPort}/tcp` } : { port };
}

export function memberName(basename: string, ip: string, port: number | undefined, naming: InstanceNaming): string {
  return naming.dynamic && port !== undefined ? portNodeName(basename, ip, port) : nodeName(basename, ip);
}

export interface InstanceTasks {
  members: Member[];
  /** Live tasks (not us) without a binding for the distribution port. */
  unbound: number;
  /** Live tasks (not us) whose instance's address is unknown. */
  unplaced: number;
}

/** Live peers at their instances' addresses, our own task and node left out, de-duplicated by node name, sorted. */
export function instanceMembers(tasks: EcsTask[], self: { taskArn?: string; node?: string }, ipOf: (arn: string) => string | undefined, naming: InstanceNaming, basename: string, debug: (msg: string, fields: LogFields) => void): InstanceTasks {
  const byNode = new Map<string, Member & { port: number }>();
  let unbound = 0;
  let unplaced = 0;
  for (const task of tasks) {
    if (!isLive(task) || (self.taskArn && task.taskArn === self.taskArn)) continue;
    const port = peerPort(task, naming);
    if ("skip" in port) {
      unbound++;
      debug("peers: a task without a binding for the distribution port was left out", { arn: task.taskArn, why: port.skip });
      continue;
    }
    const ip = task.containerInstanceArn ? ipOf(task.containerInstanceArn) : undefined;
    if (!ip) {
      unplaced++;
      debug("peers: a task whose container instance address is unknown was left out", { arn: task.taskArn, containerInstance: task.containerInstanceArn });
      continue;
    }
    const node = memberName(basename, ip, port.port, naming);
    if (node !== self.node) byNode.set(node, { ip, node, port: port.port ?? 0 });
  }
  const key = (m: { ip: string; port: number }) => `${ipSortKey(m.ip)}/${String(m.port).padStart(5, "0")}`;
  const members = [...byNode.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map(({ ip, node }) => ({ ip, node }));
  return { members, unbound, unplaced };
}

/** The distinct container instances of the live tasks (not us) that can be peers, at most `max`, in task order. */
export function containerInstancesOf(tasks: EcsTask[], selfArn: string | undefined, naming: InstanceNaming, max: number): string[] {
  const out = new Set<string>();
  for (const t of tasks) {
    if (out.size >= max) break;
    if (isLive(t) && t.taskArn !== selfArn && t.containerInstanceArn && !("skip" in peerPort(t, naming))) out.add(t.containerInstanceArn);
  }
  return [...out];
}

// Pure peer policy: which tasks count, which address each has, and the final sorted list.
import { canonicalIp, type IpFamily } from "../address.ts";

export interface EcsTask {
  taskArn?: string;
  lastStatus?: string;
  desiredStatus?: string;
  attachments?: { type?: string; details?: { name?: string; value?: string }[] }[];
  containers?: { networkInterfaces?: { privateIpv4Address?: string; ipv6Address?: string }[] }[];
}

const GONE = new Set(["STOPPING", "DEPROVISIONING", "STOPPED"]);

/** A task that will be (or is) running: desired RUNNING and not on its way out. */
export const isLive = (task: EcsTask) => task.desiredStatus === "RUNNING" && !GONE.has(task.lastStatus ?? "");

/** The task's address of the family: ENI attachment first, then the containers' interfaces. */
export function taskIp(task: EcsTask, family: IpFamily): string | undefined {
  const detailName = family === 4 ? "privateIPv4Address" : "ipv6Address";
  for (const attachment of task.attachments ?? []) {
    const value = attachment.details?.find((d) => d.name === detailName)?.value;
    const ip = value ? canonicalIp(value) : undefined;
    if (ip?.family === family) return ip.ip;
  }
  for (const container of task.containers ?? []) {
    for (const nic of container.networkInterfaces ?? []) {
      const value = family === 4 ? nic.privateIpv4Address : nic.ipv6Address;
      const ip = value ? canonicalIp(value) : undefined;
      if (ip?.family === family) return ip.ip;
    }
  }
  return undefined;
}

export interface Self {
  ip?: string;
  taskArn?: string;
  family: IpFamily;
}

const compareIps = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** Live peers' addresses, de-duplicated, ourselves left out, sorted. */
export function peerIps(tasks: EcsTask[], self: Self): string[] {
  const ips = new Set<string>();
  for (const task of tasks) {
    if (!isLive(task) || (self.taskArn && task.taskArn === self.taskArn)) continue;
    const ip = taskIp(task, self.family);
    if (ip && ip !== self.ip) ips.add(ip);
  }
  return [...ips].sort(compareIps);
}

/** `arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`; old-style ARNs without a cluster give undefined. */
export function arnParts(arn: string): { region?: string; cluster?: string } {
  const m = /^arn:[^:]+:ecs:([^:]*):[^:]*:task\/(?:([^/]+)\/)?[^/]+$/.exec(arn);
  return { region: m?.[1] || undefined, cluster: m?.[2] };
}

/** DescribeTasks rejects ARNs of another cluster: group them by the cluster each names. */
export function groupByCluster(arns: string[], fallbackCluster: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const arn of arns) {
    const cluster = arnParts(arn).cluster ?? fallbackCluster;
    groups.set(cluster, [...(groups.get(cluster) ?? []), arn]);
  }
  return groups;
}

export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

import { createHash } from "node:crypto";
import type { Address } from "../boot/address.ts";
import { BRIDGE_ADDRESS, portsOf } from "./modes.ts";

export interface LocalTask {
  address?: Address;
  networkMode: string;
  cluster: string;
  family: string;
  service?: string;
  region: string;
  taskArn: string;
  tags: Record<string, string>;
  startedAt: string;
  /** Host and bridge mode: the distribution port and the host port that publishes it (host mode: the same). */
  ports?: { containerPort: number; hostPort: number };
  /** Host and bridge mode: the container instance's private IPv4. */
  instanceIp?: string;
}

export const ACCOUNT = "123456789012";

/** A stable task ARN per address, so a restarted fake gives a caller the same identity. */
export function taskArnFor(region: string, cluster: string, key: string): string {
  const id = createHash("sha256").update(key).digest("hex").slice(0, 32);
  return `arn:aws:ecs:${region}:${ACCOUNT}:task/${cluster}/${id}`;
}

// Field names as the ECS agent writes them; empty lists are left out, as the agent does.
function network(task: LocalTask): Record<string, unknown> {
  const net: Record<string, unknown> = { NetworkMode: task.networkMode };
  if (task.networkMode === "host" || !task.address) return net;
  // A bridge container's own address is on the instance's Docker bridge.
  if (task.networkMode === "bridge") return { ...net, IPv4Addresses: [BRIDGE_ADDRESS] };
  const v4 = task.address.family === 4;
  net[v4 ? "IPv4Addresses" : "IPv6Addresses"] = [task.address.ip];
  net.AttachmentIndex = 0;
  net.MACAddress = "0a:58:a9:fe:ac:02";
  if (v4) net.IPv4SubnetCIDRBlock = `${task.address.ip.split(".").slice(0, 3).join(".")}.0/24`;
  else net.IPv6SubnetCIDRBlock = "fd00::/64";
  net.PrivateDNSName = `ip-${task.address.ip.replace(/[.:]/g, "-")}.ec2.internal`;
  return net;
}

export function containerDocument(task: LocalTask): Record<string, unknown> {
  const taskId = task.taskArn.split("/").pop()!;
  return {
    DockerId: `${taskId}-0000000000`,
    Name: "app",
    DockerName: "app",
    Image: `${task.family}:latest`,
    ImageID: "sha256:" + "0".repeat(64),
    Labels: {
      "com.amazonaws.ecs.cluster": task.cluster,
      "com.amazonaws.ecs.container-name": "app",
      "com.amazonaws.ecs.task-arn": task.taskArn,
      "com.amazonaws.ecs.task-definition-family": task.family,
      "com.amazonaws.ecs.task-definition-version": "1",
    },
    DesiredStatus: "RUNNING",
    KnownStatus: "RUNNING",
    Limits: { CPU: 0.25, Memory: 512 },
    CreatedAt: task.startedAt,
    StartedAt: task.startedAt,
    Type: "NORMAL",
    ContainerARN: `arn:aws:ecs:${task.region}:${ACCOUNT}:container/${task.cluster}/${taskId}/app`,
    ...(task.ports && task.networkMode === "bridge" ? { Ports: portsOf(task.ports) } : {}),
    Networks: [network(task)],
  };
}

export function taskDocument(task: LocalTask): Record<string, unknown> {
  return {
    Cluster: `arn:aws:ecs:${task.region}:${ACCOUNT}:cluster/${task.cluster}`,
    TaskARN: task.taskArn,
    Family: task.family,
    Revision: "1",
    DesiredStatus: "RUNNING",
    KnownStatus: "RUNNING",
    Limits: { CPU: 0.25, Memory: 512 },
    PullStartedAt: task.startedAt,
    PullStoppedAt: task.startedAt,
    AvailabilityZone: `${task.region}a`,
    LaunchType: task.instanceIp ? "EC2" : "FARGATE",
    Containers: [containerDocument(task)],
  };
}

// bridge and host mode in the fake (SPEC 4.6, 4.9): the container's published port, the Docker
// bridge address, and the container metadata file the ECS agent writes on an EC2 instance.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseIp, type Address } from "../boot/address.ts";
import type { CommandLine } from "../config/cli.ts";
import { configError, expected } from "../errors.ts";

/** The address Docker gives the first container on its default bridge. */
export const BRIDGE_ADDRESS = "172.17.0.2";

export interface ModeOptions {
  /** The container instance's private IPv4: the metadata file's and IMDS's answer (default: the caller's address for IMDS). */
  instanceIp?: Address;
  containerPort: number;
  hostPort: number;
  metadataFile: string;
  /** When the file turns READY; undefined: never. */
  readyAfterMs?: number;
}

function port(value: string | undefined, fallback: number, flag: string): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw configError(`${flag}: ${expected("a port 1-65535", value!)}`);
  return n;
}

export function modeOptions(flags: CommandLine["flags"]): ModeOptions {
  const instanceIp = flags.instanceIp === undefined ? undefined : parseIp(flags.instanceIp);
  if (flags.instanceIp !== undefined && instanceIp?.family !== 4) throw configError(`--instance-ip: ${expected("the instance's private IPv4 address", flags.instanceIp)}`);
  const delay = flags.metadataFileDelay ?? "1000";
  if (delay !== "never" && !/^\d{1,9}$/.test(delay)) throw configError(`--metadata-file-delay: ${expected("milliseconds or never", delay)}`);
  const containerPort = port(flags.containerPort, 9100, "--container-port");
  return {
    instanceIp,
    containerPort,
    hostPort: port(flags.hostPort, containerPort, "--host-port"),
    metadataFile: flags.metadataFile ?? join(tmpdir(), `ecs-container-metadata-${process.pid}.json`),
    readyAfterMs: delay === "never" ? undefined : Number(delay),
  };
}

/** `Ports` of a bridge container's v4 document: the distribution port as Docker publishes it. */
export const portsOf = (o: Pick<ModeOptions, "containerPort" | "hostPort">) => [{ ContainerPort: o.containerPort, Protocol: "tcp", HostPort: o.hostPort, HostIp: "0.0.0.0" }];

export interface FileTask {
  cluster: string;
  taskArn: string;
  family: string;
  networkMode: string;
  region: string;
}

/** The container metadata file, as the agent writes it: few fields until READY, then the instance's. */
export function metadataFileDocument(task: FileTask, o: ModeOptions, ready: boolean): Record<string, unknown> {
  const early = {
    Cluster: task.cluster,
    ContainerInstanceARN: `arn:aws:ecs:${task.region}:123456789012:container-instance/${task.cluster}/0123456789abcdef0123456789abcdef`,
    TaskARN: task.taskArn,
    TaskDefinitionFamily: task.family,
    TaskDefinitionRevision: "1",
    ContainerName: "app",
    MetadataFileStatus: "NOT_READY",
  };
  if (!ready) return early;
  const bridge = task.networkMode === "bridge";
  return {
    ...early,
    ContainerID: "0".repeat(64),
    DockerContainerName: "/ecs-app-1-app-0000000000000000",
    ImageID: `sha256:${"0".repeat(64)}`,
    ImageName: `${task.family}:latest`,
    PortMappings: bridge ? [{ ContainerPort: o.containerPort, HostPort: o.hostPort, BindIp: "0.0.0.0", Protocol: "tcp" }] : [],
    Networks: [bridge ? { NetworkMode: "bridge", IPv4Addresses: [BRIDGE_ADDRESS] } : { NetworkMode: "host" }],
    MetadataFileStatus: "READY",
    AvailabilityZone: `${task.region}a`,
    HostPrivateIPv4Address: o.instanceIp?.ip ?? "127.0.0.1",
  };
}

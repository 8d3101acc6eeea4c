// What the task's network mode asks of the boot (SPEC 4.9), from the container document (pure).
// awsvpc: the task's own address. bridge and host: the instance's address, and in bridge mode the
// distribution port as the instance publishes it.
import { configError } from "../errors.ts";
import { ENV } from "../config/options.ts";
import { safeText } from "../safe-text.ts";

/** The modes whose node is reached at the container instance's private IP. */
export type InstanceMode = "bridge" | "host";

export interface Published {
  containerPort: number;
  hostPort: number;
}

/** A dynamic host port ("hostPort": 0 in the task definition): every node of an instance has its own. */
export const isDynamic = (p: Published | undefined): boolean => p !== undefined && p.hostPort !== p.containerPort;

/** `Networks[0].NetworkMode` of a container document, when it is a string. */
export function networkModeOf(doc: unknown): string | undefined {
  const networks = (doc as { Networks?: unknown } | null)?.Networks;
  const mode = Array.isArray(networks) ? (networks[0] as { NetworkMode?: unknown } | null)?.NetworkMode : undefined;
  return typeof mode === "string" ? mode : undefined;
}

export const isInstanceMode = (mode: string | undefined): mode is InstanceMode => mode === "bridge" || mode === "host";

/** The task-definition line that publishes the distribution port on the same host port. */
export const portMappingLine = (port: number) => `{"containerPort": ${port}, "hostPort": ${port}, "protocol": "tcp"}`;

interface PortEntry {
  ContainerPort?: unknown;
  HostPort?: unknown;
  Protocol?: unknown;
}

const isTcp = (p: PortEntry) => p.Protocol === undefined || (typeof p.Protocol === "string" && p.Protocol.toLowerCase() === "tcp");
const described = (p: PortEntry) => safeText(`${String(p.ContainerPort)}→${String(p.HostPort)}/${String(p.Protocol ?? "tcp")}`, 40);

/**
 * Bridge mode: the one distribution port, and the host port it is published on (the container
 * document's `Ports[]`). Every refusal is a configuration error that shows the line to add.
 */
export function bridgePublished(doc: unknown, distPort: { min: number; max: number } | undefined): Published {
  if (!distPort) {
    throw configError(
      `network mode bridge: the distribution port must be pinned and published: set ${ENV.distPort}=9100 (or --dist-port 9100) and add to the container's portMappings ${portMappingLine(9100)}`,
    );
  }
  const port = distPort.min;
  if (distPort.min !== distPort.max) {
    throw configError(`network mode bridge: ${ENV.distPort} is the range ${distPort.min}-${distPort.max}; a port mapping publishes one port: give one, e.g. ${ENV.distPort}=${port}`);
  }
  const raw = (doc as { Ports?: unknown } | null)?.Ports;
  const ports = (Array.isArray(raw) ? raw : []).filter((p): p is PortEntry => p !== null && typeof p === "object");
  const entry = ports.find((p) => p.ContainerPort === port && isTcp(p));
  if (!entry) {
    const found = ports.length ? `it has ${ports.slice(0, 5).map(described).join(", ")}` : "it has none";
    // An init container (entrypoint env --output) has no mapping, and the app container's dynamic port exists only once that one starts.
    const init = ports.length ? "" : "; an init container cannot learn the app container's published port: in bridge mode run the entrypoint in the app container";
    throw configError(`network mode bridge: no port mapping of this container publishes the distribution port ${port} (${found}); add to the container's portMappings ${portMappingLine(port)} or, for a dynamic host port, "hostPort": 0${init}`);
  }
  const hostPort = entry.HostPort;
  if (typeof hostPort !== "number" || !Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) {
    throw configError(`network mode bridge: the mapping of port ${port} has no usable HostPort (${safeText(String(hostPort), 20)}); check the container's portMappings: ${portMappingLine(port)}`);
  }
  return { containerPort: port, hostPort };
}

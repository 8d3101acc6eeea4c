// The peer step in host and bridge mode: the described tasks' container instances become addresses through the
// EC2 chunk (loaded here, only in these modes), and each live task with the distribution port published a node.
import { fetchMetadata } from "../boot/metadata.ts";
import { loadChunk } from "../chunks.ts";
import type { Logger } from "../log.ts";
import { bridgePublished, networkModeOf, type Published } from "../network/mode.ts";
import type { Aws } from "./aws.ts";
import { call } from "./aws.ts";
import { containerInstancesOf, instanceMembers, memberName, type InstanceNaming, type InstanceTasks } from "./bindings.ts";
import type { EcsTask } from "./filter.ts";

/** DescribeContainerInstances takes at most 100 ARNs (instances.ts says the same; that module is loaded lazily). */
const MAX_INSTANCES = 100;

export interface InstanceSelf {
  ip?: string;
  networkMode?: string;
  published?: Published;
  /** RELEASE_NODE was kept (inside the running release): the boot read no metadata. */
  preset?: boolean;
}

/**
 * Inside the running release (`entrypoint peers` from EcsPeers) the boot kept RELEASE_NODE and read no
 * metadata: the container document still tells host and bridge mode, and the published port.
 */
export async function withMode<T extends InstanceSelf>(self: T, metadataUri: string | undefined, distPort: number | undefined, log: Logger): Promise<T> {
  if (!self.preset || self.networkMode || !metadataUri) return self;
  const doc = await fetchMetadata(metadataUri, { deadlineMs: 2000, log }).catch(() => undefined);
  const networkMode = networkModeOf(doc);
  if (networkMode !== "bridge") return { ...self, networkMode };
  try {
    return { ...self, networkMode, published: bridgePublished(doc, distPort === undefined ? undefined : { min: distPort, max: distPort }) };
  } catch {
    return { ...self, networkMode };
  }
}

/** A kept dynamic-port RELEASE_NODE's basename carries our port: the group's basename is without it. */
export function groupBasename(basename: string, self: InstanceSelf, naming: InstanceNaming): string {
  const suffix = `-${self.published?.hostPort}`;
  return naming.dynamic && self.preset && basename.endsWith(suffix) ? basename.slice(0, -suffix.length) : basename;
}

/** Host or bridge mode as our own address step found it; undefined in awsvpc mode (or with --ip). */
export function namingOf(self: InstanceSelf, distPort: number | undefined): InstanceNaming | undefined {
  if (self.networkMode !== "bridge" && self.networkMode !== "host") return undefined;
  const dynamic = self.published !== undefined && self.published.hostPort !== self.published.containerPort;
  return { networkMode: self.networkMode, distPort: self.published?.containerPort ?? distPort, dynamic };
}

/** `arn:aws:ecs:<region>:<account>:container-instance/<cluster>/<id>`: the cluster part, when the ARN has one. */
const clusterOf = (arn: string) => /:container-instance\/([^/]+)\/[^/]+$/.exec(arn)?.[1];

export async function instancePeers(aws: Aws, tasks: EcsTask[], cluster: string, self: InstanceSelf & { taskArn?: string }, naming: InstanceNaming, given: string): Promise<InstanceTasks> {
  const basename = groupBasename(given, self, naming);
  const arns = containerInstancesOf(tasks, self.taskArn, naming, MAX_INSTANCES);
  const byCluster = new Map<string, string[]>();
  for (const arn of arns) {
    const c = clusterOf(arn) ?? cluster;
    byCluster.set(c, [...(byCluster.get(c) ?? []), arn]);
  }
  const ips = new Map<string, string>();
  if (arns.length) {
    const { instanceAddresses } = loadChunk<typeof import("./instances.ts")>("peers-ec2");
    const lookup = { ecs: aws.ecs, region: aws.region, env: aws.env, log: aws.log, call: <T>(action: string, send: (s: AbortSignal) => Promise<T>) => call(aws, action, send) };
    for (const [c, list] of byCluster) for (const [arn, ip] of await instanceAddresses(lookup, c, list)) ips.set(arn, ip);
  }
  const published = self.published?.hostPort;
  const node = self.ip ? memberName(basename, self.ip, published, naming) : undefined;
    return instanceMembers(tasks, { taskArn: self.taskArn, node }, (arn) => ips.get(arn), naming, basename, (msg, fields) => aws.log.debug(msg, fields));
}

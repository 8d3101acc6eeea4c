// Host and bridge mode (SPEC 4.9): the container instances' private IPs, in two calls at most whatever the fleet:
// one DescribeContainerInstances (ARN → EC2 instance id) and one EC2 DescribeInstances (id → address).
// Loaded (a chunk of its own) only by a boot in those modes: awsvpc and metadata-only runs never compile it.
import { DescribeContainerInstancesCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { canonicalIp } from "../boot/address.ts";
import type { Logger } from "../log.ts";
import { describeInstances, ec2Endpoint, type Signing } from "./ec2-query.ts";

/** DescribeContainerInstances takes at most 100 ARNs: more instances are left out by the caller. */
export const MAX_INSTANCES = 100;

export interface InstanceLookup {
  ecs: ECSClient;
  /** The peer step's retrying call (aws.ts): throttling waits with jitter until the deadline. */
  call: <T>(action: string, send: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  region: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

/** Container instance ARN → the instance's private IPv4, for the ARNs of one cluster (at most MAX_INSTANCES). */
export async function instanceAddresses(lookup: InstanceLookup, cluster: string, arns: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (arns.length === 0) return out;
  const command = new DescribeContainerInstancesCommand({ cluster, containerInstances: arns.slice(0, MAX_INSTANCES) });
  const described = await lookup.call("ecs:DescribeContainerInstances", (abortSignal) => lookup.ecs.send(command, { abortSignal }));
  for (const f of described.failures ?? []) lookup.log.debug("DescribeContainerInstances failure skipped", { arn: f.arn, reason: f.reason });
  const idOf = new Map<string, string>();
  for (const ci of described.containerInstances ?? []) {
    if (typeof ci.containerInstanceArn === "string" && typeof ci.ec2InstanceId === "string" && /^i-[0-9a-f]{1,40}$/.test(ci.ec2InstanceId)) idOf.set(ci.containerInstanceArn, ci.ec2InstanceId);
  }
  const ids = [...new Set(idOf.values())];
  if (ids.length === 0) return out;
  const config = lookup.ecs.config as unknown as { credentials: Signing["credentials"]; sha256: Signing["sha256"]; requestHandler: Signing["handler"] };
  const signing: Signing = { region: lookup.region, credentials: config.credentials, sha256: config.sha256, handler: config.requestHandler };
  const endpoint = ec2Endpoint(lookup.region, lookup.env);
  const ips = await lookup.call("ec2:DescribeInstances", (signal) => describeInstances(signing, endpoint, ids, signal));
  for (const [arn, id] of idOf) {
    const ip = canonicalIp(ips.get(id) ?? "");
    if (ip?.family === 4) out.set(arn, ip.ip);
    else lookup.log.debug("peers: no private IPv4 address for a container instance", { arn, instance: id });
  }
  return out;
}

// Tasks in the wire shape of DescribeTasks (field names from the @aws-sdk/client-ecs models).
import { createHash } from "node:crypto";

export interface KeyValuePair {
  name: string;
  value: string;
}

export interface Attachment {
  id: string;
  type: string;
  status: string;
  details: KeyValuePair[];
}

export interface NetworkInterface {
  attachmentId?: string;
  privateIpv4Address?: string;
  ipv6Address?: string;
}

/** A published port (host and bridge mode). */
export interface NetworkBinding {
  bindIP: string;
  containerPort: number;
  hostPort: number;
  protocol: "tcp" | "udp";
}

export interface Container {
  containerArn: string;
  taskArn: string;
  name: string;
  image: string;
  lastStatus: string;
  networkInterfaces?: NetworkInterface[];
  networkBindings?: NetworkBinding[];
}

/** An EC2 container instance: tasks in host and bridge mode run on one, reached at its private IP. */
export interface FakeInstance {
  /** arn:aws:ecs:<region>:<account>:container-instance/<cluster>/<id> */
  containerInstanceArn: string;
  ec2InstanceId: string;
  privateIpAddress: string;
}

export interface FakeTask {
  /** arn:aws:ecs:<region>:<account>:task/<cluster>/<id> */
  taskArn: string;
  cluster: string;
  family: string;
  /** Task definition revision (default 1). */
  revision?: number;
  service?: string;
  /** ecs-svc/<deployment id> for a service's task. */
  startedBy?: string;
  lastStatus: string;
  desiredStatus: string;
  launchType?: string;
  tags?: Record<string, string>;
  attachments?: Attachment[];
  containers?: Container[];
  /** Host and bridge mode: the container instance the task runs on (no ENI attachment then). */
  instance?: FakeInstance;
}

/** Region, account, cluster and id from a task ARN (new format with the cluster name). */
export function parseTaskArn(arn: string): { region: string; account: string; cluster: string; id: string } | undefined {
  const m = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):task\/([A-Za-z0-9_-]+)\/([A-Za-z0-9]+)$/.exec(arn);
  return m ? { region: m[1], account: m[2], cluster: m[3], id: m[4] } : undefined;
}

/** The container instance at `ip` in a cluster: the same ARN and instance id for every task that names that IP. */
export function instanceAt(region: string, account: string, cluster: string, ip: string): FakeInstance {
  const hash = createHash("sha256").update(`${cluster}/${ip}`).digest("hex");
  return { containerInstanceArn: `arn:aws:ecs:${region}:${account}:container-instance/${cluster}/${hash.slice(0, 32)}`, ec2InstanceId: `i-${hash.slice(32, 49)}`, privateIpAddress: ip };
}

/** The distinct container instances of the tasks. */
export function instancesOf(tasks: FakeTask[]): FakeInstance[] {
  return [...new Map(tasks.filter((t) => t.instance).map((t) => [t.instance!.containerInstanceArn, t.instance!])).values()];
}

// Tasks in the wire shape of DescribeTasks (field names from the @aws-sdk/client-ecs models).

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

export interface Container {
  containerArn: string;
  taskArn: string;
  name: string;
  image: string;
  lastStatus: string;
  networkInterfaces?: NetworkInterface[];
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
}

/** Region, account, cluster and id from a task ARN (new format with the cluster name). */
export function parseTaskArn(arn: string): { region: string; account: string; cluster: string; id: string } | undefined {
  const m = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):task\/([A-Za-z0-9_-]+)\/([A-Za-z0-9]+)$/.exec(arn);
  return m ? { region: m[1], account: m[2], cluster: m[3], id: m[4] } : undefined;
}

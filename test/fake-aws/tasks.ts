// Many distinct fake tasks for tests, in the wire shape the fake AWS API serves.
import type { FakeTask, KeyValuePair } from "../../src/fake-metadata/aws/tasks.ts";

export { parseTaskArn, type FakeTask } from "../../src/fake-metadata/aws/tasks.ts";

export interface MakeTasksOptions {
  cluster: string;
  family: string;
  revision?: number;
  service?: string;
  startedBy?: string;
  tags?: Record<string, string>;
  region?: string;
  account?: string;
  ipv6?: boolean;
  sidecar?: boolean;
  /** Where the addresses appear: the ENI attachment, the containers' networkInterfaces, or both (Fargate awsvpc). */
  addresses?: "both" | "eni" | "containers";
  lastStatus?: string;
  desiredStatus?: string;
}

// Process-wide counter so tasks from several makeTasks calls never share an id or an address.
let serial = 0;

/** n distinct RUNNING tasks with private IPs 10.1.x.y (and fd00::1:x:y with ipv6). */
export function makeTasks(n: number, o: MakeTasksOptions): FakeTask[] {
  const out: FakeTask[] = [];
  for (let i = 0; i < n; i++) out.push(makeTask(++serial, o));
  return out;
}

function makeTask(k: number, o: MakeTasksOptions): FakeTask {
  const region = o.region ?? "us-east-1";
  const account = o.account ?? "123456789012";
  const id = k.toString(16).padStart(32, "0");
  const taskArn = `arn:aws:ecs:${region}:${account}:task/${o.cluster}/${id}`;
  const ipv4 = `10.1.${(k >> 8) & 255}.${k & 255}`;
  const ipv6 = o.ipv6 ? `fd00::1:${(k >> 16).toString(16)}:${(k & 0xffff).toString(16)}` : undefined;
  const attachmentId = `${id.slice(0, 8)}-0000-4000-8000-${id.slice(20)}`;
  const where = o.addresses ?? "both";
  const details: KeyValuePair[] = [
    { name: "subnetId", value: "subnet-0fa1e00000000000" },
    { name: "networkInterfaceId", value: `eni-${id.slice(15)}` },
    { name: "macAddress", value: `0e:00:00:00:${hex2(k >> 8)}:${hex2(k)}` },
    { name: "privateDnsName", value: `ip-${ipv4.replaceAll(".", "-")}.ec2.internal` },
    { name: "privateIPv4Address", value: ipv4 },
  ];
  if (ipv6) details.push({ name: "ipv6Address", value: ipv6 });
  const names = o.sidecar ? [o.family, "sidecar"] : [o.family];
  const containers = names.map((name, j) => ({
    containerArn: `arn:aws:ecs:${region}:${account}:container/${o.cluster}/${id}/${id.slice(0, 8)}-c${j}`,
    taskArn,
    name,
    image: `${account}.dkr.ecr.${region}.amazonaws.com/${name}:latest`,
    lastStatus: o.lastStatus ?? "RUNNING",
    ...(where === "eni" ? {} : { networkInterfaces: [{ attachmentId, privateIpv4Address: ipv4, ...(ipv6 ? { ipv6Address: ipv6 } : {}) }] }),
  }));
  return {
    taskArn,
    cluster: o.cluster,
    family: o.family,
    ...(o.revision ? { revision: o.revision } : {}),
    ...(o.service ? { service: o.service } : {}),
    ...(o.startedBy ? { startedBy: o.startedBy } : {}),
    lastStatus: o.lastStatus ?? "RUNNING",
    desiredStatus: o.desiredStatus ?? "RUNNING",
    launchType: "FARGATE",
    ...(o.tags ? { tags: { ...o.tags } } : {}),
    attachments: where === "containers" ? [] : [{ id: attachmentId, type: "ElasticNetworkInterface", status: "ATTACHED", details }],
    containers,
  };
}

function hex2(n: number): string {
  return (n & 255).toString(16).padStart(2, "0");
}

/** The addresses a task carries (ENI first, then container interfaces), without duplicates. */
export function taskIps(task: FakeTask): string[] {
  const ips = new Set<string>();
  for (const a of task.attachments ?? []) {
    for (const d of a.details) if (d.name === "privateIPv4Address" || d.name === "ipv6Address") ips.add(d.value);
  }
  for (const c of task.containers ?? []) {
    for (const ni of c.networkInterfaces ?? []) {
      if (ni.privateIpv4Address) ips.add(ni.privateIpv4Address);
      if (ni.ipv6Address) ips.add(ni.ipv6Address);
    }
  }
  return [...ips];
}


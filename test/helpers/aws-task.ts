// One fake ECS task for black-box peer tests: a fake AWS API that verifies SigV4, a container-credentials
// endpoint, and a metadata endpoint that names one of the fake's tasks as "us".
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCredentialsEndpoint, type CredentialsEndpoint, type CredentialsOptions } from "../fake-aws/credentials.ts";
import { startFakeAws, taskIps, type FakeAws, type FakeAwsOptions, type FakeTask } from "../fake-aws/server.ts";
import { json, startServer, type LoopbackServer } from "./http-server.ts";

export interface AwsTask {
  aws: FakeAws;
  creds: CredentialsEndpoint;
  metadata: LoopbackServer;
  self: FakeTask;
  selfIp: string;
  /** Environment of the entrypoint in this task. */
  env: Record<string, string>;
  /** Every secret a log line must never contain. */
  secrets: string[];
  close(): Promise<void>;
}

/** Host or bridge mode: our container document says so, and the instance's metadata file gives its address. */
export interface OnInstance {
  networkMode: "bridge" | "host";
  /** Bridge mode: the container document's Ports entry of the distribution port. */
  ports?: { containerPort: number; hostPort: number };
}

/** Our container document, and in host and bridge mode the container metadata file (a temporary directory). */
function ourContainer(self: FakeTask, ipv6Only: boolean, onInstance?: OnInstance) {
  if (!onInstance) {
    const selfIp = taskIps(self).find((ip) => ip.includes(":") === ipv6Only)!;
    return { selfIp, doc: { DockerId: "c1", Networks: [{ NetworkMode: "awsvpc", [ipv6Only ? "IPv6Addresses" : "IPv4Addresses"]: [selfIp] }] }, env: {} as Record<string, string>, remove: () => {} };
  }
  const selfIp = self.instance!.privateIpAddress;
  const bridge = onInstance.networkMode === "bridge";
  const ports = onInstance.ports ? { Ports: [{ ContainerPort: onInstance.ports.containerPort, Protocol: "tcp", HostPort: onInstance.ports.hostPort, HostIp: "0.0.0.0" }] } : {};
  const doc = { DockerId: "c1", ...ports, Networks: [{ NetworkMode: onInstance.networkMode, ...(bridge ? { IPv4Addresses: ["172.17.0.2"] } : {}) }] };
  const dir = mkdtempSync(join(tmpdir(), "ep-instance-"));
  const file = join(dir, "ecs-container-metadata.json");
  writeFileSync(file, JSON.stringify({ Cluster: self.cluster, TaskARN: self.taskArn, MetadataFileStatus: "READY", HostPrivateIPv4Address: selfIp }));
  return { selfIp, doc, env: { ECS_CONTAINER_METADATA_FILE: file }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The first task is us; with `ipv6` our metadata shows only its IPv6 address; `onInstance`: host or bridge mode. */
export async function startAwsTask(tasks: FakeTask[], options: FakeAwsOptions = {}, ipv6Only = false, credentials: CredentialsOptions = {}, onInstance?: OnInstance): Promise<AwsTask> {
  const self = tasks[0]!;
  const creds = await startCredentialsEndpoint(credentials);
  const aws = await startFakeAws({ tasks, credentials: [creds], ...options });
  const ours = ourContainer(self, ipv6Only, onInstance);
  const selfIp = ours.selfIp;
  const metadata = await startServer((req, res) => {
    if (req.url === "/v4/c1/task") json(res, 200, { Cluster: `arn:aws:ecs:us-east-1:123456789012:cluster/${self.cluster}`, TaskARN: self.taskArn, Family: self.family, Revision: String(self.revision ?? 1) });
    else json(res, 200, ours.doc);
  });
  return {
    aws,
    creds,
    metadata,
    self,
    selfIp,
    env: {
      ECS_CONTAINER_METADATA_URI_V4: `${metadata.url}/v4/c1`,
      AWS_ENDPOINT_URL: aws.url,
      ...creds.env,
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
      AWS_EC2_METADATA_DISABLED: "true",
      ...ours.env,
    },
    secrets: [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken, creds.authorizationToken],
    close: async () => {
      await Promise.all([aws.close(), creds.close(), metadata.close()]);
      ours.remove();
    },
  };
}

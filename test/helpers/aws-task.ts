// One fake ECS task for black-box peer tests: a fake AWS API that verifies SigV4, a container-credentials
// endpoint, and a metadata endpoint that names one of the fake's tasks as "us".
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

/** The first task is us; with `ipv6` our metadata shows only its IPv6 address. */
export async function startAwsTask(tasks: FakeTask[], options: FakeAwsOptions = {}, ipv6Only = false, credentials: CredentialsOptions = {}): Promise<AwsTask> {
  const self = tasks[0]!;
  const creds = await startCredentialsEndpoint(credentials);
  const aws = await startFakeAws({ tasks, credentials: [creds], ...options });
  const selfIp = taskIps(self).find((ip) => ip.includes(":") === ipv6Only)!;
  const network = { NetworkMode: "awsvpc", [ipv6Only ? "IPv6Addresses" : "IPv4Addresses"]: [selfIp] };
  const metadata = await startServer((req, res) => {
    if (req.url === "/v4/c1/task") json(res, 200, { Cluster: `arn:aws:ecs:us-east-1:123456789012:cluster/${self.cluster}`, TaskARN: self.taskArn, Family: self.family, Revision: String(self.revision ?? 1) });
    else json(res, 200, { DockerId: "c1", Networks: [network] });
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
    },
    secrets: [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken, creds.authorizationToken],
    close: async () => {
      await Promise.all([aws.close(), creds.close(), metadata.close()]);
    },
  };
}

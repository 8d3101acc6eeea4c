// One fake ECS/EC2 for tasks on EC2 instances (bridge and host mode): it listens on the VPC hub, each
// task's metadata URI names its mode, instance and host port (`/v4/<id>;mode=bridge;instance=…`), each
// task signs with its own credentials (so the fake counts AWS calls per task, also behind one NAT), and
// the ECS agent's container metadata file gives the instance's address where the scenario wants it.
import * as assert from "uvu/assert";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Net } from "./netns.ts";
import { runToEnd } from "./procs.ts";
import { FAKE_PORT, startSharedFake } from "./scenario.ts";
import { cleanEnv } from "./task.ts";

export interface Placed {
  /** The task's own address (its container's bridge address, or its instance's): its credentials are issued for it. */
  id: string;
  mode: "bridge" | "host";
  instanceIp: string;
  containerPort: number;
  /** bridge mode: the port the container's distribution port is published on. */
  hostPort?: number;
  /** Write the agent's container metadata file (READY, the instance's address) and point the task at it. */
  metadataFile?: boolean;
}

export interface Ec2Fake {
  /** What ECS gives the task: its metadata URI and credentials, the fake as AWS, the entrypoint's lookup on. */
  envOf(t: Placed): Promise<Record<string, string>>;
  /** AWS calls the fake received, per task: { ListTasks, DescribeTasks, DescribeContainerInstances, DescribeInstances }. */
  awsCalls(): Promise<Record<string, Record<string, number>>>;
  /** Removes the metadata files written. */
  cleanup(): void;
}

/** A request to the fake's test controls, from the hub (the fake's own namespace). */
export async function fakeControl(net: Net, method: string, path: string): Promise<string> {
  const r = await runToEnd("fake control", "ip", ["netns", "exec", net.hub, "curl", "-sSf", "-X", method, `http://${net.hubIp}:${FAKE_PORT}${path}`], cleanEnv(), 5000);
  assert.is(r.code, 0, `curl ${method} ${path}: ${r.code ?? r.signal} ${r.output}`);
  return r.output;
}

export async function startEc2Fake(net: Net): Promise<Ec2Fake> {
  // Tasks never expire in the test: after exec a release does not ask for metadata again.
  const { uri } = await startSharedFake(net, ["--expire", "3600000"]);
  const origin = new URL(uri).origin;
  const files: string[] = [];
  return {
    async envOf(t) {
      const ports = t.mode === "bridge" ? `;host-port=${t.hostPort}` : "";
      // The SDK fetches container credentials over http from loopback only: the task gets the fake's keys for it directly.
      const keys = JSON.parse(await fakeControl(net, "GET", `/fake/credentials/${t.id}`)) as Record<string, string>;
      const env: Record<string, string> = {
        ECS_CONTAINER_METADATA_URI_V4: `${origin}/v4/${t.id};mode=${t.mode};instance=${t.instanceIp};container-port=${t.containerPort}${ports}`,
        AWS_ENDPOINT_URL: origin,
        AWS_ACCESS_KEY_ID: keys.AccessKeyId!,
        AWS_SECRET_ACCESS_KEY: keys.SecretAccessKey!,
        AWS_SESSION_TOKEN: keys.Token!,
        AWS_REGION: "us-east-1",
        // No IMDS in the test: the address comes from the metadata file, or in host mode from the route.
        AWS_EC2_METADATA_DISABLED: "true",
        ENTRYPOINT_PEERS: "family",
      };
      if (t.metadataFile) {
        const file = join(tmpdir(), `e2e-ec2-${process.pid}-${t.id}.json`);
        writeFileSync(file, JSON.stringify({ MetadataFileStatus: "READY", HostPrivateIPv4Address: t.instanceIp }));
        files.push(file);
        env.ECS_CONTAINER_METADATA_FILE = file;
      }
      return env;
    },
    async awsCalls() {
      return JSON.parse(await fakeControl(net, "GET", "/fake/aws-calls"));
    },
    cleanup() {
      for (const f of files) rmSync(f, { force: true });
    },
  };
}

/** Each task's boot cost one ListTasks and at most one of each Describe call: nothing more, nothing from elsewhere. */
export function assertOneLookupEach(calls: Record<string, Record<string, number>>, ids: string[]): void {
  for (const id of ids) {
    const c = calls[id] ?? {};
    const most = ["DescribeTasks", "DescribeContainerInstances", "DescribeInstances"].every((api) => (c[api] ?? 0) <= 1);
    assert.ok(c.ListTasks === 1 && most, `${id}: one boot made ${JSON.stringify(c)}`);
  }
  assert.equal(Object.keys(calls).sort(), [...ids].sort(), "callers of the AWS API");
}

/** `ListTasks 1, DescribeTasks 1, …` per task, for the printed figures. */
export const callsText = (calls: Record<string, Record<string, number>>, ids: string[]) =>
  ids.map((id) => `${id}: ${Object.entries(calls[id] ?? {}).map(([api, n]) => `${api} ${n}`).join(", ")}`).join("; ");

// One `entrypoint fake-metadata` serves a whole EC2 cluster: each task's metadata URI says its network mode,
// instance and host port (`/v4/<id>;mode=bridge;instance=…;host-port=…`), and the fake's API answers
// DescribeTasks, DescribeContainerInstances and EC2 DescribeInstances for them, so peers are found as on EC2.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startFakeMetadata, type RunningFake } from "../helpers/fake-metadata.ts";
import { runEntrypoint } from "../helpers/run.ts";

let fake: RunningFake | undefined;
const dir = mkdtempSync(join(tmpdir(), "ep-fake-ec2-"));
test.after.each(async () => {
  await fake?.stop();
  fake = undefined;
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Placed {
  instance: string;
  hostPort?: number;
  mode?: "bridge" | "host";
}

const uriOf = (t: Placed) => `${fake!.origin}/v4/c;mode=${t.mode ?? "bridge"};instance=${t.instance}${t.hostPort ? `;host-port=${t.hostPort}` : ""}`;

/** `entrypoint peers` in the task at `t`: its own metadata file gives its instance's address, as the ECS agent's would. */
async function peersOf(t: Placed, args: string[] = []) {
  const file = join(dir, `${t.instance}-${t.hostPort ?? 0}.json`);
  writeFileSync(file, JSON.stringify({ MetadataFileStatus: "READY", HostPrivateIPv4Address: t.instance }));
  const r = await runEntrypoint(["peers", "--app", "shop", "--peers", "family", "--dist-port", "9100", "--format", "json", ...args], {
    env: {
      ECS_CONTAINER_METADATA_URI_V4: uriOf(t),
      ECS_CONTAINER_METADATA_FILE: file,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${fake!.origin}/fake/credentials/${t.instance}`,
      AWS_ENDPOINT_URL: fake!.origin,
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
      AWS_EC2_METADATA_DISABLED: "true",
    },
  });
  return { ...r, peers: r.stdout ? JSON.parse(r.stdout) : undefined };
}

/** A task has booted (asked the fake for its metadata), so the fake's API lists it. */
const boot = (t: Placed): Promise<any> => fetch(`${uriOf(t)}/task`).then((r) => r.json());

test("bridge, static port, three instances: each task finds the two others at their instances' IPs", async () => {
  fake = await startFakeMetadata(["--family", "shop"]);
  const tasks = ["10.3.0.1", "10.3.0.2", "10.3.0.3"].map((instance) => ({ instance }));
  for (const t of tasks) await boot(t);
  const r = await peersOf(tasks[0]!);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.peers, { lookup: "ok", ips: ["10.3.0.2", "10.3.0.3"], nodes: ["shop@10.3.0.2", "shop@10.3.0.3"] });
  const calls = (await fake.control("GET", "/fake/aws-calls")).body["10.3.0.1"];
  assert.equal(calls, { ListTasks: 1, DescribeTasks: 1, DescribeContainerInstances: 1, DescribeInstances: 1 });
});

test("host mode: tasks on the same instance share its address (one node there); the task document says EC2", async () => {
  fake = await startFakeMetadata(["--family", "shop"]);
  const tasks: Placed[] = [{ instance: "10.3.0.1", mode: "host" }, { instance: "10.3.0.2", mode: "host" }, { instance: "10.3.0.4", mode: "host" }];
  const docs = await Promise.all(tasks.map(boot));
  assert.equal(new Set(docs.map((d) => d.TaskARN)).size, 3);
  assert.is(docs[0].LaunchType, "EC2");
  const r = await peersOf(tasks[0]!);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.peers.nodes, ["shop@10.3.0.2", "shop@10.3.0.4"]);
});

test("the fake's API as a task sees it: DescribeTasks with containerInstanceArn and networkBindings per task", async () => {
  fake = await startFakeMetadata(["--family", "shop"]);
  const tasks: Placed[] = [{ instance: "10.3.0.1", hostPort: 32768 }, { instance: "10.3.0.1", hostPort: 32769 }, { instance: "10.3.0.2", hostPort: 32768 }];
  const docs = await Promise.all(tasks.map(boot));
  assert.equal(new Set(docs.map((d) => d.TaskARN)).size, 3, "two tasks on one instance are two tasks");
  const doc: any = await fetch(uriOf(tasks[1]!)).then((r) => r.json());
  assert.equal(doc.Ports, [{ ContainerPort: 9100, Protocol: "tcp", HostPort: 32769, HostIp: "0.0.0.0" }]);
  const bad = await fetch(`${fake.origin}/v4/c;mode=bridge;instance=fd00::1`);
  assert.is(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /task option "instance=fd00::1": expected mode=awsvpc\|bridge\|host, instance=IPV4/);
});

test("a denied task (PUT /fake/deny/<ip>) gets EC2's UnauthorizedOperation from DescribeInstances too", async () => {
  fake = await startFakeMetadata(["--family", "shop"]);
  await boot({ instance: "10.3.0.5" });
  const sign = await fetch(`${fake.origin}/fake/deny/127.0.0.1`, { method: "PUT" });
  assert.is(sign.status, 200);
  const res = await fetch(fake.origin, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=DescribeInstances&Version=2016-11-15" });
  assert.is(res.status, 403);
  assert.match(await res.text(), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>UnauthorizedOperation<\/Code><Message>You are not authorized to perform this operation\. User: .* ec2:DescribeInstances/);
  await fetch(`${fake.origin}/fake/deny/127.0.0.1`, { method: "DELETE" });
  const ok = await fetch(fake.origin, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=DescribeInstances&Version=2016-11-15" });
  assert.match(await ok.text(), /<privateIpAddress>10\.3\.0\.5<\/privateIpAddress>/);
});

test.run();

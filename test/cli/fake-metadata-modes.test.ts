// `entrypoint fake-metadata --network-mode bridge|host` (SPEC 4.6, 4.9): the documents with the ECS
// agent's field names, the container metadata file that turns READY, and IMDSv2 with its tokens.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { startFakeInstance, type FakeInstance } from "../helpers/fake-instance.ts";
import { runEntrypoint, waitFor } from "../helpers/run.ts";

let fake: FakeInstance | undefined;
test.after.each(async () => {
  await fake?.stop();
  fake = undefined;
});

function call(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject).end();
  });
}
const readFile = () => JSON.parse(readFileSync(fake!.vars.ECS_CONTAINER_METADATA_FILE!, "utf8"));

test("bridge: Ports with the published port and the Docker-bridge address in Networks", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--container-port", "9100", "--host-port", "32768"]);
  const doc = JSON.parse((await call(fake.vars.ECS_CONTAINER_METADATA_URI_V4!, "GET")).body);
  assert.equal(doc.Ports, [{ ContainerPort: 9100, Protocol: "tcp", HostPort: 32768, HostIp: "0.0.0.0" }]);
  assert.equal(doc.Networks[0].NetworkMode, "bridge");
  assert.equal(doc.Networks[0].IPv4Addresses, ["172.17.0.2"]);
});

test("the metadata file: NOT_READY first, READY after the delay with the instance's address; removed at exit", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge", "--instance-ip", "10.0.1.43", "--host-port", "9100", "--metadata-file-delay", "300"]);
  const early = readFile();
  assert.is(early.MetadataFileStatus, "NOT_READY");
  assert.not.ok("HostPrivateIPv4Address" in early);
  await waitFor(() => readFile().MetadataFileStatus === "READY", 5000, "READY");
  const doc = readFile();
  assert.is(doc.HostPrivateIPv4Address, "10.0.1.43");
  assert.equal(doc.PortMappings, [{ ContainerPort: 9100, HostPort: 9100, BindIp: "0.0.0.0", Protocol: "tcp" }]);
  assert.equal(doc.Networks, [{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.2"] }]);
  const path = fake.vars.ECS_CONTAINER_METADATA_FILE!;
  await fake.stop();
  fake = undefined;
  assert.not.ok(existsSync(path), "the file goes with the fake");
});

test("IMDSv2: a token first; none or a wrong one is 401; the TTL header is required", async () => {
  fake = await startFakeInstance(["--network-mode", "host", "--instance-ip", "10.0.1.44"]);
  const base = fake.vars.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
  assert.is((await call(`${base}/latest/meta-data/local-ipv4`, "GET")).status, 401);
  assert.is((await call(`${base}/latest/api/token`, "PUT")).status, 400);
  assert.is((await call(`${base}/latest/api/token`, "GET")).status, 405);
  const token = await call(`${base}/latest/api/token`, "PUT", { "X-aws-ec2-metadata-token-ttl-seconds": "60" });
  assert.is(token.status, 200);
  assert.is((await call(`${base}/latest/meta-data/local-ipv4`, "GET", { "X-aws-ec2-metadata-token": `${token.body}x` })).status, 401);
  assert.equal(await call(`${base}/latest/meta-data/local-ipv4`, "GET", { "X-aws-ec2-metadata-token": token.body }), { status: 200, body: "10.0.1.44" });
});

test("IMDSv2 without --instance-ip answers the caller's own address", async () => {
  fake = await startFakeInstance(["--network-mode", "bridge"]);
  const base = fake.vars.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
  const token = await call(`${base}/latest/api/token`, "PUT", { "X-aws-ec2-metadata-token-ttl-seconds": "60" });
  assert.is((await call(`${base}/latest/meta-data/local-ipv4`, "GET", { "X-aws-ec2-metadata-token": token.body })).body, "127.0.0.1");
});

const refused: [string[], RegExp][] = [
  [["--instance-ip", "fd00::1"], /--instance-ip: expected the instance's private IPv4 address, got "fd00::1"/],
  [["--host-port", "0"], /--host-port: expected a port 1-65535, got "0"/],
  [["--metadata-file-delay", "soon"], /--metadata-file-delay: expected milliseconds or never, got "soon"/],
];
for (const [args, message] of refused) {
  test(`fake-metadata ${args.join(" ")}: exit 78`, async () => {
    const r = await runEntrypoint(["fake-metadata", "--network-mode", "bridge", ...args]);
    assert.is(r.code, 78);
    assert.match(r.stderr, message);
  });
}

test.run();

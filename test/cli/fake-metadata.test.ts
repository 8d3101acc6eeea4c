// "entrypoint fake-metadata": the local stand-in for the ECS task metadata endpoint.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { get } from "node:http";
import { startFakeInstance } from "../helpers/fake-instance.ts";
import { startFakeMetadata, type RunningFake } from "../helpers/fake-metadata.ts";
import { FIXTURES, runEntrypoint, waitFor } from "../helpers/run.ts";

let fake: RunningFake | undefined;
test.after.each(async () => {
  await fake?.stop();
  fake = undefined;
});

/** GET from a chosen loopback source address, as one container of a compose network would. */
function fetchJson(url: string, localAddress = "127.0.0.1"): Promise<any> {
  return new Promise((resolve, reject) => {
    get(url, { localAddress }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve(JSON.parse(body)));
    }).on("error", reject);
  });
}

test("prints the URI first, on loopback; serves the container and task documents with ECS field names", async () => {
  fake = await startFakeMetadata(["--ip", "10.0.0.7", "--cluster", "prod", "--family", "shop"]);
  assert.match(fake.uri, /^http:\/\/127\.0\.0\.1:\d+\/v4\/[\w-]+$/);
  const container = await fetchJson(fake.uri);
  assert.equal(container.Networks[0].IPv4Addresses, ["10.0.0.7"]);
  assert.is(container.Networks[0].NetworkMode, "awsvpc");
  assert.not.ok("IPv6Addresses" in container.Networks[0], "empty lists are left out");
  assert.is(container.Labels["com.amazonaws.ecs.cluster"], "prod");
  const task = await fetchJson(`${fake.uri}/task`);
  assert.match(task.Cluster, /:cluster\/prod$/);
  assert.match(task.TaskARN, /^arn:aws:ecs:us-east-1:\d{12}:task\/prod\/[0-9a-f]{32}$/);
  assert.is(task.Family, "shop");
  assert.is(task.Containers[0].Labels["com.amazonaws.ecs.task-arn"], task.TaskARN);
});

test("--ip auto: each caller gets its own source address and its own task", async () => {
  fake = await startFakeMetadata(["--ip", "auto"]);
  const a = await fetchJson(`${fake.uri}/task`, "127.0.0.2");
  const b = await fetchJson(`${fake.uri}/task`, "127.0.0.3");
  assert.equal(a.Containers[0].Networks[0].IPv4Addresses, ["127.0.0.2"]);
  assert.equal(b.Containers[0].Networks[0].IPv4Addresses, ["127.0.0.3"]);
  assert.is.not(a.TaskARN, b.TaskARN);
  assert.is((await fetchJson(`${fake.uri}/task`, "127.0.0.2")).TaskARN, a.TaskARN, "stable per caller");
});

const LOCAL_AWS = { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", AWS_REGION: "us-east-1" };
const PEERS = ["sh", "-c", 'echo "$RELEASE_NODE $ECS_PEER_NODES"'];

/** The peer step of the task at `ip`, as one host running several tasks names them: /v4/<ip>. */
function bootAs(ip: string, extra: string[] = []) {
  const base = fake!.uri.replace(/\/v4\/.*$/, "");
  return runEntrypoint(["--app", "shop", "--peers", "family", "--quiet", ...extra, ...PEERS], { env: { ECS_CONTAINER_METADATA_URI_V4: `${base}/v4/${ip}`, AWS_ENDPOINT_URL: base, ...LOCAL_AWS } });
}

test("three callers from 127.0.0.2/3/4 are three tasks; each one's peer step finds the other two", async () => {
  fake = await startFakeMetadata(["--family", "shop"]);
  for (const source of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) {
    assert.equal((await fetchJson(fake.uri, source)).Networks[0].IPv4Addresses, [source]);
  }
  for (const [self, others] of [["127.0.0.2", "shop@127.0.0.3,shop@127.0.0.4"], ["127.0.0.3", "shop@127.0.0.2,shop@127.0.0.4"], ["127.0.0.4", "shop@127.0.0.2,shop@127.0.0.3"]]) {
    const r = await bootAs(self!);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, `shop@${self} ${others}\n`);
  }
});

test("tags and service strategies against the fake", async () => {
  fake = await startFakeMetadata(["--family", "shop", "--service", "web", "--tag", "app=shop"]);
  await fetchJson(fake.uri, "127.0.0.2");
  const tags = await bootAs("127.0.0.3", ["--peers", "tags", "--peers-query", '{"params":{"TagFilters":[{"Key":"app","Values":["shop"]}]}}']);
  assert.is(tags.stdout, "shop@127.0.0.3 shop@127.0.0.2\n", tags.stderr);
  const service = await bootAs("127.0.0.3", ["--peers", "service:web"]);
  assert.is(service.stdout, "shop@127.0.0.3 shop@127.0.0.2\n", service.stderr);
});

test("a task that stops asking for metadata drops out after the expiry", async () => {
  fake = await startFakeMetadata(["--family", "shop", "--expire", "2000"]);
  await fetchJson(fake.uri, "127.0.0.2");
  await fetchJson(fake.uri, "127.0.0.3");
  await new Promise((r) => setTimeout(r, 1200));
  await fetchJson(fake.uri, "127.0.0.3");
  await new Promise((r) => setTimeout(r, 1200));
  const r = await bootAs("127.0.0.4");
  assert.is(r.stdout, "shop@127.0.0.4 shop@127.0.0.3\n", r.stderr);
});

test("requests of the wrong protocol get AWS-shaped errors", async () => {
  fake = await startFakeMetadata([]);
  const base = fake.uri.replace(/\/v4\/.*$/, "");
  const post = async (target: string, body: string) => {
    const res = await fetch(base, { method: "POST", headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.1" }, body });
    return { status: res.status, body: (await res.json()) as { __type: string; message: string } };
  };
  const unknown = await post("AmazonEC2ContainerServiceV20141113.RunTask", "{}");
  assert.is(unknown.status, 400);
  assert.is(unknown.body.__type, "UnknownOperationException");
  const garbage = await post("AmazonEC2ContainerServiceV20141113.ListTasks", "not json");
  assert.equal([garbage.status, garbage.body.__type], [400, "SerializationException"]);
  const tooMany = await post("AmazonEC2ContainerServiceV20141113.DescribeTasks", JSON.stringify({ cluster: "local", tasks: Array.from({ length: 101 }, (_, i) => `t${i}`) }));
  assert.equal([tooMany.status, tooMany.body.__type, tooMany.body.message], [400, "InvalidParameterException", "Tasks cannot be longer than 100."]);
});

test("binds loopback unless --host asks otherwise, and then says so", async () => {
  fake = await startFakeMetadata([]);
  assert.match(fake.uri, /^http:\/\/127\.0\.0\.1:/);
  assert.not.match(fake.stderr(), "not on loopback");
  await fake.stop();
  fake = await startFakeMetadata(["--host", "0.0.0.0"]);
  await waitFor(() => fake!.stderr().includes("ready"), 3000, "ready line");
  assert.match(fake.stderr(), "entrypoint: warning: listening on 0.0.0.0 as asked (--host), not on loopback");
});

test("--host 0.0.0.0: the printed URI is one a client can use, and the log says which host name others use", async () => {
  fake = await startFakeMetadata(["--host", "0.0.0.0"]);
  assert.match(fake.uri, /^http:\/\/127\.0\.0\.1:(\d+)\/v4\/fake-container$/);
  assert.ok((await fetchJson(fake.uri)).Networks, "the URI answers");
  const port = new URL(fake.uri).port;
  await waitFor(() => fake!.stderr().includes("ready"), 3000, "ready line");
  assert.match(fake.stderr(), `other hosts and containers use this host's name or address instead of 127.0.0.1, e.g. the compose service name: http://<service>:${port}/v4/fake-container`);
});

test("the entrypoint boots against it: IPv6 task", async () => {
  fake = await startFakeMetadata(["--ip", "fd00:0:0:0:0:0:0:9"]);
  const r = await runEntrypoint(["--app", "shop", `${FIXTURES}/show-env`, "RELEASE_NODE", "ELIXIR_ERL_OPTIONS"], { env: { ECS_CONTAINER_METADATA_URI_V4: fake.uri } });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "RELEASE_NODE=shop@fd00::9\nELIXIR_ERL_OPTIONS=-proto_dist inet6_tcp\n");
});

test("--network-mode host: no address in the document; the printed metadata file gives the instance's", async () => {
  fake = await startFakeMetadata(["--network-mode", "host"]);
  assert.equal((await fetchJson(fake.uri)).Networks, [{ NetworkMode: "host" }]);
  await fake.stop();
  const instance = await startFakeInstance(["--network-mode", "host", "--instance-ip", "10.0.1.9", "--metadata-file-delay", "0"]);
  try {
    const r = await runEntrypoint(["--app", "shop", "--dist-port", "9100", `${FIXTURES}/show-env`, "RELEASE_NODE"], { env: instance.vars });
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "RELEASE_NODE=shop@10.0.1.9\n");
  } finally {
    await instance.stop();
  }
});

test("bad flags are refused with exit 78 / 64", async () => {
  const bad = await runEntrypoint(["fake-metadata", "--ip", "nope"]);
  assert.is(bad.code, 78);
  assert.match(bad.stderr, '--ip: expected an IP address or auto, got "nope"');
  const unknown = await runEntrypoint(["fake-metadata", "--format", "json"]);
  assert.is(unknown.code, 64);
});

test("SIGTERM stops it with exit 0", async () => {
  const f = await startFakeMetadata([]);
  assert.is(await f.stop(), 0);
});

test.run();

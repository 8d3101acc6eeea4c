// `entrypoint fake-metadata` against malformed, huge, numerous and slow requests: it answers each
// with an error or drops it, survives, and its memory stays bounded (SPEC 4.6). Loopback only.
import { readFileSync } from "node:fs";
import { Agent, get, request } from "node:http";
import { connect, type Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startFakeMetadata, type RunningFake } from "../helpers/fake-metadata.ts";
import { waitFor } from "../helpers/run.ts";

let fake: RunningFake | undefined;
test.after.each(async () => {
  await fake?.stop();
  fake = undefined;
});

const base = () => fake!.uri.replace(/\/v4\/.*$/, "");
const port = () => Number(new URL(fake!.uri).port);

function getStatus(url: string, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent, timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url}`))).on("error", reject);
  });
}

/** The fake still runs and serves metadata. */
async function assertAlive(): Promise<void> {
  assert.is(fake!.child.exitCode, null, `it exited: ${fake!.stderr()}`);
  const r = await getStatus(fake!.uri);
  assert.is(r.status, 200);
  assert.ok(JSON.parse(r.body).Networks, "a container document");
}

/** Peak resident memory of the fake, in MiB (Linux). */
const peakMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${fake!.child.pid}/status`, "utf8"))![1]) / 1024;

function api(target: string, body: unknown): Promise<any> {
  return fetch(base(), { method: "POST", headers: { "x-amz-target": `AmazonEC2ContainerServiceV20141113.${target}`, "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify(body) }).then((r) => r.json());
}

test("malformed percent-encoding in the path: 400, and it keeps serving", async () => {
  fake = await startFakeMetadata([]);
  for (const path of ["/v4/%ZZ", "/v4/%E0%A4%A/task", "/v4/%"]) assert.is((await getStatus(`${base()}${path}`)).status, 400, path);
  await assertAlive();
});

/** POSTs `total` bytes in chunks (no content-length) until the fake answers or hangs up. */
function streamPost(total: number): Promise<{ status?: number; sent: number; error?: string }> {
  return new Promise((resolve) => {
    let sent = 0;
    let status: number | undefined;
    let error: string | undefined;
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const req = request(base(), { method: "POST", headers: { "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListTasks" } });
    const done = () => (req.destroy(), resolve({ status, sent, error }));
    req.on("response", (res) => ((status = res.statusCode), res.resume(), done()));
    req.on("error", (err: NodeJS.ErrnoException) => ((error = err.code ?? err.message), done()));
    const pump = () => {
      while (sent < total && status === undefined && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

test("a 200 MB POST: 413 once the body passes 1 MiB, memory stays bounded, it keeps serving", async () => {
  fake = await startFakeMetadata([]);
  const declared = await new Promise<number | undefined>((resolve) => {
    const req = request(base(), { method: "POST", headers: { "content-length": String(200 * 1024 * 1024) } });
    req.on("response", (res) => (resolve(res.statusCode), req.destroy())).on("error", () => resolve(undefined));
    // Without the cap the fake would wait for the body forever.
    req.setTimeout(10_000, () => (resolve(undefined), req.destroy()));
    req.flushHeaders();
  });
  assert.is(declared, 413, "a declared size past the cap is refused before any body is read");
  const before = peakMiB();
  const streamed = await streamPost(200 * 1024 * 1024);
  assert.is(streamed.status, 413);
  assert.ok(streamed.sent < 100 * 1024 * 1024, `the fake stopped taking the body (${streamed.sent} bytes sent)`);
  assert.ok(peakMiB() - before < 64, `peak memory grew by ${Math.round(peakMiB() - before)} MiB`);
  await assertAlive();
});

test("a client still sending its body reads the 413: the rest is dropped, not left to reset the connection (20 times)", async () => {
  fake = await startFakeMetadata([]);
  for (let i = 0; i < 20; i++) {
    const r = await streamPost(64 * 1024 * 1024);
    assert.equal([r.status, r.error], [413, undefined], `POST ${i + 1}`);
  }
  await assertAlive();
});

test("registrations are bounded: past 1024 tasks the least recently seen one is forgotten", async () => {
  fake = await startFakeMetadata(["--cluster", "local"]);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const first = JSON.parse((await getStatus(`${base()}/v4/10.1.0.1/task`, agent)).body).TaskARN;
  for (let i = 0; i < 1100; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => getStatus(`${base()}/v4/10.2.${(i + j) >> 8}.${(i + j) & 255}`, agent)));
  }
  const last = JSON.parse((await getStatus(`${base()}/v4/10.3.0.1/task`, agent)).body).TaskARN;
  agent.destroy();
  const described = await api("DescribeTasks", { cluster: "local", tasks: [first, last] });
  assert.equal(described.failures, [{ arn: first, reason: "MISSING" }]);
  assert.equal(described.tasks.map((t: { taskArn: string }) => t.taskArn), [last]);
  let listed = 0;
  for (let token: string | undefined, pages = 0; pages === 0 || token; pages++) {
    const page = await api("ListTasks", { cluster: "local", family: "local-app", ...(token ? { nextToken: token } : {}) });
    listed += page.taskArns.length;
    token = page.nextToken;
  }
  assert.is(listed, 1024);
  await assertAlive();
});

test("slow clients: connections past the cap are dropped at once, slow headers and bodies are cut off, then it serves again", async () => {
  fake = await startFakeMetadata([]);
  // Headers complete, body never sent: the request timeout ends it.
  let bodyless = false;
  const slowBody = connect(port(), "127.0.0.1", () => slowBody.write("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{"));
  slowBody.resume().on("error", () => {}).on("close", () => (bodyless = true));
  await waitFor(() => slowBody.readyState === "open", 5000, "the slow-body connection");
  const sockets: Socket[] = [];
  let closed = 0;
  for (let i = 0; i < 300; i++) {
    const s = connect(port(), "127.0.0.1", () => s.write("GET /v4/x HTTP/1.1\r\nHost: a\r\n"));
    // Read what the fake sends (its 408), or the socket never reaches "close".
    s.resume().on("error", () => {});
    s.on("close", () => closed++);
    sockets.push(s);
  }
  await waitFor(() => closed >= 300 - 256, 10_000, "connections past the cap to be dropped");
  assert.ok(300 - closed >= 200, `the others stay open until their header timeout (${closed} closed)`);
  await waitFor(() => closed === 300, 30_000, "the header timeout to close the slow connections");
  await waitFor(() => bodyless, 30_000, "the request timeout to close the slow-body connection");
  await assertAlive();
});

test.run();

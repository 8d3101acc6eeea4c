// The doctor's epmd client against a REAL epmd (its own port on loopback, via ERL_EPMD_PORT, as
// Erlang itself honours it), and against fake servers whose answers are malformed or slow:
// those give a finding, never a crash or a hang.
import { execFileSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { epmdNames } from "../../src/doctor/epmd.ts";
import { runEntrypoint, waitFor } from "../helpers/run.ts";
import { deadPort, epmdHeader, erlangUnavailable, killTree, startFakeEpmd, startLoopbackEpmd, startLoopbackNode } from "./loopback.ts";

const COOKIE = "loopback-cookie-93c1d0";
const noErlang = erlangUnavailable();

skipUnless(!noErlang, `${noErlang}`, { ci: true })("real epmd: the client lists what `epmd -names` lists; doctor completes the handshake", async () => {
  const port = await deadPort();
  const epmd = startLoopbackEpmd(port);
  let node: ReturnType<typeof startLoopbackNode> | undefined;
  try {
    const env = { ...process.env, ERL_EPMD_PORT: String(port) };
    const names = () => execFileSync("epmd", ["-names"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    await waitFor(() => { try { return /up and running/.test(names()); } catch { return false; } }, 5000, "epmd");
    node = startLoopbackNode(port, "probe-xyz@127.0.0.1", COOKIE);
    await waitFor(() => names().includes("name probe-xyz at port"), 15_000, "the node to register");
    const listed = /name probe-xyz at port (\d+)/.exec(names())![1];
    const got = await epmdNames("127.0.0.1", port, 1500);
    assert.equal(got, { ok: true, names: [{ name: "probe-xyz", port: Number(listed) }] });
    const r = await runEntrypoint(["doctor", "--app", "probe", "--sha", "xyz", "--ip", "127.0.0.1", "--format", "json"], { env: { ERL_EPMD_PORT: String(port), RELEASE_COOKIE: COOKIE } });
    const json = JSON.parse(r.stdout);
    assert.is(json.epmdPort, port);
    assert.equal(json.peers[0].node, { name: "probe-xyz", port: Number(listed) });
    assert.equal(json.peers[0].handshake, { outcome: "accepted", peerName: "probe-xyz@127.0.0.1" });
    assert.not.ok((r.stdout + r.stderr).includes(COOKIE));
  } finally {
    killTree(node);
    killTree(epmd);
  }
});

type Answer = Parameters<typeof startFakeEpmd>[1];
const cases: [string, Answer, RegExp][] = [
  ["not epmd (an HTTP error page)", (s) => s.end("HTTP/1.1 400 Bad Request\r\n\r\n"), /did not answer the NAMES request properly: the answer does not start with a port number/],
  ["2 bytes, then closed", (s) => s.end(Buffer.from([0, 0])), /2 bytes, shorter than epmd's 4-byte header/],
  ["closed without a word", (s) => s.end(), /closed the connection without an answer/],
  ["a line that is not a registration", (s) => s.end(Buffer.concat([epmdHeader(4369), Buffer.from("name shop-abc at port banana\n")])), /unexpected line "name shop-abc at port banana"/],
  ["last line cut off", (s) => s.end(Buffer.concat([epmdHeader(4369), Buffer.from("name shop-abc at po")])), /the last line of the answer is cut off/],
  ["accepts, never answers", () => {}, /accepted the connection but did not finish its answer within 1500 ms/],
  ["header, then silence", (s) => s.write(epmdHeader(4369)), /sent 4 bytes, then did not finish its answer within 1500 ms/],
];

for (const [name, answer, expected] of cases) {
  test(`fake epmd, ${name}: a finding, exit 1, within the step timeout`, async () => {
    const fake = await startFakeEpmd("127.0.0.1", answer);
    try {
      const r = await runEntrypoint(["doctor", "--app", "shop", "--sha", "abc", "--ip", "127.0.0.2", "--peer", "127.0.0.1", "--format", "json"], { env: { ERL_EPMD_PORT: String(fake.port), RELEASE_COOKIE: COOKIE }, timeoutMs: 10_000 });
      assert.is(r.code, 1, r.stderr);
      assert.ok(r.ms < 5000, `took ${Math.round(r.ms)} ms`);
      assert.equal(fake.requests, [Buffer.from([0, 1, 110])], "NAMES_REQ on the wire");
      const f = JSON.parse(r.stdout).findings.find((x: { peer?: string }) => x.peer === "127.0.0.1");
      assert.is(f.severity, "fail");
      assert.is(f.check, "epmd");
      assert.match(f.message, expected);
    } finally {
      await fake.close();
    }
  });
}

test("fake epmd advertising a port nobody listens on: the finding names that port", async () => {
  const port = await deadPort();
  const fake = await startFakeEpmd("127.0.0.1", (s) => s.end(Buffer.concat([epmdHeader(4369), Buffer.from(`name rem-1a2b-shop-abc at port 1\nname shop-abc at port ${port}\n`)])));
  try {
    const r = await runEntrypoint(["doctor", "--app", "shop", "--sha", "abc", "--ip", "127.0.0.2", "--peer", "127.0.0.1"], { env: { ERL_EPMD_PORT: String(fake.port), RELEASE_COOKIE: COOKIE } });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stdout, `FAIL  dist_port  shop-abc@127.0.0.1 is registered on port ${port}, but port ${port} is not reachable: connection refused`);
    assert.match(r.stdout, new RegExp(`^127\\.0\\.0\\.1 +ok +port ${port} +refused +-$`, "m"));
  } finally {
    await fake.close();
  }
});

test("distribution port that accepts but never speaks: a warning, not a hang", async () => {
  const silent = await startFakeEpmd("127.0.0.1", () => {});
  const fake = await startFakeEpmd("127.0.0.1", (s) => s.end(Buffer.concat([epmdHeader(4369), Buffer.from(`name shop-abc at port ${silent.port}\n`)])));
  try {
    const r = await runEntrypoint(["doctor", "--app", "shop", "--sha", "abc", "--ip", "127.0.0.2", "--peer", "127.0.0.1"], { env: { ERL_EPMD_PORT: String(fake.port), RELEASE_COOKIE: COOKIE } });
    assert.is(r.code, 0, r.stdout);
    assert.match(r.stdout, "WARN  handshake  handshake with shop-abc@127.0.0.1 not completed: no status within 1500 ms");
    assert.is(silent.requests[0]![2], 0x4e, "send_name ('N') after the 2-byte length");
  } finally {
    await Promise.all([fake.close(), silent.close()]);
  }
});

test.run();

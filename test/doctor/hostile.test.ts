// The doctor against peers that answer in bad faith or hang up: what they send is escaped and bounded
// in both report formats, a hang-up is reported as such, and the overall budget ends checks in flight.
// Every address is loopback (127.0.0.0/8).
import type { Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runEntrypoint } from "../helpers/run.ts";
import { deadPort, epmdHeader, startFakeEpmd, type FakeEpmd } from "./loopback.ts";

const COOKIE = "hostile-doctor-cookie-5d1e";
// Raw control, C1 and bidi characters: none may reach the report.
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
let servers: FakeEpmd[] = [];
test.after.each(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** A framed handshake message: 2-byte length, then the body. */
const frame = (body: Buffer) => Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);

/** recv_challenge ('N', flags, challenge, creation, name) carrying whatever name the peer likes. */
function challengeFrom(name: string): Buffer {
  const bytes = Buffer.from(name, "utf8");
  const body = Buffer.alloc(19 + bytes.length);
  body.write("N", 0, "latin1");
  body.writeUInt32BE(987654, 9);
  body.writeUInt16BE(bytes.length, 17);
  bytes.copy(body, 19);
  return frame(body);
}

/** epmd and a distribution port on `ip`; `dist` answers our send_name. */
async function peer(ip: string, epmdPort: number, dist: (s: Socket) => void, epmdDelayMs = 0): Promise<void> {
  const node = await startFakeEpmd(ip, dist);
  const reply = Buffer.concat([epmdHeader(epmdPort), Buffer.from(`name shop-abc at port ${node.port}\n`)]);
  const epmd = await startFakeEpmd(ip, (s) => void setTimeout(() => s.end(reply), epmdDelayMs), epmdPort);
  servers.push(node, epmd);
}

const doctor = (epmdPort: number, peers: string[], args: string[] = [], env: Record<string, string> = {}) =>
  runEntrypoint(["doctor", "--app", "shop", "--sha", "abc", "--ip", "127.0.0.1", ...peers.flatMap((p) => ["--peer", p]), ...args], {
    env: { ERL_EPMD_PORT: String(epmdPort), RELEASE_COOKIE: COOKIE, ...env },
    timeoutMs: 30_000,
  });

/** Status ok and a challenge with `name`; after our reply it hangs up, as a node with another cookie does. */
const talkThenHangUp = (name: string) => (s: Socket) => {
  s.write(Buffer.concat([frame(Buffer.from("sok")), challengeFrom(name)]));
  s.once("data", () => s.end());
};

const FORGED = "\nFAIL  peer       forged line\n";
const HOSTILE_NAME = `shop-abc@127.0.0.3\x1b]0;owned\x07\u009b31m\u202eevil${FORGED}${"x".repeat(60_000)}`;

test("a peer's node name with escapes, newlines, C1, bidi and 60 KB: escaped and bounded in the text and JSON reports", async () => {
  const epmdPort = await deadPort();
  await peer("127.0.0.3", epmdPort, talkThenHangUp(HOSTILE_NAME));
  for (const format of ["text", "json"]) {
    const r = await doctor(epmdPort, ["127.0.0.3"], ["--format", format]);
    assert.is(r.code, 1, r.stderr);
    assert.not.match(r.stdout, RAW);
    assert.not.match(r.stdout, /^FAIL {2}peer {7}forged/m);
    assert.ok(Math.max(...r.stdout.split("\n").map((l) => l.length)) < 2000, "every line is bounded");
    assert.match(r.stdout, format === "json" ? "\\\\x1b]0;owned\\\\x07\\\\x9b31m\\\\u202eevil\\\\nFAIL" : "\\x1b]0;owned\\x07\\x9b31m\\u202eevil\\nFAIL");
  }
});

const TOKEN = "IQoJb3JpZ2luX2VjEAoaCXVzLWVhc3QtMSJHMEUCIQDexampleSessionToken0123456789";

test("AWS_SESSION_TOKEN from the environment is redacted wherever the report would show it", async () => {
  const epmdPort = await deadPort();
  // A peer that echoes the session token in its node name: the report quotes that name.
  await peer("127.0.0.4", epmdPort, talkThenHangUp(`shop-abc@127.0.0.4-${TOKEN}`));
  for (const format of ["text", "json"]) {
    const r = await doctor(epmdPort, ["127.0.0.4"], ["--format", format], { AWS_SESSION_TOKEN: TOKEN });
    assert.not.ok((r.stdout + r.stderr).includes(TOKEN), "the session token was printed");
    assert.match(r.stdout, "<redacted>");
  }
});

test("a peer that hangs up during the handshake: reported as a hang-up, not as a different cookie", async () => {
  const epmdPort = await deadPort();
  await peer("127.0.0.5", epmdPort, (s) => s.end(Buffer.concat([frame(Buffer.from("sok")), challengeFrom("shop-abc@127.0.0.5")])));
  const r = await doctor(epmdPort, ["127.0.0.5"]);
  assert.not.match(r.stdout, "DIFFERS");
  assert.not.match(r.stdout, "rejected our cookie");
  assert.match(r.stdout, "WARN  handshake  handshake with shop-abc@127.0.0.5 not completed: the peer closed the connection right after its challenge, before our reply (not a cookie check)");
  assert.match(r.stdout, /^127\.0\.0\.5 +ok +port \d+ +ok +unknown$/m);
});

test("the 8 s budget ends checks in flight: slow peers are reported as cut off, not waited for", async () => {
  const epmdPort = await deadPort();
  // Each check takes about 2.9 s (epmd answers after 1.4 s, the node never speaks), 16 at a time:
  // the third round is in flight when the budget ends.
  const ips = Array.from({ length: 48 }, (_, i) => `127.0.2.${i + 1}`);
  for (const ip of ips) await peer(ip, epmdPort, () => {}, 1400);
  const r = await doctor(epmdPort, ips, ["--format", "json"]);
  assert.is(r.code, 1, r.stderr);
  const cut = JSON.parse(r.stdout).findings.filter((f: { message: string }) => /budget for peer checks ran out during the check/.test(f.message));
  assert.ok(cut.length > 0, "checks in flight at the budget are ended and say so");
  assert.ok(r.ms < 15_000, `took ${Math.round(r.ms)} ms`);
});

test.run();

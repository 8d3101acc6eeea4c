// The doctor's own-side findings (cookie, env.sh, pinned port) and its usage and config errors,
// through the built bundle. Nothing here leaves loopback.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runEntrypoint } from "../helpers/run.ts";
import { deadPort, epmdHeader, startFakeEpmd } from "./loopback.ts";

const FILE_COOKIE = "file-cookie-from-mix-release-0d9e";
let dir = "";

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), "doctor-"));
  mkdirSync(join(dir, "bin"));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

async function doctor(args: string[], env: Record<string, string> = {}) {
  const base = ["doctor", "--app", "shop", "--sha", "abc", "--bin-dir", join(dir, "bin"), "--ip", "127.0.0.2"];
  return runEntrypoint([...base, ...args], { env: { ERL_EPMD_PORT: String(await deadPort()), ...env } });
}

test("cookie from releases/COOKIE: its source and short hash, never its value", async () => {
  mkdirSync(join(dir, "releases"));
  writeFileSync(join(dir, "releases", "COOKIE"), `${FILE_COOKIE}\n`);
  const r = await doctor([]);
  const hash = createHash("sha256").update(FILE_COOKIE).digest("hex").slice(0, 8);
  assert.match(r.stdout, `ok    cookie     the cookie comes from ${join(dir, "releases", "COOKIE")} (new with each build unless mix.exs sets :cookie); sha256 ${hash}`);
  assert.not.ok((r.stdout + r.stderr).includes(FILE_COOKIE));
  assert.not.match(r.stdout, "FAIL", r.stdout);
});

// The team whose nodes never meet because peers are off must not read "nothing blocks clustering".
test("no peer source (peers off, no --peer): a WARN that no peer was checked and how to give one; exit 1, never 'nothing blocks clustering'", async () => {
  const env = { RELEASE_COOKIE: "c" };
  const text = await doctor([], env);
  assert.is(text.code, 1, text.stdout);
  assert.match(text.stdout, "WARN  peers      no peer was checked: peer discovery is off (--peers off, ENTRYPOINT_PEERS unset) and no --peer was given; fix: give a peer source: --peers family (or service:NAME, tags; ENTRYPOINT_PEERS in the task definition), or --peer ADDR");
  assert.match(text.stdout, /\nno peer was checked, so this does not show that the nodes can cluster: 0 fail, \d+ warn, \d+ ok \(exit 1\)\n$/);
  assert.not.match(text.stdout, "nothing blocks clustering");
  const json = await doctor(["--format", "json"], env);
  assert.is(json.code, 1, json.stdout);
  const doc = JSON.parse(json.stdout);
  assert.equal([doc.ok, doc.exitCode, doc.peersChecked], [false, 1, 0]);
  const peers = doc.findings.find((f: { check: string }) => f.check === "peers");
  assert.equal([peers.severity, peers.message.startsWith("no peer was checked")], ["warn", true]);
  assert.match(peers.fix, "--peers family");
  assert.match(peers.fix, "--peer ADDR");
});

test("no cookie anywhere: a failing finding, exit 1", async () => {
  const r = await doctor([]);
  assert.is(r.code, 1);
  assert.match(r.stdout, `FAIL  cookie     no cookie: RELEASE_COOKIE is not set and ${join(dir, "releases", "COOKIE")} is not readable`);
});

test("env.sh that re-exports RELEASE_NODE: a failing finding naming the file", async () => {
  mkdirSync(join(dir, "releases", "0.1.0"), { recursive: true });
  writeFileSync(join(dir, "releases", "0.1.0", "env.sh"), 'export RELEASE_NODE="shop@127.0.0.1"\n');
  const r = await doctor([], { RELEASE_COOKIE: "c" });
  assert.is(r.code, 1);
  assert.match(r.stdout, `FAIL  env_sh     ${join(dir, "releases", "0.1.0", "env.sh")} sets RELEASE_NODE and runs after the entrypoint`);
});

test("--dist-port 9100 and a peer listening elsewhere: a warning naming both ports", async () => {
  const silent = await startFakeEpmd("127.0.0.1", () => {});
  const epmd = await startFakeEpmd("127.0.0.1", (s) => s.end(Buffer.concat([epmdHeader(4369), Buffer.from(`name shop-abc at port ${silent.port}\n`)])));
  try {
    const r = await doctor(["--dist-port", "9100", "--peer", "127.0.0.1"], { RELEASE_COOKIE: "c", ERL_EPMD_PORT: String(epmd.port) });
    assert.match(r.stdout, `WARN  dist_port  shop-abc@127.0.0.1 listens on port ${silent.port}, outside our --dist-port 9100`);
    assert.match(r.stdout, "ok    dist_port  distribution pinned to 9100: the security group needs TCP");
  } finally {
    await Promise.all([silent.close(), epmd.close()]);
  }
});

test("the environment is never dumped; the report goes to stdout, logs to stderr", async () => {
  const env = { RELEASE_COOKIE: "cookie-value-f00d", DATABASE_URL: "postgres://u:pw-4412@db/x", SECRET_KEY_BASE: "skb-99c1" };
  const r = await doctor(["--log-format", "json"], env);
  for (const value of Object.values(env)) assert.not.ok((r.stdout + r.stderr).includes(value), `${value} was printed`);
  assert.match(r.stdout, /^entrypoint doctor: shop-abc@127\.0\.0\.2\n/);
  assert.match(r.stderr, /^\{"level":"info","msg":"node shop-abc@127.0.0.2"/);
});

test("--help lists doctor and its options", async () => {
  const r = await runEntrypoint(["--help"]);
  assert.match(r.stdout, "entrypoint doctor [options] [--format text|json] [--peer ADDR]...");
  assert.match(r.stdout, /--peer ADDR\n +check this peer instead of discovering peers \(repeatable\)/);
});

const errors: [string, string[], number, RegExp][] = [
  ["--format yaml", ["--format", "yaml"], 64, /--format: expected text or json, got "yaml"/],
  ["a stray argument", ["10.0.0.4"], 64, /doctor takes no arguments, got "10.0.0.4"; use --peer ADDR/],
  ["--peer that is not an address", ["--peer", "ip-10-0-0-4"], 78, /--peer: expected the IPv4 or IPv6 address of another task, got "ip-10-0-0-4"/],
  ["an invalid basename", ["--sha", "1.2"], 78, /invalid node basename "shop-1.2"/],
];
for (const [name, args, code, message] of errors) {
  test(`usage and config errors exit like the boot: ${name} -> ${code}`, async () => {
    const r = await doctor(args);
    assert.is(r.code, code, r.stderr);
    assert.match(r.stderr, message);
    assert.is(r.stdout, "");
  });
}

test.run();

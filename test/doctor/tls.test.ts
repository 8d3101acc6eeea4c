// The doctor's TLS check (--dist-tls) against real Erlang nodes with -proto_dist inet_tls on loopback and
// node:tls servers, with certificates made now: each problem gives its own finding, and a good peer none.
// Controls: the same good peer is ok; a plain-TCP node is named as such (not as a TLS failure).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:tls";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkTarget, type CheckContext } from "../../src/doctor/check.ts";
import { peerFindings, type Finding } from "../../src/doctor/findings.ts";
import { renderText } from "../../src/doctor/render.ts";
import { ownCertVerdict } from "../../src/doctor/tls-verdict.ts";
import type { TlsMaterial } from "../../src/tls/material.ts";
import { daysFromNow, distOptfile, makeCa, makeNodeCert, removeCerts, type Ca } from "../helpers/certs.ts";
import { runEntrypoint } from "../helpers/run.ts";
import { skipUnless } from "../helpers/skip.ts";
import { deadPort, erlangUnavailable, killTree, startLoopbackEpmd } from "./loopback.ts";

function tlsUnavailable(): string | undefined {
  const erlang = erlangUnavailable();
  if (erlang) return erlang;
  try {
    execFileSync("sh", ["-c", "command -v openssl && erl -noshell -eval 'halt(case code:lib_dir(ssl) of {error, _} -> 1; _ -> 0 end)'"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "openssl or Erlang's ssl application not found (apt-get install openssl erlang-ssl)";
  }
}

const noErlang = tlsUnavailable();
const it = skipUnless(!noErlang, `${noErlang}`, { ci: true });

const NAME = "cluster.internal";
const COOKIE = "tls-doctor-cookie-5e0c";
const children: ChildProcess[] = [];
const servers: Server[] = [];
const ports = new Map<string, number>();
let epmdPort = 0;
let ca: Ca;
let ours: TlsMaterial;
let oursFiles: { ca: string; cert: string; key: string };

function startTlsNode(name: string, optfile: string | undefined, port: number): ChildProcess {
  const tls = optfile ? ["-proto_dist", "inet_tls", "-ssl_dist_optfile", optfile] : [];
  const args = ["-noshell", "-noinput", "-start_epmd", "false", ...tls, "-kernel", "inet_dist_listen_min", `${port}`, "inet_dist_listen_max", `${port}`, "-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-name", `${name}@127.0.0.1`, "-setcookie", COOKIE];
  const child = execChild("erl", args);
  children.push(child);
  return child;
}

const erlEnv = () => ({ PATH: "/usr/local/bin:/usr/bin:/bin", HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", ERL_EPMD_PORT: String(epmdPort) });
const execChild = (file: string, args: string[]) => spawn(file, args, { env: erlEnv(), stdio: "ignore" });

async function waitRegistered(names: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    let out = "";
    try {
      out = execFileSync("epmd", ["-names"], { env: erlEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 3000 });
    } catch {}
    if (names.every((n) => out.includes(`name ${n} at port`))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${names.join(", ")}: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A node:tls server with its own options (what a hand-made or foreign TLS endpoint does). */
async function startTlsServer(options: Parameters<typeof createServer>[0]): Promise<number> {
  const server = createServer(options, (socket) => socket.on("error", () => {}));
  server.on("tlsClientError", () => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

test.before(async () => {
  if (noErlang) return;
  ca = makeCa("cluster-ca");
  const other = makeCa("other-ca");
  const mine = makeNodeCert(ca, { dns: [NAME] });
  ours = { ca: ca.cert, cert: mine.cert, key: mine.key, serverName: NAME, versions: ["tlsv1.3"] };
  oursFiles = { ca: ca.certFile, cert: mine.certFile, key: mine.keyFile };
  const node = (c: Ca, o: Parameters<typeof makeNodeCert>[1], trust = c, askClientCert = true) => {
    const cert = makeNodeCert(c, o);
    return distOptfile({ caFile: trust.certFile, certFile: cert.certFile, keyFile: cert.keyFile, serverName: NAME, askClientCert });
  };
  const nodes: [string, string | undefined][] = [
    ["good", node(ca, { dns: [NAME] })],
    ["otherca", node(other, { dns: [NAME] })],
    ["wrongname", node(ca, { dns: ["other.internal"] })],
    ["expired", node(ca, { dns: [NAME], notBefore: daysFromNow(-60), notAfter: daysFromNow(-3) })],
    ["notyet", node(ca, { dns: [NAME], notBefore: daysFromNow(2), notAfter: daysFromNow(60) })],
    ["trustsother", node(ca, { dns: [NAME] }, other)],
    ["nocertasked", node(ca, { dns: [NAME] }, ca, false)],
    ["plain", undefined],
  ];
  epmdPort = await deadPort();
  children.push(startLoopbackEpmd(epmdPort));
  await new Promise((r) => setTimeout(r, 200));
  for (const [name, optfile] of nodes) {
    const port = await deadPort();
    ports.set(name, port);
    startTlsNode(name, optfile, port);
  }
  const refuser = makeNodeCert(ca, { dns: [NAME] });
  ports.set("node-refuses", await startTlsServer({ cert: refuser.cert, key: refuser.key, ca: other.cert, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.3" }));
  ports.set("node-tls12", await startTlsServer({ cert: refuser.cert, key: refuser.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true, maxVersion: "TLSv1.2" }));
  await waitRegistered(nodes.map(([n]) => n));
});

test.after(() => {
  for (const child of children) killTree(child);
  for (const server of servers) server.close();
  removeCerts();
});

async function doctor(name: string, material: TlsMaterial = ours, cookie: string | null = COOKIE): Promise<{ findings: Finding[]; check: Awaited<ReturnType<typeof checkTarget>> }> {
  const ctx: CheckContext = { basename: name, epmdPort: await deadPort(), timeoutMs: 1500, cookie: cookie ?? undefined, doctorHost: "127.0.0.1", direct: ports.get(name)!, tls: material };
  const check = await checkTarget({ ip: "127.0.0.1", self: false }, ctx);
  const findings = peerFindings(check, { basename: name, epmdPort: ctx.epmdPort, distribution: "name", tls: { serverName: material.serverName } });
  return { findings, check };
}

const checks = (f: Finding[]) => f.map((x) => `${x.severity} ${x.check}`);

it("a good TLS peer: one ok line with TLS 1.3 and the cookie checked inside TLS", async () => {
  const { findings, check } = await doctor("good");
  assert.equal(checks(findings), ["ok peer"], JSON.stringify(findings));
  assert.match(findings[0]!.message, /TLS 1\.3 with mutual authentication, handshake ok, same cookie/);
  assert.equal(check.handshake, { outcome: "accepted", peerName: "good@127.0.0.1" });
  assert.is(check.tls?.withoutCert, "refused", "a well-set peer refuses a client without a certificate");
});

it("another cookie, inside TLS: the cookie finding (the handshake runs with TLS framing)", async () => {
  const { findings } = await doctor("good", ours, "not-the-cookie");
  assert.equal(checks(findings), ["fail cookie"], JSON.stringify(findings));
});

it("without a cookie: TLS is still checked, the handshake is skipped", async () => {
  const { findings } = await doctor("good", ours, null);
  assert.equal(checks(findings), ["ok peer", "warn handshake"]);
  assert.match(findings[0]!.message, /TLS 1\.3 with mutual authentication, reachable/);
});

it("a peer of another CA: its chain is not from our CA, and it refuses ours (unknown CA), two findings", async () => {
  const { findings } = await doctor("otherca");
  assert.equal(checks(findings), ["fail tls_chain", "fail tls_ours"], JSON.stringify(findings));
  assert.match(findings[0]!.message, /issuer "other-ca"\) is not from our CA: /);
  assert.match(findings[1]!.message, /does not trust the CA that signed our certificate \(alert unknown_ca\)/);
  assert.match(findings[1]!.fix!, /ENTRYPOINT_TLS_CA/);
});

it("a peer whose certificate lacks the cluster's DNS name: the name finding lists what it has", async () => {
  const { findings } = await doctor("wrongname");
  assert.equal(checks(findings), ["fail tls_name"], JSON.stringify(findings));
  assert.match(findings[0]!.message, /lacks the DNS name cluster\.internal: it has DNS:other\.internal/);
  assert.match(findings[0]!.fix!, /subjectAltName DNS:cluster\.internal, or set --dist-tls-name/);
});

it("expired and not-yet-valid peer certificates: the date finding with the date", async () => {
  const expired = await doctor("expired");
  assert.equal(checks(expired.findings), ["fail tls_dates"], JSON.stringify(expired.findings));
  assert.match(expired.findings[0]!.message, /expired on \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  const early = await doctor("notyet");
  assert.equal(checks(early.findings), ["fail tls_dates"], JSON.stringify(early.findings));
  assert.match(early.findings[0]!.message, /is not valid before \d{4}-\d\d-\d\d/);
});

it("an Erlang peer that does not trust our CA: it refused OUR certificate, the cookie is not judged", async () => {
  const { findings, check } = await doctor("trustsother");
  assert.equal(checks(findings), ["fail tls_ours"], JSON.stringify(findings));
  assert.match(findings[0]!.message, /alert unknown_ca/);
  assert.is(check.handshake, undefined);
});

it("a node:tls server that refuses our certificate: the alert's finding", async () => {
  const { findings } = await doctor("node-refuses");
  assert.equal(checks(findings), ["fail tls_ours"], JSON.stringify(findings));
});

it("a peer that asks for no client certificate: fine for clustering, but a warning", async () => {
  const { findings, check } = await doctor("nocertasked");
  assert.equal(checks(findings), ["ok peer", "warn tls_client"], JSON.stringify(findings));
  assert.match(findings[1]!.message, /accepts TLS connections without a client certificate/);
  assert.is(check.handshake?.outcome, "accepted");
});

it("a plain-TCP Erlang node: the doctor says plain TCP (control: the good TLS peer is ok)", async () => {
  const { findings, check } = await doctor("plain");
  assert.equal(checks(findings), ["fail tls_plain"], JSON.stringify(findings));
  assert.match(findings[0]!.message, /speaks plain TCP on port \d+: it answered a distribution handshake without TLS/);
  assert.is(check.tls?.plain, true);
});

it("doctor without --dist-tls, a TLS peer: the doctor says it speaks TLS (control: the plain node's handshake is ok)", async () => {
  const plainCheck = async (name: string) => {
    const ctx: CheckContext = { basename: name, epmdPort: await deadPort(), timeoutMs: 1500, cookie: COOKIE, doctorHost: "127.0.0.1", direct: ports.get(name)! };
    return peerFindings(await checkTarget({ ip: "127.0.0.1", self: false }, ctx), { basename: name, epmdPort: ctx.epmdPort, distribution: "name" });
  };
  const tls = await plainCheck("good");
  assert.equal(checks(tls), ["fail tls_plain"], JSON.stringify(tls));
  assert.match(tls[0]!.message, /speaks TLS on its distribution port, and this task plain TCP/);
  assert.equal(checks(await plainCheck("plain")), ["ok peer"]);
});

it("with EPMD: the port comes from epmd's NAMES, then TLS as without it", async () => {
  const ctx: CheckContext = { basename: "good", epmdPort, timeoutMs: 1500, cookie: COOKIE, doctorHost: "127.0.0.1", tls: ours };
  const check = await checkTarget({ ip: "127.0.0.1", self: false }, ctx);
  const findings = peerFindings(check, { basename: "good", epmdPort, distribution: "name", tls: { serverName: NAME } });
  assert.equal(checks(findings), ["ok peer"], JSON.stringify(findings));
  assert.match(findings[0]!.message, new RegExp(`epmd ok, registered on port ${ports.get("good")}, TLS 1\\.3 with mutual authentication, handshake ok`));
});

it("a peer that only speaks TLS 1.2 while we ask for 1.3: the version finding", async () => {
  const { findings } = await doctor("node-tls12");
  assert.equal(checks(findings), ["fail tls"], JSON.stringify(findings));
  assert.match(findings[0]!.message + findings[0]!.fix, /TLS version/);
});

it("the text report: a tls column beside the cookie, one finding per problem", async () => {
  const runs = await Promise.all(["good", "otherca", "wrongname", "expired", "plain"].map((n) => doctor(n)));
  const findings = [{ ...ownCertVerdict(ours.cert, Date.now()) }, ...runs.flatMap((r) => r.findings)];
  const text = renderText({ epmdPort: 4369, basename: "shop-abc", peersChecked: runs.length, findings, peers: runs.map((r) => r.check), exitCode: 1 });
  assert.match(text, /^peer +epmd 4369 +node shop-abc +dist port +cookie +tls$/m);
  assert.match(text, /^127\.0\.0\.1 +none +port \d+ +ok +same +TLSv1\.3$/m);
  assert.match(text, /^127\.0\.0\.1 +none +port \d+ +ok +- +PLAIN TCP$/m);
  assert.match(text, /^ok +tls_own +our certificate is valid until /m);
  console.log(`\n--- doctor text report (TLS peers) ---\n${text}`);
});

/** `entrypoint doctor --dist-tls` as a user runs it, the TLS inputs as file paths, one peer on loopback. */
async function doctorCommand(name: string) {
  const port = String(ports.get(name)!);
  const args = ["doctor", "--basename", name, "--ip", "127.0.0.2", "--peer", "127.0.0.1", "--epmd", "off", "--dist-port", port, "--dist-tls", "--format", "json"];
  const env = { ENTRYPOINT_TLS_CA: oursFiles.ca, ENTRYPOINT_TLS_CERT: oursFiles.cert, ENTRYPOINT_TLS_KEY: oursFiles.key, RELEASE_COOKIE: COOKIE, ERL_EPMD_PORT: String(await deadPort()) };
  const r = await runEntrypoint(args, { env });
  const report = JSON.parse(r.stdout) as { findings: Finding[] };
  return { code: r.code, stderr: r.stderr, peer: report.findings.filter((f) => f.check.startsWith("tls") || f.check === "peer" || f.check === "cookie") };
}

it("the bundle: doctor --dist-tls with the inputs from the environment checks a good TLS peer (ok, 0) and names a plain-TCP one (1)", async () => {
  const good = await doctorCommand("good");
  assert.ok(good.peer.some((f) => f.severity === "ok" && /TLS 1\.3 with mutual authentication, handshake ok, same cookie/.test(f.message)), JSON.stringify(good.peer));
  assert.not.match(good.stderr, /PRIVATE KEY|BEGIN CERTIFICATE/);
  const plain = await doctorCommand("plain");
  assert.is(plain.code, 1, plain.stderr);
  assert.ok(plain.peer.some((f) => f.check === "tls_plain" && f.severity === "fail"), JSON.stringify(plain.peer));
});

test.run();

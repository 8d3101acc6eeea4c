// `entrypoint doctor` against real epmd and real Erlang nodes, each in its own network namespace
// (10.78.0.x / fd00:78::x exist only there). Needs root, iproute2 and erlang-base; else skipped, loudly.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import type { RunResult } from "../helpers/run.ts";
import { createLab, destroyLab, doctorIn, labUnavailable, startEpmd, startNode, waitRegistered, type Lab } from "./lab.ts";

const unavailable = labUnavailable();
const it = skipUnless(!unavailable, `${unavailable}; run it as root with iproute2 and erlang-base`, { ci: true });

const COOKIE = "doctor-cookie-4b7e1f09";
const V4 = { self: "10.78.0.2", healthy: "10.78.0.3", otherSha: "10.78.0.4", noEpmd: "10.78.0.5", otherCookie: "10.78.0.6", nobody: "10.78.0.9" };
const V6 = { self: "fd00:78::2", healthy: "fd00:78::3", noProto: "fd00:78::4" };
const labs: Lab[] = [];
let v4: Lab;
let v6: Lab;

test.before(async () => {
  if (unavailable) return;
  labs.push((v4 = createLab("v4", [V4.self, V4.healthy, V4.otherSha, V4.noEpmd, V4.otherCookie])));
  labs.push((v6 = createLab("v6", [V6.self, V6.healthy, V6.noProto])));
  const withEpmd: [Lab, string][] = [[v4, V4.self], [v4, V4.healthy], [v4, V4.otherSha], [v4, V4.otherCookie], [v6, V6.healthy], [v6, V6.noProto]];
  withEpmd.forEach(([lab, address]) => startEpmd(lab, address));
  await Promise.all(withEpmd.map(([lab, address]) => waitRegistered(lab, address, [])));
  const nodes: [Lab, string, string, string, string[]][] = [
    [v4, V4.self, "shop-abc", COOKIE, []],
    [v4, V4.healthy, "shop-abc", COOKIE, []],
    [v4, V4.otherSha, "shop-def", COOKIE, []],
    [v4, V4.otherCookie, "shop-abc", "another-cookie", []],
    [v6, V6.healthy, "shop-abc", COOKIE, ["-proto_dist", "inet6_tcp"]],
    // No -proto_dist: it boots and registers, but its distribution listens on IPv4 only.
    [v6, V6.noProto, "shop-abc", COOKIE, []],
  ];
  for (const [lab, address, name, cookie, extra] of nodes) startNode(lab, address, `${name}@${address}`, cookie, extra);
  await Promise.all(nodes.map(([lab, address, name]) => waitRegistered(lab, address, [name])));
});

test.after(async () => {
  for (const lab of labs) await destroyLab(lab);
});

const BOOT = ["--app", "shop", "--sha", "abc"];
const ENV = { RELEASE_COOKIE: COOKIE, UNRELATED_SECRET: "not-for-the-report-77" };

interface Json {
  ok: boolean;
  exitCode: number;
  findings: { severity: string; check: string; peer?: string; message: string; fix?: string }[];
  peers: { ip: string; self: boolean; node?: { port: number }; handshake?: { outcome: string; peerName?: string } }[];
}

async function doctor(lab: Lab, self: string, args: string[], env: Record<string, string> = ENV): Promise<RunResult & { json: Json }> {
  const r = await doctorIn(lab, self, [...BOOT, "--ip", self, "--format", "json", ...args], env);
  for (const secret of [COOKIE, "another-cookie", ENV.UNRELATED_SECRET]) assert.not.ok((r.stdout + r.stderr).includes(secret), `"${secret}" was printed`);
  return { ...r, json: JSON.parse(r.stdout) as Json };
}

const about = (json: Json, peer: string) => json.findings.filter((f) => f.peer === peer);
const failures = (json: Json) => json.findings.filter((f) => f.severity === "fail");

it("healthy two-node IPv4 setup: exit 0, every peer ok, same cookie; the text report has the table", async () => {
  const r = await doctor(v4, V4.self, ["--peer", V4.healthy]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.equal(failures(r.json), []);
  assert.equal(r.json.peers.map((p) => [p.ip, p.self, p.handshake?.outcome]), [[V4.self, true, "accepted"], [V4.healthy, false, "accepted"]]);
  assert.is(r.json.peers[1]!.handshake!.peerName, `shop-abc@${V4.healthy}`);
  assert.equal(about(r.json, V4.healthy).map((f) => f.severity), ["ok"]);
  const text = await doctorIn(v4, V4.self, [...BOOT, "--ip", V4.self, "--peer", V4.healthy], ENV);
  assert.is(text.code, 0, text.stdout + text.stderr);
  assert.match(text.stdout, new RegExp(`^${V4.healthy.replace(/\./g, "\\.")} +ok +port \\d+ +ok +same$`, "m"));
  assert.match(text.stdout, /nothing blocks clustering: 0 fail/);
  console.log(`\n--- doctor text report (healthy) ---\n${text.stdout}--- stderr ---\n${text.stderr}`);
});

it("peer without epmd: a finding that names epmd and port 4369", async () => {
  const r = await doctor(v4, V4.self, ["--peer", V4.noEpmd]);
  assert.is(r.code, 1);
  const [f] = about(r.json, V4.noEpmd);
  assert.is(f?.severity, "fail");
  assert.is(f?.check, "epmd");
  assert.match(f!.message, `cannot reach epmd at ${V4.noEpmd}:4369: connection refused`);
});

it("peer whose packets are dropped: a timeout finding for 4369 that points at the security group, within the step timeout", async () => {
  const r = await doctor(v4, V4.self, ["--peer", V4.nobody]);
  assert.is(r.code, 1);
  const [f] = about(r.json, V4.nobody);
  assert.match(f!.message, `cannot reach epmd at ${V4.nobody}:4369: no answer within 1500 ms`);
  assert.match(f!.fix!, /allow inbound TCP 4369 .*security group/);
  assert.ok(r.ms < 6000, `took ${Math.round(r.ms)} ms`);
});

it("node registered under another basename: different basename (git SHA?)", async () => {
  const r = await doctor(v4, V4.self, ["--peer", V4.otherSha]);
  assert.is(r.code, 1);
  const [f] = about(r.json, V4.otherSha);
  assert.is(f?.check, "node");
  assert.match(f!.message, `shop-def registered at ${V4.otherSha}, not shop-abc: different basename (git SHA?)`);
});

it("peer with another cookie: the handshake says the cookies differ; the peer's port was reachable", async () => {
  const r = await doctor(v4, V4.self, ["--peer", V4.otherCookie]);
  assert.is(r.code, 1);
  const [f] = about(r.json, V4.otherCookie);
  assert.is(f?.check, "cookie");
  assert.match(f!.message, /rejected our cookie \(ours: sha256 [0-9a-f]{8}\): the cookies differ/);
});

it("IPv6: healthy peer ok; a peer without -proto_dist inet6_tcp has an unreachable distribution port", async () => {
  const r = await doctor(v6, V6.self, ["--peer", V6.healthy, "--peer", V6.noProto]);
  assert.is(r.code, 1, r.stdout);
  assert.ok(r.json.findings.some((f) => f.check === "proto_dist" && f.severity === "ok"), "we set -proto_dist ourselves");
  assert.equal(about(r.json, V6.healthy).map((f) => f.severity), ["ok"]);
  const [f] = about(r.json, V6.noProto);
  assert.is(f?.check, "dist_port");
  assert.match(f!.message, /is registered on port (\d+), but port \1 is not reachable: connection refused/);
  assert.match(f!.fix!, /-proto_dist inet6_tcp/);
});

it("IPv6 address from a preset RELEASE_NODE without -proto_dist inet6_tcp: a finding", async () => {
  const r = await doctor(v6, V6.self, ["--peer", V6.healthy], { ...ENV, RELEASE_NODE: `shop-abc@${V6.self}` });
  assert.is(r.code, 1);
  const f = r.json.findings.find((x) => x.check === "proto_dist");
  assert.is(f?.severity, "fail");
  assert.match(f!.message, "IPv6 address, but ELIXIR_ERL_OPTIONS has no -proto_dist inet6_tcp");
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import type { PeerCheck } from "../../../src/doctor/check.ts";
import { checkedPeers, exitCodeOf, peerFindings, type Finding, type PeerContext } from "../../../src/doctor/findings.ts";

const ctx: PeerContext = { basename: "shop-abc", epmdPort: 4369, family: 4, distribution: "name", cookieHash: "1a2b3c4d" };
const names = (...list: [string, number][]) => ({ ok: true as const, names: list.map(([name, port]) => ({ name, port })) });
const ip = "10.0.0.4";
const noEpmd = { ok: false as const, stage: "connect" as const, kind: "refused", error: "connection refused (nothing listens there)" };
const healthy: PeerCheck = { ip, self: false, epmd: names(["shop-abc", 9100]), node: { name: "shop-abc", port: 9100 }, dist: { ok: true }, handshake: { outcome: "accepted", peerName: `shop-abc@${ip}` } };

// [case, check, context overrides, [severity, check, message pattern, fix pattern?][]]
const cases: [string, PeerCheck, Partial<PeerContext>, [Finding["severity"], string, RegExp, RegExp?][]][] = [
  ["all good", healthy, {}, [["ok", "peer", /^shop-abc@10\.0\.0\.4: epmd ok, registered on port 9100, handshake ok, same cookie$/]]],
  ["epmd refused", { ip, self: false, epmd: { ok: false, stage: "connect", kind: "refused", error: "connection refused (nothing listens there)" } }, {}, [["fail", "epmd", /^cannot reach epmd at 10\.0\.0\.4:4369: connection refused/, /release is not running there/]]],
  ["epmd dropped", { ip, self: false, epmd: { ok: false, stage: "connect", kind: "timeout", error: "no answer within 1500 ms" } }, {}, [["fail", "epmd", /4369: no answer/, /allow inbound TCP 4369 from the tasks' own security group/]]],
  ["IPv6 epmd address in brackets", { ip: "fd00::4", self: false, epmd: { ok: false, stage: "connect", kind: "refused", error: "connection refused" } }, {}, [["fail", "epmd", /epmd at \[fd00::4\]:4369/]]],
  ["epmd garbage", { ip, self: false, epmd: { ok: false, stage: "reply", error: "unexpected line \"x\"" } }, {}, [["fail", "epmd", /did not answer the NAMES request properly: unexpected line/]]],
  ["nothing registered", { ip, self: false, epmd: names() }, {}, [["fail", "node", /has no node registered$/, /not running there/]]],
  ["only a remote shell", { ip, self: false, epmd: names(["rem-1a2b-shop-abc", 40000]) }, {}, [["fail", "node", /no node registered \(only rem-1a2b-shop-abc\)/]]],
  ["another basename", { ip, self: false, epmd: names(["shop-def", 9100], ["rpc-9f-shop-def", 40001]) }, {}, [["fail", "node", /^shop-def registered at 10\.0\.0\.4, not shop-abc: different basename \(git SHA\?\)$/, /same --sha/]]],
  ["no basename of ours", { ip, self: false, epmd: names(["shop-def", 9100]) }, { basename: undefined }, [["warn", "node", /registered with epmd: shop-def/]]],
  ["distribution port dropped", { ...healthy, dist: { ok: false, kind: "timeout", error: "no answer within 1500 ms" }, handshake: undefined }, {}, [["fail", "dist_port", /registered on port 9100, but port 9100 is not reachable: no answer/, /allow inbound TCP 9100 between tasks, or better pin/]]],
  ["distribution port refused over IPv6", { ...healthy, ip: "fd00::4", dist: { ok: false, kind: "refused", error: "connection refused" }, handshake: undefined }, { family: 6 }, [["fail", "dist_port", /port 9100 is not reachable/, /needs -proto_dist inet6_tcp/]]],
  ["refused, outside the pinned range", { ...healthy, dist: { ok: false, kind: "refused", error: "connection refused" }, handshake: undefined }, { distPort: { min: 9200, max: 9201 } }, [["fail", "dist_port", /port 9100/, /outside our --dist-port 9200-9201/]]],
  ["reachable, outside the pinned range", healthy, { distPort: { min: 9200, max: 9200 } }, [["ok", "peer", /handshake ok/], ["warn", "dist_port", /listens on port 9100, outside our --dist-port 9200$/, /opens only 9200 blocks 9100/]]],
  ["cookie rejected", { ...healthy, handshake: { outcome: "rejected", peerName: `shop-abc@${ip}` } }, {}, [["fail", "cookie", /^shop-abc@10\.0\.0\.4 rejected our cookie \(ours: sha256 1a2b3c4d\): the cookies differ$/, /same RELEASE_COOKIE/]]],
  ["not allowed", { ...healthy, handshake: { outcome: "refused", status: "not_allowed" } }, {}, [["fail", "handshake", /status "not_allowed"/]]],
  ["nok", { ...healthy, handshake: { outcome: "refused", status: "nok" } }, {}, [["ok", "peer", /reachable$/], ["warn", "handshake", /status "nok"/]]],
  ["handshake silent", { ...healthy, handshake: { outcome: "inconclusive", reason: "no status within 1500 ms" } }, {}, [["ok", "peer", /reachable$/], ["warn", "handshake", /not completed: no status within 1500 ms/]]],
  ["no cookie here", { ...healthy, handshake: { outcome: "skipped", reason: "no cookie here" } }, {}, [["ok", "peer", /reachable$/], ["warn", "handshake", /no cookie here/, /set RELEASE_COOKIE/]]],
  ["peer calls itself by a non-canonical address", { ...healthy, ip: "fd00::4", node: { name: "shop-abc", port: 9100 }, handshake: { outcome: "accepted", peerName: "shop-abc@fd00:0::4" } }, {}, [["fail", "node_name", /calls itself shop-abc@fd00:0::4, but peers dial shop-abc@fd00::4/]]],
  ["sname: names are not compared", { ...healthy, handshake: { outcome: "accepted", peerName: "shop-abc@ip-10-0-0-4" } }, { distribution: "sname" }, [["ok", "peer", /handshake ok/]]],
  ["budget ran out", { ip, self: false, notChecked: "the doctor's 8 s budget for peer checks ran out" }, {}, [["fail", "peer", /^not checked: the doctor's 8 s budget/]]],
  ["this task: a failure is only a warning", { ip, self: true, epmd: { ok: false, stage: "connect", kind: "refused", error: "connection refused" } }, {}, [["warn", "epmd", /^this task: cannot reach epmd/, /fine if the release does not run where you run doctor/]]],
  // Without EPMD (--epmd off): the pinned port is dialed directly; epmd is only probed beside it.
  // Bridge mode with dynamic host ports: the port comes from the node's name; no epmd step at all.
  ["dynamic host port: all good", { ip, self: false, name: `shop-abc-32769@${ip}`, direct: 32769, dist: { ok: true }, handshake: { outcome: "accepted", peerName: `shop-abc-32769@${ip}` } }, {}, [["ok", "peer", /^shop-abc-32769@10\.0\.0\.4: port 32769 reachable without EPMD, handshake ok, same cookie$/]]],
  ["dynamic host port: dropped", { ip, self: false, name: `shop-abc-32769@${ip}`, direct: 32769, dist: { ok: false, kind: "timeout", error: "no answer within 1500 ms" } }, {}, [["fail", "dist_port", /^cannot reach shop-abc-32769@10\.0\.0\.4 on port 32769, the host port its name carries \(bridge mode, dynamic host ports\): no answer/, /allow inbound TCP 32768-65535 \(the instances' ephemeral range/]]],
  ["dynamic host port: this task's own port refused", { ip, self: true, name: `shop-abc-32768@${ip}`, direct: 32768, dist: { ok: false, kind: "refused", error: "connection refused" } }, {}, [["warn", "dist_port", /^this task: cannot reach shop-abc-32768@10\.0\.0\.4 on port 32768/, /does not accept connections on its published port 32768 at the instance's IP/]]],
  ["dynamic host port: the node answers to another name", { ip, self: false, name: `shop-abc-32769@${ip}`, direct: 32769, dist: { ok: true }, handshake: { outcome: "accepted", peerName: `shop-abc-32770@${ip}` } }, {}, [["fail", "node_name", /calls itself shop-abc-32770@10\.0\.0\.4, but peers dial shop-abc-32769@10\.0\.0\.4/]]],
  ["without EPMD: all good", { ip, self: false, direct: 9100, epmd: noEpmd, dist: { ok: true }, handshake: healthy.handshake }, {}, [["ok", "peer", /^shop-abc@10\.0\.0\.4: port 9100 reachable without EPMD, handshake ok, same cookie$/]]],
  ["without EPMD: the port dropped", { ip, self: false, direct: 9100, epmd: noEpmd, dist: { ok: false, kind: "timeout", error: "no answer within 1500 ms" } }, {}, [["fail", "dist_port", /cannot reach shop-abc@10\.0\.0\.4 on port 9100, the one port every node listens on without EPMD: no answer/, /allow inbound TCP 9100 between tasks \(the one port needed without EPMD\)/]]],
  ["without EPMD: the peer runs with it on the same port", { ip, self: false, direct: 9100, epmd: names(["shop-abc", 9100]), node: { name: "shop-abc", port: 9100 }, dist: { ok: true }, handshake: healthy.handshake }, {}, [["fail", "epmd", /runs with EPMD \(registered with the epmd at 10\.0\.0\.4 on port 9100\) and this task without it: this node reaches it on 9100, but it cannot dial this node/, /same ENTRYPOINT_EPMD/]]],
  ["without EPMD: the peer runs with it on another port", { ip, self: false, direct: 9100, epmd: names(["shop-abc", 41234]), node: { name: "shop-abc", port: 41234 }, dist: { ok: false, kind: "refused", error: "connection refused" } }, {}, [["fail", "epmd", /runs with EPMD \(registered .* on port 41234\) and this task without it; port 9100 is not reachable there: connection refused$/, /same ENTRYPOINT_EPMD/]]],
  ["with EPMD: none at the peer, but a node answers on our pinned port", { ip, self: false, epmd: { ok: false, stage: "connect", kind: "refused", error: "connection refused" }, pinnedAnswers: true }, { distPort: { min: 9100, max: 9100 } }, [["fail", "epmd", /^no epmd at 10\.0\.0\.4:4369 \(connection refused\), but a node accepts connections on our pinned port 9100: that task runs without EPMD and this one with it/, /same ENTRYPOINT_EPMD/]]],
  ["with EPMD: none at the peer, nothing on the pinned port either", { ip, self: false, epmd: { ok: false, stage: "connect", kind: "refused", error: "connection refused" }, pinnedAnswers: false }, { distPort: { min: 9100, max: 9100 } }, [["fail", "epmd", /^cannot reach epmd/, /release is not running there/]]],
];

for (const [name, check, overrides, want] of cases) {
  test(`peerFindings: ${name}`, () => {
    const got = peerFindings(check, { ...ctx, ...overrides });
    assert.is(got.length, want.length, JSON.stringify(got, null, 1));
    want.forEach(([severity, kind, message, fix], i) => {
      assert.is(got[i]!.severity, severity, got[i]!.message);
      assert.is(got[i]!.check, kind);
      assert.is(got[i]!.peer, check.ip);
      assert.match(got[i]!.message, message);
      if (fix) assert.match(got[i]!.fix ?? "", fix);
    });
  });
}

const f = (severity: Finding["severity"]): Finding => ({ severity, check: "x", message: "m" });
// A doctor that checked no peer cannot say that nothing blocks clustering: 1 even without a failure.
const codes: [Finding[], number, number][] = [
  [[], 1, 0],
  [[f("ok"), f("warn")], 1, 0],
  [[f("ok"), f("fail")], 1, 1],
  [[f("fail")], 1, 1],
  [[], 0, 1],
  [[f("ok"), f("warn")], 0, 1],
  [[f("fail")], 0, 1],
];
for (const [findings, peers, code] of codes) {
  test(`exitCodeOf ${findings.map((x) => x.severity).join(",") || "nothing"}, ${peers} peer(s) checked -> ${code}`, () => assert.is(exitCodeOf(findings, peers), code));
}

const check = (over: Partial<PeerCheck>): PeerCheck => ({ ip: "10.0.0.4", self: false, epmd: { ok: true, names: [] }, ...over });
const counted: [string, PeerCheck[], number][] = [
  ["none", [], 0],
  ["only this task", [check({ self: true })], 0],
  ["a peer cut off by the budget", [check({ notChecked: "budget" })], 0],
  ["this task and two peers", [check({ self: true }), check({}), check({ ip: "10.0.0.5" })], 2],
];
for (const [name, checks, want] of counted) test(`checkedPeers: ${name} -> ${want}`, () => assert.is(checkedPeers(checks), want));

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import type { PeerCheck } from "../../../src/doctor/check.ts";
import { findingLine, peerRow, renderJson, renderText, type Report } from "../../../src/doctor/render.ts";

const lines: [Parameters<typeof findingLine>[0], string][] = [
  [{ severity: "ok", check: "cookie", message: "RELEASE_COOKIE is set" }, "ok    cookie     RELEASE_COOKIE is set"],
  [{ severity: "warn", check: "peers", message: "none", fix: "pass --peer" }, "WARN  peers      none; fix: pass --peer"],
  [{ severity: "fail", check: "dist_port", peer: "10.0.0.4", message: "m", fix: "f" }, "FAIL  dist_port  m; fix: f"],
];
for (const [finding, want] of lines) test(`findingLine ${finding.severity}`, () => assert.is(findingLine(finding), want));

const ip = "10.0.0.4";
const rows: [string, PeerCheck, string[]][] = [
  ["healthy", { ip, self: false, epmd: { ok: true, names: [{ name: "shop-abc", port: 9100 }] }, node: { name: "shop-abc", port: 9100 }, dist: { ok: true }, handshake: { outcome: "accepted", peerName: "x" } }, [ip, "ok", "port 9100", "ok", "same"]],
  ["this task", { ip, self: true, epmd: { ok: false, stage: "connect", kind: "refused", error: "e" } }, [`${ip} (this task)`, "refused", "-", "-", "-"]],
  ["bad epmd answer", { ip, self: false, epmd: { ok: false, stage: "reply", error: "e" } }, [ip, "bad answer", "-", "-", "-"]],
  ["others registered", { ip, self: false, epmd: { ok: true, names: [{ name: "shop-def", port: 1 }, { name: "rem-1-shop-def", port: 2 }] } }, [ip, "ok", "other: shop-def +1", "-", "-"]],
  ["nothing registered", { ip, self: false, epmd: { ok: true, names: [] } }, [ip, "ok", "none", "-", "-"]],
  ["cookie differs", { ip, self: false, epmd: { ok: true, names: [] }, node: { name: "a", port: 1 }, dist: { ok: true }, handshake: { outcome: "rejected", peerName: "x" } }, [ip, "ok", "port 1", "ok", "DIFFERS"]],
  ["dist dropped", { ip, self: false, epmd: { ok: true, names: [] }, node: { name: "a", port: 1 }, dist: { ok: false, kind: "timeout", error: "e" } }, [ip, "ok", "port 1", "timeout", "-"]],
  ["not checked", { ip, self: false, notChecked: "budget" }, [ip, "not checked", "-", "-", "-"]],
  ["without EPMD: no epmd there is the healthy answer", { ip, self: false, direct: 9100, epmd: { ok: false, stage: "connect", kind: "refused", error: "e" }, dist: { ok: true }, handshake: { outcome: "accepted", peerName: "x" } }, [ip, "none", "port 9100", "ok", "same"]],
  ["without EPMD: the peer still runs it", { ip, self: false, direct: 9100, epmd: { ok: true, names: [{ name: "shop-abc", port: 9100 }] }, node: { name: "shop-abc", port: 9100 }, dist: { ok: true } }, [ip, "RUNS (mixed)", "port 9100", "ok", "-"]],
  ["dynamic host port: no epmd step, the port from the name", { ip, self: false, name: `shop-abc-32769@${ip}`, direct: 32769, dist: { ok: true }, handshake: { outcome: "accepted", peerName: "x" } }, [`${ip} shop-abc-32769@${ip}`, "not used", "port 32769", "ok", "same"]],
];
for (const [name, check, want] of rows) test(`peerRow: ${name}`, () => assert.equal(peerRow(check), want));

const report: Report = {
  node: "shop-abc@10.0.0.3",
  basename: "shop-abc",
  address: { ip: "10.0.0.3", family: 4, from: "--ip" },
  cookie: { source: "RELEASE_COOKIE", sha256: "1a2b3c4d" },
  epmdPort: 4369,
  peersChecked: 1,
  findings: [
    { severity: "ok", check: "cookie", message: "RELEASE_COOKIE is set" },
    { severity: "fail", check: "epmd", peer: ip, message: "cannot reach epmd", fix: "open 4369" },
  ],
  peers: [{ ip, self: false, epmd: { ok: false, stage: "connect", kind: "timeout", error: "e" } }],
  exitCode: 1,
};

test("renderText: local findings, the peer table, the peer findings, the verdict", () => {
  assert.is(
    renderText(report),
    [
      "entrypoint doctor: shop-abc@10.0.0.3",
      "",
      "ok    cookie     RELEASE_COOKIE is set",
      "",
      "peer      epmd 4369  node shop-abc  dist port  cookie",
      "10.0.0.4  timeout    -              -          -",
      "",
      "FAIL  epmd       cannot reach epmd; fix: open 4369",
      "",
      "clustering is blocked: 1 fail, 0 warn, 1 ok (exit 1)",
      "",
    ].join("\n"),
  );
});

const unchecked = (findings: Report["findings"]): Report => ({ ...report, findings, peers: [], peersChecked: 0, exitCode: 1 });
const verdicts: [string, Report, string][] = [
  ["a peer checked, no failure", { ...report, findings: [report.findings[0]!], exitCode: 0 }, "nothing blocks clustering: 0 fail, 0 warn, 1 ok (exit 0)"],
  ["no peer checked, no failure", unchecked([{ severity: "warn", check: "peers", message: "no peer was checked" }]), "no peer was checked, so this does not show that the nodes can cluster: 0 fail, 1 warn, 0 ok (exit 1)"],
  ["no peer checked, a failure", unchecked([{ severity: "fail", check: "cookie", message: "no cookie" }]), "clustering is blocked: 1 fail, 0 warn, 0 ok (exit 1)"],
];
for (const [name, r, want] of verdicts) {
  test(`renderText verdict: ${name}`, () => {
    const text = renderText(r);
    assert.is(text.trimEnd().split("\n").at(-1), want);
    if (r.peersChecked === 0) assert.not.match(text, "nothing blocks clustering");
  });
}

test("renderJson: one document with ok, the findings and the peers", () => {
  const doc = JSON.parse(renderJson(report));
  assert.is(doc.ok, false);
  assert.is(doc.exitCode, 1);
  assert.is(doc.peersChecked, 1);
  assert.equal(doc.cookie, { source: "RELEASE_COOKIE", sha256: "1a2b3c4d" });
  assert.is(doc.findings.length, 2);
  assert.is(doc.peers[0].epmd.kind, "timeout");
});

test.run();

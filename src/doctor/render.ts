// The doctor's report as text (findings, then a table per peer) or as one JSON document (pure).
import type { PeerCheck } from "./check.ts";
import { safeDeep } from "../safe-text.ts";
import type { Finding } from "./findings.ts";

export interface Report {
  node?: string;
  basename?: string;
  address?: { ip: string; family: 4 | 6; from?: string };
  /** Where the cookie comes from and its short hash; never the cookie. */
  cookie?: { source: string; sha256: string };
  epmdPort: number;
  /** Peers other than this task that were checked; 0 means the report says nothing about clustering. */
  peersChecked: number;
  findings: Finding[];
  peers: PeerCheck[];
  exitCode: number;
}

const SEVERITY = { ok: "ok", warn: "WARN", fail: "FAIL" } as const;

export function findingLine(f: Finding): string {
  const fix = f.fix ? `; fix: ${f.fix}` : "";
  return `${SEVERITY[f.severity].padEnd(4)}  ${f.check.padEnd(10)} ${f.message}${fix}`;
}

/** One word or two per step, for the table. */
export function peerRow(c: PeerCheck): string[] {
  const ip = c.self ? `${c.ip} (this task)` : c.ip;
  if (c.notChecked) return [ip, "not checked", "-", "-", "-"];
  const tls = c.tls ? [tlsCell(c)] : [];
  if (!c.epmd) return [c.name ? `${ip} ${c.name}` : ip, "not used", `port ${c.direct ?? "?"}`, !c.dist ? "-" : c.dist.ok ? "ok" : c.dist.kind, cookieCell(c), ...tls];
  const e = c.epmd;
  // Without EPMD epmd is only probed: "none" is the healthy answer.
  const epmd = c.direct !== undefined ? (c.node ? "RUNS (mixed)" : e.ok ? "up" : "none") : e.ok ? "ok" : e.stage === "connect" ? e.kind : "bad answer";
  const others = e.ok ? e.names.filter((n) => n.name !== c.node?.name) : [];
  const node = c.direct !== undefined ? `port ${c.direct}` : !e.ok ? "-" : c.node ? `port ${c.node.port}` : others.length ? `other: ${others[0]!.name}${others.length > 1 ? ` +${others.length - 1}` : ""}` : "none";
  const dist = !c.dist ? "-" : c.dist.ok ? "ok" : c.dist.kind;
  return [ip, epmd, node, dist, cookieCell(c), ...tls];
}

function cookieCell(c: PeerCheck): string {
  const h = c.handshake;
  return !h ? "-" : h.outcome === "accepted" ? "same" : h.outcome === "rejected" ? "DIFFERS" : h.outcome === "refused" ? h.status : h.outcome === "skipped" ? "not tried" : "unknown";
}

function tlsCell(c: PeerCheck): string {
  const t = c.tls!;
  if (t.plain) return "PLAIN TCP";
  if (t.error) return "FAILED";
  const p = t.peer!;
  return p.chainError || p.nameError ? "BAD CERT" : p.protocol;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}

// Findings quote what peers and the AWS API said: every string is escaped, bounded and redacted.
export function renderText(report: Report): string {
  const r = safeDeep(report);
  const lines = [`entrypoint doctor: ${r.node ?? "no node name"}`, ""];
  const local = r.findings.filter((f) => f.peer === undefined);
  const perPeer = r.findings.filter((f) => f.peer !== undefined);
  lines.push(...local.map(findingLine));
  if (r.peers.length > 0) {
    const head = ["peer", `epmd ${r.epmdPort}`, `node ${r.basename ?? "?"}`, "dist port", "cookie"];
    const rows = r.peers.map(peerRow);
    // Peers cut off before TLS get a "-" when others have a TLS column.
    const width = Math.max(head.length, ...rows.map((row) => row.length));
    if (width > head.length) head.push("tls");
    lines.push("", ...table([head, ...rows.map((row) => [...row, ...Array(width - row.length).fill("-")])]), "", ...perPeer.map(findingLine));
  }
  const count = (s: Finding["severity"]) => r.findings.filter((f) => f.severity === s).length;
  const verdict = count("fail") > 0 ? "clustering is blocked" : r.peersChecked === 0 ? "no peer was checked, so this does not show that the nodes can cluster" : "nothing blocks clustering";
  lines.push("", `${verdict}: ${count("fail")} fail, ${count("warn")} warn, ${count("ok")} ok (exit ${r.exitCode})`);
  return lines.join("\n") + "\n";
}

export function renderJson(report: Report): string {
  return JSON.stringify(safeDeep({ ok: report.exitCode === 0, ...report }), null, 2) + "\n";
}

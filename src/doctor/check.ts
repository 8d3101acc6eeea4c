// Checks each peer the way distributed Erlang reaches it: epmd, the node's registration, its
// distribution port, then the handshake. A failed step ends that peer's check.
import { randomBytes } from "node:crypto";
import { epmdNames, type EpmdOutcome, type Registered } from "./epmd.ts";
import { handshake, type Handshake } from "./handshake.ts";
import { openTcp } from "./tcp.ts";
import { checkTls } from "./tls-check.ts";
import { speaksTls } from "./tls.ts";
import type { TlsCheck } from "./tls-verdict.ts";
import type { TlsMaterial } from "../tls/material.ts";

export interface Target {
  ip: string;
  /** This task's own address: the release that runs here. */
  self: boolean;
  /** Bridge mode with dynamic host ports: the node's name, and the port it carries (dialed, no epmd). */
  name?: string;
  port?: number;
}

export interface CheckContext {
  basename?: string;
  epmdPort: number;
  /** Per step: connect, epmd answer, handshake. */
  timeoutMs: number;
  /** Never printed; only hashed into the handshake's digests. */
  cookie?: string;
  /** Host part of our hidden node name in the handshake. */
  doctorHost: string;
  /** Without EPMD: every node listens on this one port, dialed directly. */
  direct?: number;
  /** With EPMD and one pinned port: where a peer that runs without EPMD would answer. */
  pinned?: number;
  /** --dist-tls: the distribution port speaks TLS, checked with our CA and certificate. */
  tls?: TlsMaterial;
}

export interface PeerCheck {
  ip: string;
  self: boolean;
  /** The node dialed at the port its name carries (dynamic host ports). */
  name?: string;
  epmd?: EpmdOutcome;
  /** The node registered under our basename. */
  node?: Registered;
  dist?: { ok: true } | { ok: false; kind: string; error: string };
  handshake?: Handshake | { outcome: "skipped"; reason: string };
  notChecked?: string;
  /** Without EPMD: the port dialed directly; epmd is only probed beside it (a peer that runs it cannot dial us). */
  direct?: number;
  /** With EPMD, when the peer's epmd is unreachable: whether a node accepts connections on our pinned port. */
  pinnedAnswers?: boolean;
  tls?: TlsCheck;
  /** Without --dist-tls, after a handshake that led nowhere: the port speaks TLS. */
  speaksTls?: boolean;
}

/** Fills `result` step by step, so that a check cut off by the budget still shows how far it got. */
export async function checkTarget(target: Target, ctx: CheckContext, result: PeerCheck = { ip: target.ip, self: target.self }): Promise<PeerCheck> {
  // The name says where the node listens: no epmd step, nothing to ask (EcsEpmd does the same).
  if (target.port !== undefined) return dial(target.ip, target.port, ctx, Object.assign(result, { direct: target.port, name: target.name }));
  if (ctx.direct !== undefined) return checkDirect(target.ip, ctx.direct, ctx, result);
  result.epmd = await epmdNames(target.ip, ctx.epmdPort, ctx.timeoutMs);
  if (!result.epmd.ok && result.epmd.stage === "connect" && ctx.pinned !== undefined) {
    const probe = await openTcp(target.ip, ctx.pinned, ctx.timeoutMs);
    if (probe.ok) probe.socket.destroy();
    result.pinnedAnswers = probe.ok;
  }
  if (!result.epmd.ok || !ctx.basename) return result;
  result.node = result.epmd.names.find((n) => n.name === ctx.basename);
  if (!result.node) return result;
  return dial(target.ip, result.node.port, ctx, result);
}

/** Without EPMD: the pinned port at once, and epmd probed alongside, never in the way. */
async function checkDirect(ip: string, port: number, ctx: CheckContext, result: PeerCheck): Promise<PeerCheck> {
  result.direct = port;
  const [epmd] = await Promise.all([epmdNames(ip, ctx.epmdPort, ctx.timeoutMs), dial(ip, port, ctx, result)]);
  result.epmd = epmd;
  if (epmd.ok && ctx.basename) result.node = epmd.names.find((n) => n.name === ctx.basename);
  return result;
}

/** TCP to the node's distribution port, then the handshake when we have the cookie. */
async function dial(ip: string, port: number, ctx: CheckContext, result: PeerCheck): Promise<PeerCheck> {
  const conn = await openTcp(ip, port, ctx.timeoutMs);
  if (!conn.ok) {
    result.dist = { ok: false, kind: conn.kind, error: conn.error };
    return result;
  }
  result.dist = { ok: true };
  // A fresh name per check: a node answers "nok" to a second pending connection from one name.
  const name = `doctor-${randomBytes(4).toString("hex")}@${ctx.doctorHost}`;
  if (ctx.tls) return Object.assign(result, await checkTls({ ip, port, socket: conn.socket, name, cookie: ctx.cookie, timeoutMs: ctx.timeoutMs }, ctx.tls));
  if (!ctx.cookie) {
    conn.socket.destroy();
    result.handshake = { outcome: "skipped", reason: "no cookie here" };
    return result;
  }
  result.handshake = await handshake(conn.socket, { name, cookie: ctx.cookie, timeoutMs: ctx.timeoutMs });
  if (result.handshake.outcome === "inconclusive") result.speaksTls = await speaksTls(ip, port, ctx.timeoutMs);
  return result;
}

/** Checks targets a bounded number at a time; at budgetMs, checks in flight end and the rest are not started. */
export async function checkAll(targets: Target[], ctx: CheckContext, limits: { concurrency: number; budgetMs: number }): Promise<PeerCheck[]> {
  const budget = `the doctor's ${limits.budgetMs / 1000} s budget for peer checks ran out`;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), limits.budgetMs)));
  let over = false;
  void expired.then(() => (over = true));
  const results: PeerCheck[] = [];
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const target = targets[i]!;
      if (over) {
        results[i] = { ...target, notChecked: budget };
        continue;
      }
      const partial: PeerCheck = { ip: target.ip, self: target.self, ...(target.name ? { name: target.name } : {}) };
      const outcome = await Promise.race([checkTarget(target, ctx, partial), expired]);
      results[i] = outcome === "expired" ? { ...partial, notChecked: `${budget} during the check` } : outcome;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limits.concurrency, targets.length) }, worker));
  clearTimeout(timer);
  return results;
}

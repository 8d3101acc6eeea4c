// What the checks mean: one finding per problem, with the fix in plain words (pure).
import type { PeerCheck } from "./check.ts";
import { tlsSummary, tlsVerdicts } from "./tls-verdict.ts";

export type Severity = "ok" | "warn" | "fail";

export interface Finding {
  severity: Severity;
  check: string;
  /** The peer's IP, for findings about one peer. */
  peer?: string;
  message: string;
  fix?: string;
}

export interface PeerContext {
  basename?: string;
  epmdPort: number;
  distPort?: { min: number; max: number };
  family?: 4 | 6;
  distribution: "name" | "sname";
  cookieHash?: string;
  /** --dist-tls: the name peers' certificates must carry. */
  tls?: { serverName: string };
  /** For certificate dates; the clock when not given. */
  now?: number;
}

/** Exit 0 when at least one peer was checked and nothing blocks clustering, 1 otherwise: a doctor that checked no peer cannot say all is well. */
export const exitCodeOf = (findings: readonly Finding[], peersChecked: number) => (peersChecked === 0 || findings.some((f) => f.severity === "fail") ? 1 : 0);

/** Peers other than this task whose checks ran. */
export const checkedPeers = (checks: readonly PeerCheck[]) => checks.filter((c) => !c.self && !c.notChecked).length;

export const portRange = (r: { min: number; max: number }) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`);

// Remote shells and rpc calls (bin/app remote, rpc) and the doctor itself register names of their own.
const helperName = (name: string) => /^(rem|rpc|doctor)-/.test(name);

function epmdFix(kind: string, port: number, self: boolean): string {
  if (kind === "timeout") return `allow inbound TCP ${port} from the tasks' own security group (a self-referencing rule)`;
  if (kind === "refused") return self ? "fine if the release does not run where you run doctor; inside a task it should" : "the release is not running there (epmd starts with it), or ERL_EPMD_PORT differs";
  if (kind === "unreachable") return "is that task still running, and in a subnet this one can route to?";
  return `check what listens on port ${port} there`;
}

function distFix(c: PeerCheck, ctx: PeerContext, port: number, kind: string): string {
  const outside = ctx.distPort && (port < ctx.distPort.min || port > ctx.distPort.max);
  if (outside) return `it listens outside our --dist-port ${portRange(ctx.distPort!)}: give every task the same ENTRYPOINT_DIST_PORT and open that in the security group`;
  const v6 = ctx.family === 6 && kind === "refused" ? "; or its distribution listens on IPv4 only: that node needs -proto_dist inet6_tcp" : "";
  const open = ctx.distPort ? `allow inbound TCP ${portRange(ctx.distPort)} between tasks` : `allow inbound TCP ${port} between tasks, or better pin the port everywhere (--dist-port 9100) and open just that`;
  return c.self ? `the node here does not accept connections on ${port}${v6}` : `${open}${v6}`;
}

type At = (check: string, severity: Finding["severity"], message: string, fix?: string) => Finding;
const SAME_EPMD = "give every task the same ENTRYPOINT_EPMD (off everywhere, with the same ENTRYPOINT_DIST_PORT, or on everywhere)";

/** The problems of one peer, or one ok line when everything holds. */
function rawPeerFindings(c: PeerCheck, ctx: PeerContext): Finding[] {
  const at: At = (check, severity, message, fix) => ({ severity, check, peer: c.ip, message, fix });
  if (c.notChecked) return [at("peer", "fail", `not checked: ${c.notChecked}`, "pass --peer ADDR to check the peers you care about")];
  if (c.direct !== undefined) return directFindings(c, ctx, at);
  const e = c.epmd!;
  const where = `${c.ip.includes(":") ? `[${c.ip}]` : c.ip}:${ctx.epmdPort}`;
  if (!e.ok && e.stage === "connect" && c.pinnedAnswers) {
    return [at("epmd", "fail", `no epmd at ${where} (${e.error}), but a node accepts connections on our pinned port ${portRange(ctx.distPort!)}: that task runs without EPMD and this one with it, so this node cannot find it`, SAME_EPMD)];
  }
  if (!e.ok && e.stage === "connect") return [at("epmd", "fail", `cannot reach epmd at ${where}: ${e.error}`, epmdFix(e.kind, ctx.epmdPort, c.self))];
  if (!e.ok) return [at("epmd", "fail", `epmd at ${where} did not answer the NAMES request properly: ${e.error}`, `check what listens on port ${ctx.epmdPort} there`)];
  const names = e.names.map((n) => n.name);
  if (!ctx.basename) return [at("node", "warn", `registered with epmd: ${names.join(", ") || "nothing"}; no basename of ours to look for`, "pass --app (and --sha)")];
  if (!c.node) {
    const others = names.filter((n) => !helperName(n));
    if (others.length === 0) return [at("node", "fail", `epmd at ${where} has no node registered${names.length ? ` (only ${names.join(", ")})` : ""}`, "the release is not running there, or runs without distribution")];
    return [at("node", "fail", `${others.join(", ")} registered at ${c.ip}, not ${ctx.basename}: different basename (git SHA?)`, "run one image on every task (the same --sha / ENTRYPOINT_GIT_SHA), or set the same --basename everywhere")];
  }
  const port = c.node.port;
  const node = `${ctx.basename}@${c.ip}`;
  if (c.dist && !c.dist.ok) return [at("dist_port", "fail", `${node} is registered on port ${port}, but port ${port} is not reachable: ${c.dist.error}`, distFix(c, ctx, port, c.dist.kind))];
  const found: Finding[] = [];
  if (ctx.distPort && (port < ctx.distPort.min || port > ctx.distPort.max)) {
    found.push(at("dist_port", "warn", `${node} listens on port ${port}, outside our --dist-port ${portRange(ctx.distPort)}`, `give every task the same ENTRYPOINT_DIST_PORT; a security group that opens only ${portRange(ctx.distPort)} blocks ${port}`));
  }
  found.push(...connectionFindings(c, ctx, node, port, at));
  if (found.every((f) => f.severity !== "fail")) found.unshift(at("peer", "ok", `${node}: epmd ok, registered on port ${port}, ${connected(c)}`));
  return found;
}

/** Without EPMD the pinned port is dialed at once; epmd answering there means the peer still runs with it. */
function directFindings(c: PeerCheck, ctx: PeerContext, at: At): Finding[] {
  const port = c.direct!;
  const node = c.name ?? `${ctx.basename ?? "?"}@${c.ip}`;
  if (c.name && c.dist && !c.dist.ok) return [at("dist_port", "fail", `cannot reach ${node} on port ${port}, the host port its name carries (bridge mode, dynamic host ports): ${c.dist.error}`, dynamicPortFix(c, port))];
  const withEpmd = c.epmd?.ok && c.node ? `${node} runs with EPMD (registered with the epmd at ${c.ip} on port ${c.node.port}) and this task without it` : undefined;
  if (c.dist && !c.dist.ok) {
    if (withEpmd) return [at("epmd", "fail", `${withEpmd}; port ${port} is not reachable there: ${c.dist.error}`, SAME_EPMD)];
    const open = c.self ? `the node here does not accept connections on ${port}` : `allow inbound TCP ${port} between tasks (the one port needed without EPMD), and run the release there with ENTRYPOINT_DIST_PORT=${port}`;
    return [at("dist_port", "fail", `cannot reach ${node} on port ${port}, the one port every node listens on without EPMD: ${c.dist.error}`, open)];
  }
  const found = connectionFindings(c, ctx, node, port, at);
  if (withEpmd) found.push(at("epmd", "fail", `${withEpmd}: this node reaches it on ${port}, but it cannot dial this node (it asks for an epmd here, and there is none)`, SAME_EPMD));
  if (found.every((f) => f.severity !== "fail")) found.unshift(at("peer", "ok", `${node}: port ${port} reachable without EPMD, ${connected(c)}`));
  return found;
}

/** Bridge mode with dynamic host ports: the instances' security group, or this task's own mapping. */
function dynamicPortFix(c: PeerCheck, port: number): string {
  if (c.self) return `this node does not accept connections on its published port ${port} at the instance's IP: is the release running, and does the task definition map its distribution port ("hostPort": 0)?`;
  return `allow inbound TCP ${DYNAMIC_RANGE} (the instances' ephemeral range, where ECS picks dynamic host ports) from the instances' own security group, and check that the peer's task maps its distribution port`;
}

/** Covers Linux's default ip_local_port_range (32768-60999) and Docker's fallback range (49153-65535). */
export const DYNAMIC_RANGE = "32768-65535";

/** "handshake ok, same cookie" or "reachable", and the TLS version when the port speaks TLS. */
function connected(c: PeerCheck): string {
  const tls = c.tls ? `${tlsSummary(c.tls)}, ` : "";
  return tls + (c.handshake?.outcome === "accepted" ? "handshake ok, same cookie" : "reachable");
}

/** Under --dist-tls, TLS first: the handshake inside it only means something once TLS holds. */
function connectionFindings(c: PeerCheck, ctx: PeerContext, node: string, port: number, at: At): Finding[] {
  const tls = c.tls && ctx.tls ? tlsVerdicts(c.tls, node, port, ctx.tls.serverName, ctx.now ?? Date.now()) : [];
  return [...tls.map((v) => at(v.check, v.severity, v.message, v.fix)), ...handshakeFindings(c, ctx, node, at)];
}

/** What the handshake said: the cookie, the allow list, the node's own name. */
function handshakeFindings(c: PeerCheck, ctx: PeerContext, node: string, at: At): Finding[] {
  const found: Finding[] = [];
  const h = c.handshake;
  const ours = ctx.cookieHash ? ` (ours: sha256 ${ctx.cookieHash})` : "";
  if (h?.outcome === "rejected") {
    found.push(at("cookie", "fail", `${h.peerName} rejected our cookie${ours}: the cookies differ`, "give every task the same RELEASE_COOKIE (from a secret); releases/COOKIE is new with each build unless mix.exs sets :cookie"));
  } else if (h?.outcome === "refused") {
    found.push(at("handshake", h.status === "not_allowed" ? "fail" : "warn", `${node} refused the handshake with status "${h.status}"`, h.status === "not_allowed" ? "the peer's net_kernel allow list leaves us out" : "run doctor again"));
  } else if (h?.outcome === "inconclusive" && c.speaksTls) {
    found.push(at("tls_plain", "fail", `${node} speaks TLS on its distribution port, and this task plain TCP: that node runs with --dist-tls`, "the same --dist-tls (ENTRYPOINT_DIST_TLS=on) and TLS inputs on every task: a TLS node and a plain one never connect"));
  } else if (h?.outcome === "inconclusive" || h?.outcome === "skipped") {
    found.push(at("handshake", "warn", `handshake with ${node} not completed: ${h.reason}`, h.outcome === "skipped" ? "set RELEASE_COOKIE to check the cookie too" : "is the distribution TLS, or an older OTP than 23?"));
  } else if (h?.outcome === "accepted" && ctx.distribution === "name" && h.peerName !== node) {
    found.push(at("node_name", "fail", `the node at ${c.ip} calls itself ${h.peerName}, but peers dial ${node}; Erlang compares node names as atoms`, "let the entrypoint set RELEASE_NODE on every task (canonical IP, no env.sh override)"));
  }
  return found;
}

/** This task's own node is checked like a peer, but doctor may run where the release does not: at most a warning. */
export function peerFindings(c: PeerCheck, ctx: PeerContext): Finding[] {
  const found = rawPeerFindings(c, ctx);
  if (!c.self) return found;
  return found.map((f) => ({ ...f, severity: f.severity === "fail" ? "warn" : f.severity, message: `this task: ${f.message}` }));
}

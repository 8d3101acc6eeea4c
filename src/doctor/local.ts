// This task's own side: name and address, cookie, -proto_dist, env.sh, the pinned port, the peer lookup.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalIp } from "../boot/address.ts";
import { basenameOf } from "../boot/node-name.ts";
import type { EnvShOverride } from "../boot/release-files.ts";
import type { Self } from "../boot/steps.ts";
import { DYNAMIC_RANGE, portRange, type Finding } from "./findings.ts";
import { isDynamic } from "../network/mode.ts";

/** A short hash lets two tasks' cookies be compared by eye without printing either. */
export const cookieHash = (cookie: string) => createHash("sha256").update(cookie).digest("hex").slice(0, 8);

export interface Cookie {
  /** RELEASE_COOKIE, or the path of releases/COOKIE. */
  source?: string;
  sha256?: string;
  /** Where the release would read the cookie file from. */
  path: string;
}

/** The cookie the release's start script uses: RELEASE_COOKIE, else <bin dir>/../releases/COOKIE. */
export function readCookie(env: NodeJS.ProcessEnv, binDir: string): Cookie & { value?: string } {
  const path = join(binDir, "..", "releases", "COOKIE");
  if (env.RELEASE_COOKIE) return { source: "RELEASE_COOKIE", sha256: cookieHash(env.RELEASE_COOKIE), value: env.RELEASE_COOKIE, path };
  try {
    // The start script reads it with $(cat …), which drops trailing newlines.
    const value = readFileSync(path, "utf8").replace(/\n+$/, "");
    if (value) return { source: path, sha256: cookieHash(value), value, path };
  } catch {
    // not readable: reported as a finding
  }
  return { path };
}

export type PeerSource =
  | { kind: "given"; count: number }
  | { kind: "off" }
  | { kind: "no-basename" }
  | { kind: "lookup"; strategy: string; count: number; problem?: { message: string; action?: string; code?: string }; addressless?: number };

export interface LocalInput {
  self: Self;
  /** The basename the configuration asks for. */
  basename?: string;
  /** ELIXIR_ERL_OPTIONS as the release would get it, and whether the entrypoint added to it. */
  erlOptions: string;
  erlOptionsSetByUs: boolean;
  cookie: Cookie;
  overrides: EnvShOverride[];
  distPort?: { min: number; max: number };
  /** Distribution without EPMD (--epmd off) on the one pinned port. */
  withoutEpmd?: boolean;
  epmdPort: number;
  peers: PeerSource;
}

const finding = (severity: Finding["severity"], check: string, message: string, fix?: string): Finding => ({ severity, check, message, fix });

function addressFinding(i: LocalInput): Finding {
  const { preset, node, address, source } = i.self;
  if (preset) {
    const host = preset.slice(preset.indexOf("@") + 1);
    const fix = "unset RELEASE_NODE and let the entrypoint name the node";
    if (!address) return finding("warn", "address", `RELEASE_NODE is preset to ${preset}, whose host is not an IP address`, fix);
    if (canonicalIp(host)?.ip !== host) return finding("fail", "address", `RELEASE_NODE is preset to ${preset}, but peers write the address as ${address.ip} (RFC 5952)`, fix);
    if (i.basename && basenameOf(preset) !== i.basename) return finding("warn", "address", `RELEASE_NODE is preset to ${preset}; peers look for ${i.basename}`, fix);
    return finding("ok", "address", `RELEASE_NODE is preset to ${preset} (kept; metadata not read)`);
  }
  const mode = i.self.networkMode ? ` (network mode ${i.self.networkMode}: the container instance's private IP)` : "";
  if (node && address) return finding("ok", "address", `node ${node}; ip ${address.ip} from ${source}${mode}`);
  return finding("fail", "address", "no node name: no address was learned (no metadata endpoint and no --ip)", "run doctor inside the task (ECS Exec), or pass --ip");
}

function cookieFinding(i: LocalInput): Finding {
  const { source, sha256, path } = i.cookie;
  if (!source) return finding("fail", "cookie", `no cookie: RELEASE_COOKIE is not set and ${path} is not readable`, "set RELEASE_COOKIE from a secret, the same for every task");
  const from = source === "RELEASE_COOKIE" ? "RELEASE_COOKIE is set" : `the cookie comes from ${source} (new with each build unless mix.exs sets :cookie)`;
  return finding("ok", "cookie", `${from}; sha256 ${sha256} (compare across tasks)`);
}

function protoDistFinding(i: LocalInput): Finding | undefined {
  const family = i.self.address?.family;
  if (family === undefined) return undefined;
  // inet6_tls: the same IPv6 listener, with TLS (--dist-tls).
  const proto = /(?:^|\s)-proto_dist\s+(inet6_t(?:cp|ls))(?:\s|$)/.exec(i.erlOptions)?.[1];
  const has = proto !== undefined;
  const by = i.erlOptionsSetByUs ? "set by the entrypoint" : "from the environment";
  if (family === 6 && has) return finding("ok", "proto_dist", `IPv6 address and -proto_dist ${proto} in ELIXIR_ERL_OPTIONS (${by}); bin/<app> remote and rpc need it too`);
  if (family === 6) return finding("fail", "proto_dist", "IPv6 address, but ELIXIR_ERL_OPTIONS has no -proto_dist inet6_tcp: distribution listens on IPv4 only and Node.connect returns false", 'add "-proto_dist inet6_tcp" to ELIXIR_ERL_OPTIONS on every node (the entrypoint does unless RELEASE_NODE is preset)');
  if (has) return finding("warn", "proto_dist", `IPv4 address, but ELIXIR_ERL_OPTIONS has -proto_dist ${proto}`, "every node must use the same -proto_dist: remove it, or use --ip-family ipv6 everywhere");
  return finding("ok", "proto_dist", "IPv4 address and no -proto_dist inet6_tcp");
}

function envShFindings(i: LocalInput): Finding[] {
  if (i.overrides.length === 0) return [finding("ok", "env_sh", "no releases/*/env.sh sets RELEASE_NODE or RELEASE_DISTRIBUTION")];
  return i.overrides.map(({ file, variable }) =>
    finding("fail", "env_sh", `${file} sets ${variable} and runs after the entrypoint, overriding its value`, `remove that line from rel/env.sh.eex, or make it a default: \${${variable}:-…}`),
  );
}

function distPortFinding(i: LocalInput): Finding {
  const published = i.self.published;
  if (published && isDynamic(published)) {
    return finding("ok", "dist_port", `network mode bridge: distribution without EPMD on container port ${published.containerPort}, published on the instance as the dynamic host port ${published.hostPort}, which the node name carries (${i.self.node}); peers reach it through EcsEpmd (-epmd_module Elixir.EcsEpmd): the instances' security group needs TCP ${DYNAMIC_RANGE} between instances`);
  }
  if (published) {
    return finding("ok", "dist_port", `network mode bridge: distribution without EPMD on container port ${published.containerPort}, published on the instance as host port ${published.hostPort}: the security group needs only TCP ${published.hostPort} between instances`);
  }
  if (i.withoutEpmd && i.distPort) return finding("ok", "dist_port", `distribution without EPMD on port ${i.distPort.min}: the security group needs only TCP ${i.distPort.min} between tasks`);
  if (i.distPort) return finding("ok", "dist_port", `distribution pinned to ${portRange(i.distPort)}: the security group needs TCP ${i.epmdPort} and ${portRange(i.distPort)} between tasks`);
  return finding("ok", "dist_port", `distribution port not pinned: the security group must open TCP ${i.epmdPort} and every port between tasks (or pin one with --dist-port)`);
}

function peersFinding(p: PeerSource): Finding {
  if (p.kind === "given") return finding(p.count ? "ok" : "warn", "peers", `${p.count} peer(s) given with --peer (no lookup)`);
  if (p.kind === "off") {
    return finding("warn", "peers", "no peer was checked: peer discovery is off (--peers off, ENTRYPOINT_PEERS unset) and no --peer was given", "give a peer source: --peers family (or service:NAME, tags; ENTRYPOINT_PEERS in the task definition), or --peer ADDR (another task's IP, repeatable)");
  }
  if (p.kind === "no-basename") return finding("warn", "peers", "no peer lookup: no node basename", "pass --app");
  const denied = p.problem?.action && /AccessDenied|NotAuthorized|Unauthorized/.test(p.problem.code ?? "");
  if (denied) return finding("fail", "peers", `peer lookup (${p.strategy}): the IAM action ${p.problem!.action} was denied`, `add ${p.problem!.action} to the task role (with ecs:ListTasks and ecs:DescribeTasks; tag:GetResources for tags)`);
  if (p.problem) return finding("fail", "peers", `peer lookup (${p.strategy}) failed: ${p.problem.message}`, "check the task role, the region and the route to the ECS API");
  if (p.addressless) {
    return finding("fail", "peers", `${p.addressless} running task(s) found by --peers ${p.strategy} have no task IP address (network mode host or bridge)`, 'peers need "networkMode": "awsvpc" in the task definition (Fargate always has it)');
  }
  if (p.count > 0) return finding("ok", "peers", `${p.count} peer(s) found by --peers ${p.strategy}`);
  const tags = p.strategy === "tags" ? "; tasks carry tags only when the service sets propagateTags or enableECSManagedTags" : "";
  return finding("warn", "peers", `--peers ${p.strategy} found no other running task${tags}`, "start a second task, or check the strategy");
}

export function localFindings(i: LocalInput): Finding[] {
  const found = [addressFinding(i), cookieFinding(i), protoDistFinding(i), ...envShFindings(i), distPortFinding(i), peersFinding(i.peers)];
  return found.filter((f): f is Finding => f !== undefined);
}

// "entrypoint doctor": why don't my nodes cluster? (SPEC 4.7) The boot's steps without exec,
// then each peer checked the way distributed Erlang reaches it. Logs go to stderr, the report to stdout.
import { canonicalIp } from "../boot/address.ts";
import type { CommandLine } from "../config/cli.ts";
import type { Config } from "../config/config.ts";
import { configError, expected, usageError } from "../errors.ts";
import { writeFd, type Logger } from "../log.ts";
import { envShOverrides } from "../boot/release-files.ts";
import { epmdForMode, networkStep } from "../network/index.ts";
import { releaseVariables } from "../boot/release-env.ts";
import { addressStep, peersStep, type Self } from "../boot/steps.ts";
import { checkAll, type Target } from "./check.ts";
import { epmdPortFrom } from "./epmd.ts";
import { checkedPeers, exitCodeOf, peerFindings } from "./findings.ts";
import { localFindings, readCookie, type PeerSource } from "./local.ts";
import { renderJson, renderText, type Report } from "./render.ts";
import { ownCertVerdict } from "./tls-verdict.ts";
import type { TlsMaterial } from "../tls/material.ts";

export interface DoctorInput {
  line: CommandLine;
  config: Config;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

// Each step (connect, epmd answer, handshake) gets STEP_MS; all peer checks together BUDGET_MS.
const STEP_MS = 1500;
const BUDGET_MS = 8000;
const CONCURRENCY = 16;

function options(line: CommandLine): { format: "text" | "json"; peers?: string[] } {
  const format = line.flags.format ?? "text";
  if (format !== "text" && format !== "json") throw usageError(`--format: ${expected("text or json", format)}`);
  if (line.positionals.length > 0) throw usageError(`doctor takes no arguments, got ${JSON.stringify(line.positionals[0])}; use --peer ADDR`);
  const given = line.repeated.peer;
  if (!given) return { format };
  const peers = given.map((text) => canonicalIp(text)?.ip ?? fail(text));
  return { format, peers: [...new Set(peers)] };
}

function fail(text: string): never {
  throw configError(`--peer: ${expected("the IPv4 or IPv6 address of another task", text)}`);
}

/** Peers to check: --peer wins; else the boot's own lookup (when --peers is on). */
async function findPeers(input: DoctorInput, self: Self, given?: string[]): Promise<{ ips: string[]; source: PeerSource }> {
  if (given) return { ips: given, source: { kind: "given", count: given.filter((ip) => ip !== self.address?.ip).length } };
  const { config, env, log } = input;
  if (config.peers.kind === "off") return { ips: [], source: { kind: "off" } };
  const found = await peersStep(config, env, self, log);
  if (!found) return { ips: [], source: { kind: "no-basename" } };
  return { ips: found.ips, source: { kind: "lookup", strategy: config.peers.kind, count: found.ips.length, problem: found.problem, addressless: found.addressless } };
}

export async function runDoctor(input: DoctorInput): Promise<number> {
  const { config, env } = input;
  const { format, peers: given } = options(input.line);
  const configured = networkStep(config, input.log);
  const self = await addressStep(config, env, input.log);
  const epmdless = epmdForMode(config, self, configured, input.log);
  const peers = await findPeers(input, self, given);
  const family = self.node ? self.address?.family : undefined;
  const vars = releaseVariables({ distribution: config.distribution, node: self.node, family, distPort: config.distPort, epmdless, env });
  const cookie = readCookie(env, config.binDir);
  const epmdPort = epmdPortFrom(env);
  const findings = localFindings({
    self,
    basename: config.basename,
    erlOptions: vars.ELIXIR_ERL_OPTIONS ?? env.ELIXIR_ERL_OPTIONS ?? "",
    erlOptionsSetByUs: vars.ELIXIR_ERL_OPTIONS !== undefined,
    cookie,
    overrides: envShOverrides(config.binDir),
    distPort: config.distPort,
    withoutEpmd: epmdless !== undefined,
    epmdPort,
    peers: peers.source,
  });
  // --dist-tls (SPEC 4.10): the peers' distribution ports speak TLS with mutual authentication.
  const { distTls } = config as Config & { distTls?: TlsMaterial };
  if (distTls) findings.push(ownCertVerdict(distTls.cert, Date.now()));
  const ownIp = self.address?.ip;
  const targets: Target[] = [...(ownIp ? [{ ip: ownIp, self: true }] : []), ...peers.ips.filter((ip) => ip !== ownIp).map((ip) => ({ ip, self: false }))];
  // Without EPMD the pinned port is dialed directly; with EPMD and one pinned port, it tells a peer without EPMD apart.
  const pinned = config.distPort && config.distPort.min === config.distPort.max ? config.distPort.min : undefined;
  const ctx = { basename: self.basename, epmdPort, timeoutMs: STEP_MS, cookie: cookie.value, doctorHost: ownIp ?? "127.0.0.1", direct: epmdless?.port, pinned, tls: distTls };
  const checks = await checkAll(targets, ctx, { concurrency: CONCURRENCY, budgetMs: BUDGET_MS });
  const context = { basename: self.basename, epmdPort, distPort: config.distPort, family: self.address?.family, distribution: config.distribution, cookieHash: cookie.sha256, tls: distTls && { serverName: distTls.serverName } };
  findings.push(...checks.flatMap((c) => peerFindings(c, context)));
  const peersChecked = checkedPeers(checks);
  const report: Report = {
    node: self.preset ?? self.node,
    basename: self.basename,
    address: self.address && { ...self.address, from: self.source },
    cookie: cookie.source && cookie.sha256 ? { source: cookie.source, sha256: cookie.sha256 } : undefined,
    epmdPort,
    peersChecked,
    findings,
    peers: checks,
    exitCode: exitCodeOf(findings, peersChecked),
  };
  writeFd(1, format === "json" ? renderJson(report) : renderText(report));
  return report.exitCode;
}

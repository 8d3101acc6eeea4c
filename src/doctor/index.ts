// "entrypoint doctor": why don't my nodes cluster? (SPEC 4.7) The boot's steps without exec,
// then each peer checked the way distributed Erlang reaches it. Logs go to stderr, the report to stdout.
import type { CommandLine } from "../config/cli.ts";
import type { Config } from "../config/config.ts";
import { expected, usageError } from "../errors.ts";
import { writeFd, type Logger } from "../log.ts";
import { envShOverrides } from "../boot/release-files.ts";
import { epmdForMode, networkStep } from "../network/index.ts";
import { releaseVariables } from "../boot/release-env.ts";
import { addressStep, peersStep, type Self } from "../boot/steps.ts";
import { checkAll, type Target } from "./check.ts";
import { epmdPortFrom } from "./epmd.ts";
import { checkedPeers, exitCodeOf, peerFindings, type Finding } from "./findings.ts";
import { parsePeerArg, uniquePeers, type PeerArg } from "./peer-arg.ts";
import { isDynamic } from "../network/mode.ts";
import { localFindings, readCookie, type PeerSource } from "./local.ts";
import { renderJson, renderText, type Report } from "./render.ts";
import { ownCertVerdict } from "./tls-verdict.ts";

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

function options(line: CommandLine): { format: "text" | "json"; peers?: PeerArg[] } {
  const format = line.flags.format ?? "text";
  if (format !== "text" && format !== "json") throw usageError(`--format: ${expected("text or json", format)}`);
  if (line.positionals.length > 0) throw usageError(`doctor takes no arguments, got ${JSON.stringify(line.positionals[0])}; use --peer ADDR`);
  const given = line.repeated.peer;
  return given ? { format, peers: uniquePeers(given.map(parsePeerArg)) } : { format };
}

/** Peers to check: --peer wins; else the boot's own lookup (when --peers is on). */
async function findPeers(input: DoctorInput, self: Self, given?: PeerArg[]): Promise<{ peers: PeerArg[]; source: PeerSource }> {
  if (given) return { peers: given, source: { kind: "given", count: given.filter((p) => p.ip !== self.address?.ip || p.port !== undefined).length } };
  const { config, env, log } = input;
  if (config.peers.kind === "off") return { peers: [], source: { kind: "off" } };
  const found = await peersStep(config, env, self, log);
  if (!found) return { peers: [], source: { kind: "no-basename" } };
  const source: PeerSource = { kind: "lookup", strategy: config.peers.kind, count: found.ips.length, problem: found.problem, addressless: found.addressless };
  return { peers: found.ips.map((ip) => ({ ip })), source };
}

/**
 * This task first, then the peers. With dynamic host ports every node has its own port, which only
 * its name tells: this node is dialed at its published port, a peer given by IP alone is not checked.
 */
function targetsOf(self: Self, peers: PeerArg[]): { targets: Target[]; unnamed: Finding[] } {
  const ownIp = self.address?.ip;
  const dynamic = isDynamic(self.published);
  const own: Target[] = !ownIp ? [] : dynamic ? [{ ip: ownIp, self: true, name: self.node, port: self.published!.hostPort }] : [{ ip: ownIp, self: true }];
  const isOwn = (p: PeerArg) => p.ip === ownIp && (p.port === undefined || p.port === own[0]?.port);
  const others = peers.filter((p) => !isOwn(p));
  const unnamed = dynamic ? others.filter((p) => p.port === undefined) : [];
  const example = `${self.basename ?? "app"}-32769`;
  return {
    targets: [...own, ...others.filter((p) => !unnamed.includes(p)).map((p) => ({ ...p, self: false }))],
    unnamed: unnamed.map((p) => ({
      severity: "fail",
      check: "peer",
      peer: p.ip,
      message: `not checked: in bridge mode with dynamic host ports each node listens on its own host port, which only its node name tells`,
      fix: `pass the peer's node name, e.g. --peer ${example}@${p.ip}`,
    })),
  };
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
  const { distTls } = config;
  if (distTls) findings.push(ownCertVerdict(distTls.cert, Date.now()));
  const ownIp = self.address?.ip;
  const { targets, unnamed } = targetsOf(self, peers.peers);
  findings.push(...unnamed);
  // Without EPMD the pinned port is dialed directly; with EPMD and one pinned port, it tells a peer without EPMD apart.
  const pinned = config.distPort && config.distPort.min === config.distPort.max ? config.distPort.min : undefined;
  const direct = isDynamic(self.published) ? undefined : epmdless?.port;
  const ctx = { basename: self.basename, epmdPort, timeoutMs: STEP_MS, cookie: cookie.value, doctorHost: ownIp ?? "127.0.0.1", direct, pinned, tls: distTls };
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

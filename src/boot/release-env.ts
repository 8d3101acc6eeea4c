import { configError } from "../errors.ts";
import type { IpFamily } from "./address.ts";
import type { EpmdlessFlags } from "../network/epmd.ts";
import type { TlsFiles } from "../tls/index.ts";

export interface ReleaseEnvInput {
  distribution: "name" | "sname";
  /** Undefined when RELEASE_NODE is kept from the environment or no address is known. */
  node?: string;
  family?: IpFamily;
  distPort?: { min: number; max: number };
  /** Distribution without EPMD (src/network/): flags for every node, and for the hidden ones only. */
  epmdless?: Pick<EpmdlessFlags, "always" | "listening" | "operator">;
  /** TLS distribution (src/tls/): the optfile written for this run and the ssl code path. */
  tls?: Pick<TlsFiles, "optfile">;
  /** The command starts a hidden node beside the running release (rpc, remote, stop...): it dials, it does not listen. */
  operator?: boolean;
  peers?: { ips: string[]; nodes: string[]; lookup: "ok" | "failed"; complete?: boolean };
  /** The environment the command would otherwise get. */
  env: NodeJS.ProcessEnv;
}

const PROTO_DIST = /(?:^|\s)-proto_dist\s+(\S+)/;

/** The existing value is kept byte for byte; what is missing is appended after one space. */
function appendErlOptions(existing: string | undefined, extra: string[]): string | undefined {
  const current = existing ?? "";
  const missing = extra.filter((opt) => !current.includes(opt) && !(opt.startsWith("-proto_dist ") && PROTO_DIST.test(current)));
  if (missing.length === 0) return undefined;
  return current === "" ? missing.join(" ") : `${current} ${missing.join(" ")}`;
}

/** An IPv6 node with a -proto_dist of the user's that is not an IPv6 variant (inet6_tcp, inet6_tls) cannot listen. */
export function protoDistProblem(existing: string | undefined, family: IpFamily | undefined): string | undefined {
  const chosen = PROTO_DIST.exec(existing ?? "")?.[1];
  if (family !== 6 || chosen === undefined || chosen.includes("inet6")) return undefined;
  return `ELIXIR_ERL_OPTIONS has -proto_dist ${chosen}, which is not an IPv6 variant, but the node's address is IPv6: use inet6_tcp or inet6_tls there`;
}

/** With TLS on, a -proto_dist of the user's that is not a TLS one would leave the cluster in clear text. */
export function tlsProtoDistConflict(existing: string | undefined): string | undefined {
  const chosen = PROTO_DIST.exec(existing ?? "")?.[1];
  if (chosen === undefined || chosen.endsWith("_tls")) return undefined;
  return `ELIXIR_ERL_OPTIONS has -proto_dist ${chosen}, but ENTRYPOINT_DIST_TLS is on: remove that flag (the entrypoint adds inet_tls or inet6_tls)`;
}

export interface ErlAdditions {
  /** Every node of the release needs these, the operator's hidden ones (remote, rpc) included. */
  always: string[];
  /** Only the node that listens: a second node beside it would fail on the same pinned port. */
  listening: string[];
  /** Only the operator's hidden nodes (remote, rpc, stop...): dial without listening. */
  operator: string[];
}

/** What the boot adds to ELIXIR_ERL_OPTIONS for this address family, pinned port and EPMD choice. */
export function erlAdditions(input: Pick<ReleaseEnvInput, "family" | "distPort" | "epmdless" | "tls">): ErlAdditions {
  const { family, distPort, epmdless, tls } = input;
  return {
    always: [...protoDist(family, tls), ...(epmdless?.always ?? [])],
    listening: [...(distPort ? [`-kernel inet_dist_listen_min ${distPort.min} inet_dist_listen_max ${distPort.max}`] : []), ...(epmdless?.listening ?? [])],
    operator: epmdless?.operator ?? [],
  };
}

/** TCP or TLS, over IPv4 or IPv6. */
function protoDist(family: IpFamily | undefined, tls: ReleaseEnvInput["tls"]): string[] {
  const v6 = family === 6 ? "6" : "";
  if (!tls) return v6 ? ["-proto_dist inet6_tcp"] : [];
  return [`-proto_dist inet${v6}_tls`, `-ssl_dist_optfile ${tls.optfile}`];
}

/** The variables to set on top of the environment; everything else passes through untouched. */
export function releaseVariables(input: ReleaseEnvInput): Record<string, string> {
  const vars: Record<string, string> = {};
  const haveNode = input.node !== undefined || input.env.RELEASE_NODE;
  if (haveNode && !input.env.RELEASE_DISTRIBUTION) vars.RELEASE_DISTRIBUTION = input.distribution;
  if (input.node !== undefined) vars.RELEASE_NODE = input.node;
  const erl = erlAdditions(input);
  const options = appendErlOptions(input.env.ELIXIR_ERL_OPTIONS, [...erl.always, ...(input.operator ? erl.operator : erl.listening)]);
  if (options !== undefined) vars.ELIXIR_ERL_OPTIONS = options;
  if (input.peers) Object.assign(vars, peerVariables(input.peers));
  // Beyond one page of tasks the peers are a subset of the fleet (bounded AWS calls); the app can tell.
  if (input.peers?.lookup === "ok") vars.ECS_PEER_LIST = input.peers.complete === false ? "subset" : "complete";
  return vars;
}

/** ECS_PEER_IPS, ECS_PEER_NODES (both empty strings when there are none) and ECS_PEER_LOOKUP. */
export function peerVariables(peers: NonNullable<ReleaseEnvInput["peers"]>): Record<string, string> {
  return { ECS_PEER_IPS: peers.ips.join(","), ECS_PEER_NODES: peers.nodes.join(","), ECS_PEER_LOOKUP: peers.lookup };
}

export type EnvFormat = "shell" | "json" | "dotenv";

// Inside single quotes the shell expands nothing; a quote itself is closed, escaped, reopened.
export const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

// The dotenv package's parser unescapes nothing but \n and \r (inside double quotes), and a quote
// cannot appear inside its own kind: per value, the first form that reads back exactly.
const DOTENV_FORMS: [(v: string) => boolean, (v: string) => string][] = [
  [(v) => !/["]|\\[nr]|\\$/.test(v), (v) => `"${v.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`],
  [(v) => !/['\r]|\\$/.test(v), (v) => `'${v}'`],
  [(v) => !/[`\r]|\\$/.test(v), (v) => `\`${v}\``],
  [(v) => /^[^\s'"`#][^#\r\n]*$/.test(v) && !/\s$/.test(v), (v) => v],
];

function dotenvQuote(name: string, value: string): string {
  const form = DOTENV_FORMS.find(([fits]) => fits(value));
  if (!form) throw configError(`${name} cannot be written as a dotenv value that reads back exactly (it holds ', " and \` or a carriage return with a backslash); use --format shell or json`);
  return form[1](value);
}

export function renderVariables(vars: Record<string, string>, format: EnvFormat): string {
  const entries = Object.entries(vars);
  if (format === "json") return JSON.stringify(vars, null, 2) + "\n";
  const line = format === "shell" ? ([k, v]: [string, string]) => `export ${k}=${shellQuote(v)}` : ([k, v]: [string, string]) => `${k}=${dotenvQuote(k, v)}`;
  return entries.map(line).join("\n") + (entries.length ? "\n" : "");
}

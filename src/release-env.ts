import type { IpFamily } from "./address.ts";

export interface ReleaseEnvInput {
  distribution: "name" | "sname";
  /** Undefined when RELEASE_NODE is kept from the environment or no address is known. */
  node?: string;
  family?: IpFamily;
  distPort?: { min: number; max: number };
  peers?: { ips: string[]; nodes: string[]; lookup: "ok" | "failed"; complete?: boolean };
  /** The environment the command would otherwise get. */
  env: NodeJS.ProcessEnv;
}

function appendErlOptions(existing: string | undefined, extra: string[]): string | undefined {
  const current = existing ?? "";
  const missing = extra.filter((opt) => !current.includes(opt));
  if (missing.length === 0) return undefined;
  return [current.trim(), ...missing].filter(Boolean).join(" ");
}

/** The variables to set on top of the environment; everything else passes through untouched. */
export function releaseVariables(input: ReleaseEnvInput): Record<string, string> {
  const vars: Record<string, string> = {};
  const haveNode = input.node !== undefined || input.env.RELEASE_NODE;
  if (haveNode && !input.env.RELEASE_DISTRIBUTION) vars.RELEASE_DISTRIBUTION = input.distribution;
  if (input.node !== undefined) vars.RELEASE_NODE = input.node;
  const erl: string[] = [];
  if (input.family === 6) erl.push("-proto_dist inet6_tcp");
  if (input.distPort) erl.push(`-kernel inet_dist_listen_min ${input.distPort.min} inet_dist_listen_max ${input.distPort.max}`);
  const options = appendErlOptions(input.env.ELIXIR_ERL_OPTIONS, erl);
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
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

const dotenvQuote = (value: string) =>
  `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\$/g, "\\$")}"`;

export function renderVariables(vars: Record<string, string>, format: EnvFormat): string {
  const entries = Object.entries(vars);
  if (format === "json") return JSON.stringify(vars, null, 2) + "\n";
  const line = format === "shell" ? ([k, v]: [string, string]) => `export ${k}=${shellQuote(v)}` : ([k, v]: [string, string]) => `${k}=${dotenvQuote(v)}`;
  return entries.map(line).join("\n") + (entries.length ? "\n" : "");
}

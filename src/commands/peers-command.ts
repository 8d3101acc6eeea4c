// "entrypoint peers": the address and peer steps run now, the result printed (SPEC 2). For the app
// (or the Elixir companion) to ask again after boot; it execs nothing.
import type { CommandLine } from "../config/cli.ts";
import type { Config } from "../config/config.ts";
import { expected, usageError } from "../errors.ts";
import { writeStdout, type Logger } from "../log.ts";
import type { Peers } from "../peers/index.ts";
import { peerVariables, renderVariables } from "../boot/release-env.ts";
import { addressStep, peersStep } from "../boot/steps.ts";

const FORMATS = ["lines", "json", "shell"] as const;
type PeersFormat = (typeof FORMATS)[number];

export interface PeersCommandInput {
  line: CommandLine;
  config: Config;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

function formatOf(line: CommandLine): PeersFormat {
  const format = line.flags.format ?? "lines";
  if (!(FORMATS as readonly string[]).includes(format)) throw usageError(`--format: ${expected("lines, json or shell", format)}`);
  if (line.positionals.length > 0) throw usageError(`peers takes no arguments, got ${JSON.stringify(line.positionals[0])}`);
  return format as PeersFormat;
}

export function renderPeers(peers: Peers, format: PeersFormat): string {
  if (format === "json") return JSON.stringify({ lookup: peers.lookup, ips: peers.ips, nodes: peers.nodes }) + "\n";
  if (format === "shell") return renderVariables(peerVariables(peers), "shell");
  return peers.nodes.map((node) => `${node}\n`).join("");
}

/** Exit 0 when the lookup worked (also with no peers), 1 when it failed (the warning is on stderr), 74 when the output cannot be written. */
export async function runPeers(input: PeersCommandInput): Promise<number> {
  const format = formatOf(input.line);
  // Asking for peers is the point of this command: with the boot's lookup off, use the zero-config strategy.
  const config: Config = input.config.peers.kind === "off" ? { ...input.config, peers: { kind: "family" } } : input.config;
  const self = await addressStep(config, input.env, input.log);
  const peers: Peers = (await peersStep(config, input.env, self, input.log)) ?? { ips: [], nodes: [], lookup: "failed" };
  // A script reads this: output that cannot be written is exit 74, as for env.
  writeStdout(renderPeers(peers, format));
  return peers.lookup === "ok" ? 0 : 1;
}

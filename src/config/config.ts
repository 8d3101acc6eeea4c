import { dirname, resolve } from "node:path";
import type { FamilyChoice } from "../boot/address.ts";
import type { CommandLine } from "./cli.ts";
import { configError } from "../errors.ts";
import { distPort, flagOn, ip, metadataUri, millis, oneOf, peers, peersQuery, type DistPort, type PeersQuery, type PeersStrategy, type Setting } from "./config-values.ts";
import type { LogOptions } from "../log.ts";
import { composeBasename, validateBasename } from "../boot/node-name.ts";
import { BOOT_OPTIONS, ENV, type BootOptionKey } from "./options.ts";
import type { TlsMaterial } from "../tls/material.ts";
import { tlsOn } from "../tls/switch.ts";
import { loadChunk } from "../chunks.ts";

export type { PeersQuery, PeersStrategy, TagFilter } from "./config-values.ts";

export interface Config {
  /** Undefined when no app name is known; an error only if a node name is needed. */
  basename?: string;
  basenameSource: string;
  ip?: string;
  /** Where --ip came from (flag or env var), for the log. */
  ipSource?: string;
  metadataUri?: string;
  metadataTimeoutMs: number;
  ipFamily: FamilyChoice;
  distribution: "name" | "sname";
  distPort?: DistPort;
  /** off: distribution without EPMD on the one pinned port (src/network/). */
  epmd: "on" | "off";
  peers: PeersStrategy;
  peersQuery?: PeersQuery;
  peersTimeoutMs: number;
  execMode: "auto" | "execve" | "spawn";
  binDir: string;
  allowNoMetadata: boolean;
  /** TLS distribution (SPEC §4.10); undefined when off. */
  distTls?: TlsMaterial;
  log: LogOptions;
}

export interface Baked {
  app?: string;
  sha?: string;
}

export interface ConfigInputs {
  line: Pick<CommandLine, "flags">;
  env: NodeJS.ProcessEnv;
  baked: Baked;
  /** Path of the running entrypoint file; its directory is the default bin dir. */
  selfPath: string;
  /** Reads RELEASE_NAME's default from the release start script in a bin dir (I/O, so passed in). */
  releaseNameIn: (binDir: string) => string | undefined;
}

/** flag > env > baked: the first that is set and not empty, with where it came from. */
function setting(inputs: ConfigInputs, key: BootOptionKey, baked?: string): Setting | undefined {
  const spec = BOOT_OPTIONS.find((o) => o.key === key)!;
  const flag = inputs.line.flags[key];
  if (flag !== undefined) return { value: flag, source: spec.flag };
  for (const name of spec.env) {
    const value = inputs.env[name];
    if (value !== undefined && value !== "") return { value, source: name };
  }
  return baked ? { value: baked, source: "the baked-in default" } : undefined;
}

/** Builds the one Config of this run; every value is validated here, once. */
export function buildConfig(inputs: ConfigInputs): Config {
  const get = (key: BootOptionKey, baked?: string) => setting(inputs, key, baked);
  const binDir = resolve(get("binDir")?.value ?? dirname(inputs.selfPath));
  const basenameSetting = get("basename");
  const appSetting = get("app", inputs.baked.app) ?? fromStartScript(inputs, binDir);
  rejectEmptyName(inputs);
  const sha = get("sha", inputs.baked.sha);
  const basename = composeBasename({ basename: basenameSetting?.value, app: appSetting?.value, sha: sha?.value });
  const basenameSource = basenameSetting?.source ?? [appSetting?.source, sha?.source].filter(Boolean).join(" and ");
  const strategy = peers(get("peers"), inputs.env);
  const query = peersQuery(get("peersQuery"));
  if (strategy.kind === "tags" && !query) {
    throw configError(`--peers tags needs a query: set ${ENV.peersQuery} (or ${ENV.dnsClusterQuery}) or pass --peers-query`);
  }
  return {
    basename: basename === undefined ? undefined : validateBasename(basename, basenameSource),
    basenameSource,
    ip: ip(get("ip")),
    ipSource: get("ip")?.source,
    metadataUri: metadataUri(get("metadataUri")),
    metadataTimeoutMs: millis(get("metadataTimeout"), 10_000),
    ipFamily: oneOf(get("ipFamily"), ["auto", "ipv4", "ipv6"], "auto"),
    distribution: oneOf(get("distribution"), ["name", "sname"], "name"),
    distPort: distPort(get("distPort")),
    epmd: oneOf(get("epmd"), ["on", "off"], "on"),
    peers: strategy,
    peersQuery: query,
    peersTimeoutMs: millis(get("peersTimeout"), 60_000),
    execMode: oneOf(get("execMode"), ["auto", "execve", "spawn"], "auto"),
    binDir,
    allowNoMetadata: flagOn(get("allowNoMetadata")),
    // node:crypto and the checks are loaded only when TLS is on.
    distTls: tlsOn(get("distTls")) ? loadChunk<typeof import("../tls/index.ts")>("tls").tlsConfig((key) => get(key)) : undefined,
    log: {
      format: oneOf(get("logFormat"), ["text", "json"], "text"),
      quiet: flagOn(get("quiet")),
      debug: flagOn(inputs.env[ENV.debug] ? { value: inputs.env[ENV.debug]!, source: ENV.debug } : undefined),
    },
  };
}

function fromStartScript(inputs: ConfigInputs, binDir: string): Setting | undefined {
  const name = inputs.releaseNameIn(binDir);
  return name ? { value: name, source: `the release start script in ${binDir}` } : undefined;
}

/** An empty app name (a CI variable that was never set) is a mistake, not "unset": say so. */
function rejectEmptyName(inputs: ConfigInputs): void {
  const { flags } = inputs.line;
  const empty = flags.app === "" ? "--app" : flags.basename === "" ? "--basename" : flags.app === undefined && inputs.env[ENV.app] === "" ? ENV.app : undefined;
  if (empty) throw configError(`${empty} is empty; give the release name (e.g. my_app), or leave it out to use the baked or start-script name`);
}

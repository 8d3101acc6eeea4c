import { dirname, resolve } from "node:path";
import { canonicalIp, type FamilyChoice } from "./address.ts";
import type { CommandLine } from "./cli.ts";
import { configError, expected } from "./errors.ts";
import type { LogOptions } from "./log.ts";
import { composeBasename, validateBasename } from "./node-name.ts";
import { BOOT_OPTIONS, ENV, type BootOptionKey } from "./options.ts";

export type PeersStrategy = { kind: "off" } | { kind: "family" } | { kind: "service"; service: string } | { kind: "tags" };
export interface TagFilter {
  Key: string;
  Values?: string[];
}
export interface PeersQuery {
  cluster?: string;
  region?: string;
  params: { TagFilters: TagFilter[] };
}

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
  distPort?: { min: number; max: number };
  peers: PeersStrategy;
  peersQuery?: PeersQuery;
  peersTimeoutMs: number;
  execMode: "auto" | "execve" | "spawn";
  binDir: string;
  allowNoMetadata: boolean;
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

interface Setting {
  value: string;
  source: string;
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

function oneOf<T extends string>(s: Setting | undefined, allowed: readonly T[], fallback: T): T {
  if (!s) return fallback;
  if ((allowed as readonly string[]).includes(s.value)) return s.value as T;
  throw configError(`${s.source}: ${expected(`one of ${allowed.join(", ")}`, s.value)}`);
}

function millis(s: Setting | undefined, fallback: number): number {
  if (!s) return fallback;
  if (!/^\d+$/.test(s.value) || Number(s.value) < 1) {
    throw configError(`${s.source}: ${expected("a whole number of milliseconds (e.g. 5000)", s.value)}`);
  }
  return Number(s.value);
}

function flagOn(s: Setting | undefined): boolean {
  if (!s) return false;
  if (["1", "true", "yes"].includes(s.value)) return true;
  if (["0", "false", "no"].includes(s.value)) return false;
  throw configError(`${s.source}: ${expected("1 or 0", s.value)}`);
}

function distPort(s: Setting | undefined): Config["distPort"] {
  if (!s) return undefined;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s.value);
  const min = Number(m?.[1]);
  const max = Number(m?.[2] ?? m?.[1]);
  if (!m || min < 1 || max > 65535 || min > max) {
    throw configError(`${s.source}: ${expected("a port (9100) or a range MIN-MAX (9100-9105) within 1-65535", s.value)}`);
  }
  return { min, max };
}

function ip(s: Setting | undefined): string | undefined {
  if (!s) return undefined;
  const address = canonicalIp(s.value);
  if (!address) throw configError(`${s.source}: ${expected("an IPv4 or IPv6 address", s.value)}`);
  return address.ip;
}

function metadataUri(s: Setting | undefined): string | undefined {
  if (!s) return undefined;
  if (!URL.canParse(s.value) || !/^https?:$/.test(new URL(s.value).protocol)) {
    throw configError(`${s.source}: ${expected("an http:// URI of the ECS task metadata endpoint", s.value)}`);
  }
  return s.value.replace(/\/+$/, "");
}

function peers(s: Setting | undefined, env: NodeJS.ProcessEnv): PeersStrategy {
  if (!s) return env[ENV.dnsClusterQuery] ? { kind: "tags" } : { kind: "off" };
  if (s.value === "off" || s.value === "family" || s.value === "tags") return { kind: s.value };
  const service = /^service:(.+)$/.exec(s.value)?.[1];
  if (service) return { kind: "service", service };
  throw configError(`${s.source}: ${expected("off, family, service:NAME or tags", s.value)}`);
}

function peersQuery(s: Setting | undefined): PeersQuery | undefined {
  if (!s) return undefined;
  const bad = (what: string) =>
    configError(`${s.source}: bad peers query: ${what}; expected {"cluster":"…","region":"…","params":{"TagFilters":[{"Key":"…","Values":["…"]}]}}`);
  let q: unknown;
  try {
    q = JSON.parse(s.value);
  } catch {
    throw bad(`not JSON: ${JSON.stringify(s.value.slice(0, 80))}`);
  }
  if (!q || typeof q !== "object" || Array.isArray(q)) throw bad("not a JSON object");
  const { cluster, region, params } = q as Record<string, unknown>;
  const filters = (params as { TagFilters?: unknown } | undefined)?.TagFilters;
  if (!Array.isArray(filters) || filters.length === 0) throw bad("params.TagFilters is missing or empty");
  for (const f of filters) {
    const values = (f as TagFilter)?.Values;
    if (typeof (f as TagFilter)?.Key !== "string" || (values !== undefined && !(Array.isArray(values) && values.every((v) => typeof v === "string")))) {
      throw bad(`TagFilters entry ${JSON.stringify(f)} needs "Key" (string) and optional "Values" (strings)`);
    }
  }
  if (cluster !== undefined && typeof cluster !== "string") throw bad('"cluster" is not a string');
  if (region !== undefined && typeof region !== "string") throw bad('"region" is not a string');
  return { cluster, region, params: { TagFilters: filters as TagFilter[] } };
}

/** Builds the one Config of this run; every value is validated here, once. */
export function buildConfig(inputs: ConfigInputs): Config {
  const get = (key: BootOptionKey, baked?: string) => setting(inputs, key, baked);
  const binDir = resolve(get("binDir")?.value ?? dirname(inputs.selfPath));
  const basenameSetting = get("basename");
  const appSetting = get("app", inputs.baked.app) ?? fromStartScript(inputs, binDir);
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
    peers: strategy,
    peersQuery: query,
    peersTimeoutMs: millis(get("peersTimeout"), 5_000),
    execMode: oneOf(get("execMode"), ["auto", "execve", "spawn"], "auto"),
    binDir,
    allowNoMetadata: flagOn(get("allowNoMetadata")),
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

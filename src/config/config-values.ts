// Each setting's value checked and converted once, with a message naming its source and the fix.
import { canonicalIp, unusableReason } from "../boot/address.ts";
import { configError, expected } from "../errors.ts";
import { ENV } from "./options.ts";

// The types of the checked values live here, so that config.ts imports this module and not the reverse.
export interface Setting {
  value: string;
  source: string;
}
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
export interface DistPort {
  min: number;
  max: number;
}

export function oneOf<T extends string>(s: Setting | undefined, allowed: readonly T[], fallback: T): T {
  if (!s) return fallback;
  if ((allowed as readonly string[]).includes(s.value)) return s.value as T;
  throw configError(`${s.source}: ${expected(`one of ${allowed.join(", ")}`, s.value)}`);
}

/** A deadline longer than an hour is a typo (an extra zero or two): a boot never waits that long on purpose. */
export const MAX_DEADLINE_MS = 3_600_000;

export function millis(s: Setting | undefined, fallback: number): number {
  if (!s) return fallback;
  if (!/^\d+$/.test(s.value) || Number(s.value) < 1 || Number(s.value) > MAX_DEADLINE_MS) {
    throw configError(`${s.source}: ${expected(`a whole number of milliseconds from 1 to ${MAX_DEADLINE_MS} (one hour), e.g. 5000`, s.value)}`);
  }
  return Number(s.value);
}

/** A switch: 1/true/yes/on or 0/false/no/off; `say` is the form its documentation uses. */
export function flagOn(s: Setting | undefined, say = "1 or 0"): boolean {
  if (!s) return false;
  if (["1", "true", "yes", "on"].includes(s.value)) return true;
  if (["0", "false", "no", "off"].includes(s.value)) return false;
  throw configError(`${s.source}: ${expected(say, s.value)}`);
}

export function distPort(s: Setting | undefined): DistPort | undefined {
  if (!s) return undefined;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s.value);
  const min = Number(m?.[1]);
  const max = Number(m?.[2] ?? m?.[1]);
  if (!m || min < 1 || max > 65535 || min > max) {
    throw configError(`${s.source}: ${expected("a port (9100) or a range MIN-MAX (9100-9105) within 1-65535", s.value)}`);
  }
  return { min, max };
}

export function ip(s: Setting | undefined): string | undefined {
  if (!s) return undefined;
  const address = canonicalIp(s.value);
  if (!address) throw configError(`${s.source}: ${expected("an IPv4 or IPv6 address", s.value)}`);
  const unusable = unusableReason(address);
  if (unusable) throw configError(`${s.source}: ${address.ip} is ${unusable}, which other nodes cannot reach; pass this task's own private IP`);
  return address.ip;
}

export function metadataUri(s: Setting | undefined): string | undefined {
  if (!s) return undefined;
  // The endpoint is plain HTTP on a link-local address; https:// is a mistake, said before any waiting.
  if (!URL.canParse(s.value) || new URL(s.value).protocol !== "http:") {
    throw configError(`${s.source}: ${expected("an http:// URI of the ECS task metadata endpoint (it has no https)", s.value)}`);
  }
  return s.value.replace(/\/+$/, "");
}

export function peers(s: Setting | undefined, env: NodeJS.ProcessEnv): PeersStrategy {
  if (!s) return env[ENV.dnsClusterQuery] ? { kind: "tags" } : { kind: "off" };
  if (s.value === "off" || s.value === "family" || s.value === "tags") return { kind: s.value };
  const service = /^service:(.+)$/.exec(s.value)?.[1];
  if (service) return { kind: "service", service };
  throw configError(`${s.source}: ${expected("off, family, service:NAME or tags", s.value)}`);
}

export function peersQuery(s: Setting | undefined): PeersQuery | undefined {
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
  // GetResources' own limits: caught here once instead of an InvalidParameterException on every boot.
  if (filters.length > 50) throw bad(`${filters.length} TagFilters; GetResources takes at most 50`);
  for (const f of filters) {
    const values = (f as TagFilter)?.Values;
    if (typeof (f as TagFilter)?.Key !== "string" || (values !== undefined && !(Array.isArray(values) && values.every((v) => typeof v === "string")))) {
      throw bad(`TagFilters entry ${JSON.stringify(f)} needs "Key" (string) and optional "Values" (strings)`);
    }
    if ((f as TagFilter).Key === "") throw bad(`TagFilters entry ${JSON.stringify(f)} has an empty "Key"`);
    if (values && values.length > 20) throw bad(`TagFilters entry with Key ${JSON.stringify((f as TagFilter).Key)} has ${values.length} Values; GetResources takes at most 20`);
  }
  if (cluster !== undefined && typeof cluster !== "string") throw bad('"cluster" is not a string');
  if (region !== undefined && typeof region !== "string") throw bad('"region" is not a string');
  return { cluster, region, params: { TagFilters: filters as TagFilter[] } };
}

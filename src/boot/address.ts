import { quoted, safeText } from "../safe-text.ts";

export type IpFamily = 4 | 6;
export interface Address {
  ip: string;
  family: IpFamily;
}

// Strict dotted quad: the URL parser would also take shorthands such as "10.1".
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
// What IPv6 text may hold (hex groups, colons, a trailing dotted quad): no brackets, zone, port or path.
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/**
 * An address exactly as written, in RFC 5952 text form (lowercase, longest zero run compressed):
 * Erlang compares node names as atoms, so every copy of an address must be spelled the same. The
 * WHATWG URL serializer implements exactly that compression; IPv4 passes through.
 */
export function parseIp(text: string): Address | undefined {
  if (IPV4.test(text)) return { ip: text, family: 4 };
  // node:net's isIP would pull the whole socket stack into the boot; the URL parser is already loaded.
  if (!text.includes(":") || !IPV6_CHARS.test(text) || !URL.canParse(`http://[${text}]/`)) return undefined;
  return { ip: new URL(`http://[${text}]/`).hostname.slice(1, -1), family: 6 };
}

/** An address a person typed: as parseIp, and an IPv6 address may come in brackets ("[fd00::3]"). */
export function canonicalIp(text: string): Address | undefined {
  const inner = /^\[(.*)\]$/.exec(text)?.[1];
  if (inner === undefined) return parseIp(text);
  const address = parseIp(inner);
  return address?.family === 6 ? address : undefined;
}

/** Why another node cannot reach us at this address, or undefined when it can (loopback is fine: local runs). */
export function unusableReason(a: Address): string | undefined {
  if (a.family === 4) {
    const [x, y] = a.ip.split(".").map(Number) as [number, number];
    if (x === 0) return "unspecified (0.0.0.0/8)";
    if (a.ip === "255.255.255.255") return "broadcast";
    if (x >= 224 && x <= 239) return "multicast";
    if (x >= 240) return "reserved (240.0.0.0/4)";
    if (x === 169 && y === 254) return "link-local (169.254.0.0/16)";
    return undefined;
  }
  const first = a.ip.startsWith("::") ? 0 : parseInt(a.ip.split(":")[0]!, 16);
  if (a.ip === "::") return "unspecified (::)";
  if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(a.ip)) return "an IPv4-mapped IPv6 address (::ffff:0:0/96), not a real IPv6 address";
  if (first >= 0xff00) return "multicast (ff00::/8)";
  if ((first & 0xffc0) === 0xfe80) return "link-local (fe80::/10)";
  return undefined;
}

export type Usable = { ok: true; address: Address } | { ok: false; reason: string };

/** A metadata list entry as an address of the list's family, or why it is skipped. */
export function usableAddress(entry: unknown, family: IpFamily): Usable {
  if (typeof entry !== "string") return { ok: false, reason: `not a string (${entry === null ? "null" : typeof entry})` };
  const address = parseIp(entry);
  if (!address) return { ok: false, reason: "not an IP address" };
  if (address.family !== family) {
    const mapped = family === 4 && /^::ffff:/i.test(entry) ? "an IPv4-mapped IPv6 address is not an IPv4 address" : `an IPv${address.family} address`;
    return { ok: false, reason: `${mapped} in IPv${family}Addresses` };
  }
  const reason = unusableReason(address);
  return reason ? { ok: false, reason } : { ok: true, address };
}

/** A value from the network, quoted and bounded for a message. */
export const shown = (value: unknown) => (typeof value === "string" ? quoted(value, 60) : value === null ? "null" : typeof value);

export type FamilyChoice = "auto" | "ipv4" | "ipv6";

interface MetadataNetwork {
  NetworkMode?: unknown;
  IPv4Addresses?: unknown;
  IPv6Addresses?: unknown;
}

export type AddressChoice =
  | { ok: true; address: Address; networkMode: string; warnings: string[]; skipped: string[] }
  | { ok: false; missing: string; hint: string };

const modeOf = (net: MetadataNetwork) =>
  net.NetworkMode === undefined ? "unknown" : typeof net.NetworkMode === "string" ? safeText(net.NetworkMode, 60) : `not a string (${shown(net.NetworkMode)})`;

/** The first usable entry of the family's list, network by network; unusable entries are noted in `skipped`. */
function pick(networks: MetadataNetwork[], family: IpFamily, skipped: string[]) {
  const key = family === 4 ? "IPv4Addresses" : "IPv6Addresses";
  for (const net of networks) {
    const list = net[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      skipped.push(`${key} ${shown(list)} (not a list)`);
      continue;
    }
    for (const entry of list) {
      const usable = usableAddress(entry, family);
      if (usable.ok) return { address: usable.address, networkMode: modeOf(net), net };
      skipped.push(`${shown(entry)} (${usable.reason})`);
    }
  }
  return undefined;
}

/** The task's address from a container metadata document: the first usable one of the wanted family. */
export function chooseAddress(doc: unknown, choice: FamilyChoice): AddressChoice {
  const raw = (doc as { Networks?: unknown } | null)?.Networks;
  const networks = Array.isArray(raw) ? (raw.filter((n) => n && typeof n === "object" && !Array.isArray(n)) as MetadataNetwork[]) : [];
  if (networks.length === 0) {
    return { ok: false, missing: "Networks list", hint: "the task needs the awsvpc network mode, or pass --ip" };
  }
  const skipped: string[] = [];
  const found = (choice !== "ipv6" ? pick(networks, 4, skipped) : undefined) ?? (choice !== "ipv4" ? pick(networks, 6, skipped) : undefined);
  if (!found) {
    const modes = networks.map(modeOf);
    const hint = modes.includes("host")
      ? "network mode host has no address in the metadata: pass --ip with the host's private IP"
      : choice === "auto"
        ? "pass --ip, or check the task's network configuration"
        : `pass --ip-family auto, or --ip`;
    const what = choice === "ipv4" ? "IPv4 address" : choice === "ipv6" ? "IPv6 address" : "IPv4 or IPv6 address";
    const unusable = skipped.length ? `; unusable: ${skipped.slice(0, 5).join(", ")}` : "";
    return { ok: false, missing: `${what} in Networks (network mode ${modes.join(", ")}${unusable})`, hint };
  }
  const warnings: string[] = [];
  if (typeof found.net.NetworkMode !== "string" && found.net.NetworkMode !== undefined) {
    warnings.push(`the metadata's NetworkMode is ${found.networkMode}; using ${found.address.ip} anyway`);
  }
  if (found.networkMode === "bridge") {
    warnings.push(`network mode bridge: ${found.address.ip} is the container's bridge address and is not reachable from other hosts; use awsvpc, or pass --ip`);
  }
  return { ok: true, address: found.address, networkMode: found.networkMode, warnings, skipped };
}

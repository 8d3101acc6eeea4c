export type IpFamily = 4 | 6;
export interface Address {
  ip: string;
  family: IpFamily;
}

// Strict dotted quad: the URL parser would also take shorthands such as "10.1".
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * RFC 5952 text form (lowercase, longest zero run compressed): Erlang compares node names as
 * atoms, so every copy of an address must be spelled the same. The WHATWG URL serializer
 * implements exactly that compression; IPv4 passes through.
 */
export function canonicalIp(text: string): Address | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (IPV4.test(bare)) return { ip: bare, family: 4 };
  // node:net's isIP would pull the whole socket stack into the boot; the URL parser is already loaded.
  if (!bare.includes(":") || !URL.canParse(`http://[${bare}]/`)) return undefined;
  return { ip: new URL(`http://[${bare}]/`).hostname.slice(1, -1), family: 6 };
}

export type FamilyChoice = "auto" | "ipv4" | "ipv6";

interface MetadataNetwork {
  NetworkMode?: unknown;
  IPv4Addresses?: unknown;
  IPv6Addresses?: unknown;
}

export type AddressChoice =
  | { ok: true; address: Address; networkMode: string; warning?: string }
  | { ok: false; missing: string; hint: string };

const firstString = (list: unknown): string | undefined =>
  Array.isArray(list) ? list.find((x): x is string => typeof x === "string" && x !== "") : undefined;

function pick(networks: MetadataNetwork[], key: "IPv4Addresses" | "IPv6Addresses") {
  for (const net of networks) {
    const ip = firstString(net[key]);
    const address = ip === undefined ? undefined : canonicalIp(ip);
    if (address) return { address, networkMode: String(net.NetworkMode ?? "unknown") };
  }
  return undefined;
}

/** The task's address from a container metadata document: first network with the wanted family. */
export function chooseAddress(doc: unknown, choice: FamilyChoice): AddressChoice {
  const raw = (doc as { Networks?: unknown } | null)?.Networks;
  const networks = Array.isArray(raw) ? (raw.filter((n) => n && typeof n === "object") as MetadataNetwork[]) : [];
  if (networks.length === 0) {
    return { ok: false, missing: "Networks list", hint: "the task needs the awsvpc network mode, or pass --ip" };
  }
  const found =
    (choice !== "ipv6" ? pick(networks, "IPv4Addresses") : undefined) ??
    (choice !== "ipv4" ? pick(networks, "IPv6Addresses") : undefined);
  if (!found) {
    const modes = networks.map((n) => String(n.NetworkMode ?? "unknown"));
    const hint = modes.includes("host")
      ? "network mode host has no address in the metadata: pass --ip with the host's private IP"
      : choice === "auto"
        ? "pass --ip, or check the task's network configuration"
        : `pass --ip-family auto, or --ip`;
    const what = choice === "ipv4" ? "IPv4 address" : choice === "ipv6" ? "IPv6 address" : "IPv4 or IPv6 address";
    return { ok: false, missing: `${what} in Networks (network mode ${modes.join(", ")})`, hint };
  }
  const warning =
    found.networkMode === "bridge"
      ? `network mode bridge: ${found.address.ip} is the container's bridge address and is not reachable from other hosts; use awsvpc, or pass --ip`
      : undefined;
  return { ok: true, address: found.address, networkMode: found.networkMode, warning };
}

// What `doctor --peer` names (pure): another task's IP, or a node name. In bridge mode with dynamic
// host ports a peer is reached at the port its name carries (<basename>-<port>@<instance ip>).
import { canonicalIp } from "../boot/address.ts";
import { portOfNodeName } from "../boot/node-name.ts";
import { configError, expected } from "../errors.ts";

export interface PeerArg {
  ip: string;
  /** The node name given, when it carries its published port. */
  name?: string;
  port?: number;
}

export function parsePeerArg(text: string): PeerArg {
  const at = text.lastIndexOf("@");
  const ip = canonicalIp(at < 0 ? text : text.slice(at + 1))?.ip;
  if (!ip) throw configError(`--peer: ${expected("the IPv4 or IPv6 address of another task", text, "in bridge mode with dynamic host ports, its node name such as shop-32769@10.0.1.44")}`);
  if (at < 0) return { ip };
  const port = portOfNodeName(text);
  if (port === undefined) throw configError(`--peer: ${expected("a node name that carries its published port, <basename>-<port>@<ip> (or just the IP)", text)}`);
  return { ip, name: `${text.slice(0, at)}@${ip}`, port };
}

/** Unique by what is dialed: the same IP may hold several nodes, each on its own port. */
export function uniquePeers(args: PeerArg[]): PeerArg[] {
  const seen = new Map<string, PeerArg>();
  for (const a of args) seen.set(`${a.ip} ${a.port ?? ""}`, a);
  return [...seen.values()];
}

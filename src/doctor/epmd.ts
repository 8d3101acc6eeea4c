// epmd's NAMES request on the real wire protocol (erts "Distribution Protocol", EPMD_NAMES_REQ):
// request = 2-byte big-endian length (1), then 110 ('n'); reply = epmd's port as 4 bytes
// big-endian, then one "name <name> at port <port>\n" line per node, until epmd closes.
import { openTcp, readToClose } from "./tcp.ts";

export const EPMD_DEFAULT_PORT = 4369;
export const NAMES_REQUEST = Buffer.from([0, 1, 110]);
// Thousands of names fit; anything larger is not epmd.
const MAX_REPLY_BYTES = 256 * 1024;

export interface Registered {
  name: string;
  port: number;
}

export type NamesReply = { ok: true; epmdPort: number; names: Registered[] } | { ok: false; reason: string };

// Node names are printable ASCII without spaces; anything else is not a reply we understand.
const LINE = /^name ([\x21-\x7e]{1,255}) at port (\d{1,5})$/;

/** Parses a complete NAMES reply (everything epmd sent before it closed the connection). */
export function parseNamesReply(reply: Buffer): NamesReply {
  if (reply.length === 0) return { ok: false, reason: "it closed the connection without an answer" };
  if (reply.length < 4) return { ok: false, reason: `the answer is ${reply.length} bytes, shorter than epmd's 4-byte header` };
  const epmdPort = reply.readUInt32BE(0);
  if (epmdPort < 1 || epmdPort > 65535) return { ok: false, reason: `the answer does not start with a port number (0x${reply.subarray(0, 4).toString("hex")})` };
  const text = reply.subarray(4).toString("latin1");
  if (text !== "" && !text.endsWith("\n")) return { ok: false, reason: "the last line of the answer is cut off" };
  const names: Registered[] = [];
  for (const line of text.split("\n").slice(0, -1)) {
    const m = LINE.exec(line);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535) return { ok: false, reason: `unexpected line ${JSON.stringify(line.slice(0, 60))}` };
    names.push({ name: m[1]!, port });
  }
  return { ok: true, epmdPort, names };
}

/** The epmd port Erlang itself uses: ERL_EPMD_PORT when set, else 4369. */
export function epmdPortFrom(env: NodeJS.ProcessEnv): number {
  const port = Number(env.ERL_EPMD_PORT);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : EPMD_DEFAULT_PORT;
}

export type EpmdOutcome =
  | { ok: true; names: Registered[] }
  | { ok: false; stage: "connect"; kind: string; error: string }
  | { ok: false; stage: "reply"; error: string };

/** Connects to epmd on host:port, sends NAMES and reads the whole reply, each within timeoutMs. */
export async function epmdNames(host: string, port: number, timeoutMs: number): Promise<EpmdOutcome> {
  const conn = await openTcp(host, port, timeoutMs);
  if (!conn.ok) return { ok: false, stage: "connect", kind: conn.kind, error: conn.error };
  conn.socket.write(NAMES_REQUEST);
  const read = await readToClose(conn.socket, timeoutMs, MAX_REPLY_BYTES);
  if (read.timedOut) {
    const got = read.data.length ? `sent ${read.data.length} bytes, then` : "accepted the connection but";
    return { ok: false, stage: "reply", error: `it ${got} did not finish its answer within ${timeoutMs} ms` };
  }
  if (!read.closed) return { ok: false, stage: "reply", error: `the answer is larger than ${MAX_REPLY_BYTES} bytes` };
  const reply = parseNamesReply(read.data);
  return reply.ok ? { ok: true, names: reply.names } : { ok: false, stage: "reply", error: reply.reason };
}

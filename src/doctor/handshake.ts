// The Erlang distribution handshake (erts "Distribution Protocol", version 6, OTP 23 and later),
// as a hidden node: enough to learn the peer's own node name and whether it takes our cookie.
// Every message is framed by a big-endian length: 2 bytes over TCP, 4 inside TLS (inet_tls_dist's {packet, 4}).
import { createHash, randomInt } from "node:crypto";
import type { Socket } from "node:net";
import { safeText } from "../safe-text.ts";

// Flags mandatory since OTP 25 and 26 (kernel's dist.hrl), their OTP 25 digest bit, and no
// DFLAG_PUBLISHED: a hidden node, so the peer's global name registry does not sync with us.
const FLAGS =
  0x4n | 0x10n | 0x80n | 0x100n | 0x200n | 0x400n | 0x800n | 0x10000n | 0x20000n | 0x40000n | 0x1000000n | 0x2000000n | 0x4000000n | (0x4n << 32n);

export type Handshake =
  | { outcome: "accepted"; peerName: string }
  | { outcome: "rejected"; peerName: string }
  | { outcome: "refused"; status: string }
  | { outcome: "inconclusive"; reason: string };

// Text from the network reaches a terminal: escaped, and bounded (a node name has at most 255 bytes).
const printable = (text: string) => safeText(text, 255);

export type Header = 2 | 4;

const frame = (body: Buffer, header: Header) => {
  const head = Buffer.alloc(header);
  head.writeUIntBE(body.length, 0, header);
  return Buffer.concat([head, body]);
};

/** MD5 of the cookie followed by the challenge written as a decimal number. */
export const digest = (cookie: string, challenge: number) => createHash("md5").update(cookie).update(String(challenge)).digest();

/** send_name: 'N', flags (8), creation (4), name length (2), name. */
export function sendNameMessage(name: string, creation: number, header: Header = 2): Buffer {
  const bytes = Buffer.from(name, "utf8");
  const body = Buffer.alloc(15 + bytes.length);
  body.write("N", 0, "latin1");
  body.writeBigUInt64BE(FLAGS, 1);
  body.writeUInt32BE(creation, 9);
  body.writeUInt16BE(bytes.length, 13);
  bytes.copy(body, 15);
  return frame(body, header);
}

/** recv_challenge: 'N', flags (8), challenge (4), creation (4), name length (2), name. */
export function parseChallenge(msg: Buffer): { challenge: number; name: string } | undefined {
  if (msg.length < 19 || msg[0] !== 0x4e) return undefined;
  const length = msg.readUInt16BE(17);
  if (msg.length !== 19 + length) return undefined;
  return { challenge: msg.readUInt32BE(9), name: printable(msg.subarray(19).toString("utf8")) };
}

/** send_challenge_reply: 'r', our challenge (4), digest of theirs (16). */
export function challengeReplyMessage(ours: number, theirs: number, cookie: string, header: Header = 2): Buffer {
  const head = Buffer.alloc(5);
  head.write("r", 0, "latin1");
  head.writeUInt32BE(ours, 1);
  return frame(Buffer.concat([head, digest(cookie, theirs)]), header);
}

type Next = ((deadline: number) => Promise<Buffer | "closed" | "timeout">) & { hungUpWithin: (ms: number) => Promise<boolean>; reset: () => boolean };

const HANG_UP_GRACE_MS = 30;
// Handshake messages are small (a node name has at most 255 bytes); more unread data than that is not a handshake.
const MAX_BUFFERED = 2 * 65538;

/** Hands out whole framed messages as they arrive. */
function framedReader(socket: Socket, header: Header): Next {
  let buffered = Buffer.alloc(0);
  let closed = false;
  let ended = false;
  let reset = false;
  let wake: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length > MAX_BUFFERED) socket.destroy();
    wake?.();
  });
  socket.once("end", () => ((ended = true), wake?.()));
  socket.on("error", (err: NodeJS.ErrnoException) => (reset ||= err.code === "ECONNRESET" || err.code === "EPIPE"));
  socket.once("close", () => ((closed = true), wake?.()));
  const take = () => {
    const length = buffered.length >= header ? buffered.readUIntBE(0, header) : Infinity;
    if (buffered.length < header + length) return undefined;
    const msg = buffered.subarray(header, header + length);
    buffered = buffered.subarray(header + length);
    return msg;
  };
  const event = async (ms: number) => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => (clearTimeout(timer), resolve());
    });
    wake = undefined;
  };
  const next = async (deadline: number) => {
    for (;;) {
      const msg = take();
      if (msg) return msg;
      if (closed) return "closed";
      const left = deadline - Date.now();
      if (left <= 0) return "timeout";
      await event(left);
    }
  };
  const hungUpWithin = async (ms: number) => {
    const until = Date.now() + ms;
    while (!ended && !closed && Date.now() < until) await event(until - Date.now());
    return ended || closed;
  };
  return Object.assign(next, { hungUpWithin, reset: () => reset });
}

/** Runs the handshake on a connected socket (TCP, or TLS with `header` 4) as `name`, and closes the socket. */
export async function handshake(socket: Socket, o: { name: string; cookie: string; timeoutMs: number; header?: Header }): Promise<Handshake> {
  const header = o.header ?? 2;
  const next = framedReader(socket, header);
  const deadline = Date.now() + o.timeoutMs;
  const stop = (result: Handshake) => (socket.destroy(), result);
  const lost = (what: string, got: "closed" | "timeout") =>
    stop({ outcome: "inconclusive", reason: got === "timeout" ? `no ${what} within ${o.timeoutMs} ms` : `the connection closed before the ${what}` });
  const odd = (what: string) => stop({ outcome: "inconclusive", reason: `unexpected ${what} (not Erlang distribution version 6 over ${header === 2 ? "plain TCP" : "TLS"}?)` });
  socket.write(sendNameMessage(o.name, randomInt(4, 2 ** 32), header));
  const status = await next(deadline);
  if (!Buffer.isBuffer(status)) return lost("status", status);
  if (status[0] !== 0x73) return odd("status message");
  const text = status.subarray(1).toString("latin1");
  if (text !== "ok" && text !== "ok_simultaneous") return stop({ outcome: "refused", status: printable(text.slice(0, 40)) });
  const msg = await next(deadline);
  if (!Buffer.isBuffer(msg)) return lost("challenge", msg);
  const challenge = parseChallenge(msg);
  if (!challenge) return odd("challenge message");
  // A node waits for our reply; one that hangs up right after its challenge has judged nothing, so
  // that is no verdict on the cookie. The short wait lets its FIN arrive before we answer.
  if (await next.hungUpWithin(HANG_UP_GRACE_MS)) return stop({ outcome: "inconclusive", reason: "the peer closed the connection right after its challenge, before our reply (not a cookie check)" });
  const ours = randomInt(0, 2 ** 32);
  socket.write(challengeReplyMessage(ours, challenge.challenge, o.cookie, header));
  const ack = await next(deadline);
  if (ack === "closed" && next.reset()) return stop({ outcome: "inconclusive", reason: "the peer reset the connection instead of reading our challenge reply (not a cookie check)" });
  // A node closes without a word when our digest is wrong: its cookie differs from ours.
  if (ack === "closed") return stop({ outcome: "rejected", peerName: challenge.name });
  if (ack === "timeout") return lost("challenge ack", ack);
  if (ack.length !== 17 || ack[0] !== 0x61) return odd("challenge ack");
  if (!ack.subarray(1).equals(digest(o.cookie, ours))) return stop({ outcome: "inconclusive", reason: "the peer's ack does not match our cookie" });
  return stop({ outcome: "accepted", peerName: challenge.name });
}

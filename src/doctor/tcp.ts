// TCP as the doctor needs it: a connect that says why it failed, and reads that never wait forever.
import { connect, type Socket } from "node:net";

export type Connected = { ok: true; socket: Socket } | { ok: false; kind: "refused" | "timeout" | "unreachable" | "other"; error: string };

/** Why a connect failed, in words an on-call engineer can act on. */
export function describeConnectError(code: string | undefined, timeoutMs: number): Extract<Connected, { ok: false }> {
  if (code === "ECONNREFUSED") return { ok: false, kind: "refused", error: "connection refused (nothing listens there)" };
  if (code === "ETIMEDOUT") return { ok: false, kind: "timeout", error: `no answer within ${timeoutMs} ms (packets dropped: security group, NACL or firewall?)` };
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return { ok: false, kind: "unreachable", error: `${code === "EHOSTUNREACH" ? "host" : "network"} unreachable (no route to it)` };
  return { ok: false, kind: "other", error: code ?? "connection failed" };
}

export function openTcp(host: string, port: number, timeoutMs: number): Promise<Connected> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(describeConnectError("ETIMEDOUT", timeoutMs));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.on("error", () => {});
      resolve({ ok: true, socket });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(describeConnectError(err.code ?? err.message, timeoutMs));
    });
  });
}

export interface ReadResult {
  data: Buffer;
  /** The peer closed its side (the end of an epmd reply). */
  closed: boolean;
  timedOut: boolean;
}

/** Reads until the peer closes, maxBytes arrive, or timeoutMs pass; then destroys the socket. */
export function readToClose(socket: Socket, timeoutMs: number, maxBytes: number): Promise<ReadResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (closed: boolean, timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners("data");
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closed, timedOut });
    };
    const timer = setTimeout(() => finish(false, true), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) finish(false, false);
    });
    socket.once("end", () => finish(true, false));
    socket.once("close", () => finish(true, false));
  });
}

// TLS to a peer's distribution port, as inet_tls_dist's client does it: our CA, our certificate as the
// client certificate, the cluster's server name. Our own verification is collected, not enforced, so that
// every problem of the peer's certificate can be named; what the peer thinks of ours arrives as an alert.
import type { Socket } from "node:net";
import { connect as tlsConnect, checkServerIdentity, type TLSSocket } from "node:tls";
import type { TlsMaterial } from "../tls/material.ts";
import { sendNameMessage } from "./handshake.ts";
import { openTcp } from "./tcp.ts";

/** What the peer's certificate says, and what our verification of it found. */
export interface PeerCert {
  protocol: string;
  subject?: string;
  issuer?: string;
  /** DNS names of its subjectAltName. */
  dns: string[];
  validFrom: string;
  validTo: string;
  /** OpenSSL's verdict on the chain against our CA (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE), or none. */
  chainError?: string;
  /** Why the certificate does not match the server name, or none. */
  nameError?: string;
}

export interface TlsError {
  code: string;
  message: string;
}

export type TlsDialed = { ok: true; socket: TLSSocket; peer: PeerCert; lateError: () => TlsError | undefined } | { ok: false; error: TlsError };

const errorOf = (err: NodeJS.ErrnoException): TlsError => ({ code: err.code ?? "ERR_TLS", message: err.message.split("\n")[0]! });
const minVersion = (m: TlsMaterial) => (m.versions.includes("tlsv1.2") ? "TLSv1.2" : "TLSv1.3");

function peerCertOf(socket: TLSSocket, serverName: string): PeerCert {
  const c = socket.getPeerCertificate();
  const dns = (c.subjectaltname ?? "").split(", ").filter((s) => s.startsWith("DNS:")).map((s) => s.slice(4));
  const nameError = checkServerIdentity(serverName, c);
  const chainError = socket.authorizationError ? String(socket.authorizationError) : undefined;
  return { protocol: socket.getProtocol() ?? "?", subject: c.subject?.CN as string | undefined, issuer: c.issuer?.CN as string | undefined, dns, validFrom: c.valid_from, validTo: c.valid_to, chainError, nameError: nameError?.message };
}

/** The TLS handshake on a connected socket or a new connection, with or without our client certificate, within timeoutMs. */
export function tlsDial(to: { socket: Socket } | { host: string; port: number }, m: TlsMaterial, timeoutMs: number, withCert = true): Promise<TlsDialed> {
  return new Promise((resolve) => {
    const own = withCert ? { cert: m.cert, key: m.key } : {};
    const socket = tlsConnect({ ...to, ca: m.ca, ...own, servername: m.serverName, minVersion: minVersion(m), maxVersion: "TLSv1.3", rejectUnauthorized: false, checkServerIdentity: () => undefined });
    let late: TlsError | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: { code: "TIMEOUT", message: `no TLS handshake within ${timeoutMs} ms` } });
    }, timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      // With TLS 1.3 the server judges our certificate after our side is done: its alert comes later.
      socket.on("error", (err: NodeJS.ErrnoException) => (late ??= errorOf(err)));
      resolve({ ok: true, socket, peer: peerCertOf(socket, m.serverName), lateError: () => late });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, error: errorOf(err) });
    });
  });
}

export type Answer = "answered" | "closed" | "timeout";

/** Sends a distribution send_name and waits for the first bytes back: does the peer talk to us at all? */
export function firstAnswer(socket: Socket, name: string, header: 2 | 4, timeoutMs: number): Promise<{ answer: Answer; data: Buffer }> {
  return new Promise((resolve) => {
    const done = (answer: Answer, data: Buffer = Buffer.alloc(0)) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, data });
    };
    const timer = setTimeout(() => done("timeout"), timeoutMs);
    socket.once("data", (data: Buffer) => done("answered", data));
    socket.once("close", () => done("closed"));
    socket.on("error", () => {});
    socket.write(sendNameMessage(name, 5, header));
  });
}

/** Does a plain (TCP) distribution listener answer on this port? Its send_name status starts with 's'. */
export async function speaksPlainDistribution(host: string, port: number, name: string, timeoutMs: number): Promise<boolean> {
  const conn = await openTcp(host, port, timeoutMs);
  if (!conn.ok) return false;
  const { answer, data } = await firstAnswer(conn.socket, name, 2, timeoutMs);
  return answer === "answered" && data.length >= 3 && data.readUInt16BE(0) >= 1 && data[2] === 0x73;
}

/** Does a TLS server listen on this port? A completed handshake or a TLS alert says so (no certificate of ours needed). */
export function speaksTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, minVersion: "TLSv1.2" });
    const done = (yes: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(yes);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("secureConnect", () => done(true));
    socket.once("error", (err: NodeJS.ErrnoException) => done(/^ERR_SSL_.*ALERT/.test(err.code ?? "")));
  });
}

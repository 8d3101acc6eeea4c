// One peer's distribution port under --dist-tls: the TLS handshake with our certificate, then the
// distribution handshake inside it; a plain-TCP probe when the peer does not answer in TLS; and a
// second handshake without a client certificate, which a well-set peer refuses.
import type { Socket } from "node:net";
import type { TlsMaterial } from "../tls/material.ts";
import { handshake, type Handshake } from "./handshake.ts";
import { firstAnswer, speaksPlainDistribution, tlsDial } from "./tls.ts";
import { meaningOf, type TlsCheck } from "./tls-verdict.ts";

export interface TlsTarget {
  ip: string;
  port: number;
  /** The TCP connection to the port, already open. */
  socket: Socket;
  name: string;
  cookie?: string;
  timeoutMs: number;
}

export interface TlsOutcome {
  tls: TlsCheck;
  handshake?: Handshake | { outcome: "skipped"; reason: string };
}

export async function checkTls(t: TlsTarget, material: TlsMaterial): Promise<TlsOutcome> {
  const dialed = await tlsDial({ socket: t.socket }, material, t.timeoutMs);
  if (!dialed.ok) {
    const tls: TlsCheck = { error: dialed.error };
    if (meaningOf(dialed.error).kind === "not-tls") tls.plain = await speaksPlainDistribution(t.ip, t.port, t.name, t.timeoutMs);
    return { tls };
  }
  const tls: TlsCheck = { peer: dialed.peer };
  let heard = false;
  let hungUp = false;
  dialed.socket.on("data", () => (heard = true));
  dialed.socket.once("end", () => (hungUp = true));
  let shake: TlsOutcome["handshake"];
  if (t.cookie) shake = await handshake(dialed.socket, { name: t.name, cookie: t.cookie, timeoutMs: t.timeoutMs, header: 4 });
  else {
    // Without a cookie the peer's first answer still tells whether it took our certificate.
    await firstAnswer(dialed.socket, t.name, 4, t.timeoutMs);
    shake = { outcome: "skipped", reason: "no cookie here" };
  }
  // An alert after our side finished (TLS 1.3) is the peer refusing our certificate: the cookie was never judged.
  const late = dialed.lateError();
  if (late?.code.startsWith("ERR_SSL_")) return { tls: { ...tls, error: late } };
  // A TLS server that judges certificates after the handshake (node:tls does) hangs up without an alert.
  if (!heard && (hungUp || late)) return { tls: { ...tls, error: { code: "HUNG_UP", message: "the connection closed after the TLS handshake" } } };
  tls.withoutCert = await withoutCertificate(t, material);
  return { tls, handshake: shake };
}

async function withoutCertificate(t: TlsTarget, material: TlsMaterial): Promise<TlsCheck["withoutCert"]> {
  const dialed = await tlsDial({ host: t.ip, port: t.port }, material, t.timeoutMs, false);
  if (!dialed.ok) return meaningOf(dialed.error).kind === "refused-ours" || dialed.error.code.startsWith("ERR_SSL_") ? "refused" : "unknown";
  const { answer } = await firstAnswer(dialed.socket, t.name, 4, t.timeoutMs);
  if (dialed.lateError() || answer === "closed") return "refused";
  return answer === "answered" ? "accepted" : "unknown";
}

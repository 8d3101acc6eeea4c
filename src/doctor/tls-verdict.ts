// What a TLS check of a peer means (pure): the error codes and alerts of a failed handshake, and the
// peer's certificate against our CA, the cluster's name and the clock, each as one finding with its fix.
import { X509Certificate } from "node:crypto";
import type { PeerCert, TlsError } from "./tls.ts";

export interface TlsCheck {
  /** The handshake with our certificate completed: what the peer presented. */
  peer?: PeerCert;
  /** The handshake failed, or the peer sent an alert right after it. */
  error?: TlsError;
  /** After a failed handshake: a plain distribution listener answered on that port. */
  plain?: boolean;
  /** A second handshake without a client certificate: did the peer talk to it? */
  withoutCert?: "accepted" | "refused" | "unknown";
}

export type ErrorKind = "refused-ours" | "not-tls" | "version" | "other";

export interface ErrorMeaning {
  kind: ErrorKind;
  meaning: string;
  fix: string;
}

const SAME_CA = "give every task ENTRYPOINT_TLS_CA with the CA that signed the certificates (during a CA rotation, both CAs) and certificates signed by it";
const SAME_VERSIONS = "use the same TLS versions on every node (TLS 1.3; 1.2 only if every node asks for it)";

// Alerts the peer sends about our certificate (OpenSSL's names as Node.js reports them).
const TABLE: Record<string, ErrorMeaning> = {
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: { kind: "refused-ours", meaning: "does not trust the CA that signed our certificate (alert unknown_ca)", fix: SAME_CA },
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: { kind: "refused-ours", meaning: "refused our certificate (alert bad_certificate)", fix: "ENTRYPOINT_TLS_CERT must hold the certificate and any intermediate up to the CA, with extendedKeyUsage clientAuth" },
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: { kind: "refused-ours", meaning: "says our certificate has expired or is not valid yet (alert certificate_expired)", fix: "renew the certificate behind ENTRYPOINT_TLS_CERT; check both clocks" },
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: { kind: "refused-ours", meaning: "says our certificate is revoked (alert certificate_revoked)", fix: "issue a new certificate for ENTRYPOINT_TLS_CERT" },
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: { kind: "refused-ours", meaning: "cannot use our certificate as a client certificate (alert unsupported_certificate)", fix: "issue node certificates with extendedKeyUsage serverAuth, clientAuth and keyUsage digitalSignature" },
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: { kind: "refused-ours", meaning: "wants a client certificate and got none (alert certificate_required)", fix: "set ENTRYPOINT_TLS_CERT and ENTRYPOINT_TLS_KEY on this task" },
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: { kind: "refused-ours", meaning: "denied access to our certificate (alert access_denied)", fix: "see which certificates the peer's verify_fun accepts" },
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: { kind: "refused-ours", meaning: "could not verify our signature (alert decrypt_error)", fix: "ENTRYPOINT_TLS_KEY must be the key of ENTRYPOINT_TLS_CERT" },
  HUNG_UP: { kind: "refused-ours", meaning: "hung up right after the TLS handshake, before any distribution message and without an alert: most likely it refused our certificate", fix: `its log says why; ${SAME_CA}` },
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: { kind: "version", meaning: "has no TLS version in common with us (alert protocol_version)", fix: SAME_VERSIONS },
  ERR_SSL_UNSUPPORTED_PROTOCOL: { kind: "version", meaning: "offers only a TLS version we do not accept", fix: SAME_VERSIONS },
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: { kind: "other", meaning: "ended the TLS handshake (alert handshake_failure: no cipher or version in common, or its own checks failed)", fix: "its log has a line \"TLS server: ... generated SERVER ALERT\" with the reason" },
};

// What a peer that does not speak TLS makes our client see: silence, a hang-up, or bytes that are no TLS record.
const NOT_TLS = new Set(["TIMEOUT", "ECONNRESET", "EPIPE", "ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_HTTP_REQUEST", "ERR_SSL_RECORD_LAYER_FAILURE"]);

export function meaningOf(error: TlsError): ErrorMeaning {
  const known = TABLE[error.code];
  if (known) return known;
  if (NOT_TLS.has(error.code)) return { kind: "not-tls", meaning: `did not answer in TLS: ${error.message}`, fix: "turn TLS on for every node (ENTRYPOINT_DIST_TLS=on), or check what listens on that port" };
  return { kind: "other", meaning: `failed the TLS handshake: ${error.code} ${error.message}`, fix: "its log says why (TLS server notices)" };
}

/** Node.js's certificate dates ("Nov 30 19:41:30 2026 GMT") as "2026-11-30 19:41 UTC". */
export const day = (text: string) => {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
};

const DATE_ERRORS = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);

export interface Verdict {
  check: string;
  severity: "ok" | "warn" | "fail";
  message: string;
  fix?: string;
}

/** Each problem of the peer's certificate, distinctly: chain, name, dates. */
function certProblems(p: PeerCert, node: string, serverName: string, now: number): Verdict[] {
  const found: Verdict[] = [];
  const whose = `the certificate of ${node} (subject "${p.subject ?? "?"}", issuer "${p.issuer ?? "?"}")`;
  if (p.chainError && !DATE_ERRORS.has(p.chainError)) found.push({ check: "tls_chain", severity: "fail", message: `${whose} is not from our CA: ${p.chainError}`, fix: SAME_CA });
  if (p.nameError) {
    const has = p.dns.length ? `it has ${p.dns.map((d) => `DNS:${d}`).join(", ")}` : "it has no DNS name";
    found.push({ check: "tls_name", severity: "fail", message: `${whose} lacks the DNS name ${serverName}: ${has}`, fix: `issue node certificates with subjectAltName DNS:${serverName}, or set --dist-tls-name (ENTRYPOINT_TLS_SERVER_NAME) to their name on every task` });
  }
  if (Date.parse(p.validTo) < now) found.push({ check: "tls_dates", severity: "fail", message: `${whose} expired on ${day(p.validTo)}`, fix: "renew it (a new secret value: tasks started after that pick it up)" });
  if (Date.parse(p.validFrom) > now) found.push({ check: "tls_dates", severity: "fail", message: `${whose} is not valid before ${day(p.validFrom)}`, fix: "check the clocks, or issue it with an earlier start date" });
  return found;
}

/** The findings of one peer's TLS check; the ok case gives none (the peer's ok line says "TLS ok"). */
export function tlsVerdicts(t: TlsCheck, node: string, port: number, serverName: string, now: number): Verdict[] {
  if (t.error && t.plain) {
    return [{ check: "tls_plain", severity: "fail", message: `${node} speaks plain TCP on port ${port}: it answered a distribution handshake without TLS`, fix: "start that node with --dist-tls (ENTRYPOINT_DIST_TLS=on) and the same TLS inputs: a TLS node and a plain one never connect" }];
  }
  const found = t.peer ? certProblems(t.peer, node, serverName, now) : [];
  if (t.error) {
    const m = meaningOf(t.error);
    const check = m.kind === "refused-ours" ? "tls_ours" : "tls";
    found.push({ check, severity: "fail", message: `${node} ${m.meaning}`, fix: m.fix });
  }
  if (t.withoutCert === "accepted") {
    found.push({ check: "tls_client", severity: "warn", message: `${node} accepts TLS connections without a client certificate: whoever reaches port ${port} needs only the cookie`, fix: "its ssl_dist_optfile's server options need {verify, verify_peer} and {fail_if_no_peer_cert, true} (--dist-tls writes them)" });
  }
  return found;
}

/** Words for the peer's ok line. */
export const tlsSummary = (t: TlsCheck) => (t.peer ? `${t.peer.protocol.replace("TLSv", "TLS ")} with mutual authentication` : "");

const WARN_DAYS = 14;
const DAY_MS = 86_400_000;

/** Our own certificate: expired, or expiring within WARN_DAYS days. */
export function ownCertVerdict(certPem: string, now: number): Verdict {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return { check: "tls_own", severity: "fail", message: "ENTRYPOINT_TLS_CERT is not a PEM certificate", fix: "put the node's certificate (PEM) in ENTRYPOINT_TLS_CERT" };
  }
  const until = Date.parse(cert.validTo);
  const renew = "renew the certificate behind ENTRYPOINT_TLS_CERT (tasks started after that pick it up)";
  if (until < now) return { check: "tls_own", severity: "fail", message: `our certificate expired on ${day(cert.validTo)}`, fix: renew };
  const days = Math.round((until - now) / DAY_MS);
  if (until - now < WARN_DAYS * DAY_MS) return { check: "tls_own", severity: "warn", message: `our certificate expires on ${day(cert.validTo)}, in ${days} days`, fix: renew };
  return { check: "tls_own", severity: "ok", message: `our certificate is valid until ${day(cert.validTo)}` };
}

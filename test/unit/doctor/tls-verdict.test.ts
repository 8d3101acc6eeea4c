import { test } from "uvu";
import * as assert from "uvu/assert";
import type { PeerCheck } from "../../../src/doctor/check.ts";
import { peerFindings } from "../../../src/doctor/findings.ts";
import { renderText } from "../../../src/doctor/render.ts";
import type { PeerCert } from "../../../src/doctor/tls.ts";
import { day, meaningOf, ownCertVerdict, tlsVerdicts, type ErrorKind, type TlsCheck } from "../../../src/doctor/tls-verdict.ts";
import { daysFromNow, makeCa, makeNodeCert, removeCerts } from "../../helpers/certs.ts";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const NODE = "shop-abc@10.0.0.4";
const good: PeerCert = { protocol: "TLSv1.3", subject: "cluster.internal", issuer: "cluster-ca", dns: ["cluster.internal"], validFrom: "Jan  1 00:00:00 2026 GMT", validTo: "Jan  1 00:00:00 2027 GMT" };

// [error code, kind, meaning pattern]
const codes: [string, ErrorKind, RegExp][] = [
  ["ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "refused-ours", /alert unknown_ca/],
  ["ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", "refused-ours", /alert bad_certificate/],
  ["ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED", "refused-ours", /our certificate has expired/],
  ["ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "refused-ours", /alert certificate_required/],
  ["ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE", "refused-ours", /alert unsupported_certificate/],
  ["ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR", "refused-ours", /alert decrypt_error/],
  ["HUNG_UP", "refused-ours", /hung up right after the TLS handshake/],
  ["ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "version", /no TLS version in common/],
  ["ERR_SSL_UNSUPPORTED_PROTOCOL", "version", /TLS version we do not accept/],
  ["TIMEOUT", "not-tls", /did not answer in TLS: boom/],
  ["ECONNRESET", "not-tls", /did not answer in TLS/],
  ["ERR_SSL_WRONG_VERSION_NUMBER", "not-tls", /did not answer in TLS/],
  ["ERR_SSL_PACKET_LENGTH_TOO_LONG", "not-tls", /did not answer in TLS/],
  ["ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "other", /alert handshake_failure/],
  ["ERR_SOMETHING_NEW", "other", /failed the TLS handshake: ERR_SOMETHING_NEW boom/],
];

for (const [code, kind, meaning] of codes) {
  test(`error ${code} → ${kind}`, () => {
    const m = meaningOf({ code, message: "boom" });
    assert.is(m.kind, kind);
    assert.match(m.meaning, meaning);
    assert.ok(m.fix.length > 10, "every meaning has a fix");
  });
}

// [case, check, [severity check, message pattern, fix pattern?][]]
const cases: [string, TlsCheck, [string, RegExp, RegExp?][]][] = [
  ["all good", { peer: good, withoutCert: "refused" }, []],
  ["another CA", { peer: { ...good, issuer: "other-ca", chainError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" } }, [["fail tls_chain", /issuer "other-ca"\) is not from our CA: UNABLE_TO_VERIFY_LEAF_SIGNATURE$/, /ENTRYPOINT_TLS_CA/]]],
  ["expired: OpenSSL's date error is the date finding, not a chain finding", { peer: { ...good, validTo: "May  1 00:00:00 2026 GMT", chainError: "CERT_HAS_EXPIRED" } }, [["fail tls_dates", /expired on 2026-05-01 00:00 UTC$/, /renew it/]]],
  ["not yet valid", { peer: { ...good, validFrom: "Jul  1 00:00:00 2026 GMT", chainError: "CERT_NOT_YET_VALID" } }, [["fail tls_dates", /not valid before 2026-07-01 00:00 UTC$/, /clocks/]]],
  ["wrong name", { peer: { ...good, dns: ["a.internal", "b.internal"], nameError: "Hostname/IP does not match" } }, [["fail tls_name", /lacks the DNS name cluster\.internal: it has DNS:a\.internal, DNS:b\.internal$/, /--dist-tls-name/]]],
  ["no DNS name at all", { peer: { ...good, dns: [], nameError: "x" } }, [["fail tls_name", /it has no DNS name$/]]],
  ["three problems at once, each distinct", { peer: { ...good, dns: [], nameError: "x", chainError: "SELF_SIGNED_CERT_IN_CHAIN", validTo: "May  1 00:00:00 2026 GMT" } }, [["fail tls_chain", /SELF_SIGNED/], ["fail tls_name", /no DNS name/], ["fail tls_dates", /expired/]]],
  ["it refused ours after the handshake", { peer: good, error: { code: "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", message: "m" } }, [["fail tls_ours", /^shop-abc@10\.0\.0\.4 does not trust the CA that signed our certificate/]]],
  ["plain TCP", { error: { code: "TIMEOUT", message: "no TLS handshake within 1500 ms" }, plain: true }, [["fail tls_plain", /speaks plain TCP on port 9100/, /--dist-tls/]]],
  ["silent, not plain either", { error: { code: "TIMEOUT", message: "no TLS handshake within 1500 ms" }, plain: false }, [["fail tls", /did not answer in TLS: no TLS handshake within 1500 ms/]]],
  ["no client certificate needed", { peer: good, withoutCert: "accepted" }, [["warn tls_client", /accepts TLS connections without a client certificate: whoever reaches port 9100 needs only the cookie/, /fail_if_no_peer_cert/]]],
];

for (const [name, check, expected] of cases) {
  test(`peer TLS: ${name}`, () => {
    const got = tlsVerdicts(check, NODE, 9100, "cluster.internal", NOW);
    assert.equal(got.map((v) => `${v.severity} ${v.check}`), expected.map((e) => e[0]));
    expected.forEach(([, message, fix], i) => {
      assert.match(got[i]!.message, message);
      if (fix) assert.match(got[i]!.fix!, fix);
    });
  });
}

const peer = (tls: TlsCheck): PeerCheck => ({ ip: "10.0.0.4", self: false, direct: 9100, epmd: { ok: false, stage: "connect", kind: "refused", error: "refused" }, dist: { ok: true }, tls, handshake: { outcome: "accepted", peerName: NODE } });
const ctx = { basename: "shop-abc", epmdPort: 4369, distribution: "name" as const, tls: { serverName: "cluster.internal" }, now: NOW };

test("the peer's ok line names TLS; a TLS problem replaces it; the table gets a tls column", () => {
  assert.equal(peerFindings(peer({ peer: good }), ctx).map((f) => f.message), ["shop-abc@10.0.0.4: port 9100 reachable without EPMD, TLS 1.3 with mutual authentication, handshake ok, same cookie"]);
  const plain = peer({ error: { code: "TIMEOUT", message: "t" }, plain: true });
  assert.equal(peerFindings(plain, ctx).map((f) => f.check), ["tls_plain"]);
  const text = renderText({ epmdPort: 4369, basename: "shop-abc", peersChecked: 1, findings: [], peers: [plain], exitCode: 1 });
  assert.match(text, /^peer +epmd 4369 +node shop-abc +dist port +cookie +tls$/m);
  assert.match(text, /^10\.0\.0\.4 +none +port 9100 +ok +same +PLAIN TCP$/m);
});

test("network text in a certificate is escaped in the report", () => {
  const hostile = peer({ peer: { ...good, issuer: "evil\u001b[2J\u202e", chainError: "X" } });
  const text = renderText({ epmdPort: 4369, peersChecked: 1, findings: peerFindings(hostile, ctx), peers: [hostile], exitCode: 1 });
  assert.not.match(text, /\u001b|\u202e/);
  assert.match(text, /issuer "evil\\x1b\[2J\\u202e"/);
});

test("our own certificate: ok, expiring within 14 days (warn, with the date), expired (fail)", () => {
  const ca = makeCa("own");
  try {
    const verdict = (days: number) => ownCertVerdict(makeNodeCert(ca, { dns: ["cluster.internal"], notBefore: daysFromNow(-30), notAfter: daysFromNow(days) }).cert, Date.now());
    assert.equal([verdict(200).severity, verdict(5).severity, verdict(-1).severity], ["ok", "warn", "fail"]);
    assert.match(verdict(5).message, /^our certificate expires on \d{4}-\d\d-\d\d \d\d:\d\d UTC, in 5 days$/);
    assert.match(verdict(-1).message, /^our certificate expired on /);
    assert.is(ownCertVerdict("not a pem", Date.now()).severity, "fail");
  } finally {
    removeCerts();
  }
});

test("dates: Node.js's form to UTC minutes; unparsable text stays as it is", () => {
  assert.is(day("Nov 30 19:41:30 2026 GMT"), "2026-11-30 19:41 UTC");
  assert.is(day("soon"), "soon");
});

test.run();

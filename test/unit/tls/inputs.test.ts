// The TLS inputs, checked before exec: every wrong one is a 78 that names the input (never its
// content) and the fix; the right ones give the material. Certificates are made with openssl here.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { rmSync } from "node:fs";
import { tlsConfig, type TlsKey } from "../../../src/tls/inputs.ts";
import { BOOT_OPTIONS } from "../../../src/config/options.ts";
import { CLUSTER_NAME, makePki } from "../../helpers/tls-pki.ts";

const pki = makePki();
test.after(() => rmSync(pki.dir, { recursive: true, force: true }));

type Inputs = Partial<Record<TlsKey, string>>;
const NOW = new Date();
const DAY = 86_400_000;
const good: Inputs = { distTls: "on", tlsCa: pki.ca, tlsCert: pki.node.cert, tlsKey: pki.node.key };
// The env var of each option, as buildConfig names it when the value comes from there.
const envOf = (key: TlsKey) => BOOT_OPTIONS.find((o) => o.key === key)!.env[0];

function run(inputs: Inputs, now = NOW) {
  return tlsConfig((key) => (inputs[key] === undefined ? undefined : { value: inputs[key]!, source: envOf(key) }), now);
}

const errors: [string, Inputs, RegExp, Date?][] = [
  ["no CA", { ...good, tlsCa: undefined }, /^ENTRYPOINT_DIST_TLS is on but ENTRYPOINT_TLS_CA is not set: give the CA certificate .* as PEM text .* or the absolute path/],
  ["no certificate", { ...good, tlsCert: undefined }, /but ENTRYPOINT_TLS_CERT is not set/],
  ["no key", { ...good, tlsKey: undefined }, /but ENTRYPOINT_TLS_KEY is not set/],
  ["a relative path", { ...good, tlsCa: "certs/ca.pem" }, /^ENTRYPOINT_TLS_CA: expected PEM text .* or the absolute path of a PEM file, got neither \(12 characters, not shown\)/],
  ["a path that does not exist", { ...good, tlsCert: "/nonexistent/cert.pem" }, /^ENTRYPOINT_TLS_CERT: cannot read \/nonexistent\/cert\.pem \(ENOENT\): mount the file there/],
  ["a directory", { ...good, tlsCert: pki.dir }, /^ENTRYPOINT_TLS_CERT: cannot read .* \(EISDIR\)/],
  ["PEM with \\n escapes (a secret stored as one line)", { ...good, tlsCa: pki.ca.replace(/\n/g, "\\n") }, /^ENTRYPOINT_TLS_CA: no PEM certificate in it .*\\n escapes instead of line breaks.*file:\/\//],
  ["a key where the certificate belongs", { ...good, tlsCert: pki.node.key }, /^ENTRYPOINT_TLS_CERT: no PEM certificate in it/],
  ["a mangled certificate", { ...good, tlsCert: pki.node.cert.replace(/\n[A-Za-z0-9+/]{10}/, "\nAAAAAAAAAA") }, /^ENTRYPOINT_TLS_CERT: certificate 1 of 1 does not parse as X\.509/],
  ["a certificate where the key belongs", { ...good, tlsKey: pki.node.cert }, /^ENTRYPOINT_TLS_KEY: not a usable private key; expected a PEM private key/],
  ["an encrypted key", { ...good, tlsKey: pki.encryptedKey }, /^ENTRYPOINT_TLS_KEY: not a usable private key; it is encrypted: store it without a passphrase/],
  ["the key of another certificate", { ...good, tlsKey: pki.node2.key }, /^ENTRYPOINT_TLS_KEY does not match the certificate in ENTRYPOINT_TLS_CERT: give the key/],
  ["expired (a clock 11 days on)", good, /^ENTRYPOINT_TLS_CERT: the certificate \(CN=node\) expired on \d{4}-\d\d-\d\d \(valid from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\): issue a new one/, new Date(NOW.getTime() + 11 * DAY)],
  ["the CA expired (a clock 31 days on)", { ...good }, /^ENTRYPOINT_TLS_CA: the CA certificate \(CN=ca\) expired on/, new Date(NOW.getTime() + 31 * DAY)],
  ["not valid yet (a clock a day back)", good, /^ENTRYPOINT_TLS_CA: the CA certificate \(CN=ca\) is not valid yet .*check the clock/, new Date(NOW.getTime() - DAY)],
  ["signed by another CA", { ...good, tlsCert: pki.foreign.cert, tlsKey: pki.foreign.key }, /^ENTRYPOINT_TLS_CERT is not signed by the CA in ENTRYPOINT_TLS_CA \(the certificate's issuer: CN=other-ca\): give the CA that issued it/],
  ["an intermediate's leaf without the intermediate", { ...good, tlsCert: pki.chained.cert.slice(0, pki.chained.cert.indexOf("-----END CERTIFICATE-----") + 26), tlsKey: pki.chained.key }, /is not signed by the CA .*issuer: CN=inter/],
  ["a server name the certificate lacks", { ...good, tlsServerName: "db.cluster.internal" }, /^ENTRYPOINT_TLS_SERVER_NAME: "db\.cluster\.internal" is not a DNS name of the certificate in ENTRYPOINT_TLS_CERT \(its DNS names: shop\.cluster\.internal\)/],
  ["several DNS names, none chosen", { ...good, tlsCert: pki.twoNames.cert, tlsKey: pki.twoNames.key }, /^ENTRYPOINT_TLS_CERT: the certificate has several DNS names \(its DNS names: shop\.cluster\.internal, other\.cluster\.internal\): choose .* ENTRYPOINT_TLS_SERVER_NAME/],
  ["no DNS name", { ...good, tlsCert: pki.noName.cert, tlsKey: pki.noName.key }, /^ENTRYPOINT_TLS_CERT: the certificate has no DNS name.*-addext "subjectAltName=DNS:/],
  ["serverAuth only", { ...good, tlsCert: pki.serverOnly.cert, tlsKey: pki.serverOnly.key }, /^ENTRYPOINT_TLS_CERT: the certificate's extendedKeyUsage lacks clientAuth; every node is both server and client/],
  ["a bad switch", { ...good, distTls: "enabled" }, /^ENTRYPOINT_DIST_TLS: expected on or off, got "enabled"/],
  ["a bad version", { ...good, tlsVersions: "1.1" }, /^ENTRYPOINT_TLS_VERSIONS: expected 1\.3, or 1\.2,1\.3/],
];

for (const [name, inputs, want, now] of errors) {
  test(`78: ${name}`, () => {
    try {
      run(inputs, now);
      assert.unreachable("should be a config error");
    } catch (err) {
      assert.is((err as { exitCode?: number }).exitCode, 78, (err as Error).message);
      const message = (err as Error).message;
      assert.match(message, want);
      assert.not.match(message, /\n/, "one line");
      assert.not.match(message, /-----END|MI[IG][A-Za-z0-9+/]|MHc[A-Za-z0-9+/]/, "no PEM text in the message");
    }
  });
}

const fine: [string, Inputs, { serverName: string; versions: string[] }][] = [
  ["off: nothing checked", { distTls: "off", tlsCa: "garbage" }, { serverName: "", versions: [] }],
  ["PEM text, the one DNS name by default, TLS 1.3", good, { serverName: CLUSTER_NAME, versions: ["tlsv1.3"] }],
  ["paths", { distTls: "1", tlsCa: pki.caPath, tlsCert: pki.node.certPath, tlsKey: pki.node.keyPath }, { serverName: CLUSTER_NAME, versions: ["tlsv1.3"] }],
  ["a chain through an intermediate CA", { ...good, tlsCert: pki.chained.cert, tlsKey: pki.chained.key }, { serverName: CLUSTER_NAME, versions: ["tlsv1.3"] }],
  ["several DNS names, one chosen (any case)", { ...good, tlsCert: pki.twoNames.cert, tlsKey: pki.twoNames.key, tlsServerName: "Other.Cluster.Internal" }, { serverName: "Other.Cluster.Internal", versions: ["tlsv1.3"] }],
  ["TLS 1.2 allowed", { ...good, tlsVersions: "1.2,1.3" }, { serverName: CLUSTER_NAME, versions: ["tlsv1.3", "tlsv1.2"] }],
  ["two CAs in the CA input (rotation of the CA)", { ...good, tlsCa: pki.otherCa + pki.ca }, { serverName: CLUSTER_NAME, versions: ["tlsv1.3"] }],
];

for (const [name, inputs, want] of fine) {
  test(`accepted: ${name}`, () => {
    const material = run(inputs);
    if (inputs.distTls === "off") return assert.is(material, undefined);
    assert.is(material!.serverName, want.serverName);
    assert.equal(material!.versions, want.versions);
    assert.match(material!.key, /-----BEGIN PRIVATE KEY-----/);
  });
}

test.run();

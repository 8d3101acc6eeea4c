// The TLS inputs checked before exec (pure but for node:crypto): each wrong input is one line that
// names the input, never its content, and the fix. A node that would fail every handshake stops here.
import type { X509Certificate } from "node:crypto";
import { configError } from "../errors.ts";
import { safeText } from "../safe-text.ts";
import type { TlsMaterial } from "./material.ts";

/** One input: where it came from (an env var or flag name, for messages) and its PEM text. */
export interface Named {
  source: string;
  text: string;
}

export interface CheckInputs {
  ca: Named;
  cert: Named;
  key: Named;
  serverName?: Named;
  versions: TlsMaterial["versions"];
  now: Date;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
// Extended key usages: every node is the server of the connections it accepts and the client of those it makes.
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

// node:crypto is loaded only when TLS is on: loading it costs every boot about 5 ms.
const crypto = () => process.getBuiltinModule("node:crypto");
const day = (d: Date) => d.toISOString().slice(0, 10);
const subject = (c: X509Certificate) => safeText(c.subject.replace(/\n/g, ", "));

/** A secret stored with "\n" escapes instead of line breaks is the usual way PEM text breaks. */
function pemHint(text: string): string {
  return !text.trim().includes("\n") && text.includes("\\n") ? "; it holds \\n escapes instead of line breaks: store the PEM file itself (aws secretsmanager create-secret --secret-string file://FILE)" : "";
}

/** Every certificate of a PEM text, in order; at least one. */
export function parseCertificates(input: Named): X509Certificate[] {
  const blocks = input.text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0 || pemHint(input.text)) throw configError(`${input.source}: no PEM certificate in it (expected a -----BEGIN CERTIFICATE----- block)${pemHint(input.text)}`);
  return blocks.map((block, i) => {
    try {
      return new (crypto().X509Certificate)(block);
    } catch {
      throw configError(`${input.source}: certificate ${i + 1} of ${blocks.length} does not parse as X.509: copy the PEM file again, whole`);
    }
  });
}

function checkDates(input: Named, cert: X509Certificate, now: Date, what: string): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  const span = `valid from ${day(from)} to ${day(to)}`;
  if (now < from) throw configError(`${input.source}: ${what} (${subject(cert)}) is not valid yet (${span}, now ${day(now)}): check the clock, or issue it with an earlier start date`);
  if (now > to) throw configError(`${input.source}: ${what} (${subject(cert)}) expired on ${day(to)} (${span}): issue a new one from the CA`);
}

/** Walks from the node's certificate through the chain it came with to one of the CA certificates. */
function checkChain(inputs: CheckInputs, chain: X509Certificate[], cas: X509Certificate[]): void {
  let current = chain[0]!;
  const pool = chain.slice(1);
  for (let hop = 0; hop <= pool.length; hop++) {
    const signs = (issuer: X509Certificate) => current.checkIssued(issuer) && current.verify(issuer.publicKey);
    if (cas.some(signs)) return;
    const next = pool.find(signs);
    if (!next) break;
    current = next;
  }
  throw configError(
    `${inputs.cert.source} is not signed by the CA in ${inputs.ca.source} (the certificate's issuer: ${safeText(current.issuer.replace(/\n/g, ", "))}): give the CA that issued it, or a certificate issued by this CA`,
  );
}

function checkKey(inputs: CheckInputs, leaf: X509Certificate): void {
  let key;
  try {
    if (pemHint(inputs.key.text)) throw new Error("escaped line breaks");
    key = crypto().createPrivateKey(inputs.key.text);
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(inputs.key.text) || /passphrase/i.test((err as Error).message);
    const fix = encrypted ? "it is encrypted: store it without a passphrase (openssl pkey -in key.pem -out plain.pem)" : `expected a PEM private key (-----BEGIN PRIVATE KEY-----)${pemHint(inputs.key.text)}`;
    throw configError(`${inputs.key.source}: not a usable private key; ${fix}`);
  }
  if (!leaf.checkPrivateKey(key)) throw configError(`${inputs.key.source} does not match the certificate in ${inputs.cert.source}: give the key that certificate was made for`);
}

/** DNS names of the certificate's subjectAltName. */
export function dnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? "").split(/,\s*/).filter((e) => e.startsWith("DNS:")).map((e) => e.slice(4));
}

function serverName(inputs: CheckInputs, leaf: X509Certificate): string {
  const names = dnsNames(leaf);
  const given = inputs.serverName;
  const listed = names.length ? ` (its DNS names: ${safeText(names.join(", "))})` : "";
  if (given) {
    // Compared as the nodes will (src/tls/optfile.ts): equal, ASCII case-insensitive; no wildcards.
    if (!names.some((n) => n.toLowerCase() === given.text.toLowerCase())) {
      throw configError(`${given.source}: ${JSON.stringify(safeText(given.text))} is not a DNS name of the certificate in ${inputs.cert.source}${listed}: give one of them, or issue the certificates with it`);
    }
    return given.text;
  }
  const fix = `-addext "subjectAltName=DNS:shop.cluster.internal"`;
  if (names.length === 0) throw configError(`${inputs.cert.source}: the certificate has no DNS name, which clients check instead of the IP in the node name: issue it with ${fix}`);
  if (names.length > 1 || names[0]!.includes("*")) {
    const what = names.length > 1 ? "several DNS names" : "a wildcard DNS name";
    throw configError(`${inputs.cert.source}: the certificate has ${what}${listed}: choose the name clients check, one every node's certificate has, with ENTRYPOINT_TLS_SERVER_NAME (or --dist-tls-name)`);
  }
  return names[0]!;
}

function checkUsage(inputs: CheckInputs, leaf: X509Certificate): void {
  const usage = leaf.keyUsage;
  if (!usage || usage.length === 0) return;
  const missing = [[SERVER_AUTH, "serverAuth"], [CLIENT_AUTH, "clientAuth"]].filter(([oid]) => !usage.includes(oid!)).map(([, name]) => name);
  if (missing.length) throw configError(`${inputs.cert.source}: the certificate's extendedKeyUsage lacks ${missing.join(" and ")}; every node is both server and client: issue it with -addext "extendedKeyUsage=serverAuth,clientAuth" (or without that extension)`);
}

/** The material the release gets, or a 78 naming the first wrong input. */
export function checkMaterial(inputs: CheckInputs): { material: TlsMaterial; notAfter: Date } {
  const cas = parseCertificates(inputs.ca);
  const chain = parseCertificates(inputs.cert);
  const leaf = chain[0]!;
  checkKey(inputs, leaf);
  cas.forEach((ca, i) => checkDates(inputs.ca, ca, inputs.now, cas.length > 1 ? `CA certificate ${i + 1}` : "the CA certificate"));
  chain.forEach((c, i) => checkDates(inputs.cert, c, inputs.now, i === 0 ? "the certificate" : `chain certificate ${i + 1}`));
  checkChain(inputs, chain, cas);
  checkUsage(inputs, leaf);
  const name = serverName(inputs, leaf);
  return {
    material: { ca: inputs.ca.text, cert: inputs.cert.text, key: inputs.key.text, serverName: name, versions: inputs.versions },
    notAfter: new Date(leaf.validTo),
  };
}

// Certificates for the TLS tests, made with openssl at test time (no private key is committed):
// the cluster's CA and node certificate, and one certificate per thing that can be wrong.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CLUSTER_NAME = "shop.cluster.internal";

export interface Pair {
  cert: string;
  key: string;
  /** Where both are written, for the tests that give paths. */
  certPath: string;
  keyPath: string;
}

export interface Pki {
  dir: string;
  ca: string;
  caPath: string;
  /** Signed by the CA, DNS name CLUSTER_NAME, serverAuth and clientAuth. */
  node: Pair;
  /** A second node certificate of the same CA (rotation: old and new side by side). */
  node2: Pair;
  /** Another CA and a node certificate it signed, with the same DNS name. */
  otherCa: string;
  foreign: Pair;
  twoNames: Pair;
  noName: Pair;
  serverOnly: Pair;
  /** The leaf signed by an intermediate CA; cert holds leaf + intermediate. */
  chained: Pair;
  encryptedKey: string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ["req", "-x509", "-new", ...EC, "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "30", "-subj", `/CN=${name}`]);
}

/** A certificate signed by `ca`, with these extensions. */
function makeLeaf(dir: string, name: string, ca: string, ext: string[]): Pair {
  const addext = ext.flatMap((e) => ["-addext", e]);
  openssl(dir, ["req", "-new", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`, ...addext]);
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "10", "-copy_extensions", "copy"]);
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return { cert: read(`${name}.pem`), key: read(`${name}.key`), certPath: join(dir, `${name}.pem`), keyPath: join(dir, `${name}.key`) };
}

const GOOD = [`subjectAltName=DNS:${CLUSTER_NAME}`, "extendedKeyUsage=serverAuth,clientAuth"];

/** About 20 openssl runs, well under a second each. */
export function makePki(parent = tmpdir()): Pki {
  const dir = mkdtempSync(join(parent, "tls-pki-"));
  makeCa(dir, "ca");
  makeCa(dir, "other-ca");
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  // An intermediate CA: a CA certificate signed by the root.
  makeLeaf(dir, "inter", "ca", ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"]);
  const chainedLeaf = makeLeaf(dir, "chained", "inter", GOOD);
  writeFileSync(join(dir, "chained-full.pem"), chainedLeaf.cert + read("inter.pem"));
  openssl(dir, ["pkey", "-in", "ca.key", "-aes256", "-passout", "pass:secret", "-out", "encrypted.key"]);
  return {
    dir,
    ca: read("ca.pem"),
    caPath: join(dir, "ca.pem"),
    node: makeLeaf(dir, "node", "ca", GOOD),
    node2: makeLeaf(dir, "node2", "ca", GOOD),
    otherCa: read("other-ca.pem"),
    foreign: makeLeaf(dir, "foreign", "other-ca", GOOD),
    twoNames: makeLeaf(dir, "two-names", "ca", [`subjectAltName=DNS:${CLUSTER_NAME},DNS:other.cluster.internal`]),
    noName: makeLeaf(dir, "no-name", "ca", []),
    serverOnly: makeLeaf(dir, "server-only", "ca", [`subjectAltName=DNS:${CLUSTER_NAME}`, "extendedKeyUsage=serverAuth"]),
    chained: { ...chainedLeaf, cert: read("chained-full.pem"), certPath: join(dir, "chained-full.pem") },
    encryptedKey: read("encrypted.key"),
  };
}

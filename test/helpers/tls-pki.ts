// The certificates the TLS step's tests need, made with openssl at test time (test/helpers/certs.ts; no
// private key is committed): the cluster's CA and node certificate, and one per thing that can be wrong.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { daysFromNow, makeCa, makeNodeCert, openssl, type NodeCertOptions, type Ca } from "./certs.ts";

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
  /** Signed by the CA, DNS name CLUSTER_NAME, serverAuth and clientAuth; valid 10 days (the CA 30). */
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

/** A leaf of `ca` named `cn`, valid for 10 days. */
function leaf(ca: Ca, cn: string, o: NodeCertOptions = { dns: [CLUSTER_NAME] }): Pair {
  const c = makeNodeCert(ca, { cn, notAfter: daysFromNow(10), ...o });
  return { cert: c.cert, key: c.key, certPath: c.certFile, keyPath: c.keyFile };
}

/** About 20 openssl runs, well under a second each. */
export function makePki(parent = tmpdir()): Pki {
  const dir = mkdtempSync(join(parent, "tls-pki-"));
  const ca = makeCa("ca", { days: 30, root: dir });
  const other = makeCa("other-ca", { days: 30, root: dir });
  const inter = makeCa("inter", { days: 30, root: dir, issuer: ca });
  const chainedLeaf = leaf(inter, "chained");
  const chainedPath = join(dir, "chained-full.pem");
  writeFileSync(chainedPath, chainedLeaf.cert + inter.cert);
  const encrypted = join(dir, "encrypted.key");
  openssl(["pkey", "-in", ca.keyFile, "-aes256", "-passout", "pass:secret", "-out", encrypted], dir);
  return {
    dir,
    ca: ca.cert,
    caPath: ca.certFile,
    node: leaf(ca, "node"),
    node2: leaf(ca, "node2"),
    otherCa: other.cert,
    foreign: leaf(other, "foreign"),
    twoNames: leaf(ca, "two-names", { dns: [CLUSTER_NAME, "other.cluster.internal"] }),
    noName: leaf(ca, "no-name", { dns: [] }),
    serverOnly: leaf(ca, "server-only", { dns: [CLUSTER_NAME], eku: "serverAuth" }),
    chained: { ...chainedLeaf, cert: chainedLeaf.cert + inter.cert, certPath: chainedPath },
    encryptedKey: readFileSync(encrypted, "utf8"),
  };
}

// Certificates for TLS tests, made at test time with openssl (never committed): a CA, and node
// certificates it signs with chosen DNS names and validity dates (past ones too, for expiry cases).
// Every file lives in one temporary directory; PEM texts are returned as strings as well.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Ca {
  name: string;
  dir: string;
  certFile: string;
  keyFile: string;
  /** PEM texts. */
  cert: string;
  key: string;
}

export interface NodeCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface NodeCertOptions {
  /** DNS names in the subjectAltName; none: no SAN at all. */
  dns?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** The subject's common name (default: the first DNS name, or "node"). */
  cn?: string;
  /** extendedKeyUsage (default: serverAuth, clientAuth). */
  eku?: string;
}

const DAY_MS = 86_400_000;
let root: string | undefined;
let serial = 0;

/** The directory of this process's test certificates (under the test run's TMPDIR). */
export function certsDir(): string {
  return (root ??= mkdtempSync(join(tmpdir(), "certs-")));
}

export function removeCerts(): void {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
}

export const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
// P-256 keys: quick to make, and every OTP ssl and Node.js version takes them.
const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export interface CaOptions {
  days?: number;
  /** An intermediate CA, signed by this one. */
  issuer?: Ca;
  /** Where its directory goes (default: certsDir()). */
  root?: string;
}

export function makeCa(name: string, o: CaOptions = {}): Ca {
  const dir = join(o.root ?? certsDir(), `ca-${name}-${++serial}`);
  mkdirSync(join(dir, "issued"), { recursive: true });
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "1000\n");
  const days = o.days ?? 3650;
  if (o.issuer) {
    openssl(["req", "-new", ...NEW_KEY, "-keyout", "ca.key", "-out", "ca.csr", "-subj", `/CN=${name}`], dir);
    const ext = ["basicConstraints = critical, CA:TRUE", "keyUsage = critical, keyCertSign, cRLSign"];
    sign(o.issuer, join(dir, "ca.csr"), join(dir, "ca.crt"), ext, new Date(Date.now() - DAY_MS), daysFromNow(days));
  } else {
    openssl(["req", "-x509", ...NEW_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-subj", `/CN=${name}`, "-days", String(days)], dir);
  }
  const certFile = join(dir, "ca.crt");
  const keyFile = join(dir, "ca.key");
  return { name, dir, certFile, keyFile, cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
}

// openssl ca's date form: YYYYMMDDHHMMSSZ.
const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z");

function caConfig(ca: Ca): string {
  const file = join(ca.dir, "ca.cnf");
  const lines = [
    "[ca]", "default_ca = own",
    "[own]", `dir = ${ca.dir}`, "database = $dir/index.txt", "new_certs_dir = $dir/issued", "serial = $dir/serial",
    "default_md = sha256", "policy = any", "unique_subject = no", "copy_extensions = none",
    "[any]", "commonName = supplied",
  ];
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** `ca` signs the request `csr` into `out`, with these extension lines and dates. */
function sign(ca: Ca, csr: string, out: string, ext: string[], notBefore: Date, notAfter: Date): void {
  const extFile = `${out}.ext`;
  writeFileSync(extFile, ["[ext]", ...ext].join("\n") + "\n");
  openssl(
    ["ca", "-batch", "-config", caConfig(ca), "-cert", ca.certFile, "-keyfile", ca.keyFile, "-in", csr, "-out", out, "-notext",
      "-startdate", stamp(notBefore), "-enddate", stamp(notAfter), "-extfile", extFile, "-extensions", "ext"],
    ca.dir,
  );
}

/** A key and a certificate signed by `ca`, for both TLS server and client use (distribution needs both). */
export function makeNodeCert(ca: Ca, o: NodeCertOptions = {}): NodeCert {
  const id = `node-${++serial}`;
  const dir = ca.dir;
  const cn = o.cn ?? o.dns?.[0] ?? "node";
  const ext = ["basicConstraints = CA:FALSE", "keyUsage = critical, digitalSignature, keyEncipherment", `extendedKeyUsage = ${o.eku ?? "serverAuth, clientAuth"}`];
  if (o.dns?.length) ext.push(`subjectAltName = ${o.dns.map((d) => `DNS:${d}`).join(", ")}`);
  openssl(["req", "-new", ...NEW_KEY, "-keyout", `${id}.key`, "-out", `${id}.csr`, "-subj", `/CN=${cn}`], dir);
  const certFile = join(dir, `${id}.crt`);
  sign(ca, join(dir, `${id}.csr`), certFile, ext, o.notBefore ?? new Date(Date.now() - DAY_MS), o.notAfter ?? daysFromNow(365));
  const keyFile = join(dir, `${id}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
}

export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS);

export interface OptfileOptions {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The DNS name the client checks in the server's certificate. */
  serverName: string;
  /** false: a server that asks for no client certificate (a weak setup, for controls). */
  askClientCert?: boolean;
}

/**
 * An ssl_dist_optfile for `erl -proto_dist inet_tls` (test and bench nodes; the product writes its own).
 * OTP 25's client puts the node name's IP first as server_name_indication (the first one wins), and
 * without `versions` it offers TLS 1.2 only: the name check is pinned by a match_fun instead (the file
 * is evaluated, so a fun is allowed), and the client asks for TLS 1.3.
 */
export function distOptfile(o: OptfileOptions): string {
  const q = JSON.stringify;
  const common = [`{certfile, ${q(o.certFile)}}`, `{keyfile, ${q(o.keyFile)}}`, `{cacertfile, ${q(o.caFile)}}`];
  const ask = o.askClientCert === false ? ["{verify, verify_none}"] : ["{verify, verify_peer}", "{fail_if_no_peer_cert, true}"];
  const server = [...common, ...ask, "{versions, ['tlsv1.3']}"];
  const pinned = `fun(_, {dNSName, N}) -> N =:= ${q(o.serverName)}; (_, _) -> false end`;
  const client = [...common, "{verify, verify_peer}", "{versions, ['tlsv1.3']}", `{customize_hostname_check, [{match_fun, ${pinned}}]}`];
  const file = join(certsDir(), `dist-${++serial}.conf`);
  writeFileSync(file, `[{server, [${server.join(", ")}]}, {client, [${client.join(", ")}]}].\n`);
  return file;
}

// The boot's TLS step (SPEC 4.10), the "tls" chunk: the material checked at config time, then written
// into a fresh private directory with the ssl_dist_optfile once the address is known.
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configError, EntrypointError, EXIT } from "../errors.ts";
import { ENV } from "../config/options.ts";
import type { Logger } from "../log.ts";
import type { TlsMaterial } from "./material.ts";
import { renderOptfile } from "./optfile.ts";

export type { TlsMaterial } from "./material.ts";
export { tlsConfig } from "./inputs.ts";

export interface TlsFiles {
  dir: string;
  optfile: string;
}

const SSL_APPS = ["ssl", "public_key", "crypto", "asn1"];

/**
 * inet_tls_dist lives in ssl: a release without it cannot start distribution. The hidden nodes of rpc and
 * remote boot start_clean in interactive mode, which puts every lib/ directory of the release on the path.
 * No release next to the bin dir (the init container's image): nothing to check.
 */
export function requireSsl(binDir: string): void {
  const root = resolve(binDir, "..");
  if (!existsSync(join(root, "releases"))) return;
  const libs = existsSync(join(root, "lib")) ? readdirSync(join(root, "lib")) : [];
  const missing = SSL_APPS.filter((app) => !libs.some((d) => d.startsWith(`${app}-`)));
  if (missing.length) {
    throw configError(`${ENV.distTls} is on but the release in ${root} has no ${missing.join(", ")} in lib/: add :ssl to extra_applications in mix.exs (def application) and build the release again`);
  }
}

/** ELIXIR_ERL_OPTIONS is split at whitespace by the start script: a path with a space cannot be passed. */
function requireNoSpace(path: string): void {
  if (/\s/.test(path)) throw configError(`TLS files would be written in ${JSON.stringify(path)}, which holds whitespace; ELIXIR_ERL_OPTIONS cannot carry it: set TMPDIR (or the env --output directory) to a path without spaces`);
}

const OPERATOR_PREFIX = "entrypoint-tls-op-";
const OPERATOR_KEEP_MS = 3_600_000;

/**
 * rpc and remote exec a hidden node that cannot clean up after itself: each run's key copy would stay.
 * Ours older than an hour go (never the running release's directory, which has the other prefix).
 */
export function sweepOperatorDirs(parent: string, now = Date.now()): void {
  let names: string[] = [];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(OPERATOR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const st = lstatSync(join(parent, name));
      if (st.isDirectory() && st.uid === process.getuid?.() && st.mtimeMs < now - OPERATOR_KEEP_MS) rmSync(join(parent, name), { recursive: true, force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/** Writes ca.pem, cert.pem, key.pem and the optfile into a fresh 0700 directory under `parent` (0600 each). */
export function writeTlsFiles(material: TlsMaterial, parent: string, binDir: string, log: Logger, operator = false): TlsFiles {
  requireSsl(binDir);
  requireNoSpace(parent);
  if (operator) sweepOperatorDirs(parent);
  let dir: string;
  try {
    dir = mkdtempSync(join(parent, operator ? OPERATOR_PREFIX : "entrypoint-tls-"));
    chmodSync(dir, 0o700);
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text, { mode: 0o600, flag: "wx" });
      return join(dir, name);
    };
    const paths = { ca: write("ca.pem", material.ca), cert: write("cert.pem", material.cert), key: write("key.pem", material.key) };
    const optfile = write("ssl_dist.conf", renderOptfile(paths, material));
    const expires = new (process.getBuiltinModule("node:crypto").X509Certificate)(material.cert).validTo;
    log.info(`distribution over TLS (${material.versions.join(", ")}), checking the name ${material.serverName}`, { dir, cert_expires: new Date(expires).toISOString() });
    return { dir, optfile };
  } catch (err) {
    throw new EntrypointError(EXIT.cantCreate, `${ENV.distTls}: cannot write the TLS files under ${parent}: ${(err as Error).message}`);
  }
}

// The boot's TLS step (SPEC 4.10): the checked material (config time) written into a fresh private
// directory with the ssl_dist_optfile, and the code path of the release's ssl application.
import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configError, EntrypointError, EXIT } from "../errors.ts";
import { ENV } from "../config/options.ts";
import type { Logger } from "../log.ts";
import type { TlsMaterial } from "./material.ts";
import { renderOptfile } from "./optfile.ts";

export type { TlsMaterial } from "./material.ts";

export interface TlsFiles {
  dir: string;
  optfile: string;
  /** ebin directories of ssl and what it needs: rpc and remote boot start_clean, which leaves them off the path. */
  codePath: string[];
}

/** Everything TLS reads from the environment; the release gets none of it (the PEM text least of all). */
export const TLS_INPUTS = [ENV.distTls, ENV.tlsCa, ENV.tlsCert, ENV.tlsKey, ENV.tlsServerName, ENV.tlsVersions];

const SSL_APPS = ["ssl", "public_key", "crypto", "asn1"];

/** The release's ebin directories of ssl and its dependencies; a release without ssl is a 78 with the fix. */
export function sslCodePath(binDir: string): string[] {
  const root = resolve(binDir, "..");
  if (!existsSync(join(root, "releases"))) return [];
  const libs = existsSync(join(root, "lib")) ? readdirSync(join(root, "lib")) : [];
  const dirs = SSL_APPS.map((app) => libs.filter((d) => d.startsWith(`${app}-`)).sort().at(-1));
  if (dirs.some((d) => d === undefined)) {
    const missing = SSL_APPS.filter((_, i) => dirs[i] === undefined).join(", ");
    throw configError(`${ENV.distTls} is on but the release in ${root} has no ${missing} in lib/: add :ssl to extra_applications in mix.exs (def application) and build the release again`);
  }
  return dirs.map((d) => join(root, "lib", d!, "ebin"));
}

/** ELIXIR_ERL_OPTIONS is split at whitespace by the start script: a path with a space cannot be passed. */
function requireNoSpace(path: string): void {
  if (/\s/.test(path)) throw configError(`TLS files would be written in ${JSON.stringify(path)}, which holds whitespace; ELIXIR_ERL_OPTIONS cannot carry it: set TMPDIR (or the env --output directory) to a path without spaces`);
}

/** Writes ca.pem, cert.pem, key.pem and the optfile into a fresh 0700 directory under `parent` (0600 each). */
export function writeTlsFiles(material: TlsMaterial, parent: string, binDir: string, log: Logger): TlsFiles {
  const codePath = sslCodePath(binDir);
  requireNoSpace(parent);
  codePath.forEach(requireNoSpace);
  let dir: string;
  try {
    dir = mkdtempSync(join(parent, "entrypoint-tls-"));
    chmodSync(dir, 0o700);
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text, { mode: 0o600, flag: "wx" });
      return join(dir, name);
    };
    const paths = { ca: write("ca.pem", material.ca), cert: write("cert.pem", material.cert), key: write("key.pem", material.key) };
    const optfile = write("ssl_dist.conf", renderOptfile(paths, material));
    const expires = new (process.getBuiltinModule("node:crypto").X509Certificate)(material.cert).validTo;
    log.info(`distribution over TLS (${material.versions.join(", ")}), checking the name ${material.serverName}`, { dir, cert_expires: new Date(expires).toISOString() });
    return { dir, optfile, codePath };
  } catch (err) {
    throw new EntrypointError(EXIT.cantCreate, `${ENV.distTls}: cannot write the TLS files under ${parent}: ${(err as Error).message}`);
  }
}

/** The exec'd environment without the TLS inputs. */
export function withoutTlsInputs(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of TLS_INPUTS) delete out[name];
  return out;
}

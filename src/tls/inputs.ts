// TLS settings read from the configuration: each PEM input is its text or the absolute path of a file
// (ECS secrets give text; a mounted file gives a path). Only runs when TLS is on.
import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { configError, expected } from "../errors.ts";
import type { Setting } from "../config/config-values.ts";
import { ENV } from "../config/options.ts";
import { checkMaterial, type Named } from "./check.ts";
import { tlsOn } from "./switch.ts";
import type { TlsMaterial } from "./material.ts";

export type TlsKey = "distTls" | "tlsCa" | "tlsCert" | "tlsKey" | "tlsServerName" | "tlsVersions";

const PIECES = [
  ["tlsCa", ENV.tlsCa, "the CA certificate that signs every node's certificate"],
  ["tlsCert", ENV.tlsCert, "this node's certificate"],
  ["tlsKey", ENV.tlsKey, "its private key"],
] as const;

export function tlsVersions(s: Setting | undefined): TlsMaterial["versions"] {
  const value = s?.value.replace(/\s/g, "") ?? "1.3";
  if (value === "1.3") return ["tlsv1.3"];
  if (value === "1.2,1.3" || value === "1.3,1.2") return ["tlsv1.3", "tlsv1.2"];
  throw configError(`${s!.source}: ${expected("1.3, or 1.2,1.3 to also accept TLS 1.2", s!.value)}`);
}

/** PEM text as given, or the file an absolute path names; never echoes the value (it may be a key). */
export function pemInput(s: Setting, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): Named {
  const value = s.value.trim();
  // Every process of the machine reads another's command line (ps): a key there is no secret.
  if (s.source.startsWith("--") && value.includes("PRIVATE KEY-----")) {
    throw configError(`${s.source}: a private key on the command line is visible to every process (ps): give the absolute path of the key file, or the key in ${ENV.tlsKey} (an ECS "secrets" entry)`);
  }
  if (value.startsWith("-----BEGIN ")) return { source: s.source, text: value + "\n" };
  if (!isAbsolute(value) || value.includes("\n")) {
    throw configError(`${s.source}: expected PEM text (-----BEGIN ...) or the absolute path of a PEM file, got neither (${value.length} characters, not shown): give the PEM text itself or a path from /`);
  }
  try {
    return { source: `${s.source} (${value})`, text: readFile(value) };
  } catch (err) {
    throw configError(`${s.source}: cannot read ${value} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): mount the file there, readable by uid ${process.getuid?.() ?? "?"}`);
  }
}

/** The checked material when TLS is on, else undefined; 78 naming the first wrong input. */
export function tlsConfig(get: (key: TlsKey) => Setting | undefined, now = new Date(), readFile?: (path: string) => string): TlsMaterial | undefined {
  const on = get("distTls");
  if (!tlsOn(on)) return undefined;
  const [ca, cert, key] = PIECES.map(([k, name, what]) => {
    const s = get(k);
    if (!s) throw configError(`${on!.source} is on but ${name} is not set: give ${what} as PEM text (an ECS "secrets" entry) or the absolute path of a PEM file`);
    return pemInput(s, readFile);
  }) as [Named, Named, Named];
  const name = get("tlsServerName");
  const serverName = name ? { source: name.source, text: name.value } : undefined;
  return checkMaterial({ ca, cert, key, serverName, versions: tlsVersions(get("tlsVersions")), now }).material;
}

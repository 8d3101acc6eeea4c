// Which ERTS the release runs on, from its own files next to the bin dir (I/O).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compareVersions, parseVersion } from "./epmd.ts";

export interface ErtsVersion {
  version: string;
  /** The file or directory it was read from, for the log. */
  from: string;
}

/**
 * `releases/start_erl.data` ("<erts vsn> <release vsn>", written by mix release and relx; it names the
 * ERTS the start script boots, bundled or not), else the newest bundled `erts-<vsn>` directory.
 */
export function releaseErtsVersion(binDir: string): ErtsVersion | undefined {
  const root = resolve(binDir, "..");
  const data = join(root, "releases", "start_erl.data");
  try {
    const first = readFileSync(data, "utf8").slice(0, 256).trim().split(/\s+/)[0] ?? "";
    if (parseVersion(first)) return { version: first, from: data };
  } catch {
    // no such file: look for the bundled runtime
  }
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return undefined;
  }
  const bundled = entries
    .map((name) => /^erts-(.+)$/.exec(name)?.[1])
    .filter((v): v is string => v !== undefined && parseVersion(v) !== undefined)
    .sort((a, b) => compareVersions(parseVersion(b)!, parseVersion(a)!));
  return bundled[0] === undefined ? undefined : { version: bundled[0], from: join(root, `erts-${bundled[0]}`) };
}

/**
 * Whether a module is in the release next to the bin dir (`lib/<app>-<vsn>/ebin/<Module>.beam`, as
 * mix release lays it out); undefined when there is no release there (an init container, a local run).
 */
export function releaseHasModule(binDir: string, module: string): boolean | undefined {
  const lib = join(resolve(binDir, ".."), "lib");
  let apps: string[];
  try {
    apps = readdirSync(lib);
  } catch {
    return undefined;
  }
  return apps.some((app) => existsSync(join(lib, app, "ebin", `${module}.beam`)));
}

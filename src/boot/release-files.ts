import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const START_SCRIPT_NAME = /RELEASE_NAME:-"?([A-Za-z0-9_]+)/;
// A line that sets the variable outright (not a "${RELEASE_NODE:-…}" default of itself).
const OVERRIDE = /^\s*(?:export\s+)?(RELEASE_NODE|RELEASE_DISTRIBUTION)=(?!"?\$\{\1:-)/gm;

function readSmallFile(path: string): string | undefined {
  try {
    const st = statSync(path);
    // Start scripts and env.sh are a few KB; this also skips the entrypoint bundle itself.
    return st.isFile() && st.size < 64 * 1024 ? readFileSync(path, "utf8") : undefined;
  } catch {
    return undefined;
  }
}

/** The release name that `mix release` wrote into the start script (`bin/<app>`) in binDir. */
export function releaseNameIn(binDir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(binDir);
  } catch {
    return undefined;
  }
  for (const name of names.filter((n) => !n.endsWith(".bat")).sort()) {
    const match = START_SCRIPT_NAME.exec(readSmallFile(join(binDir, name)) ?? "");
    if (match) return match[1];
  }
  return undefined;
}

export interface EnvShOverride {
  file: string;
  variable: string;
}

/** `releases/*\/env.sh` beside the bin dir runs after us and may re-export the node name. */
export function envShOverrides(binDir: string): EnvShOverride[] {
  const releases = join(binDir, "..", "releases");
  let versions: string[];
  try {
    versions = readdirSync(releases);
  } catch {
    return [];
  }
  const found: EnvShOverride[] = [];
  for (const version of versions.sort()) {
    const file = join(releases, version, "env.sh");
    const variables = new Set([...(readSmallFile(file) ?? "").matchAll(OVERRIDE)].map((m) => m[1]!));
    for (const variable of variables) found.push({ file, variable });
  }
  return found;
}

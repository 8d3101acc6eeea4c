import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import { BAKED, BAKED_LINE, bakedLine } from "../config/baked.ts";
import type { Baked } from "../config/config.ts";
import { configError, EntrypointError, EXIT, usageError } from "../errors.ts";
import { describeWriteError, type Kind } from "./install-errors.ts";
import { basenameProblem, characterProblem, composeBasename } from "../boot/node-name.ts";

const FIX = 'use only ASCII letters, digits, "_" and "-", not starting with "-"';

function checkBaked(baked: Baked): void {
  for (const [key, value] of Object.entries(baked)) {
    // The sha is the tail of the basename: it may start with "-".
    const problem = !value ? undefined : key === "sha" ? characterProblem(value) : basenameProblem(value);
    if (problem) throw configError(`install --${key} ${JSON.stringify(value)}: ${problem}; ${FIX}`);
  }
  // Every boot of the copy would fail on a basename that is too long: refuse it now.
  const whole = composeBasename(baked);
  const problem = whole ? basenameProblem(whole) : undefined;
  if (problem) throw configError(`install: the node basename ${JSON.stringify(whole)} (--app and --sha) would be invalid: ${problem}; use a shorter --app or --sha`);
}

/** PATH as given, or PATH/entrypoint when PATH is a directory (as cp does). */
function targetPath(given: string): string {
  const path = resolve(given);
  try {
    if (statSync(path).isDirectory()) return join(path, "entrypoint");
  } catch {}
  return path;
}

function kindOf(path: string): Kind {
  try {
    const stats = statSync(path);
    return stats.isDirectory() ? "directory" : stats.isFile() ? "file" : "other";
  } catch (err) {
    // Under a file (ENOTDIR) nothing exists either, and past an unsearchable directory (EACCES) nothing
    // can be seen: the obstacle is found further up.
    return ["ENOENT", "ENOTDIR", "EACCES"].includes((err as NodeJS.ErrnoException).code ?? "") ? "missing" : "other";
  }
}

function cannotWrite(target: string, err: unknown): EntrypointError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = describeWriteError(target, code, kindOf, process.getuid?.());
  const fallback = `${(err as Error).message}; check that its directory exists or can be created and is writable`;
  return new EntrypointError(EXIT.cantCreate, `install: cannot write ${target}: ${why ?? fallback}`);
}

/** Writes a copy of this executable to `target` with app/sha baked in; the running file is not touched. */
export function install(selfPath: string, positionals: string[], flags: Record<string, string>): string {
  if (positionals.length !== 1) throw usageError(`install takes one PATH, got ${positionals.length}: entrypoint install rel/overlays/bin/entrypoint --app NAME --sha SHA`);
  const baked: Baked = { ...BAKED };
  if (flags.app !== undefined) baked.app = flags.app;
  if (flags.sha !== undefined) baked.sha = flags.sha;
  checkBaked(baked);
  const source = readFileSync(selfPath, "utf8");
  if (!BAKED_LINE.test(source)) {
    throw new EntrypointError(EXIT.software, `${selfPath} is not a built entrypoint bundle (no baked-values line); run npm run build first`);
  }
  const target = targetPath(positionals[0]!);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileAtomic(target, source.replace(BAKED_LINE, bakedLine(baked)), 0o755);
  } catch (err) {
    throw cannotWrite(target, err);
  }
  return target;
}

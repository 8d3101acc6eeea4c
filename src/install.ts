import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { BAKED, BAKED_LINE, bakedLine } from "./baked.ts";
import type { Baked } from "./config.ts";
import { configError, EntrypointError, EXIT, usageError } from "./errors.ts";
import { basenameProblem } from "./node-name.ts";

/** Writes a copy of this executable to `target` with app/sha baked in; the running file is not touched. */
export function install(selfPath: string, positionals: string[], flags: Record<string, string>): string {
  if (positionals.length !== 1) throw usageError(`install takes one PATH, got ${positionals.length}: entrypoint install rel/overlays/bin/entrypoint --app NAME --sha SHA`);
  const baked: Baked = { ...BAKED };
  if (flags.app !== undefined) baked.app = flags.app;
  if (flags.sha !== undefined) baked.sha = flags.sha;
  for (const [key, value] of Object.entries(baked)) {
    const problem = value ? basenameProblem(value) : undefined;
    if (problem) throw configError(`install --${key} ${JSON.stringify(value)}: ${problem}; use only ASCII letters, digits, "_" and "-"`);
  }
  const source = readFileSync(selfPath, "utf8");
  if (!BAKED_LINE.test(source)) {
    throw new EntrypointError(EXIT.software, `${selfPath} is not a built entrypoint bundle (no baked-values line); run npm run build first`);
  }
  const target = resolve(positionals[0]!);
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${process.pid}`;
  writeFileSync(temporary, source.replace(BAKED_LINE, bakedLine(baked)), { mode: 0o755 });
  chmodSync(temporary, 0o755);
  renameSync(temporary, target);
  return target;
}

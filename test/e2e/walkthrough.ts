// The README's three steps, followed literally in a fresh `mix new --sup` app: the blocks are read
// from README.md, so the walk-through fails when the README stops working.
import * as assert from "uvu/assert";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runToEnd } from "./procs.ts";
import { cleanEnv } from "./task.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;

/** The fenced block of `lang` whose body matches `pattern`. */
export function readmeBlock(lang: string, pattern: RegExp): string {
  const block = [...README.matchAll(/^ *```([a-z]*)\n([\s\S]*?)^ *```$/gm)].find(([, l, body]) => l === lang && pattern.test(body!));
  assert.ok(block, `README has a ${lang} block matching ${pattern}`);
  // Blocks inside list items are indented: take the indentation of the first line off every line.
  const body = block![2]!;
  const indent = /^ */.exec(body)![0].length;
  return body.split("\n").map((line) => line.slice(indent)).join("\n");
}

/** What the task definition of step 3 sets in the container's environment. */
export function taskDefinitionEnv(): Record<string, string> {
  const def = JSON.parse(readmeBlock("json", /"containerDefinitions"/));
  const env = def.containerDefinitions[0].environment as Array<{ name: string; value: string }>;
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}

const mixEnv = (home: string) => cleanEnv({ MIX_HOME: join(home, "mix"), HEX_OFFLINE: "1", MIX_ENV: "prod", HOME: home });

async function run(label: string, file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000) {
  const r = await runToEnd(label, "sh", ["-c", `cd "$0" && exec "$@"`, cwd, file, ...args], env, timeoutMs);
  assert.is(r.code, 0, `${label}:\n${r.output}`);
  return r.output;
}

/** mix new → bin/server → step 1 (the workflow line, from the packed tarball) → step 3's EcsPeers → mix release. */
export async function buildWalkthroughApp(dir: string, tarball: string, sha: string): Promise<string> {
  const env = mixEnv(dir);
  await run("mix new", "mix", ["new", "my_app", "--sup"], dir, env);
  const app = join(dir, "my_app");
  // bin/server as `mix phx.gen.release` writes it (the README shows the lines).
  mkdirSync(join(app, "rel", "overlays", "bin"), { recursive: true });
  writeFileSync(join(app, "rel", "overlays", "bin", "server"), readmeBlock("sh", /exec \.\/my_app start/));
  chmodSync(join(app, "rel", "overlays", "bin", "server"), 0o755);
  // Step 1: the vendored tarball and the workflow's run line, with GitHub's variable.
  mkdirSync(join(app, "vendor"));
  copyFileSync(tarball, join(app, "vendor", `ecs-release-entrypoint-${VERSION}.tgz`));
  const line = /^\s*run: (npx --yes --package=\S+ ecs-release-entrypoint install .*)$/m.exec(README)?.[1];
  assert.ok(line, "README's workflow run line");
  const npmEnv = { ...cleanEnv({ HOME: dir, GITHUB_SHA: sha, npm_config_cache: join(dir, "npm-cache"), npm_config_offline: "true", npm_config_update_notifier: "false" }) };
  await run("workflow step", "sh", ["-c", line!], app, npmEnv);
  // Step 3: EcsPeers copied into lib/ and started first in the application's children.
  copyFileSync(join(ROOT, "examples", "elixir", "ecs_peers.ex"), join(app, "lib", "ecs_peers.ex"));
  const application = join(app, "lib", "my_app", "application.ex");
  const children = readmeBlock("elixir", /\{EcsPeers, \[\]\}/).trimEnd();
  const source = readFileSync(application, "utf8");
  assert.ok(source.includes("children = ["), "mix new's application.ex has a children list");
  writeFileSync(application, source.replace("children = [", children));
  await run("mix release", "mix", ["release", "--quiet"], app, env);
  return join(app, "_build", "prod", "rel", "my_app");
}

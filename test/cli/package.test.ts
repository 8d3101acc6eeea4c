// The npm package as a user's workflow gets it: the `npm pack` tarball, installed with the README's own
// command from a scratch project, offline, with an empty npm cache.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { OLD_NODE } from "../helpers/old-node.ts";
import { ROOT, runProgram } from "../helpers/run.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const TARBALL = `ecs-release-entrypoint-${pkg.version}.tgz`;
const DOCS = ["README.md", "Dockerfile.example"].map((name) => [name, readFileSync(join(ROOT, name), "utf8")] as const);
const SHA = "0f3c9e1a2b3c4d5e6f708192a3b4c5d6e7f80912";

const packDir = mkdtempSync(join(tmpdir(), "ep-pack-"));
let packed: Promise<string[]> | undefined;
/** Packs once (the build already ran: no prepack) and lists the tarball's files. */
function pack(): Promise<string[]> {
  packed ??= (async () => {
    const r = await runProgram("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir, "--json"], { timeoutMs: 60_000, env: { npm_config_cache: join(packDir, "cache") } });
    assert.is(r.code, 0, r.stderr);
    const [info] = JSON.parse(r.stdout);
    assert.is(info.filename, TARBALL);
    return info.files.map((f: { path: string }) => f.path);
  })();
  return packed;
}

/** A fresh project with only the vendored tarball, and npm with an empty cache that may not go online. */
function scratchProject(nodeDir?: string) {
  const project = mkdtempSync(join(tmpdir(), "ep-project-"));
  mkdirSync(join(project, "vendor"));
  copyFileSync(join(packDir, TARBALL), join(project, "vendor", TARBALL));
  const home = mkdtempSync(join(tmpdir(), "ep-home-"));
  const env: Record<string, string> = { HOME: home, GITHUB_SHA: SHA, npm_config_cache: join(home, "npm-cache"), npm_config_offline: "true", npm_config_update_notifier: "false" };
  if (nodeDir) env.PATH = `${nodeDir}:/usr/local/bin:/usr/bin:/bin`;
  return { project, env };
}

const documentedInstall = () => {
  const line = /^\s*run: (npx --yes --package=\S+ ecs-release-entrypoint install .*)$/m.exec(DOCS[0][1])?.[1];
  assert.ok(line, "the README's workflow step");
  return line;
};

test("the README's workflow step installs from the tarball alone, and the written file boots", async () => {
  await pack();
  const { project, env } = scratchProject();
  const r = await runProgram("sh", ["-c", documentedInstall()], { cwd: project, env, timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  const written = join(project, "rel", "overlays", "bin", "entrypoint");
  const version = await runProgram(written, ["version"], { cwd: project });
  assert.is(version.stdout, `ecs-release-entrypoint ${pkg.version} (app my_app, sha ${SHA})\n`);
  const boot = await runProgram(written, ["env", "--ip", "10.0.0.1"], { cwd: project });
  assert.match(boot.stdout, `RELEASE_NODE='my_app-${SHA}@10.0.0.1'`);
});

test("control: that npm really is offline (a registry name is not found)", async () => {
  const { project, env } = scratchProject();
  const r = await runProgram("npx", ["--yes", `ecs-release-entrypoint@${pkg.version}`, "version"], { cwd: project, env, timeoutMs: 60_000 });
  assert.is.not(r.code, 0);
  assert.match(r.stderr, "ENOTCACHED");
});

skipUnless(OLD_NODE, "no Node.js 20 on this machine; engines not checked against it", { ci: true })("Node.js 20 with engine-strict installs it (engines matches the bundle's real floor)", async () => {
  await pack();
  const { project, env } = scratchProject(dirname(OLD_NODE!));
  const r = await runProgram("sh", ["-c", documentedInstall()], { cwd: project, env: { ...env, npm_config_engine_strict: "true" }, timeoutMs: 60_000 });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.not.match(r.stderr, "EBADENGINE");
});

test("every install command in the docs names this version", () => {
  for (const [name, text] of DOCS) {
    const commands = text.split("\n").filter((line) => /npx .*ecs-release-entrypoint/.test(line));
    assert.ok(commands.length > 0, name);
    for (const line of commands) {
      const pinned = line.includes(`/${TARBALL}`) || line.includes(`ecs-release-entrypoint@${pkg.version}`);
      assert.ok(pinned, `${name}: ${line.trim()}`);
    }
  }
});

test("the tarball holds the LICENSE and every file the README links to", async () => {
  const files = await pack();
  for (const name of ["entrypoint", "LICENSE", "README.md", "package.json"]) assert.ok(files.includes(name), name);
  const links = [...DOCS[0][1].matchAll(/\]\(([^)#:]+)\)/g)].map((m) => m[1]);
  assert.ok(links.length > 0, "README links");
  for (const link of links) assert.ok(files.includes(link), `README links ${link}, which is not in the package`);
});

test.run();

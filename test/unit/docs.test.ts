// The README and docs/ cannot drift from the repository: links resolve, code blocks that are files
// of the repository are those files byte for byte, every option is documented, the README stays a
// front page, and the tarball figures it quotes are what `npm pack` makes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BOOT_OPTIONS, SUBCOMMAND_OPTIONS } from "../../src/config/options.ts";
import { ROOT, runProgram } from "../helpers/run.ts";

const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md") && !f.startsWith("_")).map((f) => `docs/${f}`)];
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
// Files users copy: each must be shown verbatim somewhere.
const SHOWN = ["examples/elixir/ecs_peers.ex", "examples/elixir/ecs_epmd.ex", "examples/elixir/rel/env.sh.eex", "examples/init-container/Dockerfile", "examples/init-container/task-definition.json"];

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to "-". */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
const anchorsOf = (text: string) => new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
/** Markdown outside fenced code blocks. */
const prose = (text: string) => text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");

for (const page of PAGES) {
  test(`${page}: every relative link resolves, anchors included`, () => {
    for (const [, target] of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const file = path === "" ? page : join(dirname(page), path);
      assert.ok(existsSync(join(ROOT, file)), `${page} links to ${target}, which does not exist`);
      if (anchor) assert.ok(anchorsOf(read(file)).has(anchor), `${page} links to ${target}: no such heading in ${file}`);
    }
  });

  test(`${page}: each block marked <!-- file: PATH --> is that file, byte for byte`, () => {
    for (const [, path, body] of read(page).matchAll(/^<!-- file: (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm)) {
      assert.ok(existsSync(join(ROOT, path!)), `${page} shows ${path}, which does not exist`);
      assert.fixture(body!, read(path!), `${page} shows ${path}`);
    }
  });
}

test("the files users copy are each shown verbatim in the docs", () => {
  const all = PAGES.map(read).join("\n");
  for (const path of SHOWN) assert.ok(all.includes(`<!-- file: ${path} -->\n`), `no page shows ${path}`);
});

test("README is a front page: at most 250 lines, with the three steps and a link to every docs page", () => {
  const readme = read("README.md");
  assert.ok(readme.split("\n").length <= 250, `README has ${readme.split("\n").length} lines`);
  assert.match(readme, /^## A cluster on ECS in three steps$/m);
  for (const page of PAGES.filter((p) => p.startsWith("docs/"))) assert.ok(readme.includes(`](${page})`), `README links ${page}`);
});

const configuration = read("docs/configuration.md");
for (const option of [...BOOT_OPTIONS, ...(SUBCOMMAND_OPTIONS.env ?? [])]) {
  test(`docs/configuration.md documents ${option.flag} ${option.env.join(" ")}`, () => {
    assert.ok(configuration.includes(`\`${option.flag}`), option.flag);
    for (const name of option.env) assert.ok(configuration.includes(name), name);
  });
}

test("the tarball figures in the README and docs/install.md are what npm pack makes", async () => {
  const r = await runProgram("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { timeoutMs: 60_000, env: { npm_config_cache: join(ROOT, "node_modules", ".cache", "docs-test-npm") } });
  assert.is(r.code, 0, r.stderr);
  const [info] = JSON.parse(r.stdout) as [{ filename: string; size: number; entryCount: number }];
  const readme = read("README.md");
  const quoted = /`npm ci && npm pack` writes `([^`]+)`\s+\(about (\d+) kB, (\d+) files/.exec(readme);
  assert.ok(quoted, "README quotes the tarball's name, size and file count");
  assert.is(quoted![1], info.filename);
  assert.is(Number(quoted![3]), info.entryCount, "file count");
  const kB = info.size / 1000;
  assert.ok(Math.abs(Number(quoted![2]) - kB) / kB < 0.15, `README says about ${quoted![2]} kB, npm pack makes ${kB.toFixed(0)} kB`);
  for (const page of PAGES) for (const [name] of read(page).matchAll(/ecs-release-entrypoint-\d+\.\d+\.\d+\.tgz/g)) assert.is(name, info.filename, `${page} names ${name}`);
});

test.run();

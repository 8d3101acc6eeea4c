// The README documents every flag and env var of the option table, so the docs cannot drift.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { BOOT_OPTIONS } from "../../src/options.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

for (const option of BOOT_OPTIONS) {
  test(`README documents ${option.flag} and ${option.env.join(", ")}`, () => {
    assert.ok(readme.includes(`\`${option.flag}`), option.flag);
    for (const name of option.env) assert.ok(readme.includes(name), name);
  });
}

test("README shows examples/elixir/ecs_peers.ex verbatim (the block is the file)", () => {
  const file = readFileSync(new URL("../../examples/elixir/ecs_peers.ex", import.meta.url), "utf8");
  const start = readme.indexOf("```elixir\ndefmodule EcsPeers do\n");
  assert.ok(start >= 0, "README has an elixir block that starts with defmodule EcsPeers");
  const body = readme.slice(start + "```elixir\n".length);
  assert.is(body.slice(0, body.indexOf("\n```\n") + 1), file);
});

test.run();

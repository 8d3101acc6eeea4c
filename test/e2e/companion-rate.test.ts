// docs/companion.md shows the backoff schedule and the call-rate table that companion-rate.ts
// computes from examples/elixir/ecs_peers.ex, so neither the defaults nor the rule can drift
// from the page.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { backoff, defaults, perNode, table } from "./companion-rate.ts";

const page = readFileSync(new URL("../../docs/companion.md", import.meta.url), "utf8");
const shown = (name: string) => {
  const start = page.indexOf(`<!-- table: ${name} -->\n`);
  assert.ok(start >= 0, `docs/companion.md has <!-- table: ${name} -->`);
  const body = page.slice(page.indexOf("\n", start) + 1);
  return body.slice(0, body.indexOf("\n\n") + 1);
};

test("docs/companion.md shows the backoff schedule of the module's defaults", () => {
  assert.fixture(shown("backoff"), backoff());
});

test("docs/companion.md shows the call rates computed from the module's schedule", () => {
  assert.fixture(shown("rate"), table());
});

test("the defaults read from the module are the documented ones; once at the cap, one lookup per lookup_max", () => {
  assert.equal(defaults(), { every: 60_000, max: 1_800_000, alone: 300_000 });
  const r = perNode(true);
  assert.ok(Math.abs(r.steady - 1 / 30) < 1e-9, String(r.steady));
  // Failing from boot: the first lookups all fall within 30–90 s, so one per node in the busiest minute.
  assert.ok(Math.abs(r.busiest - 1) < 0.01, String(r.busiest));
});

test.run();

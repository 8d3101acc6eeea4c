import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Config } from "../../../src/config/config.ts";
import { forOperator } from "../../../src/boot/operator.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Parameters<typeof forOperator>[2];
const booting = { peers: { kind: "family" }, distPort: { min: 9100, max: 9100 } } as unknown as Config;

// Elixir 1.14's start script: these five start a hidden node (rpc-…/rem-…) that dials the running release.
const cases: [string[], boolean][] = [
  [["rpc", "IO.puts 1"], true],
  [["remote"], true],
  [["stop"], true],
  [["restart"], true],
  [["pid"], true],
  [["start"], false],
  [["start_iex"], false],
  [["daemon"], false],
  [["eval", "1"], false],
  [["version"], false],
  [[], false],
  [["Stop"], false],
];
for (const [args, operator] of cases) {
  // The pinned port stays known (bridge mode checks its mapping); the hidden node never listens on it (test/cli/epmd-off.test.ts).
  test(`forOperator(${JSON.stringify(args)}): ${operator ? "no peer lookup, the pinned port kept" : "the boot's config"}`, () => {
    const got = forOperator(booting, args, silent);
    if (operator) assert.equal({ peers: got.peers, distPort: got.distPort }, { peers: { kind: "off" }, distPort: { min: 9100, max: 9100 } });
    else assert.is(got, booting);
  });
}

test.run();

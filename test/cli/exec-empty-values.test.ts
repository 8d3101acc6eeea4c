// Empty or missing option values: "--sha $GITHUB_SHA" in a workflow step where GITHUB_SHA is not set.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FIXTURES, runEntrypoint } from "../helpers/run.ts";

// Quoted, an unset variable is ""; unquoted, the word is gone and the option takes the next one.
const EMPTY: [string, string[], RegExp][] = [
  ["quoted, unset", ["--sha", ""], /^entrypoint: error: option --sha got an empty value \(--sha ""\); an empty value usually comes from a variable that is not set where this runs, e.g. --sha "\$GITHUB_SHA" with GITHUB_SHA unset: set the variable, or leave --sha out\n$/],
  ["--sha=, unset", ["--sha="], /^entrypoint: error: option --sha got an empty value \(--sha=\); .* --sha "\$GITHUB_SHA" with GITHUB_SHA unset/],
  ["unquoted, unset", ["--sha", "--app", "shop"], /^entrypoint: error: option --sha needs a value \(SHA\), but the next word is "--app"; an unquoted variable that is not set drops out of the command line, e.g. --sha \$GITHUB_SHA with GITHUB_SHA unset: set the variable, or leave --sha out; a value that starts with "-" is written --sha=VALUE\n$/],
  ["an empty --basename", ["--basename="], /^entrypoint: error: option --basename got an empty value \(--basename=\); .* --basename "\$VARIABLE" with VARIABLE unset/],
];
for (const [what, args, message] of EMPTY) {
  test(`an empty or missing flag value (${what}): 64, naming the flag and where such values come from`, async () => {
    const r = await runEntrypoint(["--ip", "10.0.0.1", "--app", "shop", "--bin-dir", FIXTURES, ...args, "print-pid"]);
    assert.is(r.code, 64, r.stderr);
    assert.match(r.stderr, message);
    assert.is(r.stdout, "", "the command ran");
  });
}

test("install --sha with an empty value: 64, nothing written", async () => {
  const r = await runEntrypoint(["install", "/nonexistent-dir-for-test/entrypoint", "--app", "shop", "--sha", ""]);
  assert.is(r.code, 64, r.stderr);
  assert.match(r.stderr, 'option --sha got an empty value (--sha "")');
});

test.run();

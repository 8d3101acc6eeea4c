import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseCommandLine } from "../../../src/config/cli.ts";

const cases: [string[], Partial<ReturnType<typeof parseCommandLine>>][] = [
  [["server"], { subcommand: "run", command: ["server"], flags: {} }],
  [["--app", "shop", "server", "--help", ""], { subcommand: "run", command: ["server", "--help", ""], flags: { app: "shop" } }],
  [["--app=shop", "--quiet", "server"], { subcommand: "run", command: ["server"], flags: { app: "shop", quiet: "1" } }],
  [["--", "env", "x"], { subcommand: "run", command: ["env", "x"] }],
  [["--ip", "10.0.0.1", "--", "--weird"], { subcommand: "run", command: ["--weird"], flags: { ip: "10.0.0.1" } }],
  [["env", "--format", "json", "--ip", "10.0.0.1"], { subcommand: "env", command: [], flags: { format: "json", ip: "10.0.0.1" } }],
  [["--ip", "10.0.0.1", "env"], { subcommand: "env", flags: { ip: "10.0.0.1" } }],
  [["install", "out/entrypoint", "--app", "shop"], { subcommand: "install", positionals: ["out/entrypoint"], flags: { app: "shop" } }],
  [["--help"], { subcommand: "help" }],
  [["-h", "server"], { subcommand: "help" }],
  [["version"], { subcommand: "version" }],
  [["--version"], { subcommand: "version" }],
  [[], { subcommand: "run", command: [] }],
];
for (const [argv, want] of cases) {
  test(`parseCommandLine(${JSON.stringify(argv)})`, () => {
    const got = parseCommandLine(argv);
    for (const [key, value] of Object.entries(want)) assert.equal(got[key as keyof typeof got], value, key);
  });
}

const errors: [string[], RegExp][] = [
  [["--nope", "server"], /unknown option "--nope"/],
  [["--app"], /--app needs a value \(NAME\), but it is the last word; an unquoted variable/],
  [["--app", "--", "server"], /--app needs a value \(NAME\), but the next word is "--"/],
  [["--basename", "--help", "server"], /--basename needs a value \(NAME\), but the next word is "--help"/],
  [["--sha", "", "server"], /option --sha got an empty value \(--sha ""\).* --sha "\$GITHUB_SHA" with GITHUB_SHA unset/],
  [["--sha=", "server"], /option --sha got an empty value \(--sha=\)/],
  [["--sha", "--app", "x", "server"], /option --sha needs a value \(SHA\), but the next word is "--app"; .* --sha \$GITHUB_SHA with GITHUB_SHA unset/],
  [["doctor", "--peer="], /option --peer got an empty value/],
  [["install", "x", "--app", ""], /option --app got an empty value/],
  [["--quiet=1", "server"], /takes no value/],
  [["--format", "json", "server"], /unknown option "--format"/],
  [["env", "--port", "1"], /unknown option "--port" for "env"/],
];
for (const [argv, message] of errors) {
  test(`parseCommandLine(${JSON.stringify(argv)}) is a usage error (64)`, () => {
    try {
      parseCommandLine(argv);
      assert.unreachable();
    } catch (err) {
      assert.is((err as { exitCode: number }).exitCode, 64);
      assert.match((err as Error).message, message);
    }
  });
}

test.run();

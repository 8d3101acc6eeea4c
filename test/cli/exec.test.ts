// Exec as a user meets it: argument passing, command lookup, PID, exit codes, in both modes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { OLD_NODE } from "../helpers/old-node.ts";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENTRYPOINT, FIXTURES, runEntrypoint, runProgram } from "../helpers/run.ts";

const BOOT = ["--ip", "10.0.0.1", "--app", "shop", "--bin-dir", FIXTURES];
const HOSTILE = ["a b", "it's", '"quoted"', "", "ünïcødé ✓", "$(touch /tmp/pwned)", "--help", "-h", "--", "line1\nline2"];

for (const mode of ["execve", "spawn"] as const) {
  test(`${mode}: arguments arrive unchanged (spaces, quotes, empty, unicode, flags)`, async () => {
    const r = await runEntrypoint([...BOOT, "--exec-mode", mode, "print-args", ...HOSTILE]);
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("\0").slice(0, -1), HOSTILE);
  });

  test(`${mode}: the command's exit code is ours`, async () => {
    const r = await runEntrypoint([...BOOT, "--exec-mode", mode, "exit-with", "3"]);
    assert.is(r.code, 3);
  });

  test(`${mode}: no ExperimentalWarning or other Node noise on stderr`, async () => {
    const r = await runEntrypoint([...BOOT, "--exec-mode", mode, "--quiet", "exit-with", "0"]);
    assert.is(r.stderr, "");
  });
}

test("execve: the command takes over the entrypoint's PID", async () => {
  const r = await runEntrypoint([...BOOT, "--exec-mode", "execve", "print-pid"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(Number(r.stdout.trim()), r.pid);
});

test("spawn: the command runs as a child (another PID)", async () => {
  const r = await runEntrypoint([...BOOT, "--exec-mode", "spawn", "print-pid"]);
  assert.is(r.code, 0, r.stderr);
  assert.is.not(Number(r.stdout.trim()), r.pid);
});

test("auto mode on Node >= 22.15 is execve", async () => {
  const r = await runEntrypoint([...BOOT, "print-pid"]);
  assert.is(Number(r.stdout.trim()), r.pid);
});

// The machine's own Node (20 here) has no process.execve: the same bundle must fall back to spawn.

skipUnless(OLD_NODE, "no Node.js without process.execve on this machine", { ci: true })("a Node.js without execve: auto runs the command as a child; --exec-mode execve is a config error before any network", async () => {
  const auto = await runProgram(OLD_NODE!, [ENTRYPOINT, ...BOOT, "print-pid"]);
  assert.is(auto.code, 0, auto.stderr);
  assert.is.not(Number(auto.stdout.trim()), auto.pid);
  const forced = await runProgram(OLD_NODE!, [ENTRYPOINT, "--app", "shop", "--exec-mode", "execve", "print-pid"], { env: { ECS_CONTAINER_METADATA_URI_V4: "http://127.0.0.1:1/v4/x" } });
  assert.is(forced.code, 78);
  assert.match(forced.stderr, /has no process\.execve; use Node\.js >= 22\.15, or --exec-mode spawn/);
  assert.not.match(forced.stderr, "metadata", "failed before the metadata step");
});

test("bare name: the entrypoint's own directory is searched first (as /app/bin/entrypoint server)", async () => {
  const bin = mkdtempSync(join(tmpdir(), "ep-bin-"));
  copyFileSync(ENTRYPOINT, join(bin, "entrypoint"));
  writeFileSync(join(bin, "server"), "#!/bin/sh\necho \"server from bin dir: $*\"\n", { mode: 0o755 });
  const r = await runProgram(join(bin, "entrypoint"), ["--ip", "10.0.0.1", "--app", "shop", "server", "x y"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "server from bin dir: x y\n");
});

test("bare name not in the bin dir: found on PATH", async () => {
  const r = await runEntrypoint([...BOOT, "printf", "%s|", "from", "PATH"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "from|PATH|");
});

test("a name with / is used as given, relative to the working directory", async () => {
  const r = await runEntrypoint([...BOOT, "./test/fixtures/bin/exit-with", "5"]);
  assert.is(r.code, 5);
});

test("command not found: exit 127 naming where it looked", async () => {
  const r = await runEntrypoint([...BOOT, "no-such-server"]);
  assert.is(r.code, 127);
  assert.match(r.stderr, `entrypoint: error: command not found: "no-such-server" (looked for ${FIXTURES}/no-such-server or on PATH)`);
});

test("path given but missing: exit 127", async () => {
  const r = await runEntrypoint([...BOOT, "/nonexistent/bin/server"]);
  assert.is(r.code, 127);
  assert.match(r.stderr, "/nonexistent/bin/server");
});

test("found but not executable: exit 126 naming the path and the fix", async () => {
  const r = await runEntrypoint([...BOOT, "not-executable"]);
  assert.is(r.code, 126);
  assert.match(r.stderr, `${FIXTURES}/not-executable: is not executable; make it executable (chmod +x)`);
});

test("a directory: exit 126", async () => {
  const r = await runEntrypoint([...BOOT, "/tmp"]);
  assert.is(r.code, 126);
  assert.match(r.stderr, "/tmp: is a directory");
});

test("the command is checked before the metadata is fetched (no wait on a typo)", async () => {
  const r = await runEntrypoint(["--app", "shop", "no-such-server"], { env: { ECS_CONTAINER_METADATA_URI_V4: "http://127.0.0.1:1/v4/x" } });
  assert.is(r.code, 127);
  assert.ok(r.ms < 2000, `${r.ms} ms`);
});

test("missing command: usage error 64", async () => {
  const r = await runEntrypoint(["--ip", "10.0.0.1", "--app", "shop"]);
  assert.is(r.code, 64);
  assert.match(r.stderr, /missing command/);
});

test("unknown option: usage error 64 naming it", async () => {
  const r = await runEntrypoint(["--ipp", "10.0.0.1", "server"]);
  assert.is(r.code, 64);
  assert.match(r.stderr, 'unknown option "--ipp"');
});

test("a flag whose value is missing or looks like a flag: 64 naming the flag; the command never runs", async () => {
  for (const args of [["--app", "--", "print-pid"], ["--basename", "--", "print-pid"], ["--app", "--quiet", "print-pid"]]) {
    const r = await runEntrypoint(["--ip", "10.0.0.1", "--bin-dir", FIXTURES, ...args]);
    assert.is(r.code, 64, `${args}: ${r.stderr}`);
    assert.match(r.stderr, `option ${args[0]} needs a value (NAME), but the next word is ${JSON.stringify(args[1])}`);
    assert.is(r.stdout, "");
  }
});

test('a basename that starts with "-" (erl would take it for a flag): 78', async () => {
  for (const args of [["--app=--"], ["--basename=-x"], ["--app=-shop", "--sha", "1"]]) {
    const r = await runEntrypoint(["--ip", "10.0.0.1", "--bin-dir", FIXTURES, ...args, "print-pid"]);
    assert.is(r.code, 78, `${args}: ${r.stderr}`);
    assert.match(r.stderr, 'it starts with "-"');
  }
});

test("an empty ENTRYPOINT_APP (78) or --app \"\" (64) is an error, not a silent fallback; an empty ENTRYPOINT_GIT_SHA still counts as unset", async () => {
  const env = await runEntrypoint(["--ip", "10.0.0.1", "--bin-dir", FIXTURES, "print-pid"], { env: { ENTRYPOINT_APP: "" } });
  assert.is(env.code, 78, env.stderr);
  assert.match(env.stderr, "entrypoint: error: ENTRYPOINT_APP is empty; give the release name");
  const flag = await runEntrypoint(["--ip", "10.0.0.1", "--app", "", "--bin-dir", FIXTURES, "print-pid"], { env: { ENTRYPOINT_APP: "shop" } });
  assert.is(flag.code, 64);
  assert.match(flag.stderr, 'option --app got an empty value (--app "")');
  const sha = await runEntrypoint([...BOOT, "print-pid"], { env: { ENTRYPOINT_GIT_SHA: "" } });
  assert.is(sha.code, 0, sha.stderr);
});

test("an option written after the command: the boot's error says options go before the command, naming the word", async () => {
  const r = await runEntrypoint(["--app", "shop", "--bin-dir", FIXTURES, "print-pid", "--ip", "10.0.0.1"]);
  assert.is(r.code, 78);
  assert.match(r.stderr, 'options go before the command: "--ip" came after "print-pid", so it belongs to the command');
  const without = await runEntrypoint(["--app", "shop", "--bin-dir", FIXTURES, "print-pid", "--port"]);
  assert.is(without.code, 78);
  assert.not.match(without.stderr, "options go before the command", "no hint when no option came after the command");
  const lost = await runEntrypoint(["--ip", "10.0.0.1", "--app", "shop", "print-pid", "--bin-dir", FIXTURES]);
  assert.is(lost.code, 127);
  assert.match(lost.stderr, '"--bin-dir" came after "print-pid"');
  const fine = await runEntrypoint([...BOOT, "print-args", "--ip", "x"]);
  assert.is(fine.code, 0, "an option after the command still belongs to it");
  assert.equal(fine.stdout.split("\0").slice(0, -1), ["--ip", "x"]);
});

test("a variable with bytes that are not UTF-8: a warning names it (Node.js cannot pass such bytes on)", async () => {
  // Node.js cannot put such bytes into a child's environment either: bash writes them.
  const script = 'export RAW_BYTES=$(printf "a\\377b") PLAIN=ok; exec "$0" "$@"';
  const r = await runProgram("bash", ["-c", script, ENTRYPOINT, ...BOOT, "sh", "-c", 'printf %s "$RAW_BYTES" | od -An -tx1; printf "%s\\n" "$PLAIN"']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, 'entrypoint: warning: "RAW_BYTES" holds bytes that are not UTF-8; the command gets each as U+FFFD');
  assert.not.match(r.stderr, "PLAIN");
  assert.is(r.stdout.replace(/\s+/g, " ").trim(), "61 ef bf bd 62 ok");
  const clean = await runEntrypoint([...BOOT, "exit-with", "0"]);
  assert.not.match(clean.stderr, "UTF-8");
});

const CONFIG_ERRORS: [string, string[], Record<string, string>, RegExp][] = [
  ["invalid basename from --app", ["--app", "my.app", "--ip", "10.0.0.1"], {}, /invalid node basename "my\.app" \(from --app\): character "\." at position 3/],
  ["invalid basename from the env", ["--ip", "10.0.0.1"], { ENTRYPOINT_NODE_BASENAME: "shop@x" }, /"shop@x" \(from ENTRYPOINT_NODE_BASENAME\)/],
  ["bad peers query", ["--app", "shop", "--ip", "10.0.0.1"], { DNS_CLUSTER_ECS_QUERY: "{not json" }, /DNS_CLUSTER_ECS_QUERY: bad peers query: not JSON/],
  ["bad option value", ["--app", "shop", "--ip", "10.0.0.1", "--exec-mode", "fork"], {}, /--exec-mode: expected one of auto, execve, spawn, got "fork"/],
];
for (const [name, args, env, message] of CONFIG_ERRORS) {
  test(`configuration error exits 78 before running anything: ${name}`, async () => {
    const r = await runEntrypoint([...args, "--bin-dir", FIXTURES, "print-pid"], { env });
    assert.is(r.code, 78);
    assert.is(r.stdout, "");
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split("\n").length, 1, "one line");
  });
}

test.run();

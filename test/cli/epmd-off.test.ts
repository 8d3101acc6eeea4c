// --epmd off / ENTRYPOINT_EPMD=off (SPEC 4.9): the boot reads the release's ERTS version from its
// files and gives the release, and the operator's hidden nodes, the flags of that OTP release.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runEntrypoint } from "../helpers/run.ts";

let root = "";
let bin = "";
test.before.each(() => {
  root = mkdtempSync(join(tmpdir(), "epmd-off-"));
  bin = join(root, "bin");
  mkdirSync(bin);
  mkdirSync(join(root, "releases"));
  // The release start script stands in: it prints what it was given.
  writeFileSync(join(bin, "my_app"), `#!/bin/sh\nprintf '%s|%s\\n' "$1" "\${ELIXIR_ERL_OPTIONS-unset}"\n`);
  chmodSync(join(bin, "my_app"), 0o755);
});
test.after.each(() => rmSync(root, { recursive: true, force: true }));

const release = (erts: string) => writeFileSync(join(root, "releases", "start_erl.data"), `${erts} 0.1.0`);
const boot = (args: string[], env: Record<string, string> = {}) => runEntrypoint(["--bin-dir", bin, "--ip", "10.0.0.7", "--app", "my_app", ...args], { env });
const PINNED = "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100";

const byVersion: [string, string, string][] = [
  ["OTP 25 (ERTS 13.1.5)", "13.1.5", "-start_epmd false -erl_epmd_port 9100"],
  ["OTP 27.1 (ERTS 15.1)", "15.1", "-start_epmd false -erl_epmd_port 9100"],
  ["OTP 27.2 (ERTS 15.2)", "15.2", "-start_epmd false -kernel erl_epmd_node_listen_port 9100"],
  ["OTP 28 (ERTS 16.0.2)", "16.0.2", "-start_epmd false -kernel erl_epmd_node_listen_port 9100"],
];
for (const [name, erts, flags] of byVersion) {
  test(`${name}: the release gets ${flags}; rpc, remote, stop, restart and pid also -dist_listen false`, async () => {
    release(erts);
    const start = await boot(["my_app", "start"], { ENTRYPOINT_EPMD: "off", ENTRYPOINT_DIST_PORT: "9100" });
    assert.is(start.code, 0, start.stderr);
    assert.is(start.stdout, `start|${flags} ${PINNED}\n`);
    assert.match(start.stderr, `distribution without EPMD on port 9100`);
    assert.match(start.stderr, `erts=${erts}`);
    for (const word of ["rpc", "remote", "stop", "restart", "pid"]) {
      const op = await boot(["--epmd", "off", "--dist-port", "9100", "my_app", word]);
      assert.is(op.code, 0, op.stderr);
      assert.is(op.stdout, `${word}|${flags} -dist_listen false\n`, word);
    }
  });
}

test("the user's ELIXIR_ERL_OPTIONS come first and stay; EPMD on (the default) adds nothing of this", async () => {
  release("13.1.5");
  const off = await boot(["my_app", "start"], { ENTRYPOINT_EPMD: "off", ENTRYPOINT_DIST_PORT: "9100", ELIXIR_ERL_OPTIONS: "+S 2" });
  assert.is(off.stdout, `start|+S 2 -start_epmd false -erl_epmd_port 9100 ${PINNED}\n`);
  const on = await boot(["my_app", "start"], { ENTRYPOINT_DIST_PORT: "9100" });
  assert.is(on.stdout, `start|${PINNED}\n`);
  assert.not.match(on.stderr, "EPMD");
  // With EPMD too, stop, restart and pid start a hidden node: the release holds the pinned port (else eaddrinuse).
  for (const word of ["stop", "restart", "pid"]) {
    const op = await boot(["my_app", word], { ENTRYPOINT_DIST_PORT: "9100" });
    assert.is(op.stdout, `${word}|unset\n`, word);
  }
});

const refused: [string, string[], Record<string, string>, RegExp][] = [
  ["no --dist-port", ["--epmd", "off"], {}, /ENTRYPOINT_EPMD=off needs the one distribution port every node listens on: set ENTRYPOINT_DIST_PORT=9100/],
  ["a port range", [], { ENTRYPOINT_EPMD: "off", ENTRYPOINT_DIST_PORT: "9100-9105" }, /is the range 9100-9105, .* give one port/],
  ["OTP 22 (ERTS 10.7)", ["--epmd", "off", "--dist-port", "9100"], {}, /ERTS 10\.7 \(OTP 22 or older\) cannot run distribution without EPMD/],
  ["a value that is not on or off", ["--epmd", "no"], {}, /--epmd: expected one of on, off, got "no"/],
];
for (const [name, args, env, message] of refused) {
  test(`${name}: exit 78, one error line, the command never runs`, async () => {
    release("10.7");
    const r = await boot([...args, "my_app", "start"], env);
    assert.is(r.code, 78, r.stderr);
    assert.is(r.stdout, "", "the command must not run");
    const errors = r.stderr.split("\n").filter((l) => l.includes("error"));
    assert.is(errors.length, 1, r.stderr);
    assert.match(errors[0]!, message);
  });
}

test.run();

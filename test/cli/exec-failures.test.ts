// Everything that would make execve fail is found first: Node.js 22-24 abort (SIGABRT, 134) on a failed execve.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { json, startServer } from "../helpers/http-server.ts";
import { FIXTURES, runEntrypoint, waitFor } from "../helpers/run.ts";

const dir = mkdtempSync(join(tmpdir(), "ep-exec-"));
function file(name: string, text: string, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}
const BOOT = ["--ip", "10.0.0.1", "--app", "shop", "--exec-mode", "execve", "--quiet"];

const CASES: [string, string, number, string][] = [
  ["a #! interpreter that is missing (#!/bin/bash on a slim image)", "#!/bin/no-such-shell\necho hi\n", 127, "its #! interpreter /bin/no-such-shell does not exist"],
  ["a #! interpreter that is not executable", `#!${file("plain-interpreter", "#!/bin/sh\n", 0o644)}\n`, 126, "plain-interpreter is not executable"],
  ["#!/usr/bin/env with a program that is not on PATH", "#!/usr/bin/env no-such-runtime\n", 127, 'its #! line runs "no-such-runtime" through env, and that is not on PATH'],
  ["#!/usr/bin/env -S with a program that is not on PATH", "#!/usr/bin/env -S no-such-runtime -x\n", 127, '"no-such-runtime" through env'],
  ["an executable text file without #!", "echo not a script\n", 126, "is neither an ELF binary nor a script with a #! line"],
  ["an empty executable file", "", 126, "is empty, so it cannot be executed"],
  ["a #! line without an interpreter", "#!\n", 126, "its #! line names no interpreter"],
  ["a #! interpreter path longer than the kernel reads", `#!/${"x".repeat(300)}\n`, 126, "its #! line is longer than 255 bytes"],
  ["a #! line with Windows line endings", "#!/bin/sh\r\necho hi\r\n", 127, 'its #! line ends with a carriage return (Windows line endings), so the kernel looks for "/bin/sh\\r"; convert the file to LF'],
];
for (const [name, text, code, message] of CASES) {
  test(`execve refused before the call: ${name} → ${code}, naming the path`, async () => {
    const path = file(`cmd-${code}-${name.length}`, text);
    const r = await runEntrypoint([...BOOT, path]);
    assert.is(r.code, code, r.stderr);
    assert.match(r.stderr, `entrypoint: error: ${path}: `);
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
  });
}

test("spawn mode refuses a file without #! too, as the container runtime would (glibc's execvp would run it with sh)", async () => {
  const path = file("no-shebang-spawn", "exit 9\n");
  const r = await runEntrypoint([...BOOT.map((a) => (a === "execve" ? "spawn" : a)), path]);
  assert.is(r.code, 126, r.stderr);
  assert.match(r.stderr, `${path}: is neither an ELF binary nor a script with a #! line`);
});

test("controls: an ELF binary, #!/bin/sh, #!/usr/bin/env NAME and #!/usr/bin/env -S NAME ARGS all run", async () => {
  const elf = join(dir, "true-copy");
  copyFileSync("/bin/true", elf);
  chmodSync(elf, 0o755);
  assert.is((await runEntrypoint([...BOOT, elf])).code, 0);
  assert.is((await runEntrypoint([...BOOT, file("no-newline", "#!/bin/sh")])).code, 0, "a #! line without a newline");
  for (const line of ["#!/bin/sh", "#!/usr/bin/env sh", "#!/usr/bin/env -S sh -e", "#! /bin/sh -e"]) {
    const r = await runEntrypoint([...BOOT, file(`ok-${line.length}`, `${line}\nexit 7\n`)]);
    assert.is(r.code, 7, `${line}: ${r.stderr}`);
  }
});

/** A copy of /bin/true with its ELF header or loader path changed. */
function patchedTrue(name: string, patch: (elf: Buffer) => void): string {
  const elf = readFileSync("/bin/true");
  patch(elf);
  const path = join(dir, name);
  writeFileSync(path, elf, { mode: 0o755 });
  return path;
}
const emulated = spawnSync("sh", ["-c", "ls /proc/sys/fs/binfmt_misc 2>/dev/null"], { encoding: "utf8" }).stdout.split("\n").some((n) => n && n !== "register" && n !== "status");

test("an ELF binary whose loader is missing from the image (glibc binary on a musl image): 127 naming the loader", async () => {
  const path = patchedTrue("no-loader", (elf) => {
    const at = elf.indexOf("/lib");
    elf.write("/no/such/ld.so\0", at, "latin1");
  });
  const r = await runEntrypoint([...BOOT, path]);
  assert.is(r.code, 127, r.stderr);
  assert.match(r.stderr, `${path}: its loader /no/such/ld.so does not exist in this image`);
});

skipUnless(!emulated, "binfmt_misc handlers are registered here (they may run other CPUs' binaries)", { ci: false })("an ELF binary for another CPU: 126 naming both", async () => {
  const other = process.arch === "arm64" ? 62 : 183;
  const path = patchedTrue("other-cpu", (elf) => elf.writeUInt16LE(other, 18));
  const r = await runEntrypoint([...BOOT, path]);
  assert.is(r.code, 126, r.stderr);
  assert.match(r.stderr, new RegExp(`${path}: built for (aarch64|x86-64), but this machine is`));
});

test("a variable over the kernel's 128 KiB for one string after our additions: 78 naming it", async () => {
  const options = "+S 2 " + "x".repeat(128 * 1024 - 40);
  const r = await runEntrypoint([...BOOT.filter((a) => a !== "10.0.0.1" && a !== "--ip"), "--ip", "fd00::1", `${FIXTURES}/exit-with`, "0"], { env: { ELIXIR_ERL_OPTIONS: options } });
  assert.is(r.code, 78, r.stderr);
  assert.match(r.stderr, /exit-with: environment variable ELIXIR_ERL_OPTIONS is \d+ bytes, more than the kernel's 131072 for one variable/);
});

const hasPrlimit = spawnSync("prlimit", ["--version"]).status === 0;

skipUnless(hasPrlimit, "no prlimit (util-linux) here", { ci: true })("arguments and environment over the stack-derived limit (lowered during the boot): 78, not an abort", async () => {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const server = await startServer((_q, res) => void held.then(() => json(res, 200, { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["10.0.0.5"] }] })));
  try {
    // 200 KB of environment fits 8 MiB of stack (2 MiB for exec); then the stack limit drops to 256 KiB (128 KiB for exec).
    const env = { ECS_CONTAINER_METADATA_URI_V4: `${server.url}/v4/x`, ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`FILL_${i}`, "f".repeat(10_000)])) };
    const r = await runEntrypoint(["--app", "shop", "--exec-mode", "execve", `${FIXTURES}/exit-with`, "0"], {
      env,
      onSpawn: (child) =>
        void waitFor(() => server.requests.length > 0, 10_000, "the metadata request").then(() => {
          spawnSync("prlimit", [`--pid=${child.pid}`, "--stack=262144"]);
          release();
        }),
    });
    assert.is(r.code, 78, r.stderr);
    assert.match(r.stderr, /exit-with: the environment \(\d+ bytes\) and the arguments \(\d+ bytes\) exceed the kernel's limit of 131072 bytes/);
  } finally {
    release();
    await server.close();
  }
});

test.run();

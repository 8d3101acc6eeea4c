// Files the kernel would refuse to exec, found first and refused with 126 naming the right file, in
// both modes: a failed execve aborts Node.js 22-24 (134), and spawn mode's execvp would hand an
// unknown format to /bin/sh. The fixtures are made here from /bin/true and small scripts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runEntrypoint } from "../helpers/run.ts";
import { canRunAsNobody, NOBODY, withReachable } from "../helpers/unprivileged.ts";

const dir = mkdtempSync(join(tmpdir(), "ep-refused-"));
function file(name: string, content: string | Buffer, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}
/** A copy of /bin/true with its ELF header or loader path changed. */
function patchedTrue(name: string, patch: (elf: Buffer) => void): string {
  const elf = Buffer.from(readFileSync("/bin/true"));
  patch(elf);
  return file(name, elf);
}
const setLoader = (elf: Buffer, loader: string) => elf.write(`${loader}\0`, elf.indexOf("/lib"), "latin1");
const boot = (mode: string) => ["--ip", "10.0.0.1", "--app", "shop", "--exec-mode", mode, "--quiet"];
const MODES = ["execve", "spawn"] as const;

async function refused(mode: string, path: string, message: string, options: Parameters<typeof runEntrypoint>[1] = {}) {
  const r = await runEntrypoint([...boot(mode), path], { timeoutMs: 10_000, ...options });
  assert.is(r.signal, null, `${mode}: killed (hung?) ${r.stderr}`);
  assert.is(r.code, 126, `${mode}: ${r.stderr}`);
  assert.is(r.stderr, `entrypoint: error: ${message}\n`, mode);
}

// An object file as cc -c writes it: ELF type 1 (ET_REL), no program headers.
const object = patchedTrue("main.o", (elf) => {
  elf.writeUInt16LE(1, 16);
  elf.writeBigUInt64LE(0n, 32);
  elf.writeUInt16LE(0, 54);
  elf.writeUInt16LE(0, 56);
});
const directoryLoader = patchedTrue("loader-is-dir", (elf) => setLoader(elf, "/tmp"));
// Relative to the working directory, as the kernel reads it: a path that fits the loader's slot in /bin/true.
const textLoader = patchedTrue("loader-is-text", (elf) => setLoader(elf, "./not-elf"));
file("not-elf", "#!/bin/sh\n");
const fifo = join(dir, "fifo");
execFileSync("mkfifo", ["-m", "0755", fifo]);

const CASES: [string, string, string][] = [
  ["an ELF object file (ET_REL)", object, `${object}: an object file (ELF relocatable, e.g. a .o from cc -c), not a program; name the program to run`],
  ["PT_INTERP naming a directory", directoryLoader, `${directoryLoader}: its loader /tmp is a directory, not a file; use a binary built for this image`],
  ["PT_INTERP naming a file that is not ELF", textLoader, `${textLoader}: its loader ./not-elf cannot be run: not an ELF file; use a binary built for this image`],
  ["an executable FIFO (opening it would block the boot)", fifo, `${fifo}: is a FIFO (named pipe); name a regular file as the command`],
  ["a directory as #! interpreter", file("dir-interpreter", "#!/tmp\n"), `${join(dir, "dir-interpreter")}: its #! interpreter /tmp is a directory, not a file`],
];
for (const [what, path, message] of CASES) {
  for (const mode of MODES) test(`${mode}: ${what} → 126 naming it, no abort, no /bin/sh`, () => refused(mode, path, message, { cwd: dir }));
}

/** s1 … sN: each a #! script whose interpreter is the one before; s1's is /bin/sh. */
function chain(n: number): string[] {
  const scripts = [file("s1", "#!/bin/sh\nexit 7\n")];
  for (let i = 2; i <= n; i++) scripts.push(file(`s${i}`, `#!${scripts[i - 2]}\n`));
  return scripts;
}
const scripts = chain(6);

test("nested #! scripts: five in one exec run, as the kernel runs them (the command and four interpreters)", async () => {
  for (const mode of MODES) {
    const r = await runEntrypoint([...boot(mode), scripts[4]!]);
    assert.is(r.code, 7, `${mode}: ${r.stderr}`);
  }
  assert.is(spawnSync(scripts[4]!).status, 7, "the kernel runs five");
  assert.is(spawnSync(scripts[5]!).error?.message.includes("ELOOP"), true, "the kernel refuses six (ELOOP)");
});

test("nested #! scripts: six → 126 naming the command and the chain", async () => {
  const links = [...scripts].reverse().join(" → ");
  for (const mode of MODES) {
    await refused(mode, scripts[5]!, `${scripts[5]}: its #! interpreters nest deeper than Linux follows (${links} → …): at most 5 scripts run in one exec, the command and 4 interpreters; shorten the chain`);
  }
});

test("control: a #! line longer than the kernel reads, with an argument, runs (the kernel cuts the argument)", async () => {
  const long = file("long-line", `#!/bin/sh -e${" ".repeat(300)}\nexit 7\n`);
  assert.is(spawnSync(long).status, 7, "the kernel runs it");
  for (const mode of MODES) assert.is((await runEntrypoint([...boot(mode), long])).code, 7, mode);
});

test("a file open for writing elsewhere (ETXTBSY) → 126 'text file busy' naming the writer; once closed it runs", async () => {
  const busy = file("busy", readFileSync("/bin/true"));
  const fd = openSync(busy, "r+");
  try {
    const comm = readFileSync("/proc/self/comm", "latin1").trim();
    for (const mode of MODES) await refused(mode, busy, `${busy}: text file busy: process ${process.pid} (${comm}) has ${busy} open for writing; run it once it is completely written and closed`);
  } finally {
    closeSync(fd);
  }
  assert.is((await runEntrypoint([...boot("execve"), busy])).code, 0, "closed: it runs");
});

// An unprivileged user may exec a file it cannot read; what it holds cannot be checked, and a failed exec aborts.
const canDrop = canRunAsNobody();

skipUnless(canDrop, "not root, or a process cannot drop to nobody here", { ci: true })("execute-only garbage as an unprivileged user → 126 saying it cannot be read (no 134)", async () => {
  const garbage = file("execute-only", "\x01\x02 not a program\n", 0o711);
  const readable = file("readable-garbage", "\x01\x02 not a program\n", 0o755);
  await withReachable(dir, async () => {
    for (const mode of MODES) {
      const r = await runEntrypoint([...boot(mode), garbage], { spawnOptions: NOBODY });
      assert.is(r.code, 126, `${mode}: ${r.stderr}`);
      assert.is(r.stderr, `entrypoint: error: ${garbage}: cannot be read by this user (uid 65534: EACCES), so the entrypoint cannot check that it can be executed; make it readable (chmod a+r ${garbage})\n`);
    }
    const r = await runEntrypoint([...boot("execve"), readable], { spawnOptions: NOBODY });
    assert.match(r.stderr, `${readable}: is neither an ELF binary nor a script`, "control: readable, it is looked at");
  });
});

test("control: a real program (/bin/true's copy) still runs in both modes", async () => {
  const ok = file("true-copy", readFileSync("/bin/true"));
  for (const mode of MODES) assert.is((await runEntrypoint([...boot(mode), ok])).code, 0, mode);
});

test.run();

// "entrypoint install" that cannot write: one line naming the path and what is in the way, exit 73.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENTRYPOINT, runEntrypoint, runProgram } from "../helpers/run.ts";
import { canRunAsNobody, NOBODY, withReachable } from "../helpers/unprivileged.ts";

async function cannotInstall(target: string, obstacle: string, options: Parameters<typeof runEntrypoint>[1] = {}, written = target) {
  const r = await runEntrypoint(["install", target, "--app", "shop"], options);
  assert.is(r.code, 73, r.stderr);
  assert.is(r.stderr, `entrypoint: error: install: cannot write ${written}: ${obstacle}\n`);
}

test("PATH under an existing regular file (rel is a file): 73 naming that file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  writeFileSync(join(dir, "rel"), "");
  await cannotInstall(join(dir, "rel", "overlays", "bin", "entrypoint"), `${join(dir, "rel")} is a file, so nothing can be created under it; remove it, or choose another PATH`);
  await cannotInstall(join(dir, "rel", "entrypoint"), `${join(dir, "rel")} is a file, so nothing can be created under it; remove it, or choose another PATH`);
});

test("a directory where the file should go (PATH/entrypoint is a directory): 73 naming it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  mkdirSync(join(dir, "entrypoint"));
  await cannotInstall(dir, `${join(dir, "entrypoint")} is a directory; remove it, or give the file's path`, {}, join(dir, "entrypoint"));
  assert.ok(statSync(join(dir, "entrypoint")).isDirectory(), "left as it was");
});

const root = canRunAsNobody();

skipUnless(root, "not root, or a process cannot drop to nobody here", { ci: true })("a directory the user may not write to: 73 naming it and the user", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  chmodSync(dir, 0o555);
  const target = join(dir, "bin", "entrypoint");
  const obstacle = `${dir} is not writable by this user (uid 65534); run install as a user that may write there (chmod/chown the directory), or choose another PATH`;
  await withReachable(dir, () => cannotInstall(target, obstacle, { spawnOptions: NOBODY }));
  assert.not.ok(existsSync(join(dir, "bin")));
});

skipUnless(process.getuid?.() === 0 && spawnSync("unshare", ["-m", "true"]).status === 0, "cannot create a mount namespace here (needs root)", { ci: true })("a read-only file system: 73 naming the directory", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-install-"));
  const target = join(dir, "entrypoint");
  // A read-only bind mount of the directory, in a mount namespace of this run only.
  const r = await runProgram("unshare", ["-m", "sh", "-c", 'mount --bind -o ro "$1" "$1" && exec "$2" install "$3" --app shop', "sh", dir, ENTRYPOINT, target]);
  assert.is(r.code, 73, r.stderr);
  assert.is(r.stderr, `entrypoint: error: install: cannot write ${target}: ${dir} is on a read-only file system; choose another PATH\n`);
});

test.run();

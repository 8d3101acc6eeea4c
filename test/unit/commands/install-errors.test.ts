import { test } from "uvu";
import * as assert from "uvu/assert";
import { describeWriteError, nearestExisting, type Kind } from "../../../src/commands/install-errors.ts";

// A file system as a table: everything not listed is missing.
const fs: Record<string, Kind> = { "/": "directory", "/repo": "directory", "/repo/rel": "file", "/ro": "directory" };
const kindOf = (path: string): Kind => fs[path] ?? "missing";

test("nearestExisting: the first ancestor that exists", () => {
  assert.equal(nearestExisting("/repo/rel/overlays/bin/entrypoint", kindOf), { path: "/repo/rel", kind: "file" });
  assert.equal(nearestExisting("/repo/new/entrypoint", kindOf), { path: "/repo", kind: "directory" });
  assert.equal(nearestExisting("/nowhere/x", kindOf), { path: "/", kind: "directory" });
});

const T = "/repo/rel/overlays/bin/entrypoint";
const cases: [string, string, string | undefined, RegExp | undefined][] = [
  ["a file where a directory should be (Node 24)", T, "ENOTDIR", /^\/repo\/rel is a file, so nothing can be created under it; remove it, or choose another PATH$/],
  ["a file where a directory should be (Node 20's EEXIST)", T, "EEXIST", /^\/repo\/rel is a file/],
  ["EEXIST with only directories on the way: not explained here", "/repo/x/entrypoint", "EEXIST", undefined],
  ["a directory where the file should go", "/repo/entrypoint", "EISDIR", /^\/repo\/entrypoint is a directory; remove it, or give the file's path$/],
  ["no permission", "/ro/entrypoint", "EACCES", /^\/ro is not writable by this user \(uid 1000\); run install as a user that may write there/],
  ["a read-only file system", "/ro/entrypoint", "EROFS", /^\/ro is on a read-only file system; choose another PATH$/],
  ["a full disk", "/ro/entrypoint", "ENOSPC", /^no space left on the device of \/ro \(ENOSPC\)/],
  ["a quota", "/ro/entrypoint", "EDQUOT", /\(EDQUOT\)/],
  ["a name too long", "/ro/entrypoint", "ENAMETOOLONG", /too long/],
  ["a symlink loop", "/ro/entrypoint", "ELOOP", /loops/],
  ["something else", "/ro/entrypoint", "EIO", undefined],
];
for (const [name, target, code, want] of cases) {
  test(`describeWriteError: ${name}`, () => {
    const got = describeWriteError(target, code, kindOf, 1000);
    if (want) assert.match(got ?? "", want);
    else assert.is(got, undefined);
  });
}

test.run();

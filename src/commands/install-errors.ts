// What stands in the way of "entrypoint install PATH", in one line naming the path and the obstacle (pure).
import { dirname } from "node:path";

export type Kind = "file" | "directory" | "missing" | "other";

/** The nearest ancestor of `path` that exists, with its kind: the directory that decides, or the file in the way. */
export function nearestExisting(path: string, kindOf: (path: string) => Kind): { path: string; kind: Kind } {
  for (let at = dirname(path); ; at = dirname(at)) {
    const kind = kindOf(at);
    if (kind !== "missing" || dirname(at) === at) return { path: at, kind };
  }
}

/**
 * Why writing `target` failed with errno `code`, and the fix. `kindOf` looks at the file system
 * (the caller's stat); `uid` names the user a permission problem is about.
 */
export function describeWriteError(target: string, code: string | undefined, kindOf: (path: string) => Kind, uid: number | undefined): string | undefined {
  const near = nearestExisting(target, kindOf);
  const other = "choose another PATH";
  switch (code) {
    case "ENOTDIR":
    case "EEXIST":
      if (near.kind !== "directory") return `${near.path} is ${near.kind === "file" ? "a file" : "not a directory"}, so nothing can be created under it; remove it, or ${other}`;
      return undefined;
    case "EISDIR":
      return `${target} is a directory; remove it, or give the file's path`;
    case "EACCES":
    case "EPERM":
      return `${near.path} is not writable by this user${uid === undefined ? "" : ` (uid ${uid})`}; run install as a user that may write there (chmod/chown the directory), or ${other}`;
    case "EROFS":
      return `${near.path} is on a read-only file system; ${other}`;
    case "ENOSPC":
    case "EDQUOT":
      return `no space left on the device of ${near.path} (${code}); free some space, or ${other}`;
    case "ENAMETOOLONG":
      return `the path is too long for the file system; ${other}`;
    case "ELOOP":
      return `a symbolic link on the way to ${target} loops; fix the link, or ${other}`;
    default:
      return undefined;
  }
}

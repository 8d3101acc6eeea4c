// The two containers of an init-container task: the shared entrypoint image (Node.js and the
// bundle) and the app image (the release only: no bin/entrypoint, no node on PATH).
import { mkdirSync, readdirSync, symlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task } from "./netns.ts";
import { runToEnd } from "./procs.ts";
import { cleanEnv, COOKIE, RELEASE, SHA } from "./task.ts";

/** The release built from examples/elixir/rel (SHOP_APP_ONLY=1 in build-release.sh). */
export const APP_ONLY = `${RELEASE}-app-only`;
const BUNDLE = join(import.meta.dirname, "..", "..", "entrypoint");
const NODE = /^(node|nodejs|npm|npx|corepack)$/;

let path: string | undefined;

/** A PATH of everything the system dirs hold except Node.js: what a Debian runner without Node has. */
export function nodeFreePath(): string {
  if (path) return path;
  const dir = join(tmpdir(), "no-node-bin");
  mkdirSync(dir, { recursive: true });
  for (const sys of ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
    if (!existsSync(sys)) continue;
    for (const name of readdirSync(sys)) {
      if (!NODE.test(name) && !existsSync(join(dir, name))) symlinkSync(join(sys, name), join(dir, name));
    }
  }
  return (path = dir);
}

/** The init container: `entrypoint env --output` into the task volume; it exits, and the app container may start. */
export function initContainer(task: Task, volume: string, ecs: Record<string, string>) {
  const env = cleanEnv({ ...ecs, ENTRYPOINT_APP: "shop", ENTRYPOINT_GIT_SHA: SHA });
  const args = ["netns", "exec", task.ns, process.execPath, BUNDLE, "env", "--output", join(volume, "release.env")];
  return runToEnd(`init container ${task.ns}`, "ip", args, env, 70_000);
}

/** The app container's environment: the cookie (a secret in ECS), where env.sh finds the file, and a PATH without node. */
export function appContainerEnv(volume: string): NodeJS.ProcessEnv {
  return { PATH: nodeFreePath(), HOME: "/root", LANG: "C.UTF-8", RELEASE_COOKIE: COOKIE, ECS_RELEASE_ENV: join(volume, "release.env") };
}

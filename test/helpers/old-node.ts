import { spawnSync } from "node:child_process";

/** The machine's own Node.js without process.execve (20 here), if any: the spawn-mode runtime. */
export const OLD_NODE = ["/usr/bin/node", "/usr/local/bin/node"].find((n) => {
  const v = spawnSync(n, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout?.trim();
  return v && !spawnSync(n, ["-p", "typeof process.execve"], { encoding: "utf8" }).stdout.includes("function");
});

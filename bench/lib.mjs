import { spawn } from "node:child_process";

export const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export function row(cells) {
  const widths = [44, 14, 14, 18];
  console.log(cells.map((c, i) => String(c).padEnd(widths[i] ?? 14)).join(" "));
}

/** Starts `entrypoint fake-metadata` and resolves with its URI once it is listening. */
export function startFake(args, env = process.env) {
  const entrypoint = new URL("../entrypoint", import.meta.url).pathname;
  const child = spawn(entrypoint, ["fake-metadata", "--quiet", ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
      const uri = /ECS_CONTAINER_METADATA_URI_V4=(\S+)\n/.exec(out)?.[1];
      if (uri) resolve({ uri, child, stop: () => new Promise((r) => (child.kill("SIGTERM"), child.on("exit", r))) });
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`fake-metadata exited with ${code}`)));
  });
}

// A lone boot of the real bundle with --peers family (3 tasks, no throttling): the time to exec and how much of it
// the peer step took; the rest is what every boot pays outside the lookup (Node start, SDK compile, exec).
import { spawn } from "node:child_process";
import { median } from "./lib.mjs";

const ENTRYPOINT = new URL("../entrypoint", import.meta.url).pathname;

export async function loneBoot(runs = 5) {
  const { startAwsTask } = await import("../test/helpers/aws-task.ts");
  const { makeTasks } = await import("../test/fake-aws/server.ts");
  const t = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }), { latencyMs: 25 });
  const walls = [];
  const lookups = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawn(ENTRYPOINT, ["--app", "shop", "--peers", "family", "/bin/true"], { env: { PATH: process.env.PATH, ...t.env }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    const code = await new Promise((r) => child.on("exit", r));
    walls.push(performance.now() - started);
    const ms = Number(/peers: \d+ found.* ms=(\d+)/.exec(err)?.[1]);
    if (code !== 0 || !(ms >= 0)) throw new Error(`lone boot failed (${code}): ${err}`);
    lookups.push(ms);
  }
  await t.close();
  const wallMs = median(walls);
  const lookupMs = median(lookups);
  return { wallMs, lookupMs, nonLookupMs: wallMs - lookupMs };
}

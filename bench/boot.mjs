// Boot-time and memory figures: the old shell script, bare node and the entrypoint, interleaved.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, row, startFake } from "./lib.mjs";

const ENTRYPOINT = new URL("../entrypoint", import.meta.url).pathname;
const OLD = new URL("./old-entrypoint.sh", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// The metadata path's floor: a fresh node that does only the GET, the parse and the exec, nothing of ours.
const FLOOR = `const http = require("node:http");
http.get(process.env.ECS_CONTAINER_METADATA_URI_V4, (res) => {
  let body = "";
  res.setEncoding("utf8").on("data", (d) => (body += d)).on("end", () => {
    const ip = JSON.parse(body).Networks[0].IPv4Addresses[0];
    const env = { ...process.env, RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "my_app-abc123@" + ip };
    const server = process.env.APP_BIN + "/server";
    if (process.execve) process.execve(server, [server], env);
    else require("node:child_process").spawnSync(server, { env, stdio: "inherit" });
  });
});`;
const FLOOR_CASE = "floor: bare node:http GET -> exec";
const METADATA_CASE = "entrypoint: metadata -> exec";

export async function bootBench() {
  const fake = await startFake(["--ip", "10.0.0.7"]);
  const bin = mkdtempSync(join(tmpdir(), "bench-bin-"));
  writeFileSync(join(bin, "server"), "#!/bin/sh\nexit 0\n");
  chmodSync(join(bin, "server"), 0o755);
  const env = { PATH: process.env.PATH, ECS_CONTAINER_METADATA_URI_V4: fake.uri, APP_BIN: bin };
  const haveOldTools = spawnSync("sh", ["-c", "command -v curl && command -v jq"]).status === 0;
  const cases = {
    "node -e 0": [process.execPath, ["-e", "0"]],
    "entrypoint env --ip 10.0.0.1 --app a": [ENTRYPOINT, ["env", "--ip", "10.0.0.1", "--app", "a"]],
    [FLOOR_CASE]: [process.execPath, ["-e", FLOOR]],
    [METADATA_CASE]: [ENTRYPOINT, ["--app", "my_app", "--sha", "abc123", "--bin-dir", bin, "--quiet", "server"]],
    ...(haveOldTools ? { "old script (curl | jq): metadata -> exec": ["sh", [OLD, "server"]] } : {}),
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, [cmd, args]] of Object.entries(cases)) {
      const started = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
      if (r.status !== 0) throw new Error(`${name} failed (${r.status}): ${r.stderr}`);
      times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  await fake.stop();
  const base = median(times["node -e 0"]);
  console.log(`\nBoot time: median of ${RUNS} interleaved runs each (wall clock, spawn to exit)`);
  row(["case", "median ms", "x node -e 0", "target"]);
  const targets = { "entrypoint env --ip 10.0.0.1 --app a": 1.3, [METADATA_CASE]: 1.5 };
  for (const [name, list] of Object.entries(times)) {
    const ratio = median(list) / base;
    const target = targets[name];
    row([name, median(list).toFixed(1), ratio.toFixed(2), target ? `<= ${target} ${ratio <= target ? "ok" : "MISSED"}` : ""]);
  }
  const floor = median(times[METADATA_CASE]) / median(times[FLOOR_CASE]);
  console.log(`${METADATA_CASE} against its floor (${FLOOR_CASE}): ${floor.toFixed(2)}x, ${(median(times[METADATA_CASE]) - median(times[FLOOR_CASE])).toFixed(1)} ms ours`);
  if (!haveOldTools) console.log("(old script not measured: curl and jq are not installed)");
  await rssBench(env, bin);
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

function childrenOf(pid) {
  const r = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean).map(Number);
}

/** RSS 1 s after exec: in execve mode the entrypoint's PID is the command; in spawn mode node stays as its parent. */
async function rssBench(env, bin) {
  writeFileSync(join(bin, "hold"), "#!/bin/sh\nexec sleep 30\n");
  chmodSync(join(bin, "hold"), 0o755);
  console.log("\nMemory 1 s after exec (VmRSS of the entrypoint's PID plus its children)");
  row(["mode", "entrypoint PID KiB", "children KiB", "total KiB"]);
  for (const mode of ["execve", "spawn"]) {
    const child = spawn(ENTRYPOINT, ["--ip", "10.0.0.1", "--app", "a", "--bin-dir", bin, "--exec-mode", mode, "--quiet", "hold"], { env, stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 1000));
    const own = rssKiB(child.pid);
    const kids = childrenOf(child.pid).reduce((sum, pid) => sum + rssKiB(pid), 0);
    row([mode, String(own), String(kids), String(own + kids)]);
    child.kill("SIGTERM");
    await new Promise((r) => child.on("exit", r));
  }
}

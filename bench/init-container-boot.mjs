#!/usr/bin/env node
// Boot cost of the init-container path: `entrypoint env --output FILE` against the local fake
// (metadata, then metadata + peers), next to bare `node -e 0` and the exec path, all on the Node
// that runs this script (bench/entrypoint-image.sh runs it with the entrypoint image's own node).
// Interleaved, median of BENCH_RUNS (default 21); wall clock, spawn to exit.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { median, row, startFake } from "./lib.mjs";

const ENTRYPOINT = new URL("../entrypoint", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const NODE = process.execPath;

const dir = mkdtempSync(join(tmpdir(), "bench-init-"));
const out = join(dir, "release.env");
writeFileSync(join(dir, "server"), "#!/bin/sh\nexit 0\n");
chmodSync(join(dir, "server"), 0o755);
// The fake runs on the same Node: its #! line finds this node first on PATH.
const PATH = `${dirname(NODE)}:/usr/local/bin:/usr/bin:/bin`;
const fake = await startFake(["--family", "my_app"], { PATH });
const aws = { AWS_ENDPOINT_URL: new URL(fake.uri).origin, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };
const env = { PATH, ENTRYPOINT_APP: "my_app", ENTRYPOINT_GIT_SHA: "0f3c9e1", ECS_CONTAINER_METADATA_URI_V4: fake.uri, ...aws };

const cases = {
  "node -e 0": ["-e", "0"],
  "env --output FILE: metadata": [ENTRYPOINT, "env", "--quiet", "--output", out],
  "env --output FILE: metadata + peers family": [ENTRYPOINT, "env", "--quiet", "--peers", "family", "--output", out],
  "for comparison, metadata -> exec": [ENTRYPOINT, "--quiet", "--bin-dir", dir, "server"],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const started = process.hrtime.bigint();
    const r = spawnSync(NODE, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0) throw new Error(`${name} failed (${r.status}): ${r.stderr}`);
    times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
  }
}
await fake.stop();
const written = statSync(out);
rmSync(dir, { recursive: true, force: true });

console.log(`node ${process.version} (${NODE}), median of ${RUNS} interleaved runs each (wall clock, spawn to exit)`);
row(["case", "median ms", "x node -e 0"]);
const base = median(times["node -e 0"]);
for (const [name, list] of Object.entries(times)) row([name, median(list).toFixed(1), (median(list) / base).toFixed(2)]);
console.log(`the file: ${written.size} bytes, mode ${(written.mode & 0o777).toString(8)}`);

// Peer discovery at N tasks with 25 ms per AWS call: the entrypoint against the seed's sequential algorithm,
// on the same fake AWS API (SigV4-checked, container credentials), with the number of calls each made.
// The entrypoint boots as in production and execs the release (here /usr/bin/env, which prints the peers);
// wall = from spawn until the result is on stdout, for both.
import { spawn } from "node:child_process";
import { median, row } from "./lib.mjs";

const ENTRYPOINT = new URL("../entrypoint", import.meta.url).pathname;
const REFERENCE = new URL("./seed-reference.mjs", import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_PEER_RUNS ?? 5);
const LATENCY_MS = 25;

export async function peersBench() {
  const { startFakeAws, makeTasks } = await import("../test/fake-aws/server.ts");
  const { startCredentialsEndpoint } = await import("../test/fake-aws/credentials.ts");
  const creds = await startCredentialsEndpoint();
  console.log(`\nPeers (tags strategy), ${LATENCY_MS} ms per AWS call, median of ${RUNS} runs; step = time inside the peer lookup, wall = spawn until the peers are on stdout`);
  row(["N tasks / who", "step ms", "wall ms", "calls (list+describe)"]);
  for (const n of [10, 100, 1000]) {
    const aws = await startFakeAws({ tasks: makeTasks(n, { cluster: "prod", family: "shop", tags: { app: "shop" } }), credentials: [creds], latencyMs: LATENCY_MS });
    const query = { cluster: "prod", params: { TagFilters: [{ Key: "app", Values: ["shop"] }] } };
    const env = { PATH: process.env.PATH, AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: aws.url, ...creds.env, AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true", DNS_CLUSTER_ECS_QUERY: JSON.stringify(query) };
    const boot = ["--ip", "10.200.0.1", "--app", "shop", "--peers", "tags", "--peers-timeout", "30000", "--", "/usr/bin/env"];
    // Beyond one page the entrypoint hands over a bounded subset (100 peers); the seed lists everything.
    const [ours, seed] = await measure(aws, [Math.min(n, 100), n], [
      () => run(ENTRYPOINT, boot, env, (r) => ({ step: Number(/peers: \d+ found.* ms=(\d+)/.exec(r.stderr)?.[1]), found: peersIn(r.stdout) })),
      () => run(process.execPath, [REFERENCE], env, (r) => ({ step: JSON.parse(r.stdout).ms, found: JSON.parse(r.stdout).ips })),
    ]);
    row([`${n} / entrypoint`, ours.step.toFixed(0), ours.wall.toFixed(0), ours.calls]);
    row([`${n} / seed sequential`, seed.step.toFixed(0), seed.wall.toFixed(0), seed.calls]);
    row([`${n} / speed-up`, `${(seed.step / ours.step).toFixed(2)}x`, `${(seed.wall / ours.wall).toFixed(2)}x`, n > 100 ? `entrypoint: ${Math.min(n, 100)} of ${n} (bounded subset)` : ""]);
    await aws.close();
  }
  await creds.close();
}

const peersIn = (envOutput) => /^ECS_PEER_IPS=(.*)$/m.exec(envOutput)?.[1].split(",").filter(Boolean).length;

// Asynchronous: the fake AWS API answers from this same process.
function run(cmd, args, env, resultOf) {
  const started = performance.now();
  let wall;
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const r = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (d) => {
    wall ??= performance.now() - started;
    r.stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d) => (r.stderr += d));
  return new Promise((resolve, reject) =>
    child.on("close", (code) => {
      const result = code === 0 ? resultOf(r) : {};
      if (!(result.step >= 0)) reject(new Error(`${cmd} failed (${code}): ${r.stderr}`));
      else resolve({ wall, ...result });
    }),
  );
}

// The programs take turns run by run, so a change in the machine's load hits both alike.
async function measure(aws, expected, programs) {
  const results = programs.map(() => ({ steps: [], walls: [], calls: "" }));
  for (let i = 0; i < RUNS; i++) {
    for (const [k, once] of programs.entries()) {
      aws.reset();
      const r = await once();
      // The bench's own address is not one of the tasks', so every task found is a peer.
      if (r.found !== expected[k]) throw new Error(`expected ${expected[k]} peers, found ${r.found}`);
      results[k].steps.push(r.step);
      results[k].walls.push(r.wall);
      results[k].calls = `${aws.callsTo("GetResources").length}+${aws.callsTo("DescribeTasks").length}`;
    }
  }
  return results.map((r) => ({ step: median(r.steps), wall: median(r.walls), calls: r.calls }));
}

// Deploy storm: N tasks boot within a window as a rolling deploy (the first half is generation 1, the second
// half generation 2, which replaces generation 1 task by task) against the fake AWS API with AWS's token bucket
// (burst 100, 20/s) and 25 ms per call. Every boot runs the entrypoint's own peer step (src/peers, the code the
// bundle carries) with its own SDK clients, credentials, SigV4 and HTTP, all in this one process: hundreds of
// Node processes at once would measure this machine's 2 cores, not AWS. Time is stretched by k (bucket, latency,
// spread, deadline) until the process's CPU stays low; the figures are given back in unstretched time, and the
// parts of a boot outside the peer step come from a measured lone boot of the real bundle.
import { createServer } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { figures, schedule } from "./storm-model.mjs";
import { loneBoot } from "./storm-lone.mjs";

const LATENCY_MS = 25;
const TIMEOUT_MS = Number(process.env.BENCH_STORM_TIMEOUT_MS ?? 60_000);

async function world(k) {
  const { startFakeAws, makeTasks } = await import("../test/fake-aws/server.ts");
  const { startCredentialsEndpoint } = await import("../test/fake-aws/credentials.ts");
  const creds = await startCredentialsEndpoint();
  const aws = await startFakeAws({ credentials: [creds], latencyMs: LATENCY_MS * k, timeScale: k, clusters: ["prod"] });
  const docs = new Map();
  const metadata = createServer((req, res) => {
    const doc = docs.get(req.url);
    res.writeHead(doc ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(doc ?? {}));
  });
  await new Promise((r) => metadata.listen(0, "127.0.0.1", r));
  Object.assign(process.env, creds.env, { AWS_ENDPOINT_URL: aws.url, AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true" });
  const base = `http://127.0.0.1:${metadata.address().port}`;
  const task = (i, gen) => {
    const [t] = makeTasks(1, { cluster: "prod", family: "shop", revision: gen, startedBy: `ecs-svc/${gen}000`, addresses: "eni" });
    docs.set(`/v4/t${i}/task`, { Cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/prod", TaskARN: t.taskArn, Family: "shop", Revision: String(gen) });
    aws.tasks.push(t);
    return { t, uri: `${base}/v4/t${i}`, ip: t.attachments[0].details.find((d) => d.name === "privateIPv4Address").value };
  };
  const close = async () => {
    await aws.close();
    await creds.close();
    metadata.close();
  };
  return { aws, task, close };
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export async function stormRun({ n, windowMs, k, nonLookupMs }) {
  const { findPeers } = await import("../src/peers/index.ts");
  const w = await world(k);
  const plan = schedule(n, windowMs);
  const boots = [];
  const live = new Map(); // ip -> gen, tasks that are up
  const firstGen = [];
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    plan.map(async ({ i, at, gen }) => {
      await new Promise((r) => setTimeout(r, at * k));
      const { t, uri, ip } = w.task(i, gen);
      const liveBefore = new Set(live.keys());
      const sameGenLiveBefore = [...live.values()].filter((g) => g === gen).length;
      live.set(ip, gen);
      if (gen === 1) firstGen.push({ t, ip });
      const started = performance.now();
      const peers = await findPeers({ strategy: { kind: "family" }, timeoutMs: TIMEOUT_MS * k, metadataUri: uri, self: Promise.resolve({ ip, family: 4 }), basename: "shop", env: { AWS_REGION: "us-east-1" }, log: quiet });
      boots.push({ i, gen, ip, lookup: peers.lookup, complete: peers.complete === true, ips: peers.ips, lookupMs: (performance.now() - started) / k, liveBefore, sameGenLiveBefore });
      // Rolling deploy: once a new task runs, ECS stops one old task.
      const old = gen === 2 ? firstGen.shift() : undefined;
      if (old) {
        Object.assign(old.t, { desiredStatus: "STOPPED", lastStatus: "STOPPED" });
        live.delete(old.ip);
      }
    }),
  );
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  loop.disable();
  const ipGen = new Map(boots.map((b) => [b.ip, b.gen]));
  const result = figures(boots.sort((a, b) => a.i - b.i), ipGen, w.aws.calls.length, w.aws.throttled().length, nonLookupMs);
  await w.close();
  return { ...result, k, wallS: wall / 1000, cpu: (used.user + used.system) / 1000 / wall, loopP99: loop.percentile(99) / 1e6 };
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;

export async function stormBench() {
  const lone = await loneBoot();
  console.log(`\nDeploy storm (rolling deploy, --peers family, AWS bucket burst 100 + 20/s, ${LATENCY_MS} ms per call, --peers-timeout ${TIMEOUT_MS}).`);
  console.log(`A lone boot of the bundle: ${lone.wallMs.toFixed(0)} ms to exec, ${lone.lookupMs} ms of it in the peer step -> ${lone.nonLookupMs.toFixed(0)} ms added to every storm lookup.`);
  const cols = ["N/window", "k", "calls", "answered/boot", "throttled", "p50 s", "p99 s", "failed", "gen-2 peer", "complete", "graphs", "cpu", "loop p99", "wall s"];
  console.log(cols.map((c) => c.padEnd(10)).join(" "));
  const matrix = (process.env.BENCH_STORM ?? "50/10,50/60,100/10,100/60,300/10,300/60,1000/60").split(",");
  for (const cell of matrix) {
    const [n, window] = cell.split("/").map(Number);
    // Stretch time until this process's CPU would be ~25% busy (about 16 ms of CPU per lookup, fake included, measured here).
    const k = Number(process.env.BENCH_STORM_K) || Math.max(1, Math.ceil((n * 16) / (0.25 * window * 1000)));
    const r = await stormRun({ n, windowMs: window * 1000, k, nonLookupMs: lone.nonLookupMs });
    const row = [`${n}/${window}s`, k, r.calls, ((r.calls - r.throttled) / r.n).toFixed(2), r.throttled, (r.p50 / 1000).toFixed(2), (r.p99 / 1000).toFixed(2), pct(r.failed), `${pct(r.sameGen)} ${r.sameGenOf}`, pct(r.complete), r.graphs.map((g) => (g ? "yes" : "NO")).join("/"), pct(r.cpu), `${r.loopP99.toFixed(0)} ms`, r.wallS.toFixed(0)];
    console.log(row.map((c) => String(c).padEnd(10)).join(" "));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await stormBench();

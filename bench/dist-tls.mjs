#!/usr/bin/env node
// The cost of TLS distribution (SPEC 4.10): two real Erlang nodes on loopback, plain TCP against TLS 1.3
// with mutual authentication (-proto_dist inet_tls and an ssl_dist_optfile of the product's shape), in one
// run, taking turns. Connection setup: net_adm:ping until pong, fresh connections; throughput: one-way
// messages with an ack after the last, and small round trips. Runnable alone: node bench/dist-tls.mjs
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, row } from "./lib.mjs";

const ROUNDS = Number(process.env.BENCH_DIST_ROUNDS ?? 3);
const CONNECTS = Number(process.env.BENCH_DIST_CONNECTS ?? 7);
const COOKIE = "bench-dist-cookie";
const SERVER_NAME = "cluster.internal";
const BIG = { n: 2000, size: 65536 };
const SMALL = { n: 20000, size: 100 };
const RTT_N = 5000;

const p90 = (list) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.ceil(0.9 * list.length) - 1)];

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

export async function distTlsBench() {
  try {
    execFileSync("sh", ["-c", "command -v erl && command -v erlc && command -v epmd && command -v openssl"], { stdio: "ignore" });
  } catch {
    console.log("\nDistribution TCP vs TLS: skipped (needs erl, erlc, epmd: apt-get install erlang-base erlang-dev erlang-ssl; and openssl)");
    return;
  }
  const { makeCa, makeNodeCert, distOptfile, removeCerts } = await import("../test/helpers/certs.ts");
  const work = mkdtempSync(join(tmpdir(), "bench-dist-"));
  const children = [];
  try {
    execFileSync("erlc", ["-o", work, new URL("./dist_bench.erl", import.meta.url).pathname]);
    const ca = makeCa("bench-ca");
    const optfile = () => {
      const c = makeNodeCert(ca, { dns: [SERVER_NAME] });
      return distOptfile({ caFile: ca.certFile, certFile: c.certFile, keyFile: c.keyFile, serverName: SERVER_NAME });
    };
    const modes = { tcp: [], tls: ["-proto_dist", "inet_tls", "-ssl_dist_optfile", optfile()] };
    const nearTls = ["-proto_dist", "inet_tls", "-ssl_dist_optfile", optfile()];
    const epmdPort = await freePort();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", ERL_EPMD_PORT: String(epmdPort) };
    const erl = (name, extra, evalText) => ["-noshell", "-noinput", "-start_epmd", "false", "-pa", work, ...extra, "-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-name", `${name}@127.0.0.1`, "-setcookie", COOKIE, "-eval", evalText];
    children.push(spawn("epmd", ["-address", "127.0.0.1", "-port", String(epmdPort)], { env, stdio: "ignore" }));
    await new Promise((r) => setTimeout(r, 200));
    for (const [mode, extra] of Object.entries(modes)) children.push(spawn("erl", erl(`far_${mode}`, extra, "dist_bench:serve()"), { env, stdio: "ignore" }));
    await waitRegistered(env, ["far_tcp", "far_tls"]);
    const results = { tcp: [], tls: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Taking turns, the order swapped each round: a change in the machine's load hits both alike.
      for (const mode of round % 2 ? ["tls", "tcp"] : ["tcp", "tls"]) {
        const near = mode === "tls" ? nearTls : [];
        const out = execFileSync("erl", erl(`near_${mode}_${round}`, near, `dist_bench:run('far_${mode}@127.0.0.1', ${CONNECTS})`), { env, encoding: "utf8", timeout: 300_000 });
        results[mode].push(parse(out));
      }
    }
    report(summarise(results.tcp), summarise(results.tls));
  } finally {
    for (const child of children) child.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
    removeCerts();
  }
}

function parse(out) {
  const m = /setup_us=\[([\d,]*)\] big_us=(\d+) small_us=(\d+) rtt_us=(\d+)/.exec(out);
  if (!m) throw new Error(`unexpected output of the bench node: ${out}`);
  return { setup: m[1].split(",").map(Number), big: Number(m[2]), small: Number(m[3]), rtt: Number(m[4]) };
}

function summarise(runs) {
  const setup = runs.flatMap((r) => r.setup).map((us) => us / 1000);
  return {
    connects: setup.length,
    setupMedian: median(setup),
    setupP90: p90(setup),
    bigMBs: median(runs.map((r) => (BIG.n * BIG.size) / r.big)),
    smallPerS: median(runs.map((r) => (SMALL.n * 1e6) / r.small)),
    rttUs: median(runs.map((r) => r.rtt / RTT_N)),
  };
}

function report(tcp, tls) {
  console.log(`\nDistribution, two Erlang nodes on loopback (OTP ${otp()}): plain TCP vs TLS 1.3 with mutual authentication, ${ROUNDS} rounds taking turns`);
  row(["measure", "TCP", "TLS 1.3", "TLS/TCP"]);
  const ratio = (a, b) => `${(b / a).toFixed(2)}x`;
  row([`connection setup, median of ${tcp.connects} (ms)`, tcp.setupMedian.toFixed(1), tls.setupMedian.toFixed(1), ratio(tcp.setupMedian, tls.setupMedian)]);
  row([`connection setup, p90 (ms)`, tcp.setupP90.toFixed(1), tls.setupP90.toFixed(1), ratio(tcp.setupP90, tls.setupP90)]);
  row([`${BIG.n} x 64 KiB one-way + ack (MB/s)`, tcp.bigMBs.toFixed(0), tls.bigMBs.toFixed(0), ratio(tcp.bigMBs, tls.bigMBs)]);
  row([`${SMALL.n} x 100 B one-way + ack (msgs/s)`, tcp.smallPerS.toFixed(0), tls.smallPerS.toFixed(0), ratio(tcp.smallPerS, tls.smallPerS)]);
  row([`${RTT_N} round trips of 100 B (us each)`, tcp.rttUs.toFixed(1), tls.rttUs.toFixed(1), ratio(tcp.rttUs, tls.rttUs)]);
}

const otp = () => execFileSync("erl", ["-noshell", "-eval", 'io:format("~s", [erlang:system_info(otp_release)]), halt()'], { encoding: "utf8" });

async function waitRegistered(env, names) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    let out = "";
    try {
      out = execFileSync("epmd", ["-names"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch {}
    if (names.every((n) => out.includes(`name ${n} at port`))) return;
    if (Date.now() > deadline) throw new Error(`bench nodes did not register: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await distTlsBench();

// The ECS API calls that EcsPeers' lookups after boot cost a fleet, computed from the module's own
// schedule: its defaults are read from examples/elixir/ecs_peers.ex, and its rule — each wait
// jittered to 0.5–1.5 times its nominal value, the nominal value doubling after every lookup that
// fails or leaves the node alone, from lookup_every (failed) or alone_after (alone) up to lookup_max — is the one
// companion-lookups.e2e.test.ts checks on the running module. Expected values, by simulating many
// nodes with a fixed seed. Print the docs table: node test/e2e/companion-rate.ts
import { readFileSync } from "node:fs";

const SOURCE = readFileSync(new URL("../../examples/elixir/ecs_peers.ex", import.meta.url), "utf8");
/** ListTasks + DescribeTasks: one lookup of a fleet up to 100 tasks (beyond, up to 4: see the docs). */
export const CALLS_PER_LOOKUP = 2;
/** The account's shared ECS bucket refills 20 tokens a second. */
const REFILL_PER_MIN = 1200;
const SAMPLES = 100_000;
const HORIZON_S = 3 * 3600;

export function defaults(): { every: number; max: number; alone: number } {
  const ms = (key: string) => {
    const m = new RegExp(`${key}: ([0-9_]+)`).exec(SOURCE.slice(SOURCE.indexOf("@defaults")));
    if (!m) throw new Error(`no ${key} in the @defaults of ecs_peers.ex`);
    return Number(m[1]!.replace(/_/g, ""));
  };
  return { every: ms("lookup_every"), max: ms("lookup_max"), alone: ms("alone_after") };
}

/** mulberry32: a small seeded PRNG, so that the table is the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lookup times (s) of one node from boot: the first wait nominally `first` (lookup_every after a failed boot lookup, else alone_after), then doubling up to lookup_max. */
function schedule(first: number, d: ReturnType<typeof defaults>, rnd: () => number): number[] {
  const jitter = (ms: number) => ms / 2 + rnd() * ms;
  const times: number[] = [];
  let t = jitter(first);
  for (let delay = first; t < HORIZON_S * 1000; t += jitter(delay)) {
    times.push(t / 1000);
    delay = Math.min(delay * 2, d.max);
  }
  return times;
}

export interface Rate {
  /** Lookups per node in the busiest 60 s. */
  busiest: number;
  firstHour: number;
  /** Lookups per node per minute once every wait is at lookup_max. */
  steady: number;
}

/** `failing`: every lookup fails from boot on (ECS_PEER_LOOKUP=failed); else every node stays alone. */
export function perNode(failing: boolean, every?: number): Rate {
  const d = { ...defaults(), ...(every ? { every } : {}) };
  const rnd = random(failing ? 1 : 2);
  const perSecond = new Float64Array(HORIZON_S);
  let firstHour = 0;
  for (let i = 0; i < SAMPLES; i++) {
    for (const t of schedule(failing ? d.every : d.alone, d, rnd)) {
      perSecond[Math.floor(t)]! += 1 / SAMPLES;
      if (t < 3600) firstHour += 1 / SAMPLES;
    }
  }
  let busiest = 0;
  for (let s = 0, window = 0; s < HORIZON_S; s++) {
    window += perSecond[s]! - (s >= 60 ? perSecond[s - 60]! : 0);
    busiest = Math.max(busiest, window);
  }
  return { busiest, firstHour, steady: 60_000 / d.max };
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

export function table(): string {
  const rows = ["| tasks | case | busiest minute | share of the refill (1,200/min) | first hour | from then on, per minute |", "|---|---|---|---|---|---|"];
  const cases: Array<[boolean, number[], number?]> = [[false, [100, 300, 1000]], [true, [100, 300, 1000]], [true, [1000], 300_000]];
  for (const [failing, sizes, every] of cases) {
    const r = perNode(failing, every);
    for (const n of sizes) {
      const calls = (x: number) => x * n * CALLS_PER_LOOKUP;
      const what = (failing ? "every lookup fails" : "every node stays alone") + (every ? `, \`lookup_every: ${every.toLocaleString("en-US").replace(/,/g, "_")}\`` : "");
      rows.push(`| ${fmt(n)} | ${what} | ${fmt(calls(r.busiest))} calls | ${Math.round((100 * calls(r.busiest)) / REFILL_PER_MIN)} % | ${fmt(calls(r.firstHour))} calls | ${fmt(calls(r.steady))} calls (${Math.round((100 * calls(r.steady)) / REFILL_PER_MIN)} %) |`);
    }
  }
  return rows.join("\n") + "\n";
}

const span = (ms: number) => (ms < 120_000 ? `${ms / 1000} s` : `${ms / 60_000} min`);

/** The nominal waits before each lookup, with their jittered range, until the wait reaches lookup_max. */
export function backoff(): string {
  const d = defaults();
  const column = (first: number) => {
    const waits = [first];
    while (waits.at(-1)! < d.max) waits.push(Math.min(waits.at(-1)! * 2, d.max));
    return waits.map((w) => `${span(w)} (${span(w / 2)}–${span((3 * w) / 2)})`);
  };
  const [failed, alone] = [column(d.every), column(d.alone)];
  const rows = ["| lookup | boot lookup failed, lookups keep failing | node alone (boot lookup worked) |", "|---|---|---|"];
  for (let i = 0; i < Math.max(failed.length, alone.length); i++) {
    const last = i === Math.max(failed.length, alone.length) - 1;
    rows.push(`| ${last ? `${i + 1} and every later one` : i + 1} | ${failed[Math.min(i, failed.length - 1)]} | ${alone[Math.min(i, alone.length - 1)]} |`);
  }
  return rows.join("\n") + "\n";
}

if (import.meta.main) process.stdout.write(`${backoff()}\n${table()}`);

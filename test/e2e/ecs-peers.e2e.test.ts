// EcsPeers on its own (examples/elixir/ecs_peers.ex run with `elixir -r`, nodes in one test
// namespace): what it logs, when it forgets, and when it runs bin/entrypoint peers — with short
// cadences and a stand-in entrypoint script that records its calls (companion-vm.ts).
// The lookups' schedule, kills and output bounds: companion-lookups.e2e.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { execFileSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { COMPANION, count, gaps, IP, node, runA, standIn } from "./companion-vm.ts";
import { netnsUnavailable } from "./netns.ts";
import { runToEnd, sleep } from "./procs.ts";
import { cleanEnv } from "./task.ts";

const unavailable = netnsUnavailable();
const e2e = skipUnless(!unavailable, `network namespaces unavailable (${unavailable}); run it as root with iproute2`, { ci: true });

e2e("not distributed: start_link returns :ignore and says so once", async () => {
  const r = await runToEnd("plain", "elixir", ["-r", COMPANION, "-e", "IO.inspect(EcsPeers.start_link([]), label: :start); Logger.flush()"], cleanEnv({ ECS_PEER_NODES: node("b") }));
  assert.match(r.output, /start: :ignore/);
  assert.is(count(r.output, "EcsPeers: this node is not distributed"), 1, r.output);
});

e2e("a join and a leave are logged once each, silent peers are forgotten once (connected ones never), never a line per retry; a failed boot lookup is retried until one works", async () => {
  const s = standIn(`echo ${node("c")}`);
  try {
    const options = `interval: 200, forget_after: 1500, lookup_every: 700, entrypoint: "${s.entrypoint}"`;
    const out = await runA({ ECS_PEER_NODES: `${node("ghost")},${node("b")}`, ECS_PEER_LOOKUP: "failed" }, options, 7000, {
      during: async (task) => {
        await sleep(1000);
        // b lives for 2.5 s, longer than forget_after: a reaches it from its snapshot, keeps it
        // while connected (not forgotten), then sees it leave and forgets it once.
        await runToEnd("node b", "ip", ["netns", "exec", task.ns, "elixir", "--name", node("b"), "--cookie", "c", "-e", "Process.sleep(2500)"], cleanEnv(), 20_000);
      },
    });
    const name = (n: string) => `EcsPeers: :"${node(n)}"`;
    assert.is(count(out, `${name("b")} joined`), 1, out);
    assert.is(count(out, `${name("b")} left`), 1, out);
    for (const gone of ["ghost", "b", "c"]) assert.is(count(out, `EcsPeers: forgot :"${node(gone)}"`), 1, `${gone}:\n${out}`);
    assert.is(count(out, "EcsPeers: bin/entrypoint peers listed 1 node(s), 1 new"), 1, out);
    assert.is(count(out, "EcsPeers:"), 6, `nothing else, however many retries and lookups:\n${out}`);
    assert.ok(s.lookups().length >= 1, "the failed boot lookup was retried");
    assert.is(s.lookups()[0]!.args, "peers --format lines quiet=1");
  } finally {
    s.cleanup();
  }
});

e2e("a peer whose packets are dropped: every attempt is given up after connect_timeout and the next one sends a fresh SYN", async () => {
  // Frames to the silent address go to a MAC nobody has: dropped without an answer, as in a partition.
  const silent = "10.77.20.9";
  const seen = new Map<string, { first: number; last: number }>();
  await runA({ ECS_PEER_NODES: `ghost@${silent}` }, "interval: 200, connect_timeout: 500", 5000, {
    before: (task) => void execFileSync("ip", ["-n", task.ns, "neigh", "add", silent, "lladdr", "02:00:00:00:00:09", "dev", "eth0", "nud", "permanent"]),
    during: async (task) => {
      // The SYN-SENT sockets towards the silent address, by local port, for 4 s from the first one.
      const sample = () => execFileSync("ip", ["netns", "exec", task.ns, "ss", "-Htn", "state", "syn-sent", "dst", silent], { encoding: "utf8" });
      for (let from = Infinity, giveUp = Date.now() + 20_000; Date.now() < Math.min(from + 4000, giveUp); await sleep(50)) {
        for (const local of sample().split("\n").map((l) => l.trim().split(/\s+/)[2]).filter(Boolean)) {
          from = Math.min(from, Date.now());
          const w = seen.get(local!) ?? { first: Date.now(), last: 0 };
          seen.set(local!, { ...w, last: Date.now() });
        }
      }
    },
  });
  const lives = [...seen.values()].map((s) => s.last - s.first);
  // OTP alone keeps one setup pending for net_setuptime (7 s): one socket, and every retry waits on it.
  assert.ok(seen.size >= 3, `attempts with their own socket in 4 s: ${seen.size} (lived ${lives} ms)`);
  lives.forEach((ms) => assert.ok(ms < 2000, `a socket lived ${ms} ms (all: ${lives})`));
  console.log(`\ne2e EcsPeers, a silent peer (connect_timeout 500): ${seen.size} fresh attempts in 4 s, each socket seen for at most ${Math.max(...lives)} ms`);
});

e2e("the default interval: a known node that is not connected is tried again about every second, never more often", async () => {
  // Times the attempts (one process each) that EcsPeers, started without options, spawns.
  const body = `:erlang.trace(Process.whereis(EcsPeers), true, [:procs, :monotonic_timestamp, {:tracer, self()}])
Process.sleep(4500)
msgs = Stream.repeatedly(fn -> receive do m -> m after 0 -> nil end end) |> Enum.take_while(& &1)
at = for {:trace_ts, _, :spawn, _, _, ts} <- msgs, do: System.convert_time_unit(ts, :native, :millisecond)
IO.puts("gaps: #{Enum.join(Enum.zip_with(Enum.drop(at, 1), at, &-/2), ",")}")`;
  const out = await runA({ ECS_PEER_NODES: node("ghost") }, "", 4500, { body });
  const g = (/gaps: ([\d,]*)/.exec(out)?.[1] ?? "").split(",").filter(Boolean).map(Number);
  // Every 1 s: 4 attempts in 4.5 s (one more if the first round was traced); 3 leave room for a slow machine.
  assert.ok(g.length >= 2, `attempts in 4.5 s: ${g.length + 1} (gaps ${g}):\n${out}`);
  g.forEach((gap) => assert.ok(gap >= 950, `gap ${gap} ms (all: ${g})`));
  console.log(`\ne2e EcsPeers, default interval: attempts ${g.join(", ")} ms apart`);
});

e2e("alone: the first lookup after about alone_after, spread over a fleet, then ever longer waits; peers off at boot: never", async () => {
  const s = standIn(`echo ${node("c")}`);
  try {
    // 16 instances in one VM, each with its own link to the stand-in. lookup_every = alone_after =
    // 300: the old schedule looked up every 300 ms (16 times in 5 s), all at once.
    const links = Array.from({ length: 16 }, (_, i) => join(s.dir, `ep${i}`));
    for (const link of links) symlinkSync(s.entrypoint, link);
    const start = links.map((link, i) => `EcsPeers.start_link(name: :p${i}, interval: 20, forget_after: 60_000, alone_after: 300, lookup_every: 300, lookup_max: 4800, entrypoint: "${link}")`);
    await runA({ ECS_PEER_LOOKUP: "ok" }, `name: :p, entrypoint: "/nonexistent"`, 5000, { body: `${start.join("; ")}; Process.sleep(5000)` });
    const firsts: number[] = [];
    for (const link of links) {
      const ls = s.lookups().filter((l) => l.name === basename(link));
      const g = gaps(ls);
      // Lower bounds only: each wait is at least half its nominal value, and the nominal value doubles.
      g.forEach((gap, i) => assert.ok(gap >= Math.min(300 * 2 ** (i + 1), 4800) / 2 - 5, `${basename(link)} gap ${i + 1}: ${gap} ms (all: ${g})`));
      assert.ok(ls.length >= 2 && ls.length <= 6, `${basename(link)}: lookups while alone for 5 s: ${ls.length} (gaps ${g})`);
      firsts.push(ls[0]!.at);
    }
    assert.ok(Math.max(...firsts) - Math.min(...firsts) > 100, `first lookups spread out: ${firsts.map((f) => f - Math.min(...firsts))}`);
  } finally {
    s.cleanup();
  }
  const off = standIn(`echo ${node("c")}`);
  try {
    await runA({}, `interval: 20, lookup_every: 100, alone_after: 100, entrypoint: "${off.entrypoint}"`, 1500);
    assert.equal(off.lookups(), [], "no ECS_PEER_LOOKUP (peers off): no lookup");
  } finally {
    off.cleanup();
  }
});

e2e("no bin/entrypoint in the image (init container): said once at startup, as info, for ok and failed boot lookups; no lookup", async () => {
  for (const lookup of ["ok", "failed"]) {
    const missing = join("/nonexistent", `ecs-peers-${process.pid}`, "entrypoint");
    const out = await runA({ ECS_PEER_LOOKUP: lookup }, `interval: 20, lookup_every: 60_000, alone_after: 60_000, entrypoint: "${missing}"`, 1000);
    assert.is(count(out, `EcsPeers: no ${missing} in this image`), 1, out);
    assert.match(out, /\[info\] EcsPeers: no \S+ in this image .*reconnecting the nodes it knows.*pass entrypoint: PATH/);
    assert.is(count(out, "EcsPeers:"), 1, `${lookup}: nothing else:\n${out}`);
  }
});

e2e("ECS_PEER_NODES with a 300-character entry and garbage: the node starts, one line names what was skipped, the good entries are kept", async () => {
  const long = `${"x".repeat(290)}@${IP}`;
  const nodes = [node("b"), long, "not a node", "\x1b[31mred@10.0.0.1", "a@b@c", node("b2")].join(",");
  const body = `IO.puts("known: #{inspect(Enum.sort(Map.keys(:sys.get_state(EcsPeers).known)))}"); Process.sleep(500)`;
  const out = await runA({ ECS_PEER_NODES: nodes, ECS_PEER_LOOKUP: "ok" }, `interval: 100, entrypoint: "/nonexistent/entrypoint"`, 1500, { body });
  const skipped = out.split("\n").filter((l) => l.includes("EcsPeers: skipped"));
  assert.is(skipped.length, 1, out);
  assert.match(skipped[0]!, /skipped 6 entries of ECS_PEER_NODES .* e\.g\. "x{100}/);
  assert.not.ok(out.includes("\x1b"), "no raw control character in the log");
  assert.ok(out.includes(`known: [:"${node("b2")}", :"${node("b")}"]`), out);
});

test.run();

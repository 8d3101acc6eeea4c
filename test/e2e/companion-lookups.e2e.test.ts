// EcsPeers' lookups after boot (bin/entrypoint peers, here a stand-in script): jittered, backed off
// up to :lookup_max, a repeated failure logged once, one lookup at a time, an overdue or endless one
// killed with its OS process, and the output bounded and checked before any atom is made.
// Timing assertions are lower bounds (or counts that follow from them); scaled-down cadences.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { count, gaps, IP, node, runA, standIn } from "./companion-vm.ts";
import { netnsUnavailable } from "./netns.ts";
import { pidAlive, sleep } from "./procs.ts";

const unavailable = netnsUnavailable();
const e2e = skipUnless(!unavailable, `network namespaces unavailable (${unavailable}); run it as root with iproute2`, { ci: true });

e2e("failing lookups: jittered, doubling up to lookup_max; a warning, one 'still failing', then silence; one line when it works again", async () => {
  const s = standIn(`[ -e "$(dirname "$0")/works" ] && { echo ${node("c")}; exit 0; }
printf 'entrypoint: warning: peers: ListTasks failed: AccessDeniedException: \\033[31mnot authorized\\n' >&2
exit 1`);
  try {
    let fixedAt = 0;
    const options = `interval: 20, forget_after: 60_000, lookup_every: 100, lookup_max: 400, entrypoint: "${s.entrypoint}"`;
    const out = await runA({ ECS_PEER_LOOKUP: "failed" }, options, 7500, {
      during: async () => {
        await sleep(6000);
        fixedAt = Date.now();
        writeFileSync(join(s.dir, "works"), "");
      },
    });
    const failing = s.lookups().filter((l) => l.at < fixedAt);
    const g = gaps(failing);
    g.forEach((gap, i) => assert.ok(gap >= Math.min(100 * 2 ** (i + 1), 400) / 2 - 5, `gap ${i + 1}: ${gap} ms (all: ${g})`));
    // Capped at 400 (200–600 ms apart): 9 or more in 6 s. Doubling without a cap gives 7 at most.
    assert.ok(failing.length >= 8, `failing lookups in 6 s: ${failing.length} (gaps ${g})`);
    const capped = g.slice(2);
    assert.ok(Math.max(...capped) - Math.min(...capped) > 100, `never periodic: the waits at the cap vary (${capped})`);
    assert.is(count(out, "EcsPeers: bin/entrypoint peers failed (exit 1: "), 1, out);
    assert.ok(out.includes('AccessDeniedException: \\e[31mnot authorized"'), `the reason, escaped:\n${out}`);
    assert.not.ok(out.includes("\x1b"), "no raw control character in the log");
    assert.is(count(out, "EcsPeers: bin/entrypoint peers still failing the same way"), 1, out);
    assert.is(count(out, "EcsPeers: bin/entrypoint peers works again: listed 1 node(s), 1 new"), 1, out);
    assert.is(count(out, "EcsPeers:"), 3, `nothing else, however many lookups:\n${out}`);
  } finally {
    s.cleanup();
  }
});

e2e("connected, then alone again: the lookup comes about alone_after later, spread over a fleet, never at once", async () => {
  const s = standIn("true");
  try {
    // 16 instances connected to b from their start, with due first lookups long past when b
    // stops: each first lookup after that must wait 0.5–1.5 × alone_after, and they must differ.
    const links = Array.from({ length: 16 }, (_, i) => join(s.dir, `ep${i}`));
    for (const link of links) symlinkSync(s.entrypoint, link);
    const start = links.map((link, i) => `EcsPeers.start_link(name: :p${i}, interval: 100, forget_after: 60_000, alone_after: 2000, lookup_every: 2000, entrypoint: "${link}")`);
    const body = `{:ok, peer, b} = :peer.start_link(%{name: :b, host: ~c"${IP}", longnames: true, args: [~c"-setcookie", ~c"c"]})
true = b in Node.list(); ${start.join("; ")}; Process.sleep(3300)
IO.puts("b stops at #{System.os_time(:millisecond)}"); :peer.stop(peer); Process.sleep(3500)`;
    const out = await runA({ ECS_PEER_LOOKUP: "ok" }, `name: :p, entrypoint: "/nonexistent"`, 7000, { body });
    const stop = Number(/b stops at (\d+)/.exec(out)?.[1]);
    assert.ok(stop > 0, out);
    assert.equal(s.lookups().filter((l) => l.at < stop), [], "no lookup while connected");
    const firsts = links.map((link) => s.lookups().find((l) => l.name === basename(link))?.at ?? NaN);
    firsts.forEach((at, i) => assert.ok(at - stop >= 1000 - 20, `ep${i}: first lookup ${at - stop} ms after b stopped (all: ${firsts.map((f) => f - stop)})`));
    const spread = Math.max(...firsts) - Math.min(...firsts);
    assert.ok(spread > 700, `first lookups spread over ${spread} ms: ${firsts.map((f) => f - stop)}`);
    console.log(`\ne2e EcsPeers, alone again (alone_after 2 s, 16 instances): first lookups ${Math.min(...firsts) - stop}–${Math.max(...firsts) - stop} ms after the peer stopped`);
  } finally {
    s.cleanup();
  }
});

e2e("an overdue lookup is killed with its OS process; never two at once; none outlives EcsPeers", async () => {
  const s = standIn("exec sleep 1000");
  try {
    let most = 0;
    const options = `interval: 20, lookup_every: 100, lookup_max: 200, lookup_timeout: 1000, entrypoint: "${s.entrypoint}"`;
    // The release's shutdown stops EcsPeers (GenServer.stop here): the running lookup goes with it.
    // Waits for a running lookup, so that the stop always has one to end.
    const body = "Process.sleep(3500); Enum.find(Stream.repeatedly(fn -> Process.sleep(10); :sys.get_state(EcsPeers).port end), & &1); GenServer.stop(EcsPeers)";
    let left: number[] = [];
    const out = await runA({ ECS_PEER_LOOKUP: "failed" }, options, 4000, {
      body,
      during: async () => {
        for (const until = Date.now() + 4000; Date.now() < until; await sleep(25)) most = Math.max(most, s.lookups().filter((l) => pidAlive(l.pid)).length);
      },
      after: async () => {
        await sleep(200);
        left = s.lookups().filter((l) => pidAlive(l.pid)).map((l) => l.pid);
      },
    });
    const ls = s.lookups();
    assert.ok(ls.length >= 3, `the next lookup starts after the kill: ${ls.length} lookups`);
    assert.is(most, 1, "at most one lookup running at any time");
    assert.equal(left, [], "no lookup outlives EcsPeers, killed or not");
    assert.is(count(out, "EcsPeers: bin/entrypoint peers failed (no answer within 1 s)"), 1, out);
  } finally {
    s.cleanup();
  }
});

e2e("a lookup that prints without end: killed at 1 MiB, the VM's memory stays bounded, EcsPeers keeps running", async () => {
  const s = standIn(`exec yes ${node("c")}`);
  try {
    // Samples the VM's memory for 3 s; stops at 400 MB (the unbounded reader grew ~300 MB/s).
    const body = `top = Enum.reduce(1..30, 0, fn _, top -> Process.sleep(100); m = :erlang.memory(:total); if m > 400_000_000, do: (IO.puts("memory over 400 MB"); System.halt(1)); max(top, m) end)
IO.puts("most memory: #{div(top, 1_000_000)} MB; EcsPeers alive: #{Process.alive?(Process.whereis(EcsPeers))}")`;
    const out = await runA({ ECS_PEER_LOOKUP: "failed" }, `interval: 20, lookup_every: 100, lookup_max: 400, entrypoint: "${s.entrypoint}"`, 3000, { body });
    const m = /most memory: (\d+) MB; EcsPeers alive: true/.exec(out);
    assert.ok(m, out);
    assert.ok(Number(m[1]) < 150, `VM memory ${m[1]} MB`);
    console.log(`\ne2e EcsPeers, a lookup printing without end: the VM's memory peaked at ${m[1]} MB over 3 s (${s.lookups().length} lookups, each killed at 1 MiB)`);
    assert.ok(s.lookups().length >= 2, "lookups went on");
    assert.is(count(out, `EcsPeers: bin/entrypoint peers failed (printed more than 1048576 bytes)`), 1, out);
    assert.equal(s.lookups().filter((l) => pidAlive(l.pid)).length, 0, "every endless printer was killed");
  } finally {
    s.cleanup();
  }
});

e2e("lookup output: garbage skipped with one escaped line, at most 1,000 names taken, the entrypoint's own log lines ignored", async () => {
  const names = Array.from({ length: 1002 }, (_, i) => node(`n${i}`)).join(" ");
  // Prints only on the first call; later lookups list nobody, which is not logged.
  const s = standIn(`[ -e "$(dirname "$0")/done" ] && exit 0; touch "$(dirname "$0")/done"
printf '\\033[31mred@10.0.0.1\\nnot a node\\na@b@c\\n${"x".repeat(290)}@10.0.0.1\\n'
echo "entrypoint: warning: peers: 2 tasks have no address" >&2
printf '%s\\n' ${names}`);
  try {
    const body = `Process.sleep(2000); IO.puts("known: #{map_size(:sys.get_state(EcsPeers).known)}")`;
    const out = await runA({ ECS_PEER_LOOKUP: "failed" }, `interval: 1000, lookup_every: 100, entrypoint: "${s.entrypoint}"`, 2000, { body });
    const skipped = out.split("\n").filter((l) => l.includes("EcsPeers: skipped"));
    assert.is(skipped.length, 1, out);
    assert.ok(skipped[0]!.includes(`skipped 8 entries of bin/entrypoint peers`) && skipped[0]!.endsWith(`e.g. "\\e[31mred@10.0.0.1"`), skipped[0]);
    assert.not.ok(out.includes("\x1b"), "no raw control character in the log");
    assert.is(count(out, "EcsPeers: bin/entrypoint peers listed 1000 node(s), 1000 new"), 1, out);
    assert.ok(out.includes("known: 1000"), out);
  } finally {
    s.cleanup();
  }
});

test.run();

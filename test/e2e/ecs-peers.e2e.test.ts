// EcsPeers on its own (examples/elixir/ecs_peers.ex run with `elixir -r`, nodes in one test
// namespace): what it logs, when it forgets, and when it runs bin/entrypoint peers — with short
// cadences and a stand-in entrypoint script that counts its calls.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNet, destroyNet, netnsUnavailable, type Task } from "./netns.ts";
import { killStarted, runToEnd, sleep } from "./procs.ts";
import { cleanEnv, startEpmd } from "./task.ts";

const unavailable = netnsUnavailable();
const e2e = unavailable ? test.skip : test;
const COMPANION = join(import.meta.dirname, "..", "..", "examples", "elixir", "ecs_peers.ex");
const IP = "10.77.20.2";
const node = (name: string) => `${name}@${IP}`;

let dir = "";
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), "ecs-peers-"));
  // Stands in for bin/entrypoint: records how it was called, prints one node name.
  writeFileSync(join(dir, "entrypoint"), `#!/bin/sh\necho "$* quiet=$ENTRYPOINT_QUIET" >> "${dir}/calls"\necho ${node("c")}\n`);
  chmodSync(join(dir, "entrypoint"), 0o755);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs node `a` with EcsPeers for `ms`, in a namespace with its own epmd; `during` runs alongside. */
async function runA(env: Record<string, string>, options: string, ms: number, during?: (task: Task) => Promise<void>): Promise<string> {
  rmSync(join(dir, "calls"), { force: true });
  const net = createNet("ecsp", [IP]);
  const task = net.tasks[0]!;
  try {
    await startEpmd(task);
    const script = `{:ok, _} = EcsPeers.start_link(${options}, entrypoint: "${dir}/entrypoint"); Process.sleep(${ms}); Logger.flush()`;
    const a = runToEnd("node a", "ip", ["netns", "exec", task.ns, "elixir", "--name", node("a"), "--cookie", "c", "-r", COMPANION, "-e", script], cleanEnv(env), ms + 20_000);
    await during?.(task);
    const out = (await a).output;
    assert.ok(!/\*\* \(|error/i.test(out), out);
    return out;
  } finally {
    killStarted();
    await destroyNet(net);
  }
}

const count = (out: string, text: string) => out.split(text).length - 1;
const calls = () => (existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8").trim().split("\n") : []);

e2e("not distributed: start_link returns :ignore and says so once", async () => {
  const r = await runToEnd("plain", "elixir", ["-r", COMPANION, "-e", "IO.inspect(EcsPeers.start_link([]), label: :start); Logger.flush()"], cleanEnv({ ECS_PEER_NODES: node("b") }));
  assert.match(r.output, /start: :ignore/);
  assert.is(count(r.output, "EcsPeers: this node is not distributed"), 1, r.output);
});

e2e("a join and a leave are logged once each, silent peers are forgotten once, never a line per retry; a failed boot lookup is retried until one works", async () => {
  const out = await runA({ ECS_PEER_NODES: `${node("ghost")},${node("b")}`, ECS_PEER_LOOKUP: "failed" }, "interval: 200, forget_after: 1500, lookup_every: 700", 4500, async (task) => {
    await sleep(1000);
    // b lives for 1 s: a reaches it from its snapshot, then sees it leave.
    await runToEnd("node b", "ip", ["netns", "exec", task.ns, "elixir", "--name", node("b"), "--cookie", "c", "-e", "Process.sleep(1000)"], cleanEnv(), 20_000);
  });
  assert.is(count(out, `EcsPeers: ${node("b")} joined`), 1, out);
  assert.is(count(out, `EcsPeers: ${node("b")} left`), 1, out);
  for (const gone of ["ghost", "b", "c"]) assert.is(count(out, `EcsPeers: forgot ${node(gone)}`), 1, `${gone}:\n${out}`);
  assert.is(count(out, "EcsPeers: bin/entrypoint peers listed 1 node(s)"), 1, out);
  assert.is(count(out, "EcsPeers:"), 6, `nothing else, however many retries:\n${out}`);
  assert.equal(calls(), ["peers --format lines quiet=1"], "one lookup: it worked, so no more");
});

e2e("alone for alone_after: a lookup, then again only after another alone_after; peers off at boot: never", async () => {
  await runA({ ECS_PEER_LOOKUP: "ok" }, "interval: 100, forget_after: 60_000, lookup_every: 100, alone_after: 1000", 3500);
  const alone = calls().length;
  assert.ok(alone >= 2 && alone <= 3, `lookups while alone for 3.5 s with alone_after 1 s: ${alone}`);
  await runA({}, "interval: 100, lookup_every: 100, alone_after: 100", 1500);
  assert.equal(calls(), [], "no ECS_PEER_LOOKUP (peers off): no lookup");
});

test.run();

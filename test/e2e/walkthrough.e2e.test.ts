// The README's "A cluster on ECS in three steps", followed literally: `mix new my_app --sup`, the
// workflow line against the `npm pack` tarball, bin/server, EcsPeers in the children, the task
// definition's environment — then three tasks (network namespaces, one fake ECS) form a cluster.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNet, destroyNet, netnsUnavailable } from "./netns.ts";
import { killStarted, runToEnd, waitForOutput, waitUntil } from "./procs.ts";
import { ecsEnv, startSharedFake } from "./scenario.ts";
import { cleanEnv, COOKIE, startAsPid1, startEpmd, type Running } from "./task.ts";
import { buildWalkthroughApp, taskDefinitionEnv } from "./walkthrough.ts";

const unavailable = netnsUnavailable();
const e2e = skipUnless(!unavailable, `network namespaces unavailable (${unavailable}); run it as root with iproute2`, { ci: true });

const ROOT = join(import.meta.dirname, "..", "..");
const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const node = (ip: string) => `my_app-${SHA}@${ip}`;

let dir = "";
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), "walkthrough-"));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function packTarball(): Promise<string> {
  const r = await runToEnd("npm pack", "sh", ["-c", `cd "$0" && exec npm pack --ignore-scripts --pack-destination "$1"`, ROOT, dir], cleanEnv({ npm_config_cache: join(dir, "pack-cache") }), 60_000);
  assert.is(r.code, 0, r.output);
  return join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz"))!);
}

/** Node.list() of the node at `ip`, asked the way an operator does: bin/entrypoint my_app rpc. */
async function nodeList(release: string, ns: string, ip: string): Promise<string> {
  const env = cleanEnv({ RELEASE_COOKIE: COOKIE, ENTRYPOINT_IP: ip, ENTRYPOINT_QUIET: "1", ...taskDefinitionEnv() });
  const r = await runToEnd("rpc", "ip", ["netns", "exec", ns, join(release, "bin", "entrypoint"), "my_app", "rpc", "IO.puts(Enum.join(Enum.sort(Node.list()), \",\"))"], env);
  return r.code === 0 ? r.output.trim() : `(rpc exit ${r.code}: ${r.output.trim()})`;
}

e2e("README walk-through: mix new --sup + the three steps → a 3-node cluster", async () => {
  const t0 = performance.now();
  const release = await buildWalkthroughApp(dir, await packTarball(), SHA);
  const built = performance.now();
  const net = createNet("walk", ["10.77.40.2", "10.77.40.3", "10.77.40.4"]);
  const running: Running[] = [];
  try {
    await Promise.all(net.tasks.map(startEpmd));
    const fake = await startSharedFake(net);
    // The task definition's environment and secret; ECS adds the metadata URI and the role's credentials.
    const env = cleanEnv({ ...ecsEnv(fake.uri), ENTRYPOINT_PEERS: "off", ...taskDefinitionEnv(), RELEASE_COOKIE: COOKIE });
    assert.is(env.ENTRYPOINT_PEERS, "family", "the README's task definition turns peers on");
    for (const task of net.tasks) {
      const r = await startAsPid1(task, [join(release, "bin", "entrypoint"), "server"], env);
      running.push(r);
      await waitForOutput(r.proc, /entrypoint: node /, 20_000);
    }
    const all = net.tasks.map((t) => node(t.ip));
    for (const [i, task] of net.tasks.entries()) {
      const others = all.filter((n) => n !== node(task.ip)).join(",");
      let seen = "";
      await waitUntil(`${node(task.ip)} connected to the others (last seen: ${seen})`, 30_000, async () => ((seen = await nodeList(release, task.ns, task.ip)) === others ? true : undefined), 300).catch((err: Error) => {
        throw new Error(`${err.message}; Node.list() was ${seen}`);
      });
      assert.match(running[i]!.proc.output(), `entrypoint: peers: ${i} found`);
    }
    const meshed = performance.now();
    console.log(`\ne2e README walk-through: mix new → release built ${((built - t0) / 1000).toFixed(1)} s; first task start → 3-node mesh ${((meshed - running[0]!.startedAt) / 1000).toFixed(1)} s; mix new → cluster ${((meshed - t0) / 1000).toFixed(1)} s`);
    for (const r of running) {
      const end = Promise.race([r.proc.exited, new Promise<undefined>((res) => setTimeout(() => res(undefined), 10_000))]);
      process.kill(r.pid1, "SIGTERM");
      assert.is((await end)?.code, 0, `${r.task.ns} after SIGTERM:\n${r.proc.output()}`);
    }
  } catch (err) {
    for (const r of running) console.error(`--- ${r.task.ns} ---\n${r.proc.output()}`);
    throw err;
  } finally {
    killStarted();
    await destroyNet(net);
  }
});

test.run();

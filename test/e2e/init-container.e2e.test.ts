// End-to-end, the init-container setup (no Node.js in the app image): each "task" is one network
// namespace with two "containers" that share a directory (the task volume). The init container runs
// the bundle (`entrypoint env --output`) and exits 0; then the app container — a release built from
// examples/elixir/rel/env.sh.eex, without bin/entrypoint, with no `node` on its PATH — starts with the
// release's own start script, which sources the file. EcsPeers (in the app) keeps the mesh.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNet, destroyNet, netnsUnavailable, type Net, type Task } from "./netns.ts";
import { appContainerEnv, APP_ONLY, initContainer, nodeFreePath } from "./init-container.ts";
import { killStarted, runToEnd, waitForOutput } from "./procs.ts";
import { ecsEnv, startSharedFake, stopGracefully } from "./scenario.ts";
import { lastCluster, waitMesh, type Member } from "./mesh.ts";
import { buildRelease, nodeOf, startAsPid1, startEpmd } from "./task.ts";

const unavailable = netnsUnavailable();
const e2e = skipUnless(!unavailable, `network namespaces unavailable (${unavailable}); run it as root with iproute2`, { ci: true });

let volumes = "";
test.before(() => {
  volumes = mkdtempSync(join(tmpdir(), "task-volumes-"));
});
test.after(() => rmSync(volumes, { recursive: true, force: true }));

interface AppTask extends Member {
  volume: string;
}

async function withNet<T>(tag: string, addresses: string[], body: (net: Net, ecs: Record<string, string>) => Promise<T>): Promise<T> {
  const net = createNet(tag, addresses);
  try {
    await Promise.all(net.tasks.map(startEpmd));
    const fake = await startSharedFake(net);
    return await body(net, ecsEnv(fake.uri));
  } finally {
    killStarted();
    await destroyNet(net);
  }
}

/** Init container, then app container, as ECS runs a task whose app container dependsOn the init one with SUCCESS. */
async function bootTask(task: Task, ecs: Record<string, string>): Promise<AppTask> {
  const volume = mkdtempSync(join(volumes, "vol-"));
  const init = await initContainer(task, volume, ecs);
  assert.is(init.code, 0, `init container in ${task.ns}:\n${init.output}`);
  const running = await startAsPid1(task, [join(APP_ONLY, "bin", "shop"), "start"], appContainerEnv(volume));
  await waitForOutput(running.proc, /^shop: node /m, 30_000);
  return { ...running, node: nodeOf(task.ip), upAt: performance.now(), volume };
}

e2e("three tasks, each an init container and an app container without node: full mesh with EcsPeers, rpc through env.sh, SIGTERM → 0", async () => {
  await buildRelease();
  const noNode = await runToEnd("command -v node", "sh", ["-c", "command -v node || command -v nodejs"], appContainerEnv(volumes));
  assert.is.not(noNode.code, 0, `the app container's PATH must have no node:\n${noNode.output}`);
  assert.is(nodeFreePath().includes("node_modules"), false);
  await withNet("init", ["10.77.30.2", "10.77.30.3", "10.77.30.4"], async (net, ecs) => {
    const members: AppTask[] = [];
    for (const task of net.tasks) members.push(await bootTask(task, ecs));
    const t0 = members[0]!.startedAt;
    const formed = await waitMesh(members, 30_000);
    console.log(`\ne2e init container (3 tasks): first app start → full mesh ${Math.round(formed - t0)} ms`);
    for (const [k, m] of members.entries()) {
      const earlier = members.slice(0, k).map((e) => e.node).join(",");
      assert.ok(m.proc.output().includes(`shop: node ${m.node} peers [${earlier}]`), `${m.node} got its peers from the file:\n${m.proc.output()}`);
      assert.is(lastCluster(m).split(",").length, 2);
      // No bin/entrypoint in this image: EcsPeers says once that it only reconnects the nodes it knows.
      const noLookup = m.proc.output().split("\n").filter((l) => l.includes("EcsPeers: no ") && l.includes("so no peer lookup after boot"));
      assert.is(noLookup.length, 1, `${m.node}:\n${m.proc.output()}`);
    }
    // The operator's console in the app container: bin/shop rpc, whose env.sh sources the same file.
    const [a] = members;
    const rpc = await runToEnd("rpc", "ip", ["netns", "exec", a!.task.ns, join(APP_ONLY, "bin", "shop"), "rpc", "IO.puts(Enum.join(Enum.sort(Node.list()), \",\"))"], appContainerEnv(a!.volume));
    assert.is(rpc.code, 0, rpc.output);
    assert.is(rpc.output.trim(), members.slice(1).map((m) => m.node).sort().join(","));
    for (const m of members) await stopGracefully(m);
  });
});

e2e("app container without the init container's file: the boot stops with env.sh's one line, exit 78, no VM", async () => {
  await buildRelease();
  const volume = mkdtempSync(join(volumes, "empty-"));
  const r = await runToEnd("app without file", join(APP_ONLY, "bin", "shop"), ["start"], appContainerEnv(volume), 20_000);
  assert.is(r.code, 78, r.output);
  assert.is(r.output.trim().split("\n").length, 1, r.output);
  assert.match(r.output, new RegExp(`^env.sh: ${volume}/release.env is missing`));
  assert.not.match(r.output, /beam|erl_crash|Kernel pid/);
  assert.is(readFileSync(join(APP_ONLY, "releases", "0.1.0", "env.sh"), "utf8"), readFileSync(new URL("../../examples/elixir/rel/env.sh.eex", import.meta.url), "utf8"));
});

test.run();

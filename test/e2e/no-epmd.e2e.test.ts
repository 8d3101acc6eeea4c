// End-to-end, awsvpc without EPMD (SPEC 4.9): tasks started with ENTRYPOINT_EPMD=off and
// ENTRYPOINT_DIST_PORT=9100 form a full mesh with no epmd anywhere — nothing listens on 4369 in any
// task namespace, no epmd process runs, each node has exactly one TCP listener (9100) — `bin/shop rpc`
// through the entrypoint reaches the node, and SIGTERM ends each task with 0. The control: a task
// that keeps EPMD beside one without it cannot reach it, and doctor names the mismatch on both sides.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { createNet, destroyNet, netnsUnavailable } from "./netns.ts";
import { assertNoEpmd, doctorFindings, PORT, RPC_FLAGS, throughEntrypoint, WITHOUT_EPMD } from "./no-epmd.ts";
import { killStarted, waitForOutput, type Proc } from "./procs.ts";
import { ecsEnv, runCluster, startSharedFake, stopGracefully } from "./scenario.ts";
import { buildRelease, nodeList, nodeOf, rpc, startEpmd, startTask, type Running } from "./task.ts";

const unavailable = netnsUnavailable();
const e2e = skipUnless(!unavailable, `network namespaces unavailable (${unavailable}); run it as root with iproute2`, { ci: true });

const ms = (n: number) => `${Math.round(n)} ms`;

e2e("without EPMD: three tasks on port 9100 form a full mesh, nothing on 4369, no epmd process, rpc through the entrypoint, SIGTERM → 0", async () => {
  await buildRelease();
  const addresses = ["10.77.5.2", "10.77.5.3", "10.77.5.4"];
  const times = await runCluster({
    tag: "ne",
    addresses,
    ipv6: false,
    epmd: false,
    env: WITHOUT_EPMD,
    rpcEnv: RPC_FLAGS,
    whileUp: async (running) => {
      for (const r of running) {
        assert.match(r.proc.output(), /entrypoint: distribution without EPMD on port 9100 .*erts=\d[\d.]* erts_from=\S+\/releases\/start_erl\.data/, `${r.task.ns}: the boot names the ERTS version it read`);
      }
      assertNoEpmd(running, "once the mesh has formed");
      const args = await rpc(running[0]!.task, "IO.inspect({:init.get_argument(:start_epmd), :init.get_argument(:erl_epmd_port)})", false, undefined, RPC_FLAGS);
      assert.is(args, `{{:ok, [['false']]}, {:ok, [['${PORT}']]}}`, "the release's VM runs with the OTP 25 flags");
      for (const r of running) {
        const others = addresses.filter((a) => a !== r.task.ip).map(nodeOf).join(",");
        const op = await throughEntrypoint(r.task, ["shop", "rpc", `IO.puts("mesh " <> Enum.join(Enum.sort(Node.list()), ","))`], WITHOUT_EPMD);
        assert.is(op.code, 0, `bin/entrypoint shop rpc in ${r.task.ns}:\n${op.output}`);
        assert.match(op.output, `mesh ${others}\n`, `rpc through the entrypoint in ${r.task.ns}`);
      }
      // The operator's hidden nodes neither started an epmd nor left a listener behind.
      assertNoEpmd(running, "after rpc through the entrypoint");
    },
  });
  console.log(`\ne2e without EPMD (3 tasks): first start → cluster formed ${ms(times.formedMs)} (confirmed by rpc ${ms(times.confirmedMs)}); SIGTERM → exit 0 ${times.stopMs.map(ms).join(", ")}`);
});

e2e("control: a task that keeps EPMD cannot reach a node without it; doctor names the mismatch from both sides", async () => {
  await buildRelease();
  const net = createNet("nc", ["10.77.6.2", "10.77.6.3"]);
  const [without, withEpmd] = net.tasks as [(typeof net.tasks)[0], (typeof net.tasks)[0]];
  const running: Running[] = [];
  let fake: Proc | undefined;
  try {
    await startEpmd(withEpmd);
    const shared = await startSharedFake(net);
    fake = shared.proc;
    // The one-shot connector: EcsPeers' later lookups would blur which side dialed.
    const base = { ...ecsEnv(shared.uri), SHOP_CONNECTOR: "oneshot", ENTRYPOINT_DIST_PORT: PORT };
    running.push(await startTask(without, { ...base, ENTRYPOINT_EPMD: "off" }));
    await waitForOutput(running[0]!.proc, /shop: node /, 30_000);
    running.push(await startTask(withEpmd, base));
    await waitForOutput(running[1]!.proc, new RegExp(`shop: node \\S+ peers \\[${nodeOf(without.ip).replace(/\./g, "\\.")}\\]`), 30_000);

    // With EPMD a node asks the peer's epmd for the port: there is none, so it never dials 9100.
    const fromEpmd = await throughEntrypoint(withEpmd, ["shop", "rpc", `IO.inspect(Node.connect(:"${nodeOf(without.ip)}"))`], { ENTRYPOINT_DIST_PORT: PORT });
    assert.is(fromEpmd.code, 0, fromEpmd.output);
    assert.match(fromEpmd.output, /^false$/m, "the node with EPMD cannot connect to the node without it");
    assert.equal(await nodeList(without, false, undefined, RPC_FLAGS), [], "the node without EPMD stays alone");

    const seenWithout = await doctorFindings(without, withEpmd.ip, WITHOUT_EPMD);
    assert.is(seenWithout.code, 1, JSON.stringify(seenWithout.rows));
    assert.ok(seenWithout.rows.some(([sev, check, msg]) => sev === "fail" && check === "epmd" && /runs with EPMD .* and this task without it: this node reaches it on 9100, but it cannot dial this node/.test(msg!)), JSON.stringify(seenWithout.rows));
    const seenWith = await doctorFindings(withEpmd, without.ip, { ENTRYPOINT_DIST_PORT: PORT });
    assert.is(seenWith.code, 1, JSON.stringify(seenWith.rows));
    assert.ok(seenWith.rows.some(([sev, check, msg]) => sev === "fail" && check === "epmd" && /no epmd at 10\.77\.6\.2:4369 .* a node accepts connections on our pinned port 9100: that task runs without EPMD/.test(msg!)), JSON.stringify(seenWith.rows));

    // The other way works (the node without EPMD dials the one port directly): a mixed cluster half-forms, which is why doctor fails it.
    const fromWithout = await throughEntrypoint(without, ["shop", "rpc", `IO.inspect(Node.connect(:"${nodeOf(withEpmd.ip)}"))`], WITHOUT_EPMD);
    assert.match(fromWithout.output, /^true$/m, fromWithout.output);
    for (const r of running) await stopGracefully(r);
  } catch (err) {
    for (const r of running) console.error(`--- output of ${r.task.ns} ---\n${r.proc.output()}`);
    if (fake) console.error(`--- output of the shared fake ---\n${fake.output()}`);
    throw err;
  } finally {
    killStarted();
    await destroyNet(net);
  }
});

test.run();

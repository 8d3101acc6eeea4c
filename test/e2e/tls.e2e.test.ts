// End-to-end: TLS distribution with mutual authentication (--dist-tls), from PEM text in the
// environment as ECS `secrets` put it there. Three tasks (network namespaces, the real release
// through bin/entrypoint as PID 1, EcsPeers, one fake ECS) form a TLS cluster — one of them with a
// second certificate of the same CA, as during a rotation — and heal after a partition longer than
// net_ticktime; the operator's rpc and remote work through the entrypoint; nodes with a certificate
// of another CA, with none, or speaking plain TCP are refused (and a node with our certificate,
// started the same way, is let in: the controls' control); a capture of the bridge shows no node
// name and no message in clear, where the same capture of two plain nodes shows both. Run alone with
//   npm run build && node test/run.mjs e2e/tls
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { skipUnless } from "../helpers/skip.ts";
import { CLUSTER_NAME, makePki } from "../helpers/tls-pki.ts";
import { renderOptfile } from "../../src/tls/optfile.ts";
import { operatorRemote, subnet } from "./companion-cases.ts";
import { assertMesh, hubLink, lastCluster, ms, reachable, waitMesh, withFleet } from "./mesh.ts";
import { netnsUnavailable } from "./netns.ts";
import { runToEnd, sleep, waitUntil } from "./procs.ts";
import { FAKE_PORT, runCluster } from "./scenario.ts";
import { buildRelease, cleanEnv, COOKIE, RELEASE } from "./task.ts";
import { plainExchange, startCapture, tlsSecrets, tryConnect } from "./tls.ts";

const missingTool = ["openssl", "tcpdump"].find((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
const unavailable = missingTool ? `${missingTool} not found (apt-get install ${missingTool})` : netnsUnavailable();
const e2e = skipUnless(!unavailable, `${unavailable}; run it as root with iproute2, openssl and tcpdump`, { ci: true });

const MARKER = "wire-marker-7f3a";

e2e("three tasks form a TLS cluster over EcsPeers and heal after a partition; rpc and remote work; other CA, no certificate and plain TCP are refused; nothing readable on the wire", async () => {
  await buildRelease();
  const pki = makePki();
  try {
    // TMPDIR: the TLS directories the entrypoint writes go with the test's own files.
    const base = { ELIXIR_ERL_OPTIONS: "-kernel net_ticktime 4", TMPDIR: pki.dir, ...tlsSecrets(pki, pki.node) };
    await withFleet("tls", subnet(50, 3), base, async (f) => {
      const capture = await startCapture(f.net.hub, join(pki.dir, "tls.pcap"), FAKE_PORT);
      // Started together, as a service's tasks are; the third holds another certificate of the same CA.
      const secrets = [{}, {}, tlsSecrets(pki, pki.node2)];
      const group = await Promise.all(f.net.tasks.map(async (task, i) => (await sleep(i * 45), f.boot(task, secrets[i]))));
      const startedAt = Math.min(...group.map((m) => m.startedAt));
      const formedAt = await waitMesh(group);
      // bin/shop rpc run by hand needs only the two flags (the ssl modules are on its path).
      const optfile = `${/distribution over TLS .* dir=(\S+)/.exec(group[0]!.proc.output())![1]}/ssl_dist.conf`;
      const byHand = { ELIXIR_ERL_OPTIONS: `-proto_dist inet_tls -ssl_dist_optfile ${optfile}` };
      await assertMesh(group, byHand);
      for (const m of group) assert.match(m.proc.output(), /entrypoint: distribution over TLS \(tlsv1\.3\), checking the name shop\.cluster\.internal/);
      for (const m of group) assert.not.match(m.proc.output(), /PRIVATE KEY|CERTIFICATE-----/, "no PEM in the log");

      // The operator (ECS Exec: the container's environment, secrets included) through the entrypoint.
      const [a, b] = group as [typeof group[0], typeof group[0]];
      const env = cleanEnv({ ...f.env, RELEASE_COOKIE: COOKIE });
      const call = `IO.puts(:erpc.call(:"${b.node}", String, :upcase, ["${MARKER}"]))`;
      const op = await runToEnd("operator rpc", "ip", ["netns", "exec", a.task.ns, join(RELEASE, "bin", "entrypoint"), "shop", "rpc", call], env);
      assert.is(op.code, 0, op.output);
      assert.ok(op.output.includes(MARKER.toUpperCase()), `a term went a → b → a over TLS:\n${op.output}`);
      await operatorRemote(a, env, f.members.length - 1);

      // The controls dial b from a's namespace with the release's cookie: only the certificate differs.
      const dial = (name: string, control: Parameters<typeof tryConnect>[3]) => tryConnect(a.task.ns, `${name}@${a.task.ip}`, b.node, control, pki.dir);
      const [ours, foreign, none, tcp] = await Promise.all([
        dial("ctl-ours", { kind: "tls", ca: pki.caPath, pair: pki.node }),
        dial("ctl-foreign", { kind: "tls", ca: pki.caPath, pair: pki.foreign }),
        dial("ctl-none", { kind: "tls", ca: pki.caPath }),
        dial("ctl-tcp", { kind: "tcp" }),
      ]);
      assert.equal({ ours, foreign, none, tcp }, { ours: true, foreign: false, none: false, tcp: false });

      const wire = await capture.stop();
      assert.ok(wire.packets > 50, `the capture saw the cluster's traffic (${wire.packets} packets)`);
      for (const clear of [MARKER, MARKER.toUpperCase(), "shop-e2e1", COOKIE]) assert.not.ok(wire.bytes.includes(clear), `${clear} readable on the TLS wire`);

      // Partition: b's link is cut until every side has seen nodedown (net_ticktime 4), then restored.
      hubLink(f, b, "down");
      const cutAt = performance.now();
      const rest = group.filter((m) => m !== b);
      await waitUntil("nodedown on every side", 30_000, () => (lastCluster(b) === "" && rest.every((m) => !lastCluster(m).includes(b.node)) ? true : undefined));
      hubLink(f, b, "up");
      const passingAt = await reachable(f, b);
      const healedAt = await waitMesh(group, 30_000);
      await assertMesh(group, byHand);
      assert.ok(group.every((m) => m.proc.running()), "nothing restarted");
      console.log(
        `\ne2e TLS cluster (3 tasks, EcsPeers, TLS 1.3, one with a rotated certificate): start → full mesh ${ms(formedAt - startedAt)}; ` +
          `partition ${ms(passingAt - cutAt)} → full mesh again ${ms(healedAt - passingAt)} after packets pass; ` +
          `refused: other CA, no certificate, plain TCP (our certificate: let in); capture: ${wire.packets} packets, no marker, node name or cookie`,
      );
    });
    // The control of the capture: two plain-TCP nodes, the same kind of call, the same capture.
    await withFleet("tcp", subnet(51, 2), {}, async (f) => {
      const capture = await startCapture(f.net.hub, join(pki.dir, "tcp.pcap"), FAKE_PORT);
      const [x, y] = f.net.tasks as [(typeof f.net.tasks)[0], (typeof f.net.tasks)[0]];
      assert.ok((await plainExchange(x, y, MARKER)).includes(MARKER.toUpperCase()));
      const wire = await capture.stop();
      assert.ok(wire.bytes.includes(MARKER), `the message in clear on a plain wire (${wire.packets} packets, node name seen: ${wire.bytes.includes("plain-b@")})`);
      assert.ok(wire.bytes.includes(`plain-b@${y.ip}`), "the node name in clear on a plain wire");
      // The handshake sends a digest of the cookie, never the cookie: absent on both wires.
      assert.not.ok(wire.bytes.includes(COOKIE));
      console.log(`e2e TLS control: the plain-TCP capture (${wire.packets} packets) shows the message and the node name`);
    });
  } finally {
    rmSync(pki.dir, { recursive: true, force: true });
  }
});

e2e("IPv6: two tasks form a TLS cluster over inet6_tls; a bin/shop rpc by hand reaches them with its own optfile", async () => {
  await buildRelease();
  const pki = makePki();
  try {
    // What the docs show for rpc without the entrypoint: the two flags and an optfile with our certificate.
    const optfile = join(pki.dir, "rpc.conf");
    writeFileSync(optfile, renderOptfile({ ca: pki.caPath, cert: pki.node.certPath, key: pki.node.keyPath }, { serverName: CLUSTER_NAME, versions: ["tlsv1.3"] }));
    const times = await runCluster({
      tag: "tls6",
      addresses: ["fd00:77:52::2", "fd00:77:52::3"],
      ipv6: true,
      env: { TMPDIR: pki.dir, ...tlsSecrets(pki, pki.node) },
      rpcEnv: { ELIXIR_ERL_OPTIONS: `-proto_dist inet6_tls -ssl_dist_optfile ${optfile}` },
      whileUp: (running) => {
        for (const r of running) assert.match(r.proc.output(), /entrypoint: distribution over TLS/);
      },
    });
    console.log(`e2e TLS over IPv6 (2 tasks): first start → cluster ${ms(times.formedMs)}, confirmed over rpc ${ms(times.confirmedMs)}`);
  } finally {
    rmSync(pki.dir, { recursive: true, force: true });
  }
});

test.run();

// End-to-end: a real Elixir release (test/e2e/app), started through the bundled entrypoint the
// way an ECS task starts it, gets its node name from (fake) task metadata, finds the tasks started
// before it with `--peers family` (ListTasks/DescribeTasks against the same fake), clusters over
// IPv4 and IPv6, and exits 0 on SIGTERM. Each task runs in its own network namespace (private
// addresses 10.77.0.x / fd00:77::x that exist only there) as PID 1 of its own PID namespace.
//
// Run alone (as root, with Debian's elixir, erlang-base, iproute2, curl and jq installed):
//   export PATH=/work/main/node_modules/.bin:$PATH   # Node 24
//   npm run build && node test/run.mjs e2e
// It builds the release around ./entrypoint itself (test/e2e/build-release.sh, output in
// test/e2e/app/_build/), about 35 s in all. Without root or `ip netns` it is skipped, loudly.
// The timings it prints (start → cluster formed, SIGTERM → exit) are what the README quotes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { netnsUnavailable, listeners } from "./netns.ts";
import { observeOldScript } from "./old-script.ts";
import { runCluster, type ClusterTimes } from "./scenario.ts";
import { join } from "node:path";
import { runToEnd } from "./procs.ts";
import { buildRelease, cleanEnv, COOKIE, nodeOf, RELEASE, rpc } from "./task.ts";

const unavailable = netnsUnavailable();
const e2e = skipUnless(!unavailable, `network namespaces unavailable (${unavailable}); run it as root with iproute2`, { ci: true });

const ms = (n: number) => `${Math.round(n)} ms`;
const report = (what: string, t: ClusterTimes) =>
  console.log(
    `\ne2e ${what}: first start → cluster formed ${ms(t.formedMs)} (last task started at ${ms(t.lastStartMs)}; confirmed by rpc ${ms(t.confirmedMs)}); SIGTERM → exit 0 ${t.stopMs.map(ms).join(", ")}`,
  );

e2e("IPv4: three tasks get node names from metadata, find each other (--peers family), cluster, and exit 0 on SIGTERM", async () => {
  await buildRelease();
  report("IPv4 (3 tasks)", await runCluster({ tag: "v4", addresses: ["10.77.0.2", "10.77.0.3", "10.77.0.4"], ipv6: false }));
});

e2e("IPv6 only: the entrypoint picks the IPv6 address, finds the IPv6 peers and sets -proto_dist inet6_tcp", async () => {
  await buildRelease();
  const times = await runCluster({
    tag: "v6",
    addresses: ["fd00:77::2", "fd00:77::3"],
    ipv6: true,
    whileUp: async (running) => {
      const dist = await rpc(running[0]!.task, "IO.inspect(:init.get_argument(:proto_dist))", true);
      assert.match(dist, /inet6_tcp/, "the VM should run with -proto_dist inet6_tcp");
    },
  });
  report("IPv6 (2 tasks)", times);
});

e2e("--dist-port 9100: distribution listens on 9100 only, next to epmd, and still clusters", async () => {
  await buildRelease();
  const times = await runCluster({
    tag: "dp",
    addresses: ["10.77.1.2", "10.77.1.3"],
    ipv6: false,
    env: { ENTRYPOINT_DIST_PORT: "9100" },
    whileUp: async (running) => {
      running.forEach((r) => {
        // The fake metadata endpoint lives in the hub namespace, so only the task's own listeners show.
        const ports = listeners(r.task.ns);
        const seen = [...new Set(ports.map(([port, name]) => `${port}/${name}`))].sort();
        assert.equal(seen, ["4369/epmd", "9100/beam.smp"], `TCP listeners in ${r.task.ns}`);
      });
      // The operator's hidden node leaves the release's pinned port alone (else: eaddrinuse) and still reaches it.
      const [a, b] = running;
      const op = await runToEnd("operator rpc", "ip", ["netns", "exec", a!.task.ns, join(RELEASE, "bin", "entrypoint"), "shop", "rpc", "IO.inspect(Node.list())"], cleanEnv({ RELEASE_COOKIE: COOKIE, ENTRYPOINT_IP: a!.task.ip, ENTRYPOINT_DIST_PORT: "9100" }));
      assert.ok(op.code === 0 && op.output.includes(`:"${nodeOf(b!.task.ip)}"`), `rpc next to a release on the pinned port 9100:\n${op.output}`);
    },
  });
  report("--dist-port 9100 (2 tasks)", times);
});

e2e("the old shell script as PID 1 does not pass SIGTERM on (recorded, not required)", async () => {
  await buildRelease();
  const seen = await observeOldScript("10.77.2.2");
  console.log(`\ne2e ${seen.text}`);
});

test.run();

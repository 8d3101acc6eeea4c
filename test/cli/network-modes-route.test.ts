// Host mode's last source, the local address of the route out of the instance, inside a network
// namespace this test creates (an "instance" with 10.66.0.5 and a default route): the route lookup
// sends no packet, and nothing here touches the host's own network.
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { netnsUnavailable } from "../e2e/netns.ts";
import { startFakeInstance, type FakeInstance } from "../helpers/fake-instance.ts";
import { ENTRYPOINT, FIXTURES, runProgram } from "../helpers/run.ts";
import { skipUnless } from "../helpers/skip.ts";

const ns = `modes-route-${process.pid}`;
const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] });
const skip = netnsUnavailable();
const test = skipUnless(!skip, `network namespaces: ${skip}`, { ci: true });
let fake: FakeInstance | undefined;

test.before(async () => {
  if (skip) return;
  ip("netns", "add", ns);
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
  ip("-n", ns, "addr", "add", "10.66.0.5/24", "dev", "eth0");
  ip("-n", ns, "link", "set", "eth0", "up");
  ip("-n", ns, "link", "set", "eth1", "up");
  // The metadata file never turns READY and IMDS is off (the helpers' default): only the route is left.
  fake = await startFakeInstance(["--network-mode", "host", "--metadata-file-delay", "never"], ns);
});
test.after(async () => {
  await fake?.stop();
  if (!skip) ip("netns", "del", ns);
});

const bootInside = (mode: string[] = []) =>
  runProgram("ip", ["netns", "exec", ns, ENTRYPOINT, "--app", "shop", "--dist-port", "9100", "--metadata-timeout", "300", ...mode, `${FIXTURES}/show-env`, "RELEASE_NODE"], { env: fake!.vars });

test("host mode, no metadata file and no IMDS: the address of the default route's interface", async () => {
  ip("-n", ns, "route", "replace", "default", "via", "10.66.0.1", "dev", "eth0");
  const r = await bootInside();
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "RELEASE_NODE=shop@10.66.0.5\n");
  assert.match(r.stderr, "ip_from=route");
});

test("host mode, and no route out either: exit 69 naming each source tried, why, and the fixes", async () => {
  ip("-n", ns, "route", "flush", "default");
  const r = await bootInside();
  assert.is(r.code, 69, r.stderr);
  const line = r.stderr.trim().split("\n").pop()!;
  assert.match(line, "network mode host: no source gave the container instance's private IPv4 address (--ip: not given; metadata-file ");
  assert.match(line, 'MetadataFileStatus is "NOT_READY", not READY');
  assert.match(line, "imds: switched off by AWS_EC2_METADATA_DISABLED=true");
  assert.match(line, /route: no route to 192\.0\.2\.1[;:)]/, line);
  assert.match(line, "pass --ip (ENTRYPOINT_IP) with the instance's private IP");
});

test.run();

// doctor --peer: another task's IP, or (bridge mode, dynamic host ports) a node name that carries its port.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parsePeerArg, uniquePeers } from "../../../src/doctor/peer-arg.ts";

const cases: [string, string, ReturnType<typeof parsePeerArg> | RegExp][] = [
  ["an IPv4 address", "10.0.1.44", { ip: "10.0.1.44" }],
  ["an IPv6 address, made canonical", "fd00:0::4", { ip: "fd00::4" }],
  ["a port-carrying node name", "shop-e2e1-32769@10.0.1.44", { ip: "10.0.1.44", name: "shop-e2e1-32769@10.0.1.44", port: 32769 }],
  ["a node name over IPv6 is written canonically", "shop-32769@fd00:0::4", { ip: "fd00::4", name: "shop-32769@fd00::4", port: 32769 }],
  ["a node name without a port", "shop-e2e1@10.0.1.44", /a node name that carries its published port, <basename>-<port>@<ip> \(or just the IP\), got "shop-e2e1@10\.0\.1\.44"/],
  ["a port beyond 65535", "shop-70000@10.0.1.44", /carries its published port/],
  ["a host name", "shop-32769@ip-10-0-1-44", /the IPv4 or IPv6 address of another task, got "shop-32769@ip-10-0-1-44"; in bridge mode with dynamic host ports, its node name such as shop-32769@10\.0\.1\.44$/],
  ["garbage", "nope", /got "nope"/],
];
for (const [name, text, want] of cases) {
  test(`parsePeerArg: ${name}`, () => {
    if (!(want instanceof RegExp)) return assert.equal(parsePeerArg(text), want);
    try {
      parsePeerArg(text);
      assert.unreachable("should be a config error");
    } catch (err) {
      assert.is((err as { exitCode?: number }).exitCode, 78);
      assert.match((err as Error).message, want);
    }
  });
}

test("uniquePeers: one IP may hold several nodes on their own ports; repeats are dropped", () => {
  const peers = ["10.0.1.44", "shop-32768@10.0.1.44", "shop-32769@10.0.1.44", "shop-32769@10.0.1.44", "10.0.1.44"].map(parsePeerArg);
  assert.equal(uniquePeers(peers).map((p) => p.port ?? "ip"), ["ip", 32768, 32769]);
});

test.run();

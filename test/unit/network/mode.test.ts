// bridge and host mode from the container document (SPEC 4.9): the network mode, and in bridge mode
// the host port that publishes the one distribution port (pure, table-driven).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isEntrypointError } from "../../../src/errors.ts";
import { bridgePublished, isDynamic, isInstanceMode, networkModeOf } from "../../../src/network/mode.ts";

const modes: [string, unknown, string | undefined][] = [
  ["awsvpc", { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["10.0.0.5"] }] }, "awsvpc"],
  ["bridge", { Networks: [{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.2"] }] }, "bridge"],
  ["host (no address)", { Networks: [{ NetworkMode: "host" }] }, "host"],
  ["the first network decides", { Networks: [{ NetworkMode: "awsvpc" }, { NetworkMode: "host" }] }, "awsvpc"],
  ["no Networks", { DockerId: "x" }, undefined],
  ["a NetworkMode that is not a string", { Networks: [{ NetworkMode: ["bridge"] }] }, undefined],
  ["a network that is null", { Networks: [null] }, undefined],
  ["not an object", null, undefined],
];
for (const [name, doc, mode] of modes) {
  test(`networkModeOf: ${name}`, () => assert.is(networkModeOf(doc), mode));
}

test("isInstanceMode: bridge and host only", () => {
  assert.equal(["awsvpc", "bridge", "host", "none", undefined].map(isInstanceMode), [false, true, true, false, false]);
});

const ONE = { min: 9100, max: 9100 };
const ports = (...entries: unknown[]) => ({ Networks: [{ NetworkMode: "bridge" }], Ports: entries });
const mapped = (ContainerPort: unknown, HostPort: unknown, Protocol?: unknown) => ({ ContainerPort, HostPort, ...(Protocol === undefined ? {} : { Protocol }), HostIp: "0.0.0.0" });
const LINE = '{"containerPort": 9100, "hostPort": 9100, "protocol": "tcp"}';

const published: [string, unknown, { min: number; max: number } | undefined, number | RegExp][] = [
  ["a static mapping", ports(mapped(9100, 9100, "tcp")), ONE, 9100],
  ["Protocol left out means tcp", ports(mapped(9100, 9100)), ONE, 9100],
  ["Protocol in capitals", ports(mapped(9100, 9100, "TCP")), ONE, 9100],
  ["the right entry among others", ports(mapped(80, 32768, "tcp"), mapped(9100, 9100, "tcp")), ONE, 9100],
  ["no --dist-port", ports(mapped(9100, 9100)), undefined, new RegExp(`set ENTRYPOINT_DIST_PORT=9100 \\(or --dist-port 9100\\) and add to the container's portMappings ${escape(LINE)}`)],
  ["a range", ports(mapped(9100, 9100)), { min: 9100, max: 9105 }, /is the range 9100-9105; a port mapping publishes one port/],
  ["no Ports at all (an init container)", { Networks: [{ NetworkMode: "bridge" }] }, ONE, new RegExp(`no port mapping of this container publishes the distribution port 9100 \\(it has none\\); add .*${escape(LINE)} or, for a dynamic host port, "hostPort": 0; an init container cannot learn the app container's published port: in bridge mode run the entrypoint in the app container$`)],
  ["only other ports", ports(mapped(80, 32768, "tcp")), ONE, /\(it has 80→32768\/tcp\); add [^;]*"hostPort": 0$/],
  ["the port over udp only", ports(mapped(9100, 9100, "udp")), ONE, /\(it has 9100→9100\/udp\)/],
  ["a dynamic host port", ports(mapped(9100, 32768, "tcp")), ONE, 32768],
  ["a HostPort that is not a number", ports(mapped(9100, "9100", "tcp")), ONE, /no usable HostPort \(9100\)/],
  ["a HostPort of 0", ports(mapped(9100, 0, "tcp")), ONE, /no usable HostPort \(0\)/],
  ["control characters in a Protocol are escaped", ports(mapped(80, 80, "tcp\n")), ONE, /80→80\/tcp\\n/],
];
for (const [name, doc, distPort, want] of published) {
  test(`bridgePublished: ${name}`, () => {
    if (typeof want === "number") return assert.equal(bridgePublished(doc, distPort), { containerPort: 9100, hostPort: want });
    try {
      bridgePublished(doc, distPort);
      assert.unreachable("should have thrown");
    } catch (err) {
      assert.ok(isEntrypointError(err) && err.exitCode === 78, String(err));
      assert.match((err as Error).message, want);
      assert.not.match((err as Error).message, "\n");
    }
  });
}

test("isDynamic: a host port other than the container port", () => {
  assert.equal([undefined, { containerPort: 9100, hostPort: 9100 }, { containerPort: 9100, hostPort: 32768 }].map(isDynamic), [false, false, true]);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { containerInstancesOf, hostPortOf, instanceMembers, memberName, peerPort, type InstanceNaming } from "../../../src/peers/bindings.ts";
import type { EcsTask, NetworkBinding } from "../../../src/peers/filter.ts";
import { namingOf } from "../../../src/peers/instance-peers.ts";

const bind = (containerPort: number, hostPort: number, protocol = "tcp"): NetworkBinding => ({ bindIP: "0.0.0.0", containerPort, hostPort, protocol });
const task = (arn: string, ci: string | undefined, bindings: NetworkBinding[], extra: Partial<EcsTask> = {}): EcsTask => ({
  taskArn: arn,
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  containerInstanceArn: ci,
  containers: [{ networkBindings: [] }, { networkBindings: bindings }],
  ...extra,
});

const STATIC: InstanceNaming = { networkMode: "bridge", distPort: 9100, dynamic: false };
const DYNAMIC: InstanceNaming = { networkMode: "bridge", distPort: 9100, dynamic: true };
const HOST: InstanceNaming = { networkMode: "host", distPort: 9100, dynamic: false };

const hostPorts: [string, NetworkBinding[], number | undefined][] = [
  ["the distribution port's tcp binding, in any container", [bind(4000, 4000), bind(9100, 32768)], 32768],
  ["protocol missing counts as tcp", [{ containerPort: 9100, hostPort: 9100 }], 9100],
  ["TCP in capitals", [bind(9100, 9100, "TCP")], 9100],
  ["udp only", [bind(9100, 9100, "udp")], undefined],
  ["another port only", [bind(4369, 4369)], undefined],
  ["hostPort 0 (not yet assigned)", [bind(9100, 0)], undefined],
  ["hostPort out of range", [bind(9100, 70000)], undefined],
  ["none", [], undefined],
];
for (const [name, bindings, want] of hostPorts) test(`hostPortOf: ${name}`, () => assert.is(hostPortOf(task("a", "ci", bindings), 9100), want));

const ports: [string, InstanceNaming, NetworkBinding[], object][] = [
  ["host mode needs no binding", HOST, [], {}],
  ["bridge: the binding's host port", STATIC, [bind(9100, 9100)], { port: 9100 }],
  ["bridge without the binding: skipped", STATIC, [bind(4000, 4000)], { skip: "no networkBindings entry for container port 9100/tcp" }],
  ["bridge without a distribution port: skipped", { ...STATIC, distPort: undefined }, [bind(9100, 9100)], { skip: "no distribution port" }],
];
for (const [name, naming, bindings, want] of ports) test(`peerPort: ${name}`, () => assert.equal(peerPort(task("a", "ci", bindings), naming), want));

const names: [string, InstanceNaming, number | undefined, string][] = [
  ["host mode", HOST, undefined, "shop@10.0.0.5"],
  ["bridge, static port", STATIC, 9100, "shop@10.0.0.5"],
  ["bridge, dynamic port: the port in the name", DYNAMIC, 32768, "shop-32768@10.0.0.5"],
];
for (const [name, naming, port, want] of names) test(`memberName: ${name}`, () => assert.is(memberName("shop", "10.0.0.5", port, naming), want));

const namings: [string, Parameters<typeof namingOf>[0], number | undefined, InstanceNaming | undefined][] = [
  ["awsvpc", { networkMode: "awsvpc" }, 9100, undefined],
  ["no mode (--ip)", {}, undefined, undefined],
  ["host, pinned port", { networkMode: "host" }, 9100, HOST],
  ["host, no port", { networkMode: "host" }, undefined, { networkMode: "host", distPort: undefined, dynamic: false }],
  ["bridge, static", { networkMode: "bridge", published: { containerPort: 9100, hostPort: 9100 } }, 9100, STATIC],
  ["bridge, dynamic", { networkMode: "bridge", published: { containerPort: 9100, hostPort: 32768 } }, 9100, DYNAMIC],
];
for (const [name, self, port, want] of namings) test(`namingOf: ${name}`, () => assert.equal(namingOf(self, port), want));

const IP: Record<string, string> = { ci1: "10.0.0.5", ci2: "10.0.0.10", ci3: "10.0.0.9" };
const ipOf = (arn: string) => IP[arn];

test("instanceMembers, dynamic: names with ports, two per instance, ours left out by ARN, sorted by address then port", () => {
  const tasks = [
    task("me", "ci1", [bind(9100, 32768)]),
    task("b", "ci2", [bind(9100, 32771)]),
    task("c", "ci1", [bind(9100, 32769)]),
    task("d", "ci2", [bind(9100, 32770)]),
    task("e", "ci3", [bind(9100, 32768)]),
  ];
  const got = instanceMembers(tasks, { taskArn: "me", node: "shop-32768@10.0.0.5" }, ipOf, DYNAMIC, "shop", () => {});
  assert.equal(got.members.map((m) => m.node), ["shop-32769@10.0.0.5", "shop-32768@10.0.0.9", "shop-32770@10.0.0.10", "shop-32771@10.0.0.10"]);
  assert.equal([got.unbound, got.unplaced], [0, 0]);
});

test("instanceMembers: our own task is left out by its ARN even when our node name is unknown", () => {
  const got = instanceMembers([task("me", "ci1", [bind(9100, 32768)]), task("b", "ci1", [bind(9100, 32769)])], { taskArn: "me" }, ipOf, DYNAMIC, "shop", () => {});
  assert.equal(got.members.map((m) => m.node), ["shop-32769@10.0.0.5"]);
});

test("instanceMembers, host: one node per instance (de-duplicated), our node left out, dead and unplaced tasks skipped", () => {
  const debug: string[] = [];
  const tasks = [
    task("a", "ci2", []),
    task("b", "ci2", []),
    task("c", "ci1", []),
    task("gone", "ci3", [], { lastStatus: "STOPPED", desiredStatus: "STOPPED" }),
    task("nowhere", "ci9", []),
    task("fargate", undefined, []),
  ];
  const got = instanceMembers(tasks, { taskArn: "me", node: "shop@10.0.0.5" }, ipOf, HOST, "shop", (msg) => debug.push(msg));
  assert.equal(got.members, [{ ip: "10.0.0.10", node: "shop@10.0.0.10" }]);
  assert.equal([got.unbound, got.unplaced], [0, 2]);
  assert.is(debug.length, 2);
});

test("instanceMembers, bridge: tasks without the binding counted and skipped", () => {
  const got = instanceMembers([task("a", "ci2", [bind(4000, 4000)]), task("b", "ci3", [bind(9100, 9100)])], { taskArn: "me" }, ipOf, STATIC, "shop", () => {});
  assert.equal(got.members, [{ ip: "10.0.0.9", node: "shop@10.0.0.9" }]);
  assert.is(got.unbound, 1);
});

test("containerInstancesOf: distinct, live, not ours, only tasks that can be peers, at most max", () => {
  const tasks = [task("me", "ci0", [bind(9100, 9100)]), task("a", "ci1", [bind(9100, 9100)]), task("b", "ci1", [bind(9100, 9100)]), task("c", "ci2", []), task("d", "ci3", [bind(9100, 9100)]), task("e", "ci4", [bind(9100, 9100)])];
  assert.equal(containerInstancesOf(tasks, "me", STATIC, 2), ["ci1", "ci3"]);
  assert.equal(containerInstancesOf(tasks, "me", HOST, 10), ["ci1", "ci2", "ci3", "ci4"]);
});

test.run();

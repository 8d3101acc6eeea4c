import { test } from "uvu";
import * as assert from "uvu/assert";
import { arnParts, chunks, groupByCluster, ipSortKey, isLive, peerIps, taskIp, type EcsTask } from "../../../src/peers/filter.ts";

const eni = (v4?: string, v6?: string) => [{ type: "ElasticNetworkInterface", details: [...(v4 ? [{ name: "privateIPv4Address", value: v4 }] : []), ...(v6 ? [{ name: "ipv6Address", value: v6 }] : [])] }];
const task = (arn: string, extra: Partial<EcsTask> = {}): EcsTask => ({ taskArn: arn, lastStatus: "RUNNING", desiredStatus: "RUNNING", ...extra });

const live: [string, Partial<EcsTask>, boolean][] = [
  ["running", { lastStatus: "RUNNING", desiredStatus: "RUNNING" }, true],
  ["provisioning", { lastStatus: "PROVISIONING", desiredStatus: "RUNNING" }, true],
  ["pending", { lastStatus: "PENDING", desiredStatus: "RUNNING" }, true],
  ["stopping", { lastStatus: "STOPPING", desiredStatus: "RUNNING" }, false],
  ["deprovisioning", { lastStatus: "DEPROVISIONING", desiredStatus: "STOPPED" }, false],
  ["stopped", { lastStatus: "STOPPED", desiredStatus: "STOPPED" }, false],
  ["desired stopped", { lastStatus: "RUNNING", desiredStatus: "STOPPED" }, false],
];
for (const [name, status, want] of live) test(`isLive: ${name}`, () => assert.is(isLive(task("a", status)), want));

const ips: [string, EcsTask, 4 | 6, string | undefined][] = [
  ["ENI IPv4", task("a", { attachments: eni("10.0.0.4") }), 4, "10.0.0.4"],
  ["ENI IPv6, canonical", task("a", { attachments: eni("10.0.0.4", "FD00:0:0:0:0:0:0:4") }), 6, "fd00::4"],
  ["container interface when no ENI", task("a", { containers: [{ networkInterfaces: [{ privateIpv4Address: "10.0.0.5" }] }] }), 4, "10.0.0.5"],
  ["ENI wins over containers", task("a", { attachments: eni("10.0.0.4"), containers: [{ networkInterfaces: [{ privateIpv4Address: "10.0.0.5" }] }] }), 4, "10.0.0.4"],
  ["no address of the family", task("a", { attachments: eni("10.0.0.4") }), 6, undefined],
  ["nothing", task("a"), 4, undefined],
];
for (const [name, t, family, want] of ips) test(`taskIp: ${name}`, () => assert.is(taskIp(t, family), want));

test("peerIps: live only, deduped, self left out by IP and by ARN, sorted numerically", () => {
  const tasks = [
    task("t1", { attachments: eni("10.0.0.10") }),
    task("t2", { attachments: eni("10.0.0.9") }),
    task("t3", { attachments: eni("10.0.0.9") }),
    task("t4", { attachments: eni("10.0.0.2"), lastStatus: "STOPPED", desiredStatus: "STOPPED" }),
    task("self", { attachments: eni("10.0.0.50") }),
    task("t5", { attachments: eni("10.0.0.1") }),
    task("t6"),
  ];
  assert.equal(peerIps(tasks, { ip: "10.0.0.1", taskArn: "self", family: 4 }), ["10.0.0.9", "10.0.0.10"]);
});

const keys: [string, string][] = [
  ["10.0.0.9", "010.000.000.009"],
  ["fd00::2", "fd00:0000:0000:0000:0000:0000:0000:0002"],
  ["fd00:1::", "fd00:0001:0000:0000:0000:0000:0000:0000"],
  ["::1", "0000:0000:0000:0000:0000:0000:0000:0001"],
  ["2001:db8:0:0:1:0:0:1", "2001:0db8:0000:0000:0001:0000:0000:0001"],
];
for (const [ip, key] of keys) test(`ipSortKey(${ip})`, () => assert.is(ipSortKey(ip), key));

test("peerIps sorts IPv6 numerically", () => {
  const tasks = ["fd00::10", "fd00::2", "fd00:0:0:1::1"].map((ip, i) => task(`t${i}`, { attachments: eni(undefined, ip) }));
  assert.equal(peerIps(tasks, { family: 6 }), ["fd00::2", "fd00::10", "fd00:0:0:1::1"]);
});

test("arnParts and groupByCluster", () => {
  assert.equal(arnParts("arn:aws:ecs:eu-west-1:123456789012:task/blue/abc"), { region: "eu-west-1", cluster: "blue" });
  assert.equal(arnParts("arn:aws:ecs:eu-west-1:123456789012:task/abc"), { region: "eu-west-1", cluster: undefined });
  const groups = groupByCluster(["arn:aws:ecs:r:1:task/blue/a", "arn:aws:ecs:r:1:task/green/b", "arn:aws:ecs:r:1:task/old", "arn:aws:ecs:r:1:task/blue/c"], "dflt");
  assert.equal([...groups], [["blue", ["arn:aws:ecs:r:1:task/blue/a", "arn:aws:ecs:r:1:task/blue/c"]], ["green", ["arn:aws:ecs:r:1:task/green/b"]], ["dflt", ["arn:aws:ecs:r:1:task/old"]]]);
});

test("chunks of at most 100", () => {
  assert.equal(chunks([...Array(250).keys()], 100).map((c) => c.length), [100, 100, 50]);
  assert.equal(chunks([], 100), []);
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { MAX_ARN_CHARS, taskProblem, usableArn } from "../../../src/peers/shape.ts";

const arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123";
const ok = { taskArn: arn, lastStatus: "RUNNING", desiredStatus: "RUNNING", attachments: [{ type: "ElasticNetworkInterface", details: [{ name: "privateIPv4Address", value: "10.0.0.2" }] }], containers: [{ networkInterfaces: [{ privateIpv4Address: "10.0.0.2" }] }] };

const cases: [string, unknown, string | undefined][] = [
  ["a well-formed task", ok, undefined],
  ["nulls stand for missing fields", { ...ok, startedBy: null, attachments: null, containers: [{ networkInterfaces: null }] }, undefined],
  ["not an object", "task", "not an object"],
  ["an array", [ok], "not an object"],
  ["no taskArn", { ...ok, taskArn: undefined }, "taskArn"],
  ["a taskArn beyond an ARN's length", { ...ok, taskArn: "a".repeat(MAX_ARN_CHARS + 1) }, "taskArn"],
  ["a number for lastStatus", { ...ok, lastStatus: 7 }, "lastStatus"],
  ["details not a list", { ...ok, attachments: [{ details: "x" }] }, "attachments"],
  ["attachments: [null]", { ...ok, attachments: [null] }, "attachments"],
  ["a number for an address", { ...ok, attachments: [{ details: [{ name: "privateIPv4Address", value: 10 }] }] }, "attachments"],
  ["containers: [null]", { ...ok, containers: [null] }, "containers"],
  ["networkInterfaces: [42]", { ...ok, containers: [{ networkInterfaces: [42] }] }, "containers"],
  ["an object for ipv6Address", { ...ok, containers: [{ networkInterfaces: [{ ipv6Address: {} }] }] }, "containers"],
];
for (const [name, task, want] of cases) test(`taskProblem: ${name}`, () => assert.is(taskProblem(task), want));

test("usableArn", () => {
  assert.equal([arn, "", 7, "x".repeat(MAX_ARN_CHARS + 1), null].map(usableArn), [true, false, false, false, false]);
});

test.run();

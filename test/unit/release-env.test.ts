import { test } from "uvu";
import * as assert from "uvu/assert";
import { releaseVariables, renderVariables } from "../../src/release-env.ts";

const cases: [string, Parameters<typeof releaseVariables>[0], Record<string, string>][] = [
  ["IPv4", { distribution: "name", node: "a@10.0.0.1", family: 4, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1" }],
  ["sname", { distribution: "sname", node: "a@10.0.0.1", family: 4, env: {} }, { RELEASE_DISTRIBUTION: "sname", RELEASE_NODE: "a@10.0.0.1" }],
  ["IPv6 appends -proto_dist", { distribution: "name", node: "a@fd00::3", family: 6, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@fd00::3", ELIXIR_ERL_OPTIONS: "-proto_dist inet6_tcp" }],
  ["IPv6 keeps existing options", { distribution: "name", node: "a@fd00::3", family: 6, env: { ELIXIR_ERL_OPTIONS: "+S 2" } }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@fd00::3", ELIXIR_ERL_OPTIONS: "+S 2 -proto_dist inet6_tcp" }],
  ["IPv6 option not doubled", { distribution: "name", node: "a@fd00::3", family: 6, env: { ELIXIR_ERL_OPTIONS: "-proto_dist inet6_tcp" } }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@fd00::3" }],
  ["dist port range", { distribution: "name", node: "a@10.0.0.1", family: 4, distPort: { min: 9100, max: 9105 }, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1", ELIXIR_ERL_OPTIONS: "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9105" }],
  ["preset RELEASE_NODE: only the missing distribution", { distribution: "name", env: { RELEASE_NODE: "x@y" } }, { RELEASE_DISTRIBUTION: "name" }],
  ["preset RELEASE_DISTRIBUTION kept", { distribution: "name", node: "a@10.0.0.1", family: 4, env: { RELEASE_DISTRIBUTION: "sname" } }, { RELEASE_NODE: "a@10.0.0.1" }],
  ["no address: nothing", { distribution: "name", env: {} }, {}],
  ["peers", { distribution: "name", node: "a@10.0.0.1", family: 4, peers: { ips: ["10.0.0.4", "10.0.0.7"], nodes: ["a@10.0.0.4", "a@10.0.0.7"], lookup: "ok" }, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1", ECS_PEER_IPS: "10.0.0.4,10.0.0.7", ECS_PEER_NODES: "a@10.0.0.4,a@10.0.0.7", ECS_PEER_LOOKUP: "ok", ECS_PEER_LIST: "complete" }],
  ["a subset of a large fleet", { distribution: "name", node: "a@10.0.0.1", family: 4, peers: { ips: ["10.0.0.4"], nodes: ["a@10.0.0.4"], lookup: "ok", complete: false }, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1", ECS_PEER_IPS: "10.0.0.4", ECS_PEER_NODES: "a@10.0.0.4", ECS_PEER_LOOKUP: "ok", ECS_PEER_LIST: "subset" }],
  ["no peers: empty strings", { distribution: "name", node: "a@10.0.0.1", family: 4, peers: { ips: [], nodes: [], lookup: "ok" }, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1", ECS_PEER_IPS: "", ECS_PEER_NODES: "", ECS_PEER_LOOKUP: "ok", ECS_PEER_LIST: "complete" }],
  ["failed lookup", { distribution: "name", node: "a@10.0.0.1", family: 4, peers: { ips: [], nodes: [], lookup: "failed" }, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1", ECS_PEER_IPS: "", ECS_PEER_NODES: "", ECS_PEER_LOOKUP: "failed" }],
];
for (const [name, input, want] of cases) {
  test(`releaseVariables: ${name}`, () => assert.equal(releaseVariables(input), want));
}

const hostile = { A: "it's", B: "$(touch /tmp/x)", C: "`id`", D: "line1\nline2", E: "", F: '"\\' };
test("shell format single-quotes every value", () => {
  assert.is(renderVariables({ A: "it's" }, "shell"), "export A='it'\\''s'\n");
  assert.is(renderVariables({ B: "$(x)" }, "shell"), "export B='$(x)'\n");
});
test("dotenv format escapes quotes, backslashes, newlines and $", () => {
  assert.is(renderVariables({ D: "line1\nline2", F: '"\\$' }, "dotenv"), 'D="line1\\nline2"\nF="\\"\\\\\\$"\n');
});
test("json format round-trips", () => assert.equal(JSON.parse(renderVariables(hostile, "json")), hostile));
test("no variables: empty output", () => assert.is(renderVariables({}, "shell"), ""));

test.run();

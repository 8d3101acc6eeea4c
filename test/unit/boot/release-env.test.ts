import { test } from "uvu";
import * as assert from "uvu/assert";
import { releaseVariables, renderVariables } from "../../../src/boot/release-env.ts";

const NO_EPMD = { always: ["-start_epmd false", "-erl_epmd_port 9100"], operator: ["-dist_listen false"] };

const DYNAMIC = { always: ["-start_epmd false"], listening: ["-epmd_module Elixir.EcsEpmd"], operator: ["-erl_epmd_port 32768", "-dist_listen false"] };

const cases: [string, Parameters<typeof releaseVariables>[0], Record<string, string>][] = [
  ["IPv4", { distribution: "name", node: "a@10.0.0.1", family: 4, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1" }],
  ["sname", { distribution: "sname", node: "a@10.0.0.1", family: 4, env: {} }, { RELEASE_DISTRIBUTION: "sname", RELEASE_NODE: "a@10.0.0.1" }],
  ["IPv6 appends -proto_dist", { distribution: "name", node: "a@fd00::3", family: 6, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@fd00::3", ELIXIR_ERL_OPTIONS: "-proto_dist inet6_tcp" }],
  ["IPv6 keeps existing options", { distribution: "name", node: "a@fd00::3", family: 6, env: { ELIXIR_ERL_OPTIONS: "+S 2" } }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@fd00::3", ELIXIR_ERL_OPTIONS: "+S 2 -proto_dist inet6_tcp" }],
  ["IPv6 option not doubled", { distribution: "name", node: "a@fd00::3", family: 6, env: { ELIXIR_ERL_OPTIONS: "-proto_dist inet6_tcp" } }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@fd00::3" }],
  ["existing options kept byte for byte", { distribution: "name", node: "a@fd00::3", family: 6, env: { ELIXIR_ERL_OPTIONS: " +S 2\n" } }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@fd00::3", ELIXIR_ERL_OPTIONS: " +S 2\n -proto_dist inet6_tcp" }],
  ["a -proto_dist of the user's is never doubled", { distribution: "name", node: "a@fd00::3", family: 6, env: { ELIXIR_ERL_OPTIONS: "-proto_dist inet6_tls" } }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@fd00::3" }],
  ["dist port range", { distribution: "name", node: "a@10.0.0.1", family: 4, distPort: { min: 9100, max: 9105 }, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1", ELIXIR_ERL_OPTIONS: "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9105" }],
  ["without EPMD, the listening node", { distribution: "name", node: "a@10.0.0.1", family: 4, distPort: { min: 9100, max: 9100 }, epmdless: NO_EPMD, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1", ELIXIR_ERL_OPTIONS: "-start_epmd false -erl_epmd_port 9100 -kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100" }],
  ["without EPMD, an operator's hidden node dials and does not listen", { distribution: "name", node: "a@10.0.0.1", family: 4, distPort: { min: 9100, max: 9100 }, epmdless: NO_EPMD, operator: true, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1", ELIXIR_ERL_OPTIONS: "-start_epmd false -erl_epmd_port 9100 -dist_listen false" }],
  ["dynamic host port, the running node: EcsEpmd and the pinned container port", { distribution: "name", node: "a-32768@10.0.0.1", family: 4, distPort: { min: 9100, max: 9100 }, epmdless: DYNAMIC, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a-32768@10.0.0.1", ELIXIR_ERL_OPTIONS: "-start_epmd false -kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100 -epmd_module Elixir.EcsEpmd" }],
  ["dynamic host port, an operator's node: dials the host port, no EcsEpmd", { distribution: "name", node: "a-32768@10.0.0.1", family: 4, distPort: { min: 9100, max: 9100 }, epmdless: DYNAMIC, operator: true, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a-32768@10.0.0.1", ELIXIR_ERL_OPTIONS: "-start_epmd false -erl_epmd_port 32768 -dist_listen false" }],
  ["without EPMD over IPv6, after the user's options", { distribution: "name", node: "a@fd00::3", family: 6, epmdless: NO_EPMD, operator: true, env: { ELIXIR_ERL_OPTIONS: "+S 2" } }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@fd00::3", ELIXIR_ERL_OPTIONS: "+S 2 -proto_dist inet6_tcp -start_epmd false -erl_epmd_port 9100 -dist_listen false" }],
  ["an operator's node with EPMD gets no pinned port", { distribution: "name", node: "a@10.0.0.1", family: 4, distPort: { min: 9100, max: 9100 }, operator: true, env: {} }, { RELEASE_DISTRIBUTION: "name", RELEASE_NODE: "a@10.0.0.1" }],
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
const dotenvCases: [string, string][] = [
  ["line1\nline2", '"line1\\nline2"'],
  ['"\\$', `'"\\$'`],
  ["it's \"q\"", "`it's \"q\"`"],
  ["a\\nb", "'a\\nb'"],
  ["ends\\", "ends\\"],
];
for (const [value, written] of dotenvCases) {
  test(`dotenv format: ${JSON.stringify(value)} is written ${written}`, () => assert.is(renderVariables({ V: value }, "dotenv"), `V=${written}\n`));
}
test("dotenv format: a value no form can carry is refused", () => assert.throws(() => renderVariables({ V: "'\"`\n" }, "dotenv"), /V cannot be written as a dotenv value/));
test("json format round-trips", () => assert.equal(JSON.parse(renderVariables(hostile, "json")), hostile));
test("no variables: empty output", () => assert.is(renderVariables({}, "shell"), ""));

test.run();

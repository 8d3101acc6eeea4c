// Bridge mode with a dynamic host port (SPEC 4.9): the node name carries the published port, the
// running node loads EcsEpmd and listens on the container port, the operator's node dials the host port.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createLogger } from "../../../src/log.ts";
import { dynamicPortFlags, type EpmdlessFlags } from "../../../src/network/epmd.ts";
import { epmdForMode, nodeNameFor } from "../../../src/network/index.ts";

const STATIC = { containerPort: 9100, hostPort: 9100 };
const DYNAMIC = { containerPort: 9100, hostPort: 32768 };
const config = { distPort: { min: 9100, max: 9100 }, binDir: "/nowhere/bin" };

function logged(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ format: "text", quiet: false, debug: false }, (line) => lines.push(line)), lines };
}

test("the node name carries the host port only when it is dynamic", () => {
  assert.is(nodeNameFor("shop-e2e1", "10.0.1.43", DYNAMIC), "shop-e2e1-32768@10.0.1.43");
  assert.is(nodeNameFor("shop-e2e1", "10.0.1.43", STATIC), "shop-e2e1@10.0.1.43");
  assert.is(nodeNameFor("shop-e2e1", "10.0.5.2", undefined), "shop-e2e1@10.0.5.2");
});

const forms: [string, string | undefined, string[]][] = [
  ["OTP 25 (ERTS 13.1.5)", "13.1.5", ["-erl_epmd_port 32768"]],
  ["OTP 27.2 (ERTS 15.2)", "15.2", ["-kernel erl_epmd_node_listen_port 32768"]],
  ["unknown ERTS", undefined, ["-erl_epmd_port 32768", "-kernel erl_epmd_node_listen_port 32768"]],
];
for (const [name, erts, port] of forms) {
  test(`dynamicPortFlags, ${name}: EcsEpmd for the running node, the host port for the operator's`, () => {
    const flags = dynamicPortFlags(DYNAMIC, erts);
    assert.equal(flags.always, ["-start_epmd false"]);
    assert.equal(flags.listening, ["-epmd_module Elixir.EcsEpmd"]);
    assert.equal(flags.operator, [...port, "-dist_listen false"]);
    assert.is(flags.port, 9100, "the port the node listens on inside the container");
  });
}

test("epmdForMode: a dynamic host port replaces a configured ENTRYPOINT_EPMD=off (its port would be the container's)", () => {
  const { log, lines } = logged();
  const configured: EpmdlessFlags = { port: 9100, form: "erl_epmd_port", always: ["-start_epmd false", "-erl_epmd_port 9100"], operator: ["-dist_listen false"] };
  const flags = epmdForMode(config, { networkMode: "bridge", published: DYNAMIC }, configured, log, () => ({ version: "13.1.5", from: "x" }));
  assert.equal(flags?.operator, ["-erl_epmd_port 32768", "-dist_listen false"]);
  assert.equal(flags?.listening, ["-epmd_module Elixir.EcsEpmd"]);
  assert.match(lines.join("\n"), "network mode bridge, dynamic host port 32768: distribution without EPMD on container port 9100");
});

test("epmdForMode: a static host port keeps today's OTP flags; awsvpc keeps what was configured", () => {
  const { log } = logged();
  const otp25 = () => ({ version: "13.1.5", from: "x" });
  const flags = epmdForMode(config, { networkMode: "bridge", published: STATIC }, undefined, log, otp25);
  assert.equal(flags?.always, ["-start_epmd false", "-erl_epmd_port 9100"]);
  assert.is(flags?.listening, undefined);
  assert.is(epmdForMode(config, { networkMode: undefined, published: undefined }, undefined, log, otp25), undefined);
});

test.run();

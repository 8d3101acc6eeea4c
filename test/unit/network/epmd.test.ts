// The OTP flags for distribution without EPMD, by the release's ERTS version (SPEC 4.9). ERTS and OTP
// versions go together: ERTS 10.7 = OTP 22.3, 11.0 = 23.0, 13.1.5 = 25.2.3, 15.1 = 27.1, 15.2 = 27.2, 16.0 = 28.0.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compareVersions, epmdlessFlags, parseVersion, portForm, requireOnePort } from "../../../src/network/epmd.ts";

const OLD = ["-start_epmd false", "-erl_epmd_port 9100"];
const NEW = ["-start_epmd false", "-kernel erl_epmd_node_listen_port 9100"];
const BOTH = ["-start_epmd false", "-erl_epmd_port 9100", "-kernel erl_epmd_node_listen_port 9100"];

const cases: [string, string | undefined, string[] | RegExp][] = [
  ["OTP 21 (ERTS 10.0)", "10.0", /ERTS 10\.0 \(OTP 22 or older\).*OTP 23 or later.*ENTRYPOINT_EPMD=on/],
  ["OTP 22.3 (ERTS 10.7.2.1)", "10.7.2.1", /cannot run distribution without EPMD/],
  ["OTP 23.0 (ERTS 11.0)", "11.0", OLD],
  ["OTP 25.2.3 (ERTS 13.1.5), the one installed here", "13.1.5", OLD],
  ["OTP 27.1 (ERTS 15.1)", "15.1", OLD],
  ["OTP 27.1.2 (ERTS 15.1.2)", "15.1.2", OLD],
  ["OTP 27.2 (ERTS 15.2)", "15.2", NEW],
  ["OTP 27.3.4 (ERTS 15.2.7)", "15.2.7", NEW],
  ["OTP 28.0 (ERTS 16.0)", "16.0", NEW],
  ["OTP 28.1 (ERTS 16.1.1)", "16.1.1", NEW],
  ["unknown version: both forms", undefined, BOTH],
  ["unreadable version: both forms", "13.x", BOTH],
];

for (const [name, erts, want] of cases) {
  test(`ERTS version rule: ${name}`, () => {
    if (want instanceof RegExp) {
      try {
        epmdlessFlags(9100, erts);
        assert.unreachable("should be a config error");
      } catch (err) {
        assert.is((err as { exitCode?: number }).exitCode, 78);
        assert.match((err as Error).message, want);
      }
      return;
    }
    const flags = epmdlessFlags(9100, erts);
    assert.equal(flags.always, want);
    assert.equal(flags.operator, ["-dist_listen false"], "the operator's hidden node dials and does not listen");
  });
}

test("portForm names the form", () => {
  assert.is(portForm("13.1.5"), "erl_epmd_port");
  assert.is(portForm("15.2"), "kernel");
  assert.is(portForm(undefined), "both");
});

test("versions compare numerically, missing parts are 0", () => {
  assert.ok(compareVersions([15, 10], [15, 2]) > 0, "15.10 is after 15.2");
  assert.is(compareVersions([11], [11, 0]), 0);
  assert.equal(parseVersion("13.1.5"), [13, 1, 5]);
  assert.is(parseVersion("13.1.5-rc1"), undefined);
  assert.is(parseVersion(""), undefined);
});

test("without EPMD the port is one port: none or a range is a config error naming the fix", () => {
  assert.is(requireOnePort({ min: 9100, max: 9100 }), 9100);
  const fails = (distPort: { min: number; max: number } | undefined, re: RegExp) => {
    try {
      requireOnePort(distPort);
      assert.unreachable("should throw");
    } catch (err) {
      assert.is((err as { exitCode?: number }).exitCode, 78);
      assert.match((err as Error).message, re);
      assert.not.match((err as Error).message, /\n/);
    }
  };
  fails(undefined, /ENTRYPOINT_EPMD=off needs .* set ENTRYPOINT_DIST_PORT=9100 \(or --dist-port 9100\)/);
  fails({ min: 9100, max: 9105 }, /range 9100-9105.*give one port, e.g\. ENTRYPOINT_DIST_PORT=9100/);
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { canonicalIp, chooseAddress } from "../../src/address.ts";

const canonical: [string, string | undefined][] = [
  ["10.0.0.5", "10.0.0.5"],
  ["fd00:200:0:0:0:0:0:3", "fd00:200::3"],
  ["FD00:0200:0000:0000:0000:0000:0000:0003", "fd00:200::3"],
  ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // first of two equal runs
  ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero field is not compressed
  ["[fd00::3]", "fd00::3"],
  ["::1", "::1"],
  ["10.1", undefined],
  ["256.0.0.1", undefined],
  ["fe80::1%eth0", undefined],
  ["not-an-ip", undefined],
  ["", undefined],
];
for (const [input, want] of canonical) {
  test(`canonicalIp(${JSON.stringify(input)}) = ${want}`, () => {
    assert.is(canonicalIp(input)?.ip, want);
  });
}

const v4 = { NetworkMode: "awsvpc", IPv4Addresses: ["10.0.0.5"] };
const v6 = { NetworkMode: "awsvpc", IPv6Addresses: ["fd00:200:0:0:0:0:0:3"] };
const dual = { NetworkMode: "awsvpc", IPv4Addresses: ["10.0.0.5"], IPv6Addresses: ["fd00::3"] };
const choices: [string, unknown, "auto" | "ipv4" | "ipv6", string | undefined, RegExp?][] = [
  ["auto prefers IPv4", { Networks: [dual] }, "auto", "10.0.0.5"],
  ["auto falls back to IPv6, canonical", { Networks: [v6] }, "auto", "fd00:200::3"],
  ["ipv6 on a dual-stack task", { Networks: [dual] }, "ipv6", "fd00::3"],
  ["ipv4 on an IPv6-only task", { Networks: [v6] }, "ipv4", undefined, /IPv4 address/],
  ["first network with the family wins", { Networks: [v6, v4] }, "auto", "10.0.0.5"],
  ["no Networks", { DockerId: "x" }, "auto", undefined, /Networks/],
  ["empty Networks", { Networks: [] }, "auto", undefined, /Networks/],
  ["host mode", { Networks: [{ NetworkMode: "host" }] }, "auto", undefined, /host.*--ip/],
  ["garbage address skipped", { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["x"] }] }, "auto", undefined, /awsvpc/],
  ["not an object", null, "auto", undefined, /Networks/],
];
for (const [name, doc, family, ip, problem] of choices) {
  test(`chooseAddress: ${name}`, () => {
    const got = chooseAddress(doc, family);
    if (ip) {
      assert.ok(got.ok);
      if (got.ok) assert.is(got.address.ip, ip);
    } else {
      assert.not.ok(got.ok);
      if (!got.ok) assert.match(`${got.missing}; ${got.hint}`, problem!);
    }
  });
}

test("chooseAddress: bridge mode warns that the address is not reachable", () => {
  const got = chooseAddress({ Networks: [{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.2"] }] }, "auto");
  assert.ok(got.ok && got.warning && /bridge/.test(got.warning));
});

test.run();

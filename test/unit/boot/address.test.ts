import { test } from "uvu";
import * as assert from "uvu/assert";
import { canonicalIp, chooseAddress, parseIp, usableAddress } from "../../../src/boot/address.ts";

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
  ["[10.0.0.1]", undefined], // brackets are for IPv6 only
  ["fd00::1]/x", undefined],
  ["[fd00::1]/x", undefined],
  ["fd00::1/64", undefined],
  ["10.0.0.1/24", undefined],
  [" 10.0.0.1", undefined],
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
  ["garbage address skipped", { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["x"] }] }, "auto", undefined, /awsvpc; unusable: "x" \(not an IP address\)/],
  ["an unusable entry is skipped, the next one used", { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["bogus", "10.0.0.2"] }] }, "auto", "10.0.0.2"],
  ["IPv4-mapped IPv6 is not IPv4", { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["::ffff:10.0.0.1"] }] }, "ipv4", undefined, /IPv4-mapped IPv6 address is not an IPv4 address in IPv4Addresses/],
  ["an IPv4 address in IPv6Addresses is skipped", { Networks: [{ NetworkMode: "awsvpc", IPv6Addresses: ["10.0.0.5"] }] }, "auto", undefined, /"10\.0\.0\.5" \(an IPv4 address in IPv6Addresses\)/],
  ["wrong family skipped, right one later in the list", { Networks: [{ NetworkMode: "awsvpc", IPv6Addresses: ["10.0.0.5", "fd00::5"] }] }, "ipv6", "fd00::5"],
  ["link-local skipped for the next network", { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["169.254.172.2"] }, v4] }, "auto", "10.0.0.5"],
  ["a list that is not a list", { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: "10.0.0.5" }] }, "auto", undefined, /IPv4Addresses "10\.0\.0\.5" \(not a list\)/],
  ["non-string NetworkMode, no address", { Networks: [{ NetworkMode: { toString: 1 } }] }, "auto", undefined, /network mode not a string \(object\)/],
  ["non-string NetworkMode, an address", { Networks: [{ NetworkMode: ["x"], IPv4Addresses: ["10.0.0.5"] }] }, "auto", "10.0.0.5"],
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
  assert.ok(got.ok && /bridge/.test(got.warnings.join()));
});

test("chooseAddress: a non-string NetworkMode is a warning, not a crash", () => {
  const got = chooseAddress({ Networks: [{ NetworkMode: { toString: null }, IPv4Addresses: ["10.0.0.5"] }] }, "auto");
  assert.ok(got.ok && /NetworkMode is not a string \(object\); using 10\.0\.0\.5/.test(got.warnings.join()));
});

// Usable (SPEC 4.1): the list's family, and not unspecified, broadcast, multicast or link-local; loopback is fine.
const usable: [unknown, 4 | 6, string | RegExp][] = [
  ["10.0.0.5", 4, "10.0.0.5"],
  ["127.0.0.1", 4, "127.0.0.1"],
  ["::1", 6, "::1"],
  ["FD00:0:0::9", 6, "fd00::9"],
  ["2001:db8::1", 6, "2001:db8::1"],
  ["0.0.0.0", 4, /unspecified/],
  ["0.1.2.3", 4, /unspecified/],
  ["255.255.255.255", 4, /broadcast/],
  ["224.0.0.1", 4, /multicast/],
  ["239.255.255.250", 4, /multicast/],
  ["240.0.0.1", 4, /reserved/],
  ["169.254.170.2", 4, /link-local/],
  ["::", 6, /unspecified/],
  ["0:0:0:0:0:0:0:0", 6, /unspecified/],
  ["ff02::1", 6, /multicast/],
  ["fe80::1", 6, /link-local/],
  ["FEBF::1", 6, /link-local/],
  ["fec0::1", 6, "fec0::1"],
  ["::ffff:10.0.0.1", 6, /IPv4-mapped/],
  ["::ffff:10.0.0.1", 4, /IPv4-mapped IPv6 address is not an IPv4 address/],
  ["10.0.0.5", 6, /an IPv4 address in IPv6Addresses/],
  ["fd00::5", 4, /an IPv6 address in IPv4Addresses/],
  ["[10.0.0.1]", 4, /not an IP address/],
  ["[fd00::1]", 6, /not an IP address/],
  ["fd00::1]/x", 6, /not an IP address/],
  [7, 4, /not a string \(number\)/],
  [null, 4, /not a string \(null\)/],
];
for (const [entry, family, want] of usable) {
  test(`usableAddress(${JSON.stringify(entry)}, IPv${family})`, () => {
    const got = usableAddress(entry, family);
    if (typeof want === "string") assert.equal(got, { ok: true, address: { ip: want, family } });
    else assert.ok(!got.ok && want.test(got.reason), JSON.stringify(got));
  });
}

test("parseIp takes no brackets; canonicalIp takes them around IPv6 only", () => {
  assert.is(parseIp("[fd00::3]"), undefined);
  assert.equal(canonicalIp("[fd00::3]"), { ip: "fd00::3", family: 6 });
  assert.is(canonicalIp("[10.0.0.1]"), undefined);
});

test.run();

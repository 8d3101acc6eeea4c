import { test } from "uvu";
import * as assert from "uvu/assert";
import { epmdPortFrom, NAMES_REQUEST, parseNamesReply, type NamesReply } from "../../../src/doctor/epmd.ts";
import { describeConnectError } from "../../../src/doctor/tcp.ts";

const reply = (port: number, text = "") => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(port);
  return Buffer.concat([head, Buffer.from(text, "latin1")]);
};

test("NAMES request: length 1 (2 bytes, big-endian), then 110 ('n')", () => assert.equal([...NAMES_REQUEST], [0, 1, 110]));

const replies: [string, Buffer, NamesReply][] = [
  ["no node registered", reply(4369), { ok: true, epmdPort: 4369, names: [] }],
  ["one node", reply(4369, "name shop-abc at port 9100\n"), { ok: true, epmdPort: 4369, names: [{ name: "shop-abc", port: 9100 }] }],
  [
    "several nodes, another epmd port",
    reply(4400, "name shop-abc at port 9100\nname rem-1f2e-shop-abc at port 40111\n"),
    { ok: true, epmdPort: 4400, names: [{ name: "shop-abc", port: 9100 }, { name: "rem-1f2e-shop-abc", port: 40111 }] },
  ],
  ["empty", Buffer.alloc(0), { ok: false, reason: "it closed the connection without an answer" }],
  ["3 bytes", Buffer.from([0, 0, 17]), { ok: false, reason: "the answer is 3 bytes, shorter than epmd's 4-byte header" }],
  ["HTTP instead of epmd", Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"), { ok: false, reason: "the answer does not start with a port number (0x48545450)" }],
  ["port 0 in the header", reply(0), { ok: false, reason: "the answer does not start with a port number (0x00000000)" }],
  ["last line cut off", reply(4369, "name shop-abc at port 91"), { ok: false, reason: "the last line of the answer is cut off" }],
  ["port out of range", reply(4369, "name shop-abc at port 70000\n"), { ok: false, reason: 'unexpected line "name shop-abc at port 70000"' }],
  ["not a registration line", reply(4369, "hello\n"), { ok: false, reason: 'unexpected line "hello"' }],
  ["control characters in a name", reply(4369, "name sh\x1bop at port 9100\n"), { ok: false, reason: 'unexpected line "name sh\\u001bop at port 9100"' }],
  ["an empty line", reply(4369, "\n"), { ok: false, reason: 'unexpected line ""' }],
];
for (const [name, input, want] of replies) test(`parseNamesReply: ${name}`, () => assert.equal(parseNamesReply(input), want));

const ports: [string | undefined, number][] = [[undefined, 4369], ["4400", 4400], ["", 4369], ["0", 4369], ["70000", 4369], ["43x", 4369]];
for (const [value, want] of ports) test(`epmdPortFrom ERL_EPMD_PORT=${JSON.stringify(value)}`, () => assert.is(epmdPortFrom(value === undefined ? {} : { ERL_EPMD_PORT: value }), want));

const errors: [string, string, RegExp][] = [
  ["ECONNREFUSED", "refused", /connection refused \(nothing listens there\)/],
  ["ETIMEDOUT", "timeout", /no answer within 1500 ms \(packets dropped: security group, NACL or firewall\?\)/],
  ["EHOSTUNREACH", "unreachable", /host unreachable/],
  ["ENETUNREACH", "unreachable", /network unreachable/],
  ["EADDRNOTAVAIL", "other", /EADDRNOTAVAIL/],
];
for (const [code, kind, message] of errors) {
  test(`describeConnectError ${code}`, () => {
    const got = describeConnectError(code, 1500);
    assert.is(got.kind, kind);
    assert.match(got.error, message);
  });
}

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { challengeReplyMessage, digest, parseChallenge, sendNameMessage } from "../../../src/doctor/handshake.ts";

test("digest: MD5 of the cookie and the challenge in decimal (value computed by erlang:md5/1)", () => {
  assert.is(digest("c", 3735928559).toString("hex"), "67cacc02337bb28e3efce4b24a4c21bb");
});

test("send_name: length, 'N', 8 flag bytes (hidden: no DFLAG_PUBLISHED; handshake 23), creation, name", () => {
  const msg = sendNameMessage("doctor-1@10.0.0.3", 7);
  assert.is(msg.readUInt16BE(0), msg.length - 2);
  assert.is(String.fromCharCode(msg[2]!), "N");
  const flags = msg.readBigUInt64BE(3);
  assert.is(flags & 0x1n, 0n, "hidden");
  assert.is(flags & 0x1000000n, 0x1000000n, "DFLAG_HANDSHAKE_23");
  assert.is(flags & 0x4000000n, 0x4000000n, "DFLAG_MANDATORY_25_DIGEST");
  assert.is(msg.readUInt32BE(11), 7);
  assert.is(msg.readUInt16BE(15), 17);
  assert.is(msg.subarray(17).toString(), "doctor-1@10.0.0.3");
});

test("challenge reply: length 21, 'r', our challenge, digest of theirs", () => {
  const msg = challengeReplyMessage(42, 3735928559, "c");
  assert.equal([msg.readUInt16BE(0), String.fromCharCode(msg[2]!), msg.readUInt32BE(3)], [21, "r", 42]);
  assert.is(msg.subarray(7).toString("hex"), "67cacc02337bb28e3efce4b24a4c21bb");
});

function challenge(name: string, tag = "N", extra = 0): Buffer {
  const bytes = Buffer.from(name);
  const b = Buffer.alloc(19 + bytes.length);
  b.write(tag, 0, "latin1");
  b.writeUInt32BE(123456, 9);
  b.writeUInt16BE(bytes.length + extra, 17);
  bytes.copy(b, 19);
  return b;
}

const challenges: [string, Buffer, ReturnType<typeof parseChallenge>][] = [
  ["a node's challenge", challenge("shop-abc@10.0.0.4"), { challenge: 123456, name: "shop-abc@10.0.0.4" }],
  ["control characters are made harmless", challenge("shop\x1b[2J@10.0.0.4"), { challenge: 123456, name: "shop\\x1b[2J@10.0.0.4" }],
  ["old 'n' format", challenge("shop-abc@10.0.0.4", "n"), undefined],
  ["name length larger than the message", challenge("shop-abc@10.0.0.4", "N", 3), undefined],
  ["too short", Buffer.from("N123"), undefined],
];
for (const [name, msg, want] of challenges) test(`parseChallenge: ${name}`, () => assert.equal(parseChallenge(msg), want));

test.run();

// The local fake's per-task credentials: who signed a call, from the SigV4 Authorization header.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { keyIdFor, MAX_TASK_KEYS, signingKeyId, TaskKeys } from "../../src/fake-metadata/task-keys.ts";

const signed = (keyId: string) => ({ headers: { authorization: `AWS4-HMAC-SHA256 Credential=${keyId}/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=00` } });

const headers: [string, { headers: Record<string, string> }, string | undefined][] = [
  ["a SigV4 header", signed("ASIAFAKE0123456789AB"), "ASIAFAKE0123456789AB"],
  ["no header", { headers: {} }, undefined],
  ["another scheme", { headers: { authorization: "Bearer abc" } }, undefined],
  ["a key id with a slash cut off", { headers: { authorization: "AWS4-HMAC-SHA256 Credential=../x/y" } }, undefined],
];
for (const [name, req, want] of headers) test(`signingKeyId: ${name}`, () => assert.is(signingKeyId(req), want));

test("each task gets its own stable key id, and its calls are told by it", () => {
  const keys = new TaskKeys();
  const a = keys.issue("127.0.0.2");
  const b = keys.issue("127.0.0.3");
  assert.is.not(a.AccessKeyId, b.AccessKeyId);
  assert.is(a.AccessKeyId, keyIdFor("127.0.0.2"));
  assert.equal([keys.taskOf(signed(a.AccessKeyId!)), keys.taskOf(signed(b.AccessKeyId!)), keys.taskOf(signed("AKIDLOCAL"))], ["127.0.0.2", "127.0.0.3", undefined]);
});

test("at most MAX_TASK_KEYS tasks are remembered; the oldest goes first", () => {
  const keys = new TaskKeys();
  const first = keys.issue("10.0.0.1").AccessKeyId!;
  for (let i = 0; i < MAX_TASK_KEYS; i++) keys.issue(`10.1.${i >> 8}.${i & 255}`);
  assert.is(keys.taskOf(signed(first)), undefined);
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { backoffFor, classify, fullJitter, requestTimeoutFor, retryDelay } from "../../../src/peers/retry.ts";

const b = backoffFor(60_000);

test("classify: the services' throttling codes, transient 5xx/timeouts, everything else final", () => {
  assert.is(classify({ name: "ThrottlingException" }), "throttling");
  assert.is(classify({ name: "ThrottledException" }), "throttling");
  assert.is(classify({ name: "InternalFailure", $metadata: { httpStatusCode: 500 } }), "transient");
  assert.is(classify({ name: "TimeoutError" }), "transient");
  assert.is(classify({ name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }), "final");
});

const connection: [string, "transient" | "final"][] = [
  ["ECONNREFUSED", "transient"],
  ["ECONNRESET", "transient"],
  ["ETIMEDOUT", "transient"],
  ["EPIPE", "transient"],
  ["EHOSTUNREACH", "transient"],
  ["ENETUNREACH", "transient"],
  ["EAI_AGAIN", "transient"],
  ["ENOTFOUND", "final"],
  ["ERR_INVALID_URL", "final"],
];
for (const [code, want] of connection) test(`classify: a connection error ${code} is ${want}`, () => assert.is(classify({ name: "Error", code }), want));

test("classify: an answer that is too large is final (asking again would read it again)", () => {
  assert.is(classify({ name: "AnswerTooLarge" }), "final");
});

test("requestTimeoutFor: 5 s at the default deadline and below, a twelfth of a longer one", () => {
  assert.equal([1000, 60_000, 120_000, 600_000].map(requestTimeoutFor), [5000, 5000, 10_000, 50_000]);
});

test("full jitter: uniform up to min(cap, base * 2^attempt, a third of the time left), floor kept", () => {
  assert.is(fullJitter(0, b, 60_000, () => 0.999), 0.999 * 1000);
  assert.is(fullJitter(3, b, 60_000, () => 0.5), 4000);
  assert.is(fullJitter(20, b, 60_000, () => 1), 20_000, "a third of the time left");
  assert.is(fullJitter(20, b, 600_000, () => 1), 30_000, "the cap");
  assert.is(fullJitter(5, b, 60_000, () => 0), b.floorMs);
});

test("retryDelay: throttling until the deadline; transient twice; final never", () => {
  assert.ok(retryDelay("throttling", 50, 10_000, b, () => 0.5)! <= 10_000 / 3);
  assert.is(retryDelay("throttling", 1, 10, b), undefined, "no time left");
  assert.type(retryDelay("transient", 1, 60_000, b), "number");
  assert.is(retryDelay("transient", 2, 60_000, b), undefined);
  assert.is(retryDelay("final", 0, 60_000, b), undefined);
});

test.run();

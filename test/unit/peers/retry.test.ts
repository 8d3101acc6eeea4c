import { test } from "uvu";
import * as assert from "uvu/assert";
import { backoffFor, classify, fullJitter, requestTimeoutFor, retryDelay, THROTTLED_MIN_LEFT } from "../../../src/peers/retry.ts";

const b = backoffFor(60_000);

// Every throttling code the ECS and tagging APIs (and the SDK's own list) use; 5xx, timeouts and what the SDK marks retryable.
const errors: [string, object, "throttling" | "transient" | "final"][] = [
  ["ThrottlingException", { name: "ThrottlingException" }, "throttling"],
  ["ThrottledException", { name: "ThrottledException" }, "throttling"],
  ["Throttling", { name: "Throttling", $metadata: { httpStatusCode: 400 } }, "throttling"],
  ["RequestLimitExceeded", { name: "RequestLimitExceeded", $metadata: { httpStatusCode: 400 } }, "throttling"],
  ["TooManyRequestsException", { name: "TooManyRequestsException", $metadata: { httpStatusCode: 429 } }, "throttling"],
  ["a 500", { name: "InternalFailure", $metadata: { httpStatusCode: 500 } }, "transient"],
  ["a timeout", { name: "TimeoutError" }, "transient"],
  ["a 4xx the SDK marks $retryable", { name: "RequestTimeout", $metadata: { httpStatusCode: 408 }, $retryable: {} }, "transient"],
  ["control: the same 4xx unmarked", { name: "RequestTimeout", $metadata: { httpStatusCode: 408 } }, "final"],
  ["access denied", { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }, "final"],
  ["control: a name that merely contains Throttling", { name: "NotThrottlingReally", $metadata: { httpStatusCode: 400 } }, "final"],
];
for (const [name, err, want] of errors) test(`classify: ${name} is ${want}`, () => assert.is(classify(err), want));

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

// Near the deadline a third of the time left shrinks towards nothing: the waits there would crowd the last moments.
const near: [string, "throttling" | "transient", number, boolean][] = [
  ["throttled, three base waits left", "throttling", THROTTLED_MIN_LEFT * b.baseMs, true],
  ["throttled, just under three base waits left", "throttling", THROTTLED_MIN_LEFT * b.baseMs - 1, false],
  ["throttled, one base wait left", "throttling", b.baseMs, false],
  ["control: transient, one base wait left (a reset connection is retried at once)", "transient", b.baseMs, true],
];
for (const [name, failure, left, retried] of near) {
  test(`retryDelay near the deadline: ${name} → ${retried ? "retried" : "given up"}`, () => {
    assert.is(retryDelay(failure, 1, left, b, () => 0.5) !== undefined, retried);
  });
}

/** Requests one throttled call makes before its deadline, with answers taking `latencyMs` (a seeded model). */
function throttledRequests(deadlineMs: number, latencyMs: number, random: () => number): number {
  const bo = backoffFor(deadlineMs);
  let t = 0;
  for (let attempt = 0; ; attempt++) {
    t += latencyMs;
    const delay = retryDelay("throttling", attempt, deadlineMs - t, bo, random);
    if (delay === undefined) return attempt + 1;
    t += delay;
  }
}

test("a throttled lookup's requests within its deadline: under 30 in 1.5 s for 99.9 % of seeded runs (no crowd at the end)", () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const counts = Array.from({ length: 10_000 }, () => throttledRequests(1500, 2, random)).sort((x, y) => x - y);
  assert.ok(counts[9990]! < 30, `99.9th percentile: ${counts[9990]} requests`);
});

test.run();

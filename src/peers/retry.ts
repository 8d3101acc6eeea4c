// When and how long to wait before an AWS call is tried again (pure; the clock and the dice are passed in).
// Throttling means the account's shared bucket is empty: every booting task of a deploy sees it at once, so the
// waits are fully jittered (a random time up to an exponentially growing cap) and go on until the peer deadline.

export interface Backoff {
  baseMs: number;
  capMs: number;
  floorMs: number;
}

const THROTTLING = new Set(["ThrottlingException", "ThrottledException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException"]);
/** A throttled call is retried only while at least this many base waits are left before the deadline. */
export const THROTTLED_MIN_LEFT = 3;
/** Other errors are retried this many times (the SDK's own default is 3 attempts). */
export const TRANSIENT_RETRIES = 2;

// Connection failures that a moment may cure (an ENI still attaching, a NAT gateway's hiccup).
const TRANSIENT_CODES = new Set(["ECONNRESET", "ETIMEDOUT", "EPIPE", "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

export type Failure = "throttling" | "transient" | "final";

export function classify(err: unknown): Failure {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };
  if (THROTTLING.has(e?.name ?? "")) return "throttling";
  const status = e?.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || e?.$retryable || e?.name === "TimeoutError" || TRANSIENT_CODES.has(e?.code ?? "")) return "transient";
  return "final";
}

/**
 * The waits scale with the peer deadline (a bench that stretches time by k stretches them too). When hundreds of
 * boots wait on one bucket, random retries favour whoever retries most often: a boot near its deadline therefore
 * never waits more than a third of the time it has left, so the longest waiters get the freed tokens first,
 * while the cap keeps the throttled requests within a small multiple of the bucket's rate.
 */
export function backoffFor(timeoutMs: number): Backoff {
  return { baseMs: Math.max(10, timeoutMs / 60), capMs: Math.max(50, timeoutMs / 2), floorMs: Math.max(5, timeoutMs / 1200) };
}

/**
 * One attempt's limit (connection, answer and its body): a hung request must leave the deadline room for the
 * retries. 5 s at the default deadline, against answers that take well under a second; it scales like the waits.
 */
export const requestTimeoutFor = (timeoutMs: number) => Math.max(5000, timeoutMs / 12);

/** Full jitter: uniform in [0, min(cap, base * 2^attempt, remaining / 3)), at least the floor. */
export function fullJitter(attempt: number, b: Backoff, remainingMs: number, random: () => number = Math.random): number {
  return Math.max(b.floorMs, random() * Math.min(b.capMs, b.baseMs * 2 ** attempt, remainingMs / 3));
}

/** The wait before attempt `attempt + 1`, or undefined to give up (the error is final, or the deadline is too close). */
export function retryDelay(failure: Failure, attempt: number, remainingMs: number, b: Backoff, random: () => number = Math.random): number | undefined {
  if (failure === "final" || (failure === "transient" && attempt >= TRANSIENT_RETRIES)) return undefined;
  // Below three base waits, a third of the time left would shrink the waits towards the floor and crowd the last
  // moments with throttled requests that cannot help (the deadline's requests piled up there): give up instead.
  if (failure === "throttling" && remainingMs < THROTTLED_MIN_LEFT * b.baseMs) return undefined;
  const delay = fullJitter(attempt, b, remainingMs, random);
  return delay < remainingMs ? delay : undefined;
}

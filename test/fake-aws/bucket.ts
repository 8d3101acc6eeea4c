// The ECS API's request throttling: a token bucket per account and region (AWS's "Request throttling for the
// Amazon ECS API": ListTasks and DescribeTasks share one with burst 100, refill 20 per second). A throttled
// request takes no token. timeScale stretches time: scale k refills k times slower, for benches that stretch
// every duration by k so that the machine's CPU stays out of the figures.
export interface BucketSpec {
  burst: number;
  perSecond: number;
}

/** AWS's figures for ListTasks + DescribeTasks; the tagging API gets a bucket of its own with the same shape. */
export const AWS_ECS_BUCKET: BucketSpec = { burst: 100, perSecond: 20 };
export const AWS_TAGGING_BUCKET: BucketSpec = { burst: 100, perSecond: 20 };
/** EC2's bucket for non-mutating actions such as DescribeInstances (EC2's "Request throttling": 100, 20 per second). */
export const AWS_EC2_BUCKET: BucketSpec = { burst: 100, perSecond: 20 };

export class TokenBucket {
  readonly spec: BucketSpec;
  readonly timeScale: number;
  #tokens: number;
  #at: number;
  readonly #now: () => number;

  constructor(spec: BucketSpec, timeScale = 1, now: () => number = () => performance.now()) {
    this.spec = spec;
    this.timeScale = timeScale;
    this.#now = now;
    this.#tokens = spec.burst;
    this.#at = now();
  }

  /** Takes one token if there is one; false means "throttle this request". */
  take(): boolean {
    const t = this.#now();
    this.#tokens = Math.min(this.spec.burst, this.#tokens + ((t - this.#at) / 1000 / this.timeScale) * this.spec.perSecond);
    this.#at = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  get tokens(): number {
    return this.#tokens;
  }
}

// The fake AWS endpoint's public types.
import type { FakeCredential } from "./sigv4.ts";
import type { ApiName } from "../../src/fake-metadata/aws/routes.ts";
import type { FakeTask } from "../../src/fake-metadata/aws/tasks.ts";
import type { BucketSpec } from "./bucket.ts";

export type { ApiName };

export interface FakeAwsKnobs {
  /** Default page size of ListTasks (real: 100) and GetResources (here: 50) when the caller gives none. */
  pageSize?: number;
  /** The first K calls of each API get the service's throttling error. */
  throttleFirst: number;
  /** IAM actions refused (AccessDeniedException; EC2: UnauthorizedOperation), e.g. "ecs:DescribeTasks", "ec2:DescribeInstances". */
  deny: string[];
  /** Time from a request's arrival to its answer; the fake's own work happens within it, as a service's would. */
  latencyMs: number;
  /** The first GetResources call that presents a PaginationToken gets PaginationTokenExpiredException. */
  expireTokenOnce: boolean;
  /** Every page token handed out is the one the request presented (a service bug the client must survive). */
  repeatToken: boolean;
  /** DescribeTasks also returns this many tasks of the cluster that were not asked for. */
  describeExtra: number;
  /** ListTasks pages of this size whatever maxResults asks. */
  forcePageSize?: number;
  /** ListTasks order: AWS documents none, so by default each listing gets a fresh random order. */
  listOrder: "random" | "oldest-first" | "newest-first";
  /** Each ListTasks and GetResources listing starts with this many empty pages that carry a token. */
  emptyPages: number;
  /** Every call fails with this HTTP status (400 or 500) and a message that quotes the caller's credentials. */
  echoCredentials?: 400 | 500;
  /** Successful answers are streamed (chunked, no content-length) to this many bytes. */
  answerBytes?: number;
}

export interface FakeAwsOptions extends Partial<FakeAwsKnobs> {
  /** Default us-east-1; requests must be signed for it, and only tasks whose ARN names it are visible. */
  region?: string;
  /** Default 123456789012; only tasks whose ARN names it are visible. */
  account?: string;
  tasks?: FakeTask[];
  /** Clusters that exist without tasks (clusters of the tasks always exist). */
  clusters?: string[];
  /** Services that exist without tasks, so ListTasks(serviceName) answers [] instead of ServiceNotFoundException. */
  services?: string[];
  /** Accepted credentials; default [DEFAULT_CREDENTIALS]. A startCredentialsEndpoint() result fits as is. */
  credentials?: FakeCredential[];
  /** Token buckets (default AWS's: ECS burst 100, 20/s; tagging and EC2 their own); null turns throttling by rate off. */
  buckets?: { ecs: BucketSpec; tagging: BucketSpec; ec2?: BucketSpec } | null;
  /** Stretches the buckets' time by this factor (default 1). */
  timeScale?: number;
}

export interface FakeCall {
  api: ApiName | "Unknown";
  /** The parsed JSON input (the raw text when it is not JSON; EC2's form as an object). */
  body: any;
  at: number;
  status: number;
  /** When the answer was sent (Date.now()). */
  doneAt?: number;
  /** Error code sent back, when the call failed. */
  error?: string;
  /** The access key id, once the signature checked out. */
  accessKeyId?: string;
}

export interface FakeAws {
  url: string;
  region: string;
  account: string;
  calls: FakeCall[];
  /** The live knobs (change them with set()). */
  knobs: FakeAwsKnobs;
  credentials: FakeCredential[];
  readonly tasks: FakeTask[];
  setTasks(tasks: FakeTask[]): void;
  /** Changes knobs and restarts their counters (throttling, token expiry). */
  set(knobs: Partial<FakeAwsKnobs>): void;
  callsTo(api: ApiName): FakeCall[];
  /** Calls that got a throttling error (throttleFirst or an empty bucket; EC2's RequestLimitExceeded included). */
  throttled(): FakeCall[];
  /** Forgets recorded calls and issued tokens; knobs go back to the start options, counters to zero. */
  reset(): void;
  close(): Promise<void>;
}

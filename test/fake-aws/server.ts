// A fake AWS endpoint on loopback: ECS ListTasks/DescribeTasks and tagging GetResources over AWS JSON 1.1, SigV4 checked.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { handle, type State } from "./dispatch.ts";
import { TokenBook } from "../../src/fake-metadata/aws/protocol.ts";
import { AWS_EC2_BUCKET, AWS_ECS_BUCKET, AWS_TAGGING_BUCKET, TokenBucket, type BucketSpec } from "./bucket.ts";
import type { FakeCredential } from "./sigv4.ts";
import type { FakeAws, FakeAwsKnobs, FakeAwsOptions } from "./types.ts";

export { makeTasks, parseTaskArn, taskIps, type FakeTask, type MakeTasksOptions } from "./tasks.ts";
export { instanceAt, type FakeInstance } from "../../src/fake-metadata/aws/tasks.ts";
export type { FakeCredential } from "./sigv4.ts";
export { AWS_EC2_BUCKET, AWS_ECS_BUCKET, AWS_TAGGING_BUCKET, TokenBucket, type BucketSpec } from "./bucket.ts";
export type { ApiName, FakeAws, FakeAwsKnobs, FakeAwsOptions, FakeCall } from "./types.ts";

/** Accepted when startFakeAws gets no credentials option. */
export const DEFAULT_CREDENTIALS: FakeCredential = {
  accessKeyId: "AKIAFAKEAWSEXAMPLE01",
  secretAccessKey: "fake/secret/access/key/EXAMPLEKEY000000000",
};

export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const initial = knobsFrom(options);
  const specs = options.buckets === undefined ? { ecs: AWS_ECS_BUCKET, tagging: AWS_TAGGING_BUCKET, ec2: AWS_EC2_BUCKET } : options.buckets;
  const bucket = (spec: BucketSpec) => new TokenBucket(spec, options.timeScale);
  const buckets = () => (specs ? { ecs: bucket(specs.ecs), tagging: bucket(specs.tagging), ec2: bucket(specs.ec2 ?? AWS_EC2_BUCKET) } : undefined);
  const st: State = {
    region: options.region ?? "us-east-1",
    account: options.account ?? "123456789012",
    knobs: knobsFrom(options),
    tasks: options.tasks ?? [],
    clusters: options.clusters ?? [],
    services: options.services ?? [],
    credentials: options.credentials ?? [DEFAULT_CREDENTIALS],
    calls: [],
    tokens: new TokenBook(),
    seen: new Map(),
    expired: false,
    buckets: buckets(),
  };
  const set = (k: Partial<FakeAwsKnobs>) => {
    for (const [key, v] of Object.entries(k)) if (v !== undefined) Object.assign(st.knobs, { [key]: v });
    st.seen = new Map();
    st.expired = false;
  };
  const server = createServer((req, res) => void handle(st, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    region: st.region,
    account: st.account,
    calls: st.calls,
    knobs: st.knobs,
    credentials: st.credentials,
    get tasks() {
      return st.tasks;
    },
    setTasks: (tasks) => void (st.tasks = tasks),
    set,
    callsTo: (api) => st.calls.filter((c) => c.api === api),
    throttled: () => st.calls.filter((c) => c.error === "ThrottlingException" || c.error === "ThrottledException" || c.error === "RequestLimitExceeded"),
    reset: () => {
      st.calls.length = 0;
      st.tokens.clear();
      st.buckets = buckets();
      Object.assign(st.knobs, { ...initial, deny: [...initial.deny] });
      set({});
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function knobsFrom(o: FakeAwsOptions): FakeAwsKnobs {
  return {
    pageSize: o.pageSize,
    throttleFirst: o.throttleFirst ?? 0,
    deny: [...(o.deny ?? [])],
    latencyMs: o.latencyMs ?? 0,
    expireTokenOnce: o.expireTokenOnce ?? false,
    repeatToken: o.repeatToken ?? false,
    describeExtra: o.describeExtra ?? 0,
    forcePageSize: o.forcePageSize,
    listOrder: o.listOrder ?? "random",
    emptyPages: o.emptyPages ?? 0,
    echoCredentials: o.echoCredentials,
    answerBytes: o.answerBytes,
  };
}

// One request through the fake's front door: latency, SigV4, operation lookup, JSON input, knobs, then the API.
import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError, errorReply, jsonReply, parseInput, readBody, send, type Reply, type TokenBook } from "../../src/fake-metadata/aws/protocol.ts";
import { ec2ErrorReply } from "../../src/fake-metadata/aws/ec2.ts";
import { answer, answerQuery, ECS_TARGET as ECS, routeOf, TAGGING_TARGET as TAGGING, type ApiName, type Route } from "../../src/fake-metadata/aws/routes.ts";
import type { FakeTask } from "../../src/fake-metadata/aws/tasks.ts";
import type { TokenBucket } from "./bucket.ts";
import { verifySigV4, type FakeCredential } from "./sigv4.ts";
import type { FakeAwsKnobs, FakeCall } from "./types.ts";

export interface State {
  region: string;
  account: string;
  knobs: FakeAwsKnobs;
  tasks: FakeTask[];
  clusters: string[];
  services: string[];
  credentials: FakeCredential[];
  calls: FakeCall[];
  tokens: TokenBook;
  /** Calls per API since the knobs were last set, for throttleFirst. */
  seen: Map<ApiName, number>;
  expired: boolean;
  buckets?: { ecs: TokenBucket; tagging: TokenBucket; ec2: TokenBucket };
}

// The latency is the time from a request's arrival to its answer, however many run at once: as with
// the services, concurrent callers do not queue behind each other's work on this fake.
export async function handle(st: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const arrived = performance.now();
  const reply = await answerRequest(st, req);
  const wait = st.knobs.latencyMs - (performance.now() - arrived);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  reply.call.doneAt = Date.now();
  if (reply.status === 200 && st.knobs.answerBytes) return streamed(res, st.knobs.answerBytes);
  send(res, reply);
}

/** A JSON answer of `bytes` bytes, written in chunks as the client reads, never held whole. */
function streamed(res: ServerResponse, bytes: number): void {
  const chunk = Buffer.alloc(64 * 1024, "x");
  res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
  res.write('{"taskArns":[],"pad":"');
  let left = bytes;
  const more = () => {
    while (left > 0 && !res.destroyed) {
      left -= chunk.length;
      if (!res.write(chunk)) return void res.once("drain", more);
    }
    if (!res.destroyed) res.end('"}');
  };
  res.on("error", () => {});
  more();
}

async function answerRequest(st: State, req: IncomingMessage): Promise<Reply & { call: FakeCall }> {
  const body = await readBody(req);
  const target = String(req.headers["x-amz-target"] ?? "");
  const route = routeOf(req.method, target, req.headers);
  const query = route?.service === "ec2";
  const call: FakeCall = { api: route?.api ?? "Unknown", body: query ? Object.fromEntries(new URLSearchParams(body.toString("utf8"))) : safeJson(body), at: Date.now(), status: 0 };
  st.calls.push(call);
  try {
    const service = target.startsWith(ECS) ? "ecs" : target.startsWith(TAGGING) ? "tagging" : query ? "ec2" : undefined;
    const signed = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body };
    call.accessKeyId = await verifySigV4(signed, st.credentials, st.region, service);
    if (!route) throw new AwsError("UnknownOperationException", "", { coral: true });
    const input = query ? {} : parseInput(body);
    gate(st, route, input, call.accessKeyId);
    const reply = route.api === "DescribeInstances" ? answerQuery({ ...st, ...st.knobs }, body) : jsonReply(200, answer({ ...st, ...st.knobs }, route.api, input));
    call.status = reply.status;
    return { ...reply, call };
  } catch (e) {
    const err = e instanceof AwsError ? e : new AwsError("InternalFailure", String(e), { status: 500 });
    call.status = err.status;
    call.error = err.code;
    return { ...(query ? ec2ErrorReply(err) : errorReply(err)), call };
  }
}

/** Each service's own words for "throttled" and "not allowed". */
const THROTTLED = { ecs: ["ThrottlingException", 400], tagging: ["ThrottledException", 400], ec2: ["RequestLimitExceeded", 503] } as const;

// Throttling, IAM denial and token expiry come after authentication, as in the services.
function gate(st: State, route: Route, input: Record<string, unknown>, accessKeyId: string): void {
  const n = (st.seen.get(route.api) ?? 0) + 1;
  st.seen.set(route.api, n);
  // The services answer a throttled request with 400 and these codes; it takes no token.
  if (n <= st.knobs.throttleFirst || st.buckets?.[route.service].take() === false) {
    const [code, status] = THROTTLED[route.service];
    throw new AwsError(code, route.service === "ec2" ? "Request limit exceeded." : "Rate exceeded", { status });
  }
  if (st.knobs.deny.includes(route.action)) throw denied(st, route.action, accessKeyId);
  if (st.knobs.echoCredentials) throw echoing(st, st.knobs.echoCredentials, accessKeyId);
  const token = input.PaginationToken;
  if (route.api === "GetResources" && st.knobs.expireTokenOnce && !st.expired && typeof token === "string" && token !== "") {
    st.expired = true;
    throw new AwsError(
      "PaginationTokenExpiredException",
      "A PaginationToken is valid for a maximum of 15 minutes. Your request was denied because the specified PaginationToken has expired.",
    );
  }
}

function denied(st: State, action: string, accessKeyId: string): AwsError {
  const who = `arn:aws:sts::${st.account}:assumed-role/fake-task-role/${accessKeyId}`;
  if (action.startsWith("ec2:")) {
    return new AwsError("UnauthorizedOperation", `You are not authorized to perform this operation. User: ${who} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`, { status: 403 });
  }
  const resource = action.startsWith("ecs:") ? `arn:aws:ecs:${st.region}:${st.account}:container-instance/*` : "*";
  return new AwsError(
    "AccessDeniedException",
    `User: arn:aws:sts::${st.account}:assumed-role/fake-task-role/${accessKeyId} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  );
}

/** A careless service (or a proxy in between) quoting the request's credentials in its error message. */
function echoing(st: State, status: 400 | 500, accessKeyId: string): AwsError {
  const c = st.credentials.find((x) => x.accessKeyId === accessKeyId);
  const text = `request signed by ${accessKeyId} with secret ${c?.secretAccessKey} and token ${c?.sessionToken} refused`;
  return status === 500 ? new AwsError("InternalFailure", text, { status: 500 }) : new AwsError("InvalidParameterException", text);
}

function safeJson(body: Buffer): unknown {
  try {
    return body.length ? JSON.parse(body.toString("utf8")) : {};
  } catch {
    return body.toString("utf8");
  }
}

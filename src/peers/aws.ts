// Every AWS call of the peer step. Retries are ours (the SDK's are off): each attempt has its own timeout, throttling
// waits with full jitter until the peer deadline, other errors (a timed-out attempt included) are retried a few times.
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeTasksCommand, ListTasksCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { TagFilter } from "../config/config.ts";
import { now, type Logger } from "../log.ts";
import { safeText } from "../safe-text.ts";
import { makeClients } from "./clients.ts";
import type { EcsTask } from "./filter.ts";
import { backoffFor, classify, requestTimeoutFor, retryDelay, type Backoff } from "./retry.ts";

// AWS error texts can echo an access key id or the session token, and carry control characters.
const MAX_ERROR_CHARS = 1000;

/** An AWS call that failed after the retries, with the IAM action it needed. */
export class AwsCallError extends Error {
  readonly action: string;
  readonly code: string;
  constructor(action: string, err: unknown) {
    const e = err as { name?: string; message?: string };
    super(safeText(`${action} failed: ${e.name ?? "Error"}: ${e.message ?? String(err)}`, MAX_ERROR_CHARS), { cause: err });
    this.action = action;
    this.code = e.name ?? "Error";
  }
}

export interface Aws {
  ecs: ECSClient;
  region: string;
  /** For the endpoint settings of the calls made without an SDK client (EC2). */
  env: NodeJS.ProcessEnv;
  tagging: ResourceGroupsTaggingAPIClient;
  signal: AbortSignal;
  /** The IAM action in flight, for a timeout message. */
  current: string;
  /** Requests sent, retries included, and how many of them were throttled. */
  calls: number;
  throttled: number;
  deadlineAt: number;
  backoff: Backoff;
  /** One attempt's limit, connection and answer included. */
  requestTimeoutMs: number;
  log: Logger;
}

export function connect(region: string, env: NodeJS.ProcessEnv, signal: AbortSignal, log: Logger, deadlineAt: number, timeoutMs: number): Aws {
  const { ecs, tagging } = makeClients(region, log);
  return { ecs, region, env, tagging, signal, current: "", calls: 0, throttled: 0, deadlineAt, backoff: backoffFor(timeoutMs), requestTimeoutMs: requestTimeoutFor(timeoutMs), log };
}

/** The signal of one attempt: the peer deadline, or this request's own timeout, whichever comes first. */
function attemptSignal(aws: Aws): AbortSignal {
  return AbortSignal.any([aws.signal, AbortSignal.timeout(aws.requestTimeoutMs)]);
}

/** An attempt cut by its own timeout is a transient failure, retried like a reset connection. */
function timedOut(err: unknown, signal: AbortSignal, aws: Aws): unknown {
  if (aws.signal.aborted || !signal.aborted) return err;
  return Object.assign(new Error(`no answer within ${aws.requestTimeoutMs} ms`), { name: "TimeoutError", cause: err });
}

export async function call<T>(aws: Aws, action: string, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    aws.current = action;
    aws.calls++;
    const started = now();
    const signal = attemptSignal(aws);
    try {
      return await send(signal);
    } catch (caught) {
      const err = timedOut(caught, signal, aws);
      const failure = classify(err);
      if (failure === "throttling") aws.throttled++;
      const delay = aws.signal.aborted ? undefined : retryDelay(failure, attempt, aws.deadlineAt - now(), aws.backoff);
      aws.log.debug("aws call failed", { action, error: (err as Error).name, retry_in_ms: delay === undefined ? undefined : Math.round(delay) });
      if (delay === undefined) throw new AwsCallError(action, err);
      await sleep(delay, undefined, { signal: aws.signal }).catch(() => {
        throw new AwsCallError(action, err);
      });
    } finally {
      aws.log.debug("aws call", { action, started: Math.round(started), ms: Math.round(now() - started) });
    }
  }
}

export type ListFilter = { family: string } | { serviceName: string } | { startedBy: string };

export interface Page {
  arns: string[];
  next: string | undefined;
}

/** One ListTasks page (RUNNING tasks, at most 100); startedBy must be the only filter, so it goes without desiredStatus. */
export async function listTasksPage(aws: Aws, cluster: string, filter: ListFilter, nextToken?: string): Promise<Page> {
  const status = "startedBy" in filter ? {} : { desiredStatus: "RUNNING" as const };
  const command = new ListTasksCommand({ cluster, ...filter, ...status, maxResults: 100, nextToken });
  const page = await call(aws, "ecs:ListTasks", (abortSignal) => aws.ecs.send(command, { abortSignal }));
  return { arns: page.taskArns ?? [], next: page.nextToken || undefined };
}

/** One GetResources page of tagged tasks; an expired PaginationToken restarts the listing once. */
export function taggedTasksPager(aws: Aws, tagFilters: TagFilter[]): (token?: string) => Promise<Page> {
  let restarted = false;
  const fetch = async (token?: string): Promise<Page> => {
    const command = new GetResourcesCommand({ TagFilters: tagFilters, ResourceTypeFilters: ["ecs:task"], ResourcesPerPage: 100, PaginationToken: token });
    try {
      const page = await call(aws, "tag:GetResources", (abortSignal) => aws.tagging.send(command, { abortSignal }));
      return { arns: (page.ResourceTagMappingList ?? []).map((m) => m.ResourceARN ?? "").filter(Boolean), next: page.PaginationToken || undefined };
    } catch (err) {
      if (restarted || (err as AwsCallError).code !== "PaginationTokenExpiredException") throw err;
      restarted = true;
      return fetch();
    }
  };
  return fetch;
}

export interface Described {
  tasks: EcsTask[];
  failures: { arn?: string; reason?: string }[];
}

export async function describeTasks(aws: Aws, cluster: string, arns: string[]): Promise<Described> {
  const command = new DescribeTasksCommand({ cluster, tasks: arns });
  const out = await call(aws, "ecs:DescribeTasks", (abortSignal) => aws.ecs.send(command, { abortSignal }));
  return { tasks: (out.tasks ?? []) as EcsTask[], failures: out.failures ?? [] };
}

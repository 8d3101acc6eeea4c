// Every AWS call of the peer step; the SDK's default credential chain and endpoint settings apply. Retries are
// ours (the SDK's are off): throttling waits with full jitter until the peer deadline, other errors a few times.
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { TagFilter } from "../config.ts";
import { now, type Logger } from "../log.ts";
import { safeText } from "../safe-text.ts";
import { divertWarnings } from "../warnings.ts";
import type { EcsTask } from "./filter.ts";
import { backoffFor, classify, retryDelay, type Backoff } from "./retry.ts";

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
  tagging: ResourceGroupsTaggingAPIClient;
  signal: AbortSignal;
  /** The IAM action in flight, for a timeout message. */
  current: string;
  /** Requests sent, retries included, and how many of them were throttled. */
  calls: number;
  throttled: number;
  deadlineAt: number;
  backoff: Backoff;
  log: Logger;
}

export function connect(region: string, signal: AbortSignal, log: Logger, deadlineAt: number, timeoutMs: number): Aws {
  const ecs = quietNodeVersionWarning(log, () => new ECSClient({ region, maxAttempts: 1 }));
  // One credential lookup for both clients: the default chain's container-credentials fetch is a round trip.
  const tagging = new ResourceGroupsTaggingAPIClient({ region, maxAttempts: 1, credentials: ecs.config.credentials });
  return { ecs, tagging, signal, current: "", calls: 0, throttled: 0, deadlineAt, backoff: backoffFor(timeoutMs), log };
}

/**
 * On Node < 22 the SDK's client constructor emits a multi-line NodeVersionSupportWarning on every boot,
 * which breaks the one-line (and JSON) log: it becomes one info line; other warnings pass.
 */
function quietNodeVersionWarning<T>(log: Logger, construct: () => T): T {
  const restore = divertWarnings((text) => {
    if (!text.startsWith("NodeVersionSupportWarning")) return false;
    log.info(`Node.js ${process.version}: the AWS SDK's releases from 2027 on need Node.js >= 22 (>= 22.15 also gives true exec)`);
    return true;
  });
  try {
    return construct();
  } finally {
    restore();
  }
}

async function call<T>(aws: Aws, action: string, send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    aws.current = action;
    aws.calls++;
    const started = now();
    try {
      return await send();
    } catch (err) {
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
  const page = await call(aws, "ecs:ListTasks", () => aws.ecs.send(command, { abortSignal: aws.signal }));
  return { arns: page.taskArns ?? [], next: page.nextToken || undefined };
}

/** One GetResources page of tagged tasks; an expired PaginationToken restarts the listing once. */
export function taggedTasksPager(aws: Aws, tagFilters: TagFilter[]): (token?: string) => Promise<Page> {
  let restarted = false;
  const fetch = async (token?: string): Promise<Page> => {
    const command = new GetResourcesCommand({ TagFilters: tagFilters, ResourceTypeFilters: ["ecs:task"], ResourcesPerPage: 100, PaginationToken: token });
    try {
      const page = await call(aws, "tag:GetResources", () => aws.tagging.send(command, { abortSignal: aws.signal }));
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
  const out = await call(aws, "ecs:DescribeTasks", () => aws.ecs.send(command, { abortSignal: aws.signal }));
  return { tasks: (out.tasks ?? []) as EcsTask[], failures: out.failures ?? [] };
}

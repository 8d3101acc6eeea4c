// Every AWS call of the peer step; the SDK's default credential chain, retries and endpoint settings apply.
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { TagFilter } from "../config.ts";
import { now, type Logger } from "../log.ts";
import { safeText } from "../safe-text.ts";
import type { EcsTask } from "./filter.ts";

// AWS error texts can echo an access key id or the session token, and carry control characters.
const MAX_ERROR_CHARS = 1000;

/** An AWS call that failed after the SDK's own retries, with the IAM action it needed. */
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
  calls: number;
  log: Logger;
}

export function connect(region: string, signal: AbortSignal, log: Logger): Aws {
  const ecs = quietNodeVersionWarning(log, () => new ECSClient({ region }));
  // One credential lookup for both clients: the default chain's container-credentials fetch is a round trip.
  const tagging = new ResourceGroupsTaggingAPIClient({ region, credentials: ecs.config.credentials });
  return { ecs, tagging, signal, current: "", calls: 0, log };
}

/**
 * On Node < 22 the SDK's client constructor emits a multi-line NodeVersionSupportWarning on every boot,
 * which breaks the one-line (and JSON) log: it becomes one info line; other warnings pass.
 */
function quietNodeVersionWarning<T>(log: Logger, construct: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (text.startsWith("NodeVersionSupportWarning")) log.info(`Node.js ${process.version}: the AWS SDK's releases from 2027 on need Node.js >= 22 (>= 22.15 also gives true exec)`);
    else (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return construct();
  } finally {
    process.emitWarning = emitWarning;
  }
}

async function call<T>(aws: Aws, action: string, send: () => Promise<T>): Promise<T> {
  aws.current = action;
  aws.calls++;
  const started = now();
  try {
    return await send();
  } catch (err) {
    throw new AwsCallError(action, err);
  } finally {
    aws.log.debug("aws call", { action, started: Math.round(started), ms: Math.round(now() - started) });
  }
}

export type ListFilter = { family: string } | { serviceName: string };

type Page = { arns: string[]; next: string | undefined };

/** Yields pages as they come; the next page is already on its way while the caller handles this one. */
async function* prefetched(first: Promise<Page>, fetch: (token: string) => Promise<Page>): AsyncGenerator<string[]> {
  let pending: Promise<Page> | undefined = first;
  while (pending) {
    const page: Page = await pending;
    pending = page.next ? fetch(page.next) : undefined;
    // An unawaited page that fails while the caller is busy must not become an unhandled rejection.
    pending?.catch(() => {});
    // The listing is the critical path: its next request is signed and written before the caller's describe work starts.
    if (pending) await new Promise((resolve) => setImmediate(resolve));
    yield page.arns;
  }
}

/** Task ARNs from ListTasks (RUNNING tasks), 100 per page. */
export function listTasks(aws: Aws, cluster: string, filter: ListFilter): AsyncGenerator<string[]> {
  const fetch = async (nextToken?: string): Promise<Page> => {
    const command = new ListTasksCommand({ cluster, ...filter, desiredStatus: "RUNNING", maxResults: 100, nextToken });
    const page = await call(aws, "ecs:ListTasks", () => aws.ecs.send(command, { abortSignal: aws.signal }));
    return { arns: page.taskArns ?? [], next: page.nextToken };
  };
  return prefetched(fetch(), fetch);
}

/** Tagged task ARNs; an expired PaginationToken restarts the listing once (the caller skips ARNs it has seen). */
export function taggedTasks(aws: Aws, tagFilters: TagFilter[]): AsyncGenerator<string[]> {
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
  return prefetched(fetch(), fetch);
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

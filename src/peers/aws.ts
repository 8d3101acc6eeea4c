// Every AWS call of the peer step; the SDK's default credential chain, retries and endpoint settings apply.
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { TagFilter } from "../config.ts";
import type { EcsTask } from "./filter.ts";

// AWS error texts can carry an access key id (e.g. as an assumed-role session name): never log one.
const redact = (text: string) => text.replace(/\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g, "<access key id>");

/** An AWS call that failed after the SDK's own retries, with the IAM action it needed. */
export class AwsCallError extends Error {
  readonly action: string;
  readonly code: string;
  constructor(action: string, err: unknown) {
    const e = err as { name?: string; message?: string };
    super(redact(`${action} failed: ${e.name ?? "Error"}: ${e.message ?? String(err)}`), { cause: err });
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
}

export function connect(region: string, signal: AbortSignal): Aws {
  return { ecs: new ECSClient({ region }), tagging: new ResourceGroupsTaggingAPIClient({ region }), signal, current: "", calls: 0 };
}

async function call<T>(aws: Aws, action: string, send: () => Promise<T>): Promise<T> {
  aws.current = action;
  aws.calls++;
  try {
    return await send();
  } catch (err) {
    throw new AwsCallError(action, err);
  }
}

export type ListFilter = { family: string } | { serviceName: string };

/** Yields pages of task ARNs from ListTasks (RUNNING tasks), 100 per page. */
export async function* listTasks(aws: Aws, cluster: string, filter: ListFilter): AsyncGenerator<string[]> {
  let nextToken: string | undefined;
  do {
    const command = new ListTasksCommand({ cluster, ...filter, desiredStatus: "RUNNING", maxResults: 100, nextToken });
    const page = await call(aws, "ecs:ListTasks", () => aws.ecs.send(command, { abortSignal: aws.signal }));
    nextToken = page.nextToken;
    yield page.taskArns ?? [];
  } while (nextToken);
}

/** Yields pages of tagged task ARNs; an expired PaginationToken restarts the listing once (the caller skips ARNs it has seen). */
export async function* taggedTasks(aws: Aws, tagFilters: TagFilter[]): AsyncGenerator<string[]> {
  let restarted = false;
  let token = "";
  for (;;) {
    const command = new GetResourcesCommand({ TagFilters: tagFilters, ResourceTypeFilters: ["ecs:task"], ResourcesPerPage: 100, PaginationToken: token || undefined });
    let page;
    try {
      page = await call(aws, "tag:GetResources", () => aws.tagging.send(command, { abortSignal: aws.signal }));
    } catch (err) {
      if (restarted || (err as AwsCallError).code !== "PaginationTokenExpiredException") throw err;
      restarted = true;
      token = "";
      continue;
    }
    yield (page.ResourceTagMappingList ?? []).map((m) => m.ResourceARN ?? "").filter(Boolean);
    token = page.PaginationToken ?? "";
    if (!token) return;
  }
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

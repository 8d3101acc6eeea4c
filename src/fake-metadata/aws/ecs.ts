// ECS ListTasks and DescribeTasks over the fake's task list, with the real API's inputs, limits and errors.
import { AwsError, optInt, optString, optStringList } from "./protocol.ts";
import type { TokenBook, TokenEntry } from "./tokens.ts";
import { parseTaskArn, type FakeTask } from "./tasks.ts";

export interface EcsState {
  region: string;
  account: string;
  /** Tasks visible in this region and account (others belong to another endpoint). */
  tasks: FakeTask[];
  /** Clusters that exist even without tasks. */
  clusters: string[];
  /** Services (by name) that exist even without tasks. */
  services: string[];
  pageSize?: number;
  tokens: TokenBook;
  /** AWS documents no order for ListTasks; the test fake asks for a random one (default: the task list's). */
  listOrder?: "random" | "oldest-first" | "newest-first";
  /** Hand back the token the request presented (a looping listing). */
  repeatToken?: boolean;
  /** DescribeTasks also returns this many tasks that were not asked for. */
  describeExtra?: number;
  /** ListTasks pages of this size whatever maxResults asks (a service answering more, or fewer, than asked). */
  forcePageSize?: number;
  /** Each listing starts with this many empty pages that carry a token, as AWS documents it may. */
  emptyPages?: number;
}

const DESIRED = ["RUNNING", "PENDING", "STOPPED"];

export function listTasks(input: Record<string, unknown>, st: EcsState): { taskArns: string[]; nextToken?: string } {
  const cluster = resolveCluster(optString(input, "cluster"), st);
  const family = optString(input, "family");
  const serviceName = optString(input, "serviceName");
  const desiredStatus = optString(input, "desiredStatus") ?? "RUNNING";
  if (!DESIRED.includes(desiredStatus)) throw new AwsError("InvalidParameterException", "Invalid desiredStatus.");
  const maxResults = optInt(input, "maxResults");
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 100)) {
    throw new AwsError("InvalidParameterException", "maxResults must be between 1 and 100.");
  }
  const inCluster = st.tasks.filter((t) => t.cluster === cluster);
  if (serviceName !== undefined && !st.services.includes(serviceName) && !inCluster.some((t) => t.service === serviceName)) {
    throw new AwsError("ServiceNotFoundException", "Service not found.");
  }
  const startedBy = optString(input, "startedBy");
  // "When you specify startedBy as the filter, it must be the only filter that you use."
  if (startedBy !== undefined && (family !== undefined || serviceName !== undefined || input.desiredStatus !== undefined)) {
    throw new AwsError("InvalidParameterException", "startedBy cannot be combined with other filters.");
  }
  const token = optString(input, "nextToken");
  const listing = listingOf(token, st.tokens);
  const start = listing?.offset ?? 0;
  const matching =
    listing?.order ??
    ordered(
      inCluster.filter(
        (t) =>
          t.desiredStatus === desiredStatus &&
          (family === undefined || t.family === family) &&
          (serviceName === undefined || t.service === serviceName) &&
          (startedBy === undefined || t.startedBy === startedBy),
      ),
      st.listOrder,
    ).map((t) => t.taskArn);
  // Only a shuffled listing needs its order kept; the task list's own order is stable.
  const keep = st.listOrder === "random" ? matching : undefined;
  const empties = listing?.empties ?? 0;
  if (empties < (st.emptyPages ?? 0)) return { taskArns: [], nextToken: st.tokens.issue("ListTasks", start, keep, empties + 1) };
  const size = st.forcePageSize ?? maxResults ?? st.pageSize ?? 100;
  const page = matching.slice(start, start + size);
  const next = start + size < matching.length ? (st.repeatToken && token) || st.tokens.issue("ListTasks", start + size, keep, empties) : undefined;
  return { taskArns: page, ...(next ? { nextToken: next } : {}) };
}

function ordered(tasks: FakeTask[], order: EcsState["listOrder"]): FakeTask[] {
  if (order === "newest-first") return [...tasks].reverse();
  if (order !== "random") return tasks;
  const out = [...tasks];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function describeTasks(input: Record<string, unknown>, st: EcsState): { tasks: unknown[]; failures: unknown[] } {
  const cluster = resolveCluster(optString(input, "cluster"), st);
  const refs = optStringList(input, "tasks");
  if (!refs || refs.length === 0) throw new AwsError("InvalidParameterException", "Tasks cannot be empty.");
  if (refs.length > 100) throw new AwsError("InvalidParameterException", "Tasks cannot be longer than 100.");
  const withTags = (optStringList(input, "include") ?? []).includes("TAGS");
  const tasks: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of new Set(refs)) {
    const task = findTask(ref, cluster, st);
    if (task) tasks.push(describe(task, withTags));
    else failures.push({ arn: ref, reason: "MISSING" });
  }
  const extra = st.tasks.filter((t) => t.cluster === cluster && !refs.includes(t.taskArn)).slice(0, st.describeExtra ?? 0);
  tasks.push(...extra.map((t) => describe(t, withTags)));
  return { tasks, failures };
}

function findTask(ref: string, cluster: string, st: EcsState): FakeTask | undefined {
  if (ref.startsWith("arn:")) return st.tasks.find((t) => t.taskArn === ref && t.cluster === cluster);
  return st.tasks.find((t) => t.cluster === cluster && parseTaskArn(t.taskArn)?.id === ref);
}

/** A cluster name from a name or an ARN of this region and account; an unknown one is ClusterNotFoundException. */
export function resolveCluster(given: string | undefined, st: EcsState): string {
  let name = given ?? "default";
  if (name.startsWith("arn:")) {
    const m = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):cluster\/([A-Za-z0-9_-]+)$/.exec(name);
    if (!m) throw new AwsError("InvalidParameterException", "Invalid identifier: Unexpected number of separators");
    if (m[1] !== st.region || m[2] !== st.account) throw new AwsError("ClusterNotFoundException", "Cluster not found.");
    name = m[3];
  }
  if (!st.clusters.includes(name) && !st.tasks.some((t) => t.cluster === name)) {
    throw new AwsError("ClusterNotFoundException", "Cluster not found.");
  }
  return name;
}

function listingOf(token: string | undefined, tokens: TokenBook): TokenEntry | undefined {
  if (token === undefined) return undefined;
  const entry = tokens.entry("ListTasks", token);
  if (entry) return entry;
  if (tokens.forgotten(token)) throw new AwsError("InvalidParameterException", "The nextToken has expired; start the listing again without it.");
  throw new AwsError("InvalidParameterException", "Invalid token bad_token");
}

function describe(t: FakeTask, withTags: boolean): Record<string, unknown> {
  const arn = parseTaskArn(t.taskArn);
  const prefix = arn ? `arn:aws:ecs:${arn.region}:${arn.account}` : "arn:aws:ecs:us-east-1:123456789012";
  const started = Math.floor(Date.now() / 1000) - 600;
  return {
    attachments: t.attachments ?? [],
    availabilityZone: `${arn?.region ?? "us-east-1"}a`,
    clusterArn: `${prefix}:cluster/${t.cluster}`,
    connectivity: "CONNECTED",
    containers: t.containers ?? [],
    cpu: "256",
    createdAt: started,
    desiredStatus: t.desiredStatus,
    group: t.service ? `service:${t.service}` : `family:${t.family}`,
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    lastStatus: t.lastStatus,
    launchType: t.launchType ?? (t.instance ? "EC2" : "FARGATE"),
    ...(t.instance ? { containerInstanceArn: t.instance.containerInstanceArn } : {}),
    memory: "512",
    ...(t.instance ? {} : { platformVersion: "1.4.0" }),
    startedAt: started + 20,
    taskArn: t.taskArn,
    taskDefinitionArn: `${prefix}:task-definition/${t.family}:${t.revision ?? 1}`,
    version: 3,
    ...(withTags ? { tags: Object.entries(t.tags ?? {}).map(([key, value]) => ({ key, value })) } : {}),
  };
}

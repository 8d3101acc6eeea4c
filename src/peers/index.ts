// The peer step (SPEC 4.3): list the app's tasks, describe them, keep the live ones' addresses.
// It never fails the boot: any error or the deadline gives a warning and empty peer variables.
import type { IpFamily } from "../address.ts";
import type { PeersQuery, PeersStrategy } from "../config.ts";
import { now, type Logger } from "../log.ts";
import { fetchMetadata } from "../metadata.ts";
import { nodeName } from "../node-name.ts";
import { connect, describeTasks, listTasks, taggedTasks, type Aws } from "./aws.ts";
import { arnParts, chunks, groupByCluster, peerIps, type EcsTask } from "./filter.ts";

export interface PeersInput {
  strategy: Exclude<PeersStrategy, { kind: "off" }>;
  query?: PeersQuery;
  timeoutMs: number;
  metadataUri?: string;
  /** Our address; a promise, because the lookup starts while the address step still runs. */
  self: Promise<{ ip?: string; family: IpFamily }>;
  basename: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

export interface Peers {
  ips: string[];
  nodes: string[];
  /** ECS_PEER_LOOKUP: "failed" tells a broken lookup from a task that is alone. */
  lookup: "ok" | "failed";
  /** Why the lookup gave nothing, when it failed: the warning that was logged, and the IAM action involved. */
  problem?: { message: string; action?: string; code?: string };
}

const DESCRIBE_CONCURRENCY = 8;
const IAM_HINT = "the task role needs ecs:ListTasks and ecs:DescribeTasks (and tag:GetResources for --peers tags)";

interface TaskContext {
  cluster?: string;
  taskArn?: string;
  family?: string;
}

/** Cluster, own task ARN and family from `<metadata>/task`; only what the strategy needs is required. */
async function taskContext(input: PeersInput, deadlineMs: number): Promise<TaskContext> {
  if (!input.metadataUri) return {};
  const doc = (await fetchMetadata(`${input.metadataUri}/task`, { deadlineMs, log: input.log })) as Record<string, unknown>;
  const text = (key: string) => (typeof doc?.[key] === "string" ? (doc[key] as string) : undefined);
  return { cluster: text("Cluster"), taskArn: text("TaskARN"), family: text("Family") };
}

const configuredRegion = (input: PeersInput) => input.query?.region || input.env.AWS_REGION || input.env.AWS_DEFAULT_REGION;

function regionOf(input: PeersInput, ctx: TaskContext): string {
  const region = configuredRegion(input) || (ctx.taskArn && arnParts(ctx.taskArn).region);
  if (!region) throw new Error("no AWS region: set AWS_REGION, or give \"region\" in the peers query");
  return region;
}

function taskPages(aws: Aws, input: PeersInput, ctx: TaskContext, cluster: string): AsyncGenerator<string[]> {
  const { strategy } = input;
  if (strategy.kind === "tags") return taggedTasks(aws, input.query!.params.TagFilters);
  if (strategy.kind === "service") return listTasks(aws, cluster, { serviceName: strategy.service });
  if (!ctx.family) throw new Error("--peers family needs the task metadata (Family); it is not available here");
  return listTasks(aws, cluster, { family: ctx.family });
}

/** Lists page by page and describes each page as it arrives, a bounded number at a time. */
async function collectTasks(aws: Aws, pages: AsyncGenerator<string[]>, cluster: string, selfArn: string | undefined, log: Logger): Promise<EcsTask[]> {
  // Our own task needs no DescribeTasks: the first task of a deployment makes one call, not two.
  const seen = new Set<string>(selfArn ? [selfArn] : []);
  const tasks: EcsTask[] = [];
  const running = new Set<Promise<void>>();
  for await (const page of pages) {
    const fresh = page.filter((arn) => !seen.has(arn));
    fresh.forEach((arn) => seen.add(arn));
    for (const [group, arns] of groupByCluster(fresh, cluster)) {
      for (const batch of chunks(arns, 100)) {
        while (running.size >= DESCRIBE_CONCURRENCY) await Promise.race(running);
        const job = describeTasks(aws, group, batch).then((out) => {
          tasks.push(...out.tasks);
          for (const f of out.failures) log.debug("DescribeTasks failure skipped", { arn: f.arn, reason: f.reason });
        });
        running.add(job);
        void job.finally(() => running.delete(job)).catch(() => {});
      }
    }
  }
  await Promise.all(running);
  return tasks;
}

async function resolvePeers(input: PeersInput, signal: AbortSignal, onConnect: (aws: Aws) => void): Promise<string[]> {
  // With the region known up front (ECS sets AWS_REGION), credentials load while /task is fetched.
  const early = configuredRegion(input) ? connect(configuredRegion(input)!, signal, input.log) : undefined;
  early?.ecs.config.credentials().catch(() => {});
  const ctx = await taskContext(input, Math.min(2000, input.timeoutMs));
  const aws = early ?? connect(regionOf(input, ctx), signal, input.log);
  onConnect(aws);
  const cluster = input.query?.cluster || ctx.cluster || "default";
  const tasks = await collectTasks(aws, taskPages(aws, input, ctx, cluster), cluster, ctx.taskArn, input.log);
  return peerIps(tasks, { ...(await input.self), taskArn: ctx.taskArn });
}

export async function findPeers(input: PeersInput): Promise<Peers> {
  const started = now();
  const controller = new AbortController();
  let aws: Aws | undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${input.timeoutMs} ms${aws?.current ? ` (waiting for ${aws.current})` : ""}`));
    }, input.timeoutMs);
  });
  try {
    const ips = await Promise.race([resolvePeers(input, controller.signal, (a) => (aws = a)), deadline]);
    input.log.info(`peers: ${ips.length} found`, { strategy: input.strategy.kind, calls: aws?.calls ?? 0, ms: Math.round(now() - started) });
    return { ips, nodes: ips.map((ip) => nodeName(input.basename, ip)), lookup: "ok" };
  } catch (err) {
    // When the address step failed, the boot stops with that error: no second message about peers.
    if (await input.self.then(() => false, () => true)) return { ips: [], nodes: [], lookup: "failed" };
    const message = err instanceof Error ? err.message : String(err);
    const hint = (err as { code?: string }).code === "AccessDeniedException" ? `; ${IAM_HINT}` : "";
    input.log.warn(`peers (${input.strategy.kind}): ${message}${hint}; continuing with empty ECS_PEER_IPS and ECS_PEER_NODES, ECS_PEER_LOOKUP=failed`);
    const { action, code } = err as { action?: string; code?: string };
    return { ips: [], nodes: [], lookup: "failed", problem: { message: `${message}${hint}`, action, code } };
  } finally {
    clearTimeout(timer);
  }
}

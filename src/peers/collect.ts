// Which tasks one boot describes (SPEC 4.3). The calls stay bounded whatever the fleet size: up to one page of
// 100 the list is complete; beyond, one page of candidates is described, and our own task rides along in that
// same DescribeTasks to learn its deployment (startedBy). If that page held nobody of our generation (same task
// definition) — the first tasks of a rolling deploy, when old tasks are the many — one ListTasks(startedBy) page of
// our own deployment and its DescribeTasks follow. Connecting to one live member joins the whole mesh.
import type { Logger } from "../log.ts";
import { describeTasks, listTasksPage, type Aws, type Page } from "./aws.ts";
import { taskProblem, usableArn } from "./shape.ts";
import { arnParts, chunks, groupByCluster, isLive, type EcsTask } from "./filter.ts";

export const PAGE = 100;
const DESCRIBE_CONCURRENCY = 8;
// Our own deployment's listing is a second try, after a page of candidates: fewer pages.
const DEPLOYMENT_PAGES = 5;

export interface Scope {
  cluster: string;
  /** `"cluster": "*"`: every cluster counts. */
  all: boolean;
}

export interface Own {
  taskArn?: string;
  family?: string;
  revision?: string;
}

export interface Collected {
  tasks: EcsTask[];
  complete: boolean;
}

const inScope = (arn: string, scope: Scope) => scope.all || (arnParts(arn).cluster ?? scope.cluster) === scope.cluster;

/**
 * Pages one listing reads at most. AWS may hand over fewer items than asked, even none with a token: up to PAGE
 * tasks the list is complete at 5 or more per page, and a listing stuck on empty pages still ends.
 */
export const MAX_PAGES = 20;

/** Up to PAGE candidate ARNs of the scope, page by page until PAGE are found or the listing ends (at most maxPages). */
export async function listCandidates(fetch: (token?: string) => Promise<Page>, scope: Scope, own: Own, log: Logger, maxPages = MAX_PAGES): Promise<{ arns: string[]; complete: boolean }> {
  const found = new Set<string>();
  const sent = new Set<string>();
  let token: string | undefined;
  let ours = 0;
  for (let pages = 1; ; pages++) {
    const page = await fetch(token);
    for (const arn of page.arns) {
      if (!usableArn(arn)) {
        log.debug("peers: a listed ARN that is not one was left out", { length: String(arn as unknown).length });
        continue;
      }
      if (arn === own.taskArn) {
        ours = 1;
        continue;
      }
      if (inScope(arn, scope)) found.add(arn);
      else log.debug("peers: task of another cluster left out", { arn, cluster: scope.cluster });
    }
    const done = (complete: boolean) => ({ arns: [...found].slice(0, PAGE), complete: complete && found.size <= PAGE });
    if (!page.next) return done(true);
    // A page's worth of the fleet, ourselves included, is what one DescribeTasks takes.
    if (found.size + ours >= PAGE) return done(false);
    const repeated = sent.has(page.next);
    if (!repeated && pages < maxPages) {
      sent.add((token = page.next));
      continue;
    }
    // An unfinished listing that gave nothing cannot tell "alone" from "not told yet": that is a failed lookup.
    const why = repeated ? "handed back a page token it had already given" : `was not finished after ${pages} pages`;
    if (found.size === 0) throw new Error(`the task listing ${why}, with no task so far; the peers are unknown`);
    log.warn(`peers: the listing ${why}; using the ${pages} page(s) received (ECS_PEER_LIST=subset)`);
    return done(false);
  }
}

/** DescribeTasks per cluster, at most 100 ARNs each; only tasks whose ARN was asked for count. */
export async function describe(aws: Aws, arns: string[], scope: Scope, log: Logger): Promise<EcsTask[]> {
  const asked = new Set(arns);
  const batches = [...groupByCluster(arns, scope.cluster)].flatMap(([cluster, list]) => chunks(list, PAGE).map((batch) => [cluster, batch] as const));
  const out: EcsTask[] = [];
  for (const wave of chunks(batches, DESCRIBE_CONCURRENCY)) {
    const results = await Promise.all(wave.map(([cluster, batch]) => describeTasks(aws, cluster, batch)));
    for (const r of results) {
      for (const f of r.failures) log.debug("DescribeTasks failure skipped", { arn: f.arn, reason: f.reason });
      for (const t of r.tasks) {
        const problem = taskProblem(t);
        if (problem) log.debug("peers: a malformed task in the DescribeTasks answer was skipped", { field: problem, arn: typeof t?.taskArn === "string" ? t.taskArn.slice(0, 200) : undefined });
        else if (t.taskArn && asked.has(t.taskArn)) out.push(t);
        else log.debug("DescribeTasks returned a task that was not asked for; left out", { arn: t.taskArn });
      }
    }
  }
  return out;
}

/** Our generation: our own task definition (from our own description, else the metadata's Family and Revision). */
function generationOf(self: EcsTask | undefined, own: Own): (t: EcsTask) => boolean {
  if (self?.taskDefinitionArn) return (t) => t.taskDefinitionArn === self.taskDefinitionArn;
  if (own.family && own.revision) return (t) => t.taskDefinitionArn?.endsWith(`:task-definition/${own.family}:${own.revision}`) === true;
  return () => true;
}

/** `reachable`: whether a task gives a peer (a task address in awsvpc mode; a container instance in host and bridge mode). */
export async function collect(aws: Aws, listed: { arns: string[]; complete: boolean }, scope: Scope, own: Own, reachable: () => Promise<(t: EcsTask) => boolean>, log: Logger): Promise<Collected> {
  const { complete } = listed;
  // A complete list needs no word about us: a lone task makes one call, not two.
  // Our task rides along only in a call made anyway (its own cluster's), never in one of its own.
  const ride = !complete && own.taskArn && inScope(own.taskArn, scope) ? [...listed.arns.slice(0, PAGE - 1), own.taskArn] : listed.arns;
  const described = ride.length ? await describe(aws, ride, scope, log) : [];
  const self = described.find((t) => t.taskArn === own.taskArn);
  const tasks = described.filter((t) => t.taskArn !== own.taskArn);
  if (complete || !self?.startedBy) return { tasks, complete };
  const gives = await reachable();
  const ours = generationOf(self, own);
  if (tasks.some((t) => isLive(t) && ours(t) && gives(t))) return { tasks, complete };
  const cluster = arnParts(self.taskArn ?? "").cluster ?? scope.cluster;
  try {
    const deployment = { cluster, all: false };
    const page = await listCandidates((token) => listTasksPage(aws, cluster, { startedBy: self.startedBy! }, token), deployment, own, log, DEPLOYMENT_PAGES);
    const seen = new Set(ride);
    const fresh = page.arns.filter((arn) => !seen.has(arn)).slice(0, PAGE);
    log.debug("peers: none of our generation among the candidates; listing our deployment", { startedBy: self.startedBy, found: fresh.length });
    if (fresh.length) tasks.push(...(await describe(aws, fresh, { cluster, all: false }, log)));
  } catch (err) {
    log.debug("peers: listing our deployment failed; keeping the candidates", { error: (err as Error).message });
  }
  return { tasks, complete };
}

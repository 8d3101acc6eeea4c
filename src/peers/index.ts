// The peer step (SPEC 4.3): list the app's tasks, describe them, keep the live ones' addresses.
// It never fails the boot: any error or the deadline gives a warning and empty peer variables.
import type { IpFamily } from "../boot/address.ts";
import type { PeersQuery, PeersStrategy } from "../config/config.ts";
import { now, type Logger } from "../log.ts";
import { fetchMetadata } from "../boot/metadata.ts";
import { nodeName } from "../boot/node-name.ts";
import { connect, listTasksPage, taggedTasksPager, type Aws, type Page } from "./aws.ts";
import { collect, listCandidates, type Own, type Scope } from "./collect.ts";
import { addressless, arnParts, byAddress, peerIps, taskIp, type EcsTask } from "./filter.ts";
import { peerPort, type Member } from "./bindings.ts";
import { instancePeers, namingOf, withMode, type InstanceSelf } from "./instance-peers.ts";
import { iamHint, warnAddressless, warnUnbound } from "./warnings.ts";

export interface PeersInput {
  strategy: Exclude<PeersStrategy, { kind: "off" }>;
  query?: PeersQuery;
  timeoutMs: number;
  metadataUri?: string;
  /** Our address (and host or bridge mode); a promise, because the lookup starts while the address step still runs. */
  self: Promise<InstanceSelf & { family: IpFamily }>;
  /** --dist-port's (first) port: host mode's distribution port. */
  distPort?: number;
  basename: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

export interface Peers {
  ips: string[];
  nodes: string[];
  /** ECS_PEER_LOOKUP: "failed" tells a broken lookup from a task that is alone. */
  lookup: "ok" | "failed";
  /** False when the fleet is larger than one page and these peers are a subset of it (ECS_PEER_LIST=subset). */
  complete?: boolean;
  /** awsvpc mode: live tasks that count but have no task address (network mode host or bridge). */
  addressless?: number;
  /** Why the lookup gave nothing, when it failed: the warning that was logged, and the IAM action involved. */
  problem?: { message: string; action?: string; code?: string };
}


interface TaskContext extends Own {
  cluster?: string;
}

/** Cluster, own task ARN and family from `<metadata>/task`; only what the strategy needs is required. */
async function taskContext(input: PeersInput, deadlineMs: number): Promise<TaskContext> {
  if (!input.metadataUri) return {};
  const doc = (await fetchMetadata(`${input.metadataUri}/task`, { deadlineMs, log: input.log })) as Record<string, unknown>;
  const text = (key: string) => (typeof doc?.[key] === "string" ? (doc[key] as string) : undefined);
  return { cluster: text("Cluster"), taskArn: text("TaskARN"), family: text("Family"), revision: text("Revision") };
}

const configuredRegion = (input: PeersInput) => input.query?.region || input.env.AWS_REGION || input.env.AWS_DEFAULT_REGION;

function regionOf(input: PeersInput, ctx: TaskContext): string {
  const region = configuredRegion(input) || (ctx.taskArn && arnParts(ctx.taskArn).region);
  if (!region) throw new Error("no AWS region: set AWS_REGION, or give \"region\" in the peers query");
  return region;
}

function pager(aws: Aws, input: PeersInput, ctx: TaskContext, cluster: string): (token?: string) => Promise<Page> {
  const { strategy } = input;
  if (strategy.kind === "tags") return taggedTasksPager(aws, input.query!.params.TagFilters);
  if (strategy.kind === "service") return (token) => listTasksPage(aws, cluster, { serviceName: strategy.service }, token);
  if (!ctx.family) throw new Error("--peers family needs the task metadata (Family); it is not available here");
  const family = ctx.family;
  return (token) => listTasksPage(aws, cluster, { family }, token);
}

/** Peers come from one cluster: the query's, else the task's own, else "default"; "*" (tags) opts into all. */
function scopeOf(input: PeersInput, ctx: TaskContext): Scope {
  const asked = input.query?.cluster;
  // Metadata gives the cluster's ARN; task ARNs name the cluster by its short name.
  const own = ctx.cluster?.replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\//, "");
  if (asked === "*") return { cluster: own || "default", all: input.strategy.kind === "tags" };
  return { cluster: asked || own || "default", all: false };
}

async function resolvePeers(input: PeersInput, signal: AbortSignal, deadlineAt: number, onConnect: (aws: Aws) => void) {
  // With the region known up front (ECS sets AWS_REGION), credentials load while /task is fetched.
  const early = configuredRegion(input) ? connect(configuredRegion(input)!, input.env, signal, input.log, deadlineAt, input.timeoutMs) : undefined;
  early?.ecs.config.credentials().catch(() => {});
  const ctx = await taskContext(input, Math.min(2000, input.timeoutMs));
  const aws = early ?? connect(regionOf(input, ctx), input.env, signal, input.log, deadlineAt, input.timeoutMs);
  onConnect(aws);
  const scope = scopeOf(input, ctx);
  const listed = await listCandidates(pager(aws, input, ctx, scope.cluster), scope, ctx, input.log);
  const naming = input.self.then((s) => namingOf(s, input.distPort));
  const reachable = () => Promise.all([input.self, naming]).then(([s, n]) => (n ? (t: EcsTask) => !!t.containerInstanceArn && !("skip" in peerPort(t, n)) : (t: EcsTask) => !!taskIp(t, s.family)));
  const { tasks, complete } = await collect(aws, listed, scope, ctx, reachable, input.log);
  const self = { ...(await input.self), taskArn: ctx.taskArn };
  const mode = await naming;
  if (!mode) return { members: peerIps(tasks, self).map((ip) => ({ ip, node: nodeName(input.basename, ip) })), complete, addressless: addressless(tasks, self) };
  const found = await instancePeers(aws, tasks, scope.cluster, self, mode, input.basename);
  if (found.unbound && !found.members.length) warnUnbound(found.unbound, mode, input);
  return { members: found.members, complete, naming: mode };
}

export async function findPeers(given: PeersInput): Promise<Peers> {
  const started = now();
  const input = { ...given, self: given.self.then((s) => withMode(s, given.metadataUri, given.distPort, given.log)) };
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
    const found = await Promise.race([resolvePeers(input, controller.signal, started + input.timeoutMs, (a) => (aws = a)), deadline]);
    const members = fitted(found.members, input);
    const list = found.complete && members.length === found.members.length ? "complete" : "subset";
    const mode = found.naming ? { mode: found.naming.networkMode } : {};
    input.log.info(`peers: ${members.length} found`, { strategy: input.strategy.kind, ...mode, list, calls: aws?.calls ?? 0, throttled: aws?.throttled || undefined, ms: Math.round(now() - started) });
    if (found.addressless) warnAddressless(found.addressless, members.length, input);
    const ips = byAddress(new Set(members.map((m) => m.ip)));
    return { ips, nodes: members.map((m) => m.node), lookup: "ok", complete: list === "complete", addressless: found.addressless };
  } catch (err) {
    // When the address step failed, the boot stops with that error: no second message about peers.
    if (await input.self.then(() => false, () => true)) return { ips: [], nodes: [], lookup: "failed" };
    const message = err instanceof Error ? err.message : String(err);
    const instance = await input.self.then((s) => namingOf(s, input.distPort), () => undefined);
    const hint = iamHint((err as { code?: string }).code, instance !== undefined);
    input.log.warn(`peers (${input.strategy.kind}): ${message}${hint}; continuing with empty ECS_PEER_IPS and ECS_PEER_NODES, ECS_PEER_LOOKUP=failed`);
    const { action, code } = err as { action?: string; code?: string };
    return { ips: [], nodes: [], lookup: "failed", problem: { message: `${message}${hint}`, action, code } };
  } finally {
    clearTimeout(timer);
  }
}

// One environment string may hold 128 KiB (MAX_ARG_STRLEN); ECS_PEER_NODES stays within a quarter of it.
export const MAX_PEER_VAR_BYTES = 32 * 1024;

/** The lookup is bounded (at most 200 peers), so this cuts only with a huge preset basename: the highest addresses go. */
function fitted(members: Member[], input: PeersInput): Member[] {
  let bytes = 0;
  const kept = members.filter((m) => (bytes += Buffer.byteLength(m.node) + 1) <= MAX_PEER_VAR_BYTES);
  if (kept.length < members.length) input.log.warn(`peers: ${members.length} found, ${kept.length} kept so that ECS_PEER_NODES stays under ${MAX_PEER_VAR_BYTES} bytes; ECS_PEER_LIST=subset`);
  return kept;
}

import { canonicalIp, type Address } from "../boot/address.ts";
import { taskArnFor, type LocalTask } from "./documents.ts";
import type { FakeOptions } from "./options.ts";

// Far more tasks than a local cluster has; beyond it the least recently seen task is forgotten.
export const MAX_TASKS = 1024;

/**
 * The local cluster: every caller of the metadata endpoint is a task, keyed by the address it is
 * told. A task that stops asking is forgotten after the expiry, as a stopped task leaves ECS.
 * The map is kept in least-recently-seen order, so both bounds cost nothing to hold.
 */
export class TaskRegistry {
  readonly tasks = new Map<string, LocalTask & { lastSeen: number }>();
  readonly options: FakeOptions;
  constructor(options: FakeOptions) {
    this.options = options;
  }

  /** The task of a caller: a fixed --ip, an address named in the URI, or the caller's source address. */
  taskFor(source: string, named?: Address): LocalTask {
    const address = this.options.ip ?? named ?? canonicalIp(source.replace(/^::ffff:(?=\d+\.)/, ""));
    const key = address?.ip ?? source;
    const o = this.options;
    let task = this.tasks.get(key);
    if (task) this.tasks.delete(key);
    else {
      const taskArn = taskArnFor(o.region, o.cluster, key);
      task = { address, networkMode: o.networkMode, cluster: o.cluster, family: o.family, service: o.service, region: o.region, taskArn, tags: o.tags, startedAt: new Date().toISOString(), lastSeen: 0 };
      if (o.networkMode === "bridge") task.ports = { containerPort: o.modes.containerPort, hostPort: o.modes.hostPort };
    }
    task.lastSeen = Date.now();
    this.tasks.set(key, task);
    this.prune(task.lastSeen);
    return task;
  }

  /** Tasks that asked for metadata within the expiry. */
  live(now = Date.now()): LocalTask[] {
    this.prune(now);
    return [...this.tasks.values()];
  }

  /** Drops expired tasks and, past MAX_TASKS, the least recently seen ones: both sit at the front. */
  private prune(now: number): void {
    for (const [key, task] of this.tasks) {
      if (now - task.lastSeen <= this.options.expireMs && this.tasks.size <= MAX_TASKS) return;
      this.tasks.delete(key);
    }
  }
}

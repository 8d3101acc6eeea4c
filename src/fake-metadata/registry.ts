import { canonicalIp, type Address } from "../boot/address.ts";
import { taskArnFor, type LocalTask } from "./documents.ts";
import type { FakeOptions } from "./options.ts";
import type { TaskOptions } from "./task-options.ts";

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

  /**
   * The task of a caller: a fixed --ip, an address named in the URI, or the caller's source address. In host and
   * bridge mode a task is its instance's address and its port (several tasks share an instance).
   */
  taskFor(source: string, named?: Address, asked: TaskOptions = {}): LocalTask {
    const o = this.options;
    const sourceIp = canonicalIp(source.replace(/^::ffff:(?=\d+\.)/, ""));
    const networkMode = asked.networkMode ?? o.networkMode;
    const onInstance = networkMode === "bridge" || networkMode === "host";
    const instanceIp = onInstance ? (asked.instanceIp ?? o.modes.instanceIp?.ip ?? (sourceIp?.family === 4 ? sourceIp.ip : "127.0.0.1")) : undefined;
    const containerPort = asked.containerPort ?? o.modes.containerPort;
    const hostPort = networkMode === "host" ? containerPort : (asked.hostPort ?? (asked.containerPort ?? o.modes.hostPort));
    const address = instanceIp ? canonicalIp(instanceIp) : (o.ip ?? named ?? sourceIp);
    const key = instanceIp ? `${networkMode}/${instanceIp}/${hostPort}` : (address?.ip ?? source);
    let task = this.tasks.get(key);
    if (task) this.tasks.delete(key);
    else {
      const taskArn = taskArnFor(o.region, o.cluster, key);
      task = { address, networkMode, cluster: o.cluster, family: o.family, service: o.service, region: o.region, taskArn, tags: o.tags, startedAt: new Date().toISOString(), lastSeen: 0, instanceIp };
      if (onInstance) task.ports = { containerPort, hostPort };
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

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { canonicalIp, type Address } from "../address.ts";
import type { CommandLine } from "../cli.ts";
import { configError, expected } from "../errors.ts";
import type { Logger } from "../log.ts";
import { ENV } from "../options.ts";
import { containerDocument, taskArnFor, taskDocument, type FakeTask } from "./documents.ts";

const CONTAINER_ID = "fake-container";

export interface FakeOptions {
  host: string;
  port: number;
  /** Fixed address to report, or undefined for each caller's own source address. */
  ip?: Address;
  networkMode: string;
  cluster: string;
  family: string;
  region: string;
  tags: Record<string, string>;
  expireMs: number;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

export function fakeOptions(line: Pick<CommandLine, "flags" | "repeated">): FakeOptions {
  const f = line.flags;
  const port = Number(f.port ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw configError(`--port: ${expected("a port number 0-65535", f.port!)}`);
  const ip = f.ip === undefined || f.ip === "auto" ? undefined : canonicalIp(f.ip);
  if (f.ip !== undefined && f.ip !== "auto" && !ip) throw configError(`--ip: ${expected("an IP address or auto", f.ip)}`);
  const networkMode = f.networkMode ?? "awsvpc";
  if (!["awsvpc", "bridge", "host"].includes(networkMode)) throw configError(`--network-mode: ${expected("awsvpc, bridge or host", networkMode)}`);
  const tags: Record<string, string> = {};
  for (const tag of line.repeated.tag ?? []) {
    const eq = tag.indexOf("=");
    if (eq < 1) throw configError(`--tag: ${expected("KEY=VALUE", tag)}`);
    tags[tag.slice(0, eq)] = tag.slice(eq + 1);
  }
  const expireMs = Number(f.expire ?? "60000");
  if (!Number.isInteger(expireMs) || expireMs < 1) throw configError(`--expire: ${expected("milliseconds", f.expire!)}`);
  return { host: f.host ?? "127.0.0.1", port, ip, networkMode, cluster: f.cluster ?? "local", family: f.family ?? "local-app", region: f.region ?? "us-east-1", tags, expireMs };
}

/** Tasks are the callers of the metadata endpoint, keyed by the address they are told. */
export class TaskRegistry {
  readonly tasks = new Map<string, FakeTask & { lastSeen: number }>();
  readonly options: FakeOptions;
  constructor(options: FakeOptions) {
    this.options = options;
  }
  taskFor(source: string): FakeTask {
    const address = this.options.ip ?? canonicalIp(source.replace(/^::ffff:(?=\d+\.)/, ""));
    const key = address?.ip ?? source;
    const o = this.options;
    let task = this.tasks.get(key);
    if (!task) {
      const taskArn = taskArnFor(o.region, o.cluster, key);
      task = { address, networkMode: o.networkMode, cluster: o.cluster, family: o.family, region: o.region, taskArn, tags: o.tags, startedAt: new Date().toISOString(), lastSeen: 0 };
      this.tasks.set(key, task);
    }
    task.lastSeen = Date.now();
    return task;
  }
  /** Tasks that asked for metadata within the expiry. */
  live(now = Date.now()): FakeTask[] {
    for (const [key, task] of this.tasks) if (now - task.lastSeen > this.options.expireMs) this.tasks.delete(key);
    return [...this.tasks.values()];
  }
}

function send(res: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export type ExtraHandler = (req: IncomingMessage, res: ServerResponse, registry: TaskRegistry) => boolean;

export function metadataHandler(registry: TaskRegistry, extra?: ExtraHandler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (req.method === "GET" && path === `/v4/${CONTAINER_ID}`) return send(res, 200, containerDocument(registry.taskFor(req.socket.remoteAddress ?? "")));
    if (req.method === "GET" && path === `/v4/${CONTAINER_ID}/task`) return send(res, 200, taskDocument(registry.taskFor(req.socket.remoteAddress ?? "")));
    if (extra?.(req, res, registry)) return;
    send(res, 404, { error: `no such metadata path ${path}; try /v4/${CONTAINER_ID}` });
  };
}

/** Serves the fake until a signal; prints the URI for the app as the first line of stdout. */
export async function runFakeMetadata(line: Pick<CommandLine, "flags" | "repeated">, log: Logger): Promise<number> {
  const options = fakeOptions(line);
  if (!isLoopback(options.host)) {
    log.warn(`fake-metadata listens on ${options.host}, not loopback: every host that can reach it gets metadata and API answers`);
  }
  const registry = new TaskRegistry(options);
  const server = createServer(metadataHandler(registry));
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  process.stdout.write(`${ENV.metadataUriV4}=http://${host}:${port}/v4/${CONTAINER_ID}\n`);
  log.info("fake metadata endpoint ready", { ip: options.ip?.ip ?? "auto", networkMode: options.networkMode });
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  server.close();
  server.closeAllConnections();
  return 0;
}

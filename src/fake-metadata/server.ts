// `entrypoint fake-metadata`: the ECS task metadata endpoint (v4) and the ECS/tagging API calls of
// the peer step, for one host or a whole docker-compose network.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { canonicalIp } from "../boot/address.ts";
import type { CommandLine } from "../config/cli.ts";
import type { Logger } from "../log.ts";
import { ENV } from "../config/options.ts";
import { awsHandler } from "./aws/handler.ts";
import { FakeControl } from "./control.ts";
import { imdsHandler } from "./imds.ts";
import { startMetadataFile } from "./metadata-file.ts";
import { ACCOUNT, containerDocument, taskDocument } from "./documents.ts";
import { fakeOptions, isLoopback } from "./options.ts";
import { TaskRegistry } from "./registry.ts";
import { taskOptions } from "./task-options.ts";

const CONTAINER_ID = "fake-container";
// /v4/<id> and /v4/<id>/task; an <id> that is an IP address makes the caller that task (several tasks on one host);
// `;mode=…;instance=…;host-port=…` after it says the task's network mode, instance and port (task-options.ts).
const METADATA_PATH = /^\/v4\/([^/]+)(\/task)?$/;
// Slow or idle clients are cut off, and connections are capped: nothing a client does grows memory without bound.
const LIMITS = { headersTimeout: 5_000, requestTimeout: 10_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000, maxHeaderSize: 16 * 1024 };
export const MAX_CONNECTIONS = 256;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function fakeHandler(registry: TaskRegistry) {
  const control = new FakeControl();
  const aws = awsHandler({ region: registry.options.region, account: ACCOUNT, cluster: registry.options.cluster, live: () => registry.live(), paging: control.paging });
  const imds = imdsHandler(registry.options.modes.instanceIp?.ip);
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const match = req.method === "GET" ? METADATA_PATH.exec(path) : null;
    if (match) {
      const segment = decoded(match[1]!);
      if (segment === undefined) return send(res, 400, { error: "bad percent-encoding in the path" });
      const named = taskOptions(segment);
      if ("error" in named) return send(res, 400, { error: named.error });
      const task = registry.taskFor(req.socket.remoteAddress ?? "", canonicalIp(named.id), named.options);
      return send(res, 200, match[2] ? taskDocument(task) : containerDocument(task));
    }
    if (imds(req, res) || control.handle(req, res) || aws(req, res)) return;
    send(res, 404, { error: `no such path: metadata is at /v4/${CONTAINER_ID} and /v4/${CONTAINER_ID}/task; the AWS API takes POST / with X-Amz-Target` });
  };
  // No request, however malformed, may stop the fake.
  return (req: IncomingMessage, res: ServerResponse) => {
    try {
      handle(req, res);
    } catch (err) {
      if (!res.headersSent) send(res, 500, { error: String(err) });
      else res.destroy();
    }
  };
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The URI for clients: a wildcard bind is reached through loopback here, and by this host's name from elsewhere. */
function clientHost(bound: string): { host: string; wildcard: boolean } {
  const wildcard = bound === "0.0.0.0" || bound === "::";
  const host = wildcard ? (bound === "::" ? "::1" : "127.0.0.1") : bound;
  return { host: host.includes(":") ? `[${host}]` : host, wildcard };
}

/** Serves until SIGINT/SIGTERM; the first stdout line is the URI for the app. */
export async function runFakeMetadata(line: Pick<CommandLine, "flags" | "repeated">, log: Logger): Promise<number> {
  const options = fakeOptions(line);
  const registry = new TaskRegistry(options);
  const server = createServer(LIMITS, fakeHandler(registry));
  server.maxConnections = MAX_CONNECTIONS;
  server.timeout = LIMITS.requestTimeout;
  // Handlers first: whoever reads the URI line may stop us right away.
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  const { host, wildcard } = clientHost(options.host);
  process.stdout.write(`${ENV.metadataUriV4}=http://${host}:${port}/v4/${CONTAINER_ID}\n`);
  // bridge and host mode: where the instance's address comes from (SPEC 4.9), as more lines to export.
  const instanceMode = options.networkMode === "bridge" || options.networkMode === "host";
  const removeFile = instanceMode ? startMetadataFile(options, options.modes) : undefined;
  if (instanceMode) process.stdout.write(`ECS_CONTAINER_METADATA_FILE=${options.modes.metadataFile}\nAWS_EC2_METADATA_SERVICE_ENDPOINT=http://${host}:${port}\n`);
  if (!isLoopback(options.host)) log.warn(`listening on ${options.host} as asked (--host), not on loopback: every host that reaches it gets metadata and API answers`);
  if (wildcard) log.info(`other hosts and containers use this host's name or address instead of ${host}, e.g. the compose service name: http://<service>:${port}/v4/${CONTAINER_ID}`);
  log.info("fake metadata endpoint ready", { ip: options.ip?.ip ?? "auto", networkMode: options.networkMode, aws: `AWS_ENDPOINT_URL=http://${host}:${port}`, credentials: `AWS_CONTAINER_CREDENTIALS_FULL_URI=http://${host}:${port}/fake/credentials/<task ip>` });
  await stopped;
  removeFile?.();
  server.close();
  server.closeAllConnections();
  return 0;
}

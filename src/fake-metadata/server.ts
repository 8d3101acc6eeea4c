// `entrypoint fake-metadata`: the ECS task metadata endpoint (v4) and the ECS/tagging API calls of
// the peer step, for one host or a whole docker-compose network.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { canonicalIp } from "../address.ts";
import type { CommandLine } from "../cli.ts";
import type { Logger } from "../log.ts";
import { ENV } from "../options.ts";
import { awsHandler } from "./aws/handler.ts";
import { FakeControl } from "./control.ts";
import { ACCOUNT, containerDocument, taskDocument } from "./documents.ts";
import { fakeOptions, isLoopback } from "./options.ts";
import { TaskRegistry } from "./registry.ts";

const CONTAINER_ID = "fake-container";
// /v4/<id> and /v4/<id>/task; an <id> that is an IP address makes the caller that task (several tasks on one host).
const METADATA_PATH = /^\/v4\/([^/]+)(\/task)?$/;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function fakeHandler(registry: TaskRegistry) {
  const control = new FakeControl();
  const aws = awsHandler({ region: registry.options.region, account: ACCOUNT, cluster: registry.options.cluster, live: () => registry.live() });
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const match = req.method === "GET" ? METADATA_PATH.exec(path) : null;
    if (match) {
      const task = registry.taskFor(req.socket.remoteAddress ?? "", canonicalIp(decodeURIComponent(match[1]!)));
      return send(res, 200, match[2] ? taskDocument(task) : containerDocument(task));
    }
    if (control.handle(req, res) || aws(req, res)) return;
    send(res, 404, { error: `no such path ${path}: metadata is at /v4/${CONTAINER_ID} and /v4/${CONTAINER_ID}/task; the AWS API takes POST / with X-Amz-Target` });
  };
}

/** Serves until SIGINT/SIGTERM; the first stdout line is the URI for the app. */
export async function runFakeMetadata(line: Pick<CommandLine, "flags" | "repeated">, log: Logger): Promise<number> {
  const options = fakeOptions(line);
  const registry = new TaskRegistry(options);
  const server = createServer(fakeHandler(registry));
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  process.stdout.write(`${ENV.metadataUriV4}=http://${host}:${port}/v4/${CONTAINER_ID}\n`);
  if (!isLoopback(options.host)) log.warn(`listening on ${options.host} as asked (--host), not on loopback: every host that reaches it gets metadata and API answers`);
  log.info("fake metadata endpoint ready", { ip: options.ip?.ip ?? "auto", networkMode: options.networkMode, aws: `AWS_ENDPOINT_URL=http://${host}:${port}` });
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  server.close();
  server.closeAllConnections();
  return 0;
}

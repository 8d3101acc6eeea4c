// The two AWS clients of the peer step, made to fit a boot: every credential fetch and every answer is bounded in
// time and size, the credentials the SDK resolves are known to the log's redaction, and the SDK's own log lines
// go to our debug log instead of raw to stderr. The SDK's default credential chain and endpoint settings apply.
import type { Readable } from "node:stream";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { Logger } from "../log.ts";
import { rememberCredentials } from "../safe-text.ts";
import { divertWarnings } from "../warnings.ts";
import { AnswerTooLarge, MAX_ANSWER_BYTES, readAtMost } from "./bounded.ts";

export { AnswerTooLarge, MAX_ANSWER_BYTES, readAtMost };

export const CONNECT_TIMEOUT_MS = 3000;
/** The SDK retries a refused credentials connection for about 3 s: that error, not ours, should be the one told. Within one request timeout. */
export const CREDENTIALS_TIMEOUT_MS = 4000;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
type Provider = () => Promise<Credentials>;

export interface Clients {
  ecs: ECSClient;
  tagging: ResourceGroupsTaggingAPIClient;
}

export function makeClients(region: string, log: Logger): Clients {
  routeSdkConsole(log);
  return quietNodeVersionWarning(log, () => construct(region, log));
}

function construct(region: string, log: Logger): Clients {
  const logger = sdkLogger(log);
  const base = { region, maxAttempts: 1, logger, requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS } };
  // The default chain of a throwaway client, fetched afresh after a timeout: a hung fetch stays hung.
  const chain = () => quietNodeVersionWarning(log, () => new ECSClient({ region, logger }).config.credentials as Provider);
  const credentials = boundedCredentials(chain, CREDENTIALS_TIMEOUT_MS);
  const ecs = new ECSClient({ ...base, credentials });
  // One credential lookup for both clients: the container-credentials fetch is a round trip.
  const tagging = new ResourceGroupsTaggingAPIClient({ ...base, credentials });
  const bounded = { step: "deserialize", priority: "low", name: "entrypointBoundedAnswer" } as const;
  ecs.middlewareStack.add(boundedAnswer(MAX_ANSWER_BYTES) as never, bounded);
  tagging.middlewareStack.add(boundedAnswer(MAX_ANSWER_BYTES) as never, bounded);
  return { ecs, tagging };
}

/** Each fetch has its own deadline; the values are remembered for redaction before any request is signed with them. */
export function boundedCredentials(makeChain: () => Provider, timeoutMs: number): Provider {
  let chain: Provider | undefined;
  return async () => {
    const current = (chain ??= makeChain());
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`the credentials endpoint gave no credentials within ${timeoutMs} ms`), { name: "TimeoutError" })), timeoutMs);
      timer.unref();
    });
    try {
      const creds = await Promise.race([current(), late]);
      rememberCredentials(creds);
      return creds;
    } catch (err) {
      if (chain === current) chain = undefined;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Reads the raw answer itself, up to `max` bytes, before the SDK parses it: a huge answer never fills memory. */
function boundedAnswer(max: number) {
  return (next: (args: unknown) => Promise<{ response: unknown }>) => async (args: unknown) => {
    const out = await next(args);
    const response = out.response as { headers?: Record<string, string>; body?: unknown };
    const body = response.body as Readable | undefined;
    if (!body || typeof body.on !== "function") return out;
    const declared = Number(response.headers?.["content-length"] ?? NaN);
    if (declared > max) {
      body.destroy();
      throw new AnswerTooLarge(declared, max);
    }
    response.body = await readAtMost(body, max);
    return out;
  };
}

// The SDK logs with its clients' logger, but the credential providers' own HTTP handler writes to console.
const SDK_TEXT = /^@(smithy|aws-sdk)\//;
const ROUTED = Symbol.for("ecs-release-entrypoint.sdk-console");

function sdkLogger(log: Logger) {
  const line = (level: string) => (...parts: unknown[]) => log.debug(`aws sdk ${level}: ${parts.map(String).join(" ")}`);
  return { trace: () => {}, debug: () => {}, info: () => {}, warn: line("warning"), error: line("error") };
}

/** SDK lines written to console.warn/console.error become debug lines of our log; other text passes. */
function routeSdkConsole(log: Logger): void {
  const registry = globalThis as Record<symbol, boolean | undefined>;
  if (registry[ROUTED]) return;
  registry[ROUTED] = true;
  for (const level of ["warn", "error", "log", "info"] as const) {
    const original = console[level].bind(console);
    console[level] = (...parts: unknown[]) => (typeof parts[0] === "string" && SDK_TEXT.test(parts[0]) ? log.debug(`aws sdk: ${parts.map(String).join(" ")}`) : original(...parts));
  }
}

/**
 * On Node < 22 the SDK's client constructor emits a multi-line NodeVersionSupportWarning on every boot,
 * which breaks the one-line (and JSON) log: it becomes one info line; other warnings pass.
 */
function quietNodeVersionWarning<T>(log: Logger, construct: () => T): T {
  const restore = divertWarnings((text) => {
    if (!text.startsWith("NodeVersionSupportWarning")) return false;
    log.info(`Node.js ${process.version}: the AWS SDK's releases from 2027 on need Node.js >= 22 (>= 22.15 also gives true exec)`);
    return true;
  });
  try {
    return construct();
  } finally {
    restore();
  }
}

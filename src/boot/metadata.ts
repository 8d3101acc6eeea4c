import { canonicalIp, chooseAddress, type Address } from "./address.ts";
import { quoted } from "../safe-text.ts";
import type { Config } from "../config/config.ts";
import { configError, unavailableError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { ENV } from "../config/options.ts";
import { now } from "../log.ts";
import { instanceAddress } from "../network/instance-address.ts";
import { isInstanceMode, networkModeOf, type Published } from "../network/mode.ts";

const ATTEMPT_TIMEOUT_MS = 1000;
const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1000;
// A container document is a few KiB; anything near this is not the metadata endpoint.
export const MAX_BODY_BYTES = 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FetchOptions {
  deadlineMs: number;
  log: Logger;
  /** Backoff jitter source; a test can make it deterministic. */
  random?: () => number;
}

/** Outcome of one attempt: a document, a reason to retry, or a reason to stop now. */
type Attempt = { doc: unknown } | { retry: string } | { fatal: string };

const tooLarge = () => Object.assign(new Error(`the answer is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`), { name: "TooLargeError" });

// node:http, not undici: on the boot path undici's module setup alone costs more than the
// whole 1.5x budget over bare node (see README, "Boot time").
function getText(uri: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const { get } = process.getBuiltinModule("node:http");
  return new Promise((resolve, reject) => {
    // A plain timer, not AbortSignal.timeout: the signal machinery costs a few ms on every boot.
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: "TimeoutError" })), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    const req = get(uri, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      if (Number(res.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return req.destroy(tooLarge());
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) return req.destroy(tooLarge());
        chunks.push(chunk);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", fail);
    });
    req.on("error", fail);
  });
}

async function attempt(uri: string, timeoutMs: number): Promise<Attempt> {
  let res;
  try {
    res = await getText(uri, timeoutMs);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.name === "TooLargeError") return { fatal: e.message };
    return { retry: e.name === "AbortError" || e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.code ?? e.message) };
  }
  if (res.status === 404 || res.status >= 500) return { retry: `HTTP ${res.status}` };
  if (res.status !== 200) return { fatal: `HTTP ${res.status}: ${quoted(res.body, 120)}` };
  try {
    return { doc: JSON.parse(res.body) };
  } catch {
    return { fatal: `the answer is not JSON: ${quoted(res.body, 80)}` };
  }
}

/**
 * GET a metadata document. The endpoint can lag the container start, so connection errors,
 * timeouts, 404 and 5xx are retried with capped exponential backoff and full jitter, all
 * inside one total deadline.
 */
export async function fetchMetadata(uri: string, options: FetchOptions): Promise<unknown> {
  const random = options.random ?? Math.random;
  const deadline = now() + options.deadlineMs;
  let backoff = FIRST_BACKOFF_MS;
  for (let n = 1; ; n++) {
    const left = deadline - now();
    const result = await attempt(uri, Math.ceil(Math.max(1, Math.min(ATTEMPT_TIMEOUT_MS, left))));
    if ("doc" in result) return result.doc;
    if ("fatal" in result) throw unavailableError(`metadata endpoint ${uri}: ${result.fatal}`);
    const remaining = deadline - now();
    if (remaining < 2) {
      throw unavailableError(
        `metadata endpoint ${uri} gave no document within ${options.deadlineMs} ms (${n} attempts, last: ${result.retry}); ` +
          `check that the task runs on ECS with awsvpc networking, raise --metadata-timeout, or pass --ip`,
      );
    }
    const wait = Math.min(random() * backoff, remaining - 1);
    options.log.debug("metadata not ready, retrying", { attempt: n, reason: result.retry, waitMs: Math.round(wait) });
    await sleep(wait);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

export interface LearnedAddress {
  address: Address;
  /** Where the IP came from, for the log. */
  source: string;
  /** bridge or host: the node is reached at the container instance's address (src/network/). */
  networkMode?: string;
  /** Bridge mode: the distribution port as the instance publishes it. */
  published?: Published;
}

/** The address step: --ip wins; otherwise the metadata endpoint, which must answer with a usable address. */
export async function learnAddress(config: Config, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<LearnedAddress | undefined> {
  if (config.ip) return { address: canonicalIp(config.ip)!, source: config.ipSource ?? "--ip" };
  if (!config.metadataUri) {
    if (config.allowNoMetadata) return undefined;
    throw configError(
      `no metadata endpoint: ${ENV.metadataUriV4} is not set (is this running on ECS?); pass --ip ADDR, --metadata-uri URI, or --allow-no-metadata to run without distribution variables`,
    );
  }
  const deadline = now() + config.metadataTimeoutMs;
  const doc = await fetchMetadata(config.metadataUri, { deadlineMs: config.metadataTimeoutMs, log });
  const mode = networkModeOf(doc);
  if (isInstanceMode(mode)) return instanceAddress(mode, doc, config, env, deadline, log);
  const choice = chooseAddress(doc, config.ipFamily);
  if (!choice.ok) throw unavailableError(`metadata endpoint ${config.metadataUri} gave no usable address: no ${choice.missing}; ${choice.hint}`);
  for (const warning of choice.warnings) log.warn(warning);
  for (const entry of choice.skipped) log.debug(`metadata: skipped address ${entry}`);
  return { address: choice.address, source: `metadata ${config.metadataUri}` };
}

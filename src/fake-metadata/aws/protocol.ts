// AWS JSON 1.1 wire helpers: error shape, responses, input checks (page tokens are in tokens.ts).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export { TokenBook } from "./tokens.ts";

const JSON_11 = "application/x-amz-json-1.1";

/** An error the fake answers the way the service does: HTTP status, __type code, message. */
export class AwsError extends Error {
  code: string;
  status: number;
  /** Coral front-door errors carry the coral namespace in x-amzn-errortype. */
  coral: boolean;
  constructor(code: string, message: string, options: { status?: number; coral?: boolean } = {}) {
    super(message);
    this.code = code;
    this.status = options.status ?? 400;
    this.coral = options.coral ?? false;
  }
}

/** A response computed in full before it is written, so a fake can hold it back for its latency. */
export interface Reply {
  status: number;
  headers: Record<string, string | number>;
  text: string;
}

export function jsonReply(status: number, body: unknown, extra: Record<string, string> = {}): Reply {
  const text = JSON.stringify(body);
  return { status, text, headers: { "content-type": JSON_11, "content-length": Buffer.byteLength(text), "x-amzn-requestid": randomUUID(), ...extra } };
}

export function errorReply(err: AwsError): Reply {
  const type = err.coral ? `${err.code}:http://internal.amazon.com/coral/com.amazon.coral.service/` : err.code;
  return jsonReply(err.status, { __type: err.code, message: err.message }, { "x-amzn-errortype": type });
}

export function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.text);
}

export const sendJson = (res: ServerResponse, status: number, body: unknown) => send(res, jsonReply(status, body));
export const sendError = (res: ServerResponse, err: AwsError) => send(res, errorReply(err));

// The largest real call (DescribeTasks of 100 ARNs) is about 10 KiB.
export const MAX_BODY_BYTES = 1024 * 1024;

/** How long the rest of an over-large body is read and dropped before the connection is cut. */
export const DISCARD_MS = 5_000;

/**
 * After a 413 the rest of the body is read and dropped (kept nowhere), for at most DISCARD_MS: closing a
 * connection with unread data in it resets it, and a client still sending then fails on EPIPE before it
 * reads the 413. A client that reads the answer stops sending and hangs up well before.
 */
function discardRest(req: IncomingMessage): void {
  const cut = setTimeout(() => req.socket.destroy(), DISCARD_MS);
  cut.unref();
  req.on("data", () => {}).once("close", () => clearTimeout(cut));
  req.resume();
}

/** The request body; past maxBytes it fails with a 413, the rest of the body dropped as it comes. */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = () => new AwsError("RequestEntityTooLargeException", `Request body larger than ${maxBytes} bytes.`, { status: 413 });
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) {
    discardRest(req);
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData);
      chunks.length = 0;
      discardRest(req);
      reject(tooLarge());
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

/** Parses a JSON 1.1 body; an empty body is an empty input, anything but an object is a SerializationException. */
export function parseInput(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw new AwsError("SerializationException", "Start of structure or map found where not expected.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AwsError("SerializationException", "Start of structure or map found where not expected.");
  }
  return value as Record<string, unknown>;
}

export function optString(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new AwsError("SerializationException", `Expected string for ${key}.`);
  return v;
}

export function optInt(input: Record<string, unknown>, key: string): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new AwsError("SerializationException", `Expected integer for ${key}.`);
  return v;
}

export function optStringList(input: Record<string, unknown>, key: string): string[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw new AwsError("SerializationException", `Expected list of strings for ${key}.`);
  }
  return v as string[];
}

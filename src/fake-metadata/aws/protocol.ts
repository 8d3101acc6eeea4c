// AWS JSON 1.1 wire helpers: error shape, responses, opaque pagination tokens.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

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

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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

/** Opaque page tokens: random strings the fake remembers, so a forged token, or one of another API, is detectable. */
export class TokenBook {
  #offsets = new Map<string, { api: string; offset: number; order?: string[] }>();

  /** `order`: the listing's order, fixed when its first page was answered, so its pages neither repeat nor skip. */
  issue(api: string, offset: number, order?: string[]): string {
    const token = Buffer.from(`${offset}:${randomBytes(18).toString("base64")}`).toString("base64");
    this.#offsets.set(token, { api, offset, order });
    return token;
  }

  order(api: string, token: string): string[] | undefined {
    const entry = this.#offsets.get(token);
    return entry?.api === api ? entry.order : undefined;
  }

  /** The offset a token stands for, or undefined when this fake never issued it for this API. */
  offset(api: string, token: string): number | undefined {
    const entry = this.#offsets.get(token);
    return entry?.api === api ? entry.offset : undefined;
  }

  clear(): void {
    this.#offsets.clear();
  }
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

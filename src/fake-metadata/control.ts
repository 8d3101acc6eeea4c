// Test controls of `entrypoint fake-metadata`: per-task credentials, AWS calls counted per caller, a caller's AWS
// calls denied while a test says so (a task role without the permission, then fixed), and short or empty pages.
import type { IncomingMessage, ServerResponse } from "node:http";
import { canonicalIp } from "../boot/address.ts";
import { ec2ErrorReply } from "./aws/ec2.ts";
import { AwsError, send, sendError, sendJson } from "./aws/protocol.ts";
import { routeOf } from "./aws/routes.ts";
import { TaskKeys } from "./task-keys.ts";

const CALLS_PATH = "/fake/aws-calls";
/** Callers remembered at most (the oldest is dropped), so traffic from many addresses cannot grow memory without bound. */
export const MAX_CALLERS = 1024;
const DENY_PATH = /^\/fake\/deny\/([^/]+)$/;
const CREDENTIALS_PATH = /^\/fake\/credentials\/([^/]+)$/;
const PAGING_PATH = "/fake/paging";

/** Listing pages as a test asks: `size` tasks each whatever the caller asks, after `empty` empty pages with a token. */
export interface Paging {
  size?: number;
  empty?: number;
}

/** A caller by its source address (IPv4-mapped IPv6 as plain IPv4), as --ip auto names tasks. */
export const callerOf = (req: IncomingMessage) => {
  const source = (req.socket.remoteAddress ?? "").replace(/^::ffff:(?=\d+\.)/, "");
  return canonicalIp(source)?.ip ?? source;
};

export class FakeControl {
  /** caller → API name → calls received. */
  readonly calls = new Map<string, Record<string, number>>();
  readonly denied = new Set<string>();
  readonly keys = new TaskKeys();
  readonly paging: Paging = {};

  /**
   * Answers GET /fake/aws-calls and PUT|DELETE /fake/deny/<ip>; counts every AWS call and answers
   * a denied caller's with AccessDeniedException. Returns false when the request is not its own.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === CALLS_PATH && req.method === "GET") return reply(res, Object.fromEntries(this.calls));
    if (path === PAGING_PATH && (req.method === "PUT" || req.method === "DELETE")) return this.setPaging(req, res);
    const creds = req.method === "GET" ? CREDENTIALS_PATH.exec(path) : null;
    if (creds) {
      const ip = ipIn(creds[1]!);
      return ip ? reply(res, this.keys.issue(ip)) : reply(res, { code: "NotFound", message: `not a task address: ${creds[1]}` }, 404);
    }
    const deny = DENY_PATH.exec(path);
    if (deny && (req.method === "PUT" || req.method === "DELETE")) {
      const ip = ipIn(deny[1]!);
      if (!ip) return reply(res, { error: `not an IP address: ${deny[1]}` }, 400);
      if (req.method === "PUT" && !this.denied.has(ip) && this.denied.size >= MAX_CALLERS) return reply(res, { error: `at most ${MAX_CALLERS} denied callers` }, 400);
      if (req.method === "PUT") this.denied.add(ip);
      else this.denied.delete(ip);
      return reply(res, { denied: [...this.denied] });
    }
    const route = routeOf(req.method, String(req.headers["x-amz-target"] ?? ""), req.headers);
    if (!route) return false;
    // The task whose credentials signed the call (several tasks on one machine), else the source address.
    const source = callerOf(req);
    const caller = this.keys.taskOf(req) ?? source;
    const counts = this.calls.get(caller) ?? {};
    counts[route.api] = (counts[route.api] ?? 0) + 1;
    if (!this.calls.has(caller) && this.calls.size >= MAX_CALLERS) this.calls.delete(this.calls.keys().next().value!);
    this.calls.set(caller, counts);
    if (!this.denied.has(caller) && !this.denied.has(source)) return false;
    req.resume();
    const who = `arn:aws:sts::123456789012:assumed-role/fake-task-role/${caller}`;
    const why = `User: ${who} is not authorized to perform: ${route.action} (denied by PUT /fake/deny/${this.denied.has(caller) ? caller : source})`;
    if (route.service === "ec2") send(res, ec2ErrorReply(new AwsError("UnauthorizedOperation", `You are not authorized to perform this operation. ${why}`, { status: 403 })));
    else sendError(res, new AwsError("AccessDeniedException", why));
    return true;
  }

  /** PUT /fake/paging?size=N&empty=M (size 1-100, empty 0-100); DELETE goes back to full pages. */
  private setPaging(req: IncomingMessage, res: ServerResponse): true {
    const query = new URL(req.url ?? "/", "http://fake").searchParams;
    const wanted = { size: query.get("size"), empty: query.get("empty") };
    const next: Paging = {};
    for (const [key, min] of [["size", 1], ["empty", 0]] as const) {
      const text = req.method === "PUT" ? wanted[key] : null;
      if (text === null) continue;
      if (!/^\d{1,3}$/.test(text) || Number(text) < min || Number(text) > 100) return reply(res, { error: `${key}: expected a whole number ${min}-100, got ${JSON.stringify(text)}` }, 400);
      next[key] = Number(text);
    }
    this.paging.size = next.size;
    this.paging.empty = next.empty;
    return reply(res, { paging: this.paging });
  }
}

function ipIn(segment: string): string | undefined {
  try {
    return canonicalIp(decodeURIComponent(segment))?.ip;
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, body: unknown, status = 200): true {
  sendJson(res, status, body);
  return true;
}

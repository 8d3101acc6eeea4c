// Test controls of `entrypoint fake-metadata`: AWS calls counted per caller, and a caller's AWS calls
// denied while a test says so (a task role without the permission, then fixed).
import type { IncomingMessage, ServerResponse } from "node:http";
import { canonicalIp } from "../address.ts";
import { AwsError, sendError, sendJson } from "./aws/protocol.ts";
import { routeOf } from "./aws/routes.ts";

const CALLS_PATH = "/fake/aws-calls";
/** Callers remembered at most (the oldest is dropped), so traffic from many addresses cannot grow memory without bound. */
export const MAX_CALLERS = 1024;
const DENY_PATH = /^\/fake\/deny\/([^/]+)$/;

/** A caller by its source address (IPv4-mapped IPv6 as plain IPv4), as --ip auto names tasks. */
export const callerOf = (req: IncomingMessage) => {
  const source = (req.socket.remoteAddress ?? "").replace(/^::ffff:(?=\d+\.)/, "");
  return canonicalIp(source)?.ip ?? source;
};

export class FakeControl {
  /** caller → API name → calls received. */
  readonly calls = new Map<string, Record<string, number>>();
  readonly denied = new Set<string>();

  /**
   * Answers GET /fake/aws-calls and PUT|DELETE /fake/deny/<ip>; counts every AWS call and answers
   * a denied caller's with AccessDeniedException. Returns false when the request is not its own.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === CALLS_PATH && req.method === "GET") return reply(res, Object.fromEntries(this.calls));
    const deny = DENY_PATH.exec(path);
    if (deny && (req.method === "PUT" || req.method === "DELETE")) {
      let ip: string;
      try {
        ip = canonicalIp(decodeURIComponent(deny[1]!))?.ip ?? "";
      } catch {
        ip = "";
      }
      if (!ip) return reply(res, { error: `not an IP address: ${deny[1]}` }, 400);
      if (req.method === "PUT" && this.denied.size >= MAX_CALLERS) return reply(res, { error: `at most ${MAX_CALLERS} denied callers` }, 400);
      if (req.method === "PUT") this.denied.add(ip);
      else this.denied.delete(ip);
      return reply(res, { denied: [...this.denied] });
    }
    const route = routeOf(req.method, String(req.headers["x-amz-target"] ?? ""));
    if (!route) return false;
    const caller = callerOf(req);
    const counts = this.calls.get(caller) ?? {};
    counts[route.api] = (counts[route.api] ?? 0) + 1;
    if (!this.calls.has(caller) && this.calls.size >= MAX_CALLERS) this.calls.delete(this.calls.keys().next().value!);
    this.calls.set(caller, counts);
    if (!this.denied.has(caller)) return false;
    req.resume();
    const who = `arn:aws:sts::123456789012:assumed-role/fake-task-role/${caller}`;
    sendError(res, new AwsError("AccessDeniedException", `User: ${who} is not authorized to perform: ${route.action} (denied by PUT /fake/deny/${caller})`));
    return true;
  }
}

function reply(res: ServerResponse, body: unknown, status = 200): true {
  sendJson(res, status, body);
  return true;
}

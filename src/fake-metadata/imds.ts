// IMDSv2 in the fake: PUT /latest/api/token, then GET /latest/meta-data/local-ipv4 with the token.
// A missing or wrong token is 401, as on EC2 with http-tokens required.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { callerOf } from "./control.ts";

const MAX_TOKENS = 1024;
const MAX_TTL_SECONDS = 21600;

function text(res: ServerResponse, status: number, body: string): true {
  res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
  res.end(body);
  return true;
}

/** Answers the IMDS paths; returns false for any other request. `instanceIp` undefined: the caller's own address. */
export function imdsHandler(instanceIp: string | undefined) {
  // token → expiry (ms); the oldest is dropped past MAX_TOKENS, so callers cannot grow memory.
  const tokens = new Map<string, number>();
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (!path.startsWith("/latest/")) return false;
    req.resume();
    if (path === "/latest/api/token") {
      if (req.method !== "PUT") return text(res, 405, "token: PUT only");
      const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) return text(res, 400, "X-aws-ec2-metadata-token-ttl-seconds: 1-21600 needed");
      const token = randomBytes(24).toString("base64url");
      if (tokens.size >= MAX_TOKENS) tokens.delete(tokens.keys().next().value!);
      tokens.set(token, Date.now() + ttl * 1000);
      return text(res, 200, token);
    }
    const token = String(req.headers["x-aws-ec2-metadata-token"] ?? "");
    const expiry = tokens.get(token);
    if (expiry === undefined || expiry < Date.now()) return text(res, 401, "");
    if (path === "/latest/meta-data/local-ipv4" && req.method === "GET") return text(res, 200, instanceIp ?? callerOf(req));
    return text(res, 404, "not found: the fake IMDS serves /latest/meta-data/local-ipv4");
  };
}

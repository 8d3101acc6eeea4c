// IMDSv2 `local-ipv4`: a token first (PUT), then the address (GET). Often blocked from containers,
// and from a bridge container the PUT's answer needs the instance's hop limit 2: a short budget.
import { parseIp, unusableReason, type Address } from "../boot/address.ts";
import { now } from "../log.ts";
import { quoted } from "../safe-text.ts";

/** The whole IMDS source (token and address together). */
export const IMDS_BUDGET_MS = 1000;
const MAX_BODY = 4096;
const TOKEN_TTL_SECONDS = "60";

export type ImdsEndpoint = { url: string } | { disabled: string };

/** Where IMDS is, as the AWS SDK reads it from the environment (pure). */
export function imdsEndpoint(env: NodeJS.ProcessEnv): ImdsEndpoint {
  if ((env.AWS_EC2_METADATA_DISABLED ?? "").toLowerCase() === "true") return { disabled: "AWS_EC2_METADATA_DISABLED=true" };
  const given = env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  if (given) {
    if (!URL.canParse(given) || new URL(given).protocol !== "http:") return { disabled: `AWS_EC2_METADATA_SERVICE_ENDPOINT ${quoted(given, 80)} is not an http:// URL` };
    return { url: given.replace(/\/+$/, "") };
  }
  const ipv6 = (env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE ?? "").toLowerCase() === "ipv6";
  return { url: ipv6 ? "http://[fd00:ec2::254]" : "http://169.254.169.254" };
}

type Answer = { status: number; body: string };

function request(url: string, method: "PUT" | "GET", headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  const { request } = process.getBuiltinModule("node:http");
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
        if (body.length > MAX_BODY) req.destroy(new Error(`an answer larger than ${MAX_BODY} bytes`));
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    // A hard timer, not the socket's idle timeout: a server that drips bytes must not stretch the budget.
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${IMDS_BUDGET_MS} ms`), { code: "TIMEOUT" })), Math.max(1, timeoutMs));
    req.on("close", () => clearTimeout(timer));
    req.on("error", reject);
    req.end();
  });
}

const statusReason = (what: string, a: Answer) => `${what}: HTTP ${a.status}${a.status === 401 ? " (token rejected)" : ""} ${quoted(a.body, 80)}`;

/** The instance's private IPv4 from IMDS, or why not; the whole exchange within IMDS_BUDGET_MS. */
export async function imdsAddress(url: string): Promise<{ address: Address } | { reason: string }> {
  const deadline = now() + IMDS_BUDGET_MS;
  try {
    const token = await request(`${url}/latest/api/token`, "PUT", { "X-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL_SECONDS }, IMDS_BUDGET_MS);
    if (token.status !== 200 || !token.body) return { reason: statusReason("PUT /latest/api/token", token) };
    const answer = await request(`${url}/latest/meta-data/local-ipv4`, "GET", { "X-aws-ec2-metadata-token": token.body }, deadline - now());
    if (answer.status !== 200) return { reason: statusReason("GET /latest/meta-data/local-ipv4", answer) };
    const address = parseIp(answer.body.trim());
    if (address?.family !== 4) return { reason: `local-ipv4 ${quoted(answer.body, 60)} is not an IPv4 address` };
    const unusable = unusableReason(address);
    return unusable ? { reason: `local-ipv4 ${address.ip} is ${unusable}` } : { address };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { reason: e.code === "TIMEOUT" ? e.message : (e.code ?? e.message) };
  }
}

// EC2 DescribeInstances over EC2's Query protocol (form-encoded POST, XML answer), signed with SigV4 for service
// "ec2" with the credentials the ECS client already resolved: no EC2 client is bundled for one call.
import type { Readable } from "node:stream";
import { SignatureV4 } from "@smithy/signature-v4";
import { MAX_ANSWER_BYTES, readAtMost } from "./bounded.ts";
import { ec2ErrorOf, instancesOf, parseXml } from "./ec2-xml.ts";

export const EC2_API_VERSION = "2016-11-15";

/** What the call borrows from the ECS client: its credentials, its hash and its HTTP handler. */
export interface Signing {
  region: string;
  credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  sha256: ConstructorParameters<typeof SignatureV4>[0]["sha256"];
  handler: { handle(request: unknown, options: { abortSignal?: AbortSignal }): Promise<{ response: { statusCode: number; body: unknown } }> };
}

/** EC2's endpoint as the SDK picks it: AWS_ENDPOINT_URL_EC2, then AWS_ENDPOINT_URL, then the regional one (FIPS when asked). */
export function ec2Endpoint(region: string, env: NodeJS.ProcessEnv): string {
  const configured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true" ? undefined : env.AWS_ENDPOINT_URL_EC2 || env.AWS_ENDPOINT_URL;
  if (configured) return configured;
  const host = env.AWS_USE_FIPS_ENDPOINT?.toLowerCase() === "true" ? "ec2-fips" : "ec2";
  return `https://${host}.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

/** `Action=DescribeInstances&Version=…&InstanceId.1=…`: ids given, so the answer comes whole, without pages. */
export function describeInstancesBody(instanceIds: string[]): string {
  const form = new URLSearchParams({ Action: "DescribeInstances", Version: EC2_API_VERSION });
  instanceIds.forEach((id, i) => form.append(`InstanceId.${i + 1}`, id));
  return form.toString();
}

/** An EC2 error as the retry rules read it: the code as its name, the HTTP status in $metadata. */
function ec2Error(status: number, text: string): Error {
  const parsed = ec2ErrorOf(text);
  const err = new Error(parsed ? parsed.message : `HTTP ${status}: ${text.slice(0, 200)}`);
  return Object.assign(err, { name: parsed?.code ?? "Ec2HttpError", $metadata: { httpStatusCode: status } });
}

/** Instance id → private IPv4 address, in one signed call. */
export async function describeInstances(signing: Signing, endpoint: string, instanceIds: string[], abortSignal: AbortSignal): Promise<Map<string, string>> {
  const url = new URL(endpoint);
  const body = describeInstancesBody(instanceIds);
  const request = {
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname || "/",
    query: {},
    headers: { host: url.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8", "content-length": String(Buffer.byteLength(body)) },
    body,
  };
  const signer = new SignatureV4({ credentials: signing.credentials, region: signing.region, service: "ec2", sha256: signing.sha256 });
  const signed = await signer.sign(request as never);
  const { response } = await signing.handler.handle(signed, { abortSignal });
  const text = Buffer.from(await readAtMost(response.body as Readable, MAX_ANSWER_BYTES)).toString("utf8");
  if (response.statusCode !== 200) throw ec2Error(response.statusCode, text);
  const out = new Map<string, string>();
  for (const i of instancesOf(parseXml(text))) if (i.privateIpAddress) out.set(i.instanceId, i.privateIpAddress);
  return out;
}

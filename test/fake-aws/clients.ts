// Test helpers: real SDK clients pointed at the fake, and hand-signed raw requests for the negative cases.
import { request } from "node:http";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { startCredentialsEndpoint, type CredentialsEndpoint } from "./credentials.ts";
import type { FakeCredential } from "./sigv4.ts";

// One endpoint per process: test files share process.env, so each starting its own would steal the others' credentials.
let shared: Promise<CredentialsEndpoint> | undefined;

/** The process's credentials endpoint, with the default credential chain pointed at it and only at it. Not to be closed. */
export function useContainerCredentials(): Promise<CredentialsEndpoint> {
  shared ??= pointChainAt();
  return shared;
}

async function pointChainAt(): Promise<CredentialsEndpoint> {
  const creds = await startCredentialsEndpoint();
  creds.unref();
  for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
    delete process.env[k];
  }
  Object.assign(process.env, creds.env, {
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
  });
  return creds;
}

export function ecsClient(url: string, region = "us-east-1"): ECSClient {
  return new ECSClient({ endpoint: url, region });
}

export function taggingClient(url: string, region = "us-east-1"): ResourceGroupsTaggingAPIClient {
  return new ResourceGroupsTaggingAPIClient({ endpoint: url, region });
}

export interface RawCall {
  /** X-Amz-Target; empty for EC2's Query protocol (then the body is a form). */
  target: string;
  body?: string;
  /** Sign with these; no signing (no Authorization header) when absent. */
  sign?: FakeCredential & { region: string; service: string };
  /** Replaces the body after signing. */
  tamperBody?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One POST to the fake, signed by hand with @smithy/signature-v4 (or not at all). */
export async function rawCall(url: string, call: RawCall): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const body = call.body ?? "{}";
  let headers: Record<string, string> = call.target
    ? { host: `${hostname}:${port}`, "content-type": "application/x-amz-json-1.1", "x-amz-target": call.target }
    : { host: `${hostname}:${port}`, "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
  if (call.sign) {
    const { region, service, ...credentials } = call.sign;
    const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
    const signed = await signer.sign({ method: "POST", protocol: "http:", hostname, port: Number(port), path: "/", query: {}, headers, body });
    headers = signed.headers;
  }
  const sent = call.tamperBody ?? body;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(sent)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      // EC2 answers XML: kept as text.
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text && text.startsWith("<") ? text : text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(sent);
  });
}

/** The rejection an SDK call ends with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to fail");
}

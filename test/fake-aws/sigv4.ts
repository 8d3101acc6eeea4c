// Server-side SigV4 check: recompute the signature from what was received, as AWS's front door does.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";
import { AwsError } from "../../src/fake-metadata/aws/protocol.ts";

export interface FakeCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$/;
const BAD_SIGNATURE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const BAD_TOKEN = "The security token included in the request is invalid.";
const MAX_SKEW_MS = 5 * 60_000;

const front = (code: string, message: string) => new AwsError(code, message, { coral: true });

/** Checks the request's SigV4 signature for `service` in `region`; returns the access key id, or throws the AWS error. */
export async function verifySigV4(req: ReceivedRequest, known: FakeCredential[], region: string, service?: string): Promise<string> {
  const auth = header(req.headers, "authorization");
  if (!auth) throw front("MissingAuthenticationTokenException", "Missing Authentication Token");
  const m = AUTH.exec(auth.trim());
  if (!m) throw front("IncompleteSignatureException", `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${auth.split(" ")[0]}`);
  const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedList, signature] = m;
  const cred = known.find((c) => c.accessKeyId === accessKeyId);
  if (!cred) throw front("UnrecognizedClientException", BAD_TOKEN);
  const token = header(req.headers, "x-amz-security-token");
  if ((cred.sessionToken ?? undefined) !== token) throw front("UnrecognizedClientException", BAD_TOKEN);
  if (scopeRegion !== region) throw front("InvalidSignatureException", "Credential should be scoped to a valid region. ");
  if (service && scopeService !== service) throw front("InvalidSignatureException", `Credential should be scoped to correct service: '${service}'. `);
  const signed = signedList.split(";");
  if (!signed.includes("host")) throw front("InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  const signingDate = amzDate(header(req.headers, "x-amz-date"), scopeDate);
  checkPayloadHash(req);
  const expected = await recompute(req, { ...cred, sessionToken: signed.includes("x-amz-security-token") ? token : undefined }, signed, {
    signingDate,
    region: scopeRegion,
    service: scopeService,
  });
  if (!sameHex(expected, signature)) throw front("InvalidSignatureException", BAD_SIGNATURE);
  return accessKeyId;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

function amzDate(value: string | undefined, scopeDate: string): Date {
  const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!m) throw front("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  if (value!.slice(0, 8) !== scopeDate) {
    throw front("InvalidSignatureException", `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${value!.slice(0, 8)}'`);
  }
  if (Math.abs(Date.now() - date.getTime()) > MAX_SKEW_MS) {
    throw front("InvalidSignatureException", `Signature expired: ${value} is now earlier or later than the allowed window of 5 minutes.`);
  }
  return date;
}

// A client-supplied payload hash is only worth signing if it matches the body actually received.
function checkPayloadHash(req: ReceivedRequest): void {
  const claimed = header(req.headers, "x-amz-content-sha256");
  if (claimed === undefined || claimed === "UNSIGNED-PAYLOAD") return;
  const actual = createHash("sha256").update(req.body).digest("hex");
  if (claimed !== actual) throw front("InvalidSignatureException", BAD_SIGNATURE);
}

async function recompute(
  req: ReceivedRequest,
  cred: FakeCredential,
  signed: string[],
  scope: { signingDate: Date; region: string; service: string },
): Promise<string> {
  const url = new URL(req.url, "http://fake.invalid");
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const v = header(req.headers, name);
    if (v !== undefined) headers[name] = v;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  }
  const request: HttpRequest = { method: req.method, protocol: "http:", hostname: url.hostname, path: decodeURIComponent(url.pathname), query, headers, body: req.body };
  const signer = new SignatureV4({ credentials: cred, region: scope.region, service: scope.service, sha256: Sha256, applyChecksum: false });
  const out = await signer.sign(request, {
    signingDate: scope.signingDate,
    signingRegion: scope.region,
    signingService: scope.service,
    signableHeaders: new Set(signed),
  });
  return /Signature=([0-9a-f]+)/.exec(String(out.headers.authorization))?.[1] ?? "";
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

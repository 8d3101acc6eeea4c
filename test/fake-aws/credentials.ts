// A fake ECS container-credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) on loopback, with fresh keys per start.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface CredentialsEndpoint {
  url: string;
  /** What a child process needs to find these credentials through the SDK's default chain. */
  env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: string; AWS_CONTAINER_AUTHORIZATION_TOKEN: string };
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  authorizationToken: string;
  /** Every request: path, whether the Authorization header was right, the status sent. */
  requests: { path: string; authorized: boolean; status: number }[];
  /** Lets the process exit while the endpoint is still open. */
  unref(): void;
  close(): Promise<void>;
}

const PATH = "/v2/credentials/fake-task-role";

export interface CredentialsOptions {
  /** Values to hand out instead of fresh random ones (e.g. a key id that no pattern recognises). */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Accept every request and never answer (a blackholed endpoint). */
  hang?: boolean;
}

export async function startCredentialsEndpoint(options: CredentialsOptions = {}): Promise<CredentialsEndpoint> {
  const accessKeyId = options.accessKeyId ?? `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
  const secretAccessKey = options.secretAccessKey ?? randomBytes(30).toString("base64");
  const sessionToken = options.sessionToken ?? `IQoJb3JpZ2luX2Vj${randomBytes(96).toString("base64")}`;
  const authorizationToken = randomBytes(24).toString("base64url");
  const requests: CredentialsEndpoint["requests"] = [];
  const server = createServer((req, res) => {
    if (options.hang) return void requests.push({ path: req.url ?? "", authorized: false, status: 0 });
    const authorized = req.headers.authorization === authorizationToken;
    const found = req.method === "GET" && req.url === PATH;
    const status = !authorized ? 401 : found ? 200 : 404;
    requests.push({ path: req.url ?? "", authorized, status });
    const body =
      status === 200
        ? {
            RoleArn: "arn:aws:iam::123456789012:role/fake-task-role",
            AccessKeyId: accessKeyId,
            SecretAccessKey: secretAccessKey,
            Token: sessionToken,
            Expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          }
        : { code: status === 401 ? "Unauthorized" : "NotFound", message: status === 401 ? "Authorization token is invalid" : "Not found" };
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}${PATH}`;
  return {
    url,
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: authorizationToken },
    accessKeyId,
    secretAccessKey,
    sessionToken,
    authorizationToken,
    requests,
    unref: () => void server.unref(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

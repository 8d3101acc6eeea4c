// Text from the network, as the built entrypoint prints it: an AWS error message that echoes the
// session token, an access key id glued to other characters, and terminal escapes. Loopback only.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { json, startServer, type LoopbackServer } from "../helpers/http-server.ts";
import { deadPort } from "../doctor/loopback.ts";
import { FIXTURES, runEntrypoint } from "../helpers/run.ts";

const TOKEN = "IQoJb3JpZ2luX2VjEAoaCXVzLWVhc3QtMSJHMEUCIQDsessionTokenFromTheEnvironment0123456789+/=";
const KEY_ID = "ASIAZXCVBNMASDFGHJKL";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
// Raw control, C1 and bidi characters: none may reach a log line.
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
// What a hostile or careless API could send back: our own secrets and terminal control sequences.
const ECHO = `User: arn:aws:sts::123456789012:assumed-role/app/sess_${KEY_ID}X is not authorized to perform: ecs:ListTasks with token ${TOKEN} \x1b]0;owned\x07\x1b[2J\u009b31m\u202eevil\nentrypoint: forged line`;

let servers: LoopbackServer[] = [];
test.after.each(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function task() {
  const metadata = await startServer((req, res) => {
    if (req.url === "/v4/c1/task") json(res, 200, { Cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/prod", TaskARN: "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef", Family: "shop" });
    else json(res, 200, { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["127.0.0.2"] }] });
  });
  const aws = await startServer((_req, res) => {
    res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "InvalidParameterException" });
    res.end(JSON.stringify({ __type: "InvalidParameterException", message: ECHO }));
  });
  servers.push(metadata, aws);
  return {
    ECS_CONTAINER_METADATA_URI_V4: `${metadata.url}/v4/c1`,
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_SESSION_TOKEN: TOKEN,
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

function assertClean(out: string): void {
  for (const secret of [TOKEN, KEY_ID, SECRET]) assert.not.ok(out.includes(secret), `${secret} was printed`);
  assert.not.match(out, RAW);
  assert.not.match(out, /^entrypoint: forged line/m);
}

for (const format of ["text", "json"]) {
  test(`boot, ${format} logs: the AWS error is escaped, the session token and the glued access key id redacted`, async () => {
    const env = await task();
    const r = await runEntrypoint(["--app", "shop", "--peers", "family", "--log-format", format, `${FIXTURES}/show-env`, "ECS_PEER_IPS"], { env });
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "ECS_PEER_IPS=\n");
    assertClean(r.stderr);
    const warning = r.stderr.split("\n").find((l) => l.includes("ecs:ListTasks failed"))!;
    const msg = format === "json" ? JSON.parse(warning).msg : warning;
    assert.match(msg, "assumed-role/app/sess_<access key id> is not authorized");
    assert.match(msg, "with token <redacted> \\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202eevil\\nentrypoint: forged line");
  });
}

for (const format of ["text", "json"]) {
  test(`doctor, ${format} report: the peer lookup's AWS error is escaped and redacted`, async () => {
    const env = await task();
    const r = await runEntrypoint(["doctor", "--app", "shop", "--peers", "family", "--format", format], { env: { ...env, RELEASE_COOKIE: "c", ERL_EPMD_PORT: String(await deadPort()) } });
    assert.is(r.code, 1, r.stderr);
    assertClean(r.stdout + r.stderr);
    assert.match(r.stdout, /peer lookup \(family\) failed: ecs:ListTasks failed: InvalidParameterException: User: \S+sess_<access key id> is not authorized .* with token <redacted> \\(\\)?x1b/);
  });
}

test.run();

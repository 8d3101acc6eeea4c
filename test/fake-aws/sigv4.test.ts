import { test } from "uvu";
import * as assert from "uvu/assert";
import { ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { ecsClient, rawCall, rejection, taggingClient, useContainerCredentials, type RawCall } from "./clients.ts";
import { startCredentialsEndpoint } from "./credentials.ts";
import { makeTasks, startFakeAws } from "./server.ts";
import { GetResourcesCommand } from "@aws-sdk/client-resource-groups-tagging-api";

const creds = await useContainerCredentials();
const fake = await startFakeAws({ credentials: [creds], tasks: makeTasks(2, { cluster: "default", family: "web", tags: { a: "b" } }) });
const LIST = "AmazonEC2ContainerServiceV20141113.ListTasks";
const GET = "ResourceGroupsTaggingAPI_20170126.GetResources";
const good = { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, region: "us-east-1", service: "ecs" };

test.before.each(() => fake.reset());
test.after(async () => {
  await fake.close();
});

async function rejected(call: RawCall, code: string, message?: RegExp): Promise<void> {
  const res = await rawCall(fake.url, call);
  assert.is(res.status, 400, `${code}: ${JSON.stringify(res.body)}`);
  assert.is(res.body.__type, code);
  assert.match(String(res.headers["x-amzn-errortype"]), new RegExp(`^${code}(:|$)`));
  assert.is(res.headers["content-type"], "application/x-amz-json-1.1");
  if (message) assert.match(res.body.message, message);
}

test("control: a request signed right by hand is accepted", async () => {
  const ecs = await rawCall(fake.url, { target: LIST, body: '{"cluster":"default"}', sign: good });
  assert.is(ecs.status, 200);
  assert.is(ecs.body.taskArns.length, 2);
  const tag = await rawCall(fake.url, { target: GET, sign: { ...good, service: "tagging" } });
  assert.is(tag.status, 200);
  assert.is(tag.body.PaginationToken, "");
});

test("no Authorization header: MissingAuthenticationTokenException", async () => {
  await rejected({ target: LIST }, "MissingAuthenticationTokenException");
});

test("wrong secret or a body changed after signing: InvalidSignatureException", async () => {
  await rejected({ target: LIST, sign: { ...good, secretAccessKey: `${creds.secretAccessKey}x` } }, "InvalidSignatureException", /does not match/);
  await rejected({ target: LIST, body: '{"cluster":"default"}', tamperBody: '{"cluster":"other"}', sign: good }, "InvalidSignatureException");
});

test("wrong region or service in the credential scope: InvalidSignatureException", async () => {
  await rejected({ target: LIST, sign: { ...good, region: "eu-west-1" } }, "InvalidSignatureException", /region/);
  await rejected({ target: LIST, sign: { ...good, service: "tagging" } }, "InvalidSignatureException", /'ecs'/);
  await rejected({ target: GET, sign: good }, "InvalidSignatureException", /'tagging'/);
});

test("unknown access key or wrong session token: UnrecognizedClientException", async () => {
  const invalid = /security token included in the request is invalid/;
  await rejected({ target: LIST, sign: { ...good, accessKeyId: "ASIANOTKNOWN00000000" } }, "UnrecognizedClientException", invalid);
  await rejected({ target: LIST, sign: { ...good, sessionToken: `${creds.sessionToken}x` } }, "UnrecognizedClientException", invalid);
  await rejected({ target: LIST, sign: { ...good, sessionToken: undefined } }, "UnrecognizedClientException", invalid);
});

test("unknown operation and non-JSON body", async () => {
  await rejected({ target: "AmazonEC2ContainerServiceV20141113.RunTask", sign: good }, "UnknownOperationException");
  await rejected({ target: LIST, body: "{not json", sign: good }, "SerializationException");
  assert.equal(fake.calls.map((c) => c.api), ["Unknown", "ListTasks"]);
});

test("the SDK parses the front-door errors by name", async () => {
  const wrongRegion = ecsClient(fake.url, "eu-west-1");
  const err = await rejection(wrongRegion.send(new ListTasksCommand({})));
  assert.is(err.name, "InvalidSignatureException");
  wrongRegion.destroy();
  const other = await startCredentialsEndpoint();
  const stranger = new ECSClient({ endpoint: fake.url, region: "us-east-1", credentials: other });
  assert.is((await rejection(stranger.send(new ListTasksCommand({})))).name, "UnrecognizedClientException");
  stranger.destroy();
  await other.close();
  const ok = taggingClient(fake.url);
  assert.is((await ok.send(new GetResourcesCommand({}))).ResourceTagMappingList?.length, 2);
  ok.destroy();
});

test("the credentials endpoint refuses a wrong authorization token", async () => {
  const res = await fetch(creds.url, { headers: { authorization: "wrong" } });
  assert.is(res.status, 401);
  const ok = await fetch(creds.url, { headers: { authorization: creds.authorizationToken } });
  const body = (await ok.json()) as Record<string, string>;
  assert.equal([body.AccessKeyId, body.SecretAccessKey, body.Token], [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken]);
  assert.ok(Date.parse(body.Expiration) > Date.now() + 50 * 60_000);
});

test.run();

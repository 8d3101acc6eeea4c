// "entrypoint fake-metadata" under a flood of maxResults: 1 listings: the page-token store stays bounded, and a
// token it had to forget gets the service's own error (the client starts the listing again).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Agent, request } from "node:http";
import { MAX_TOKENS } from "../../src/fake-metadata/aws/tokens.ts";
import { startFakeMetadata, type RunningFake } from "../helpers/fake-metadata.ts";

let fake: RunningFake | undefined;
test.after.each(async () => {
  await fake?.stop();
  fake = undefined;
});

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function call(base: string, target: string, input: unknown): Promise<{ status: number; body: any }> {
  const text = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { method: "POST", agent, headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target, "content-length": Buffer.byteLength(text) } }, (res) => {
      let out = "";
      res.setEncoding("utf8").on("data", (c: string) => (out += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(out) }));
    });
    req.on("error", reject);
    req.end(text);
  });
}

test("many maxResults: 1 listings: the oldest token is forgotten and answered like an expired one", async () => {
  fake = await startFakeMetadata(["--family", "shop", "--tag", "app=shop"]);
  const base = fake.uri.replace(/\/v4\/.*$/, "");
  for (const ip of ["127.0.0.2", "127.0.0.3"]) await fetch(`${base}/v4/${ip}`);
  const list = (nextToken?: string) => call(base, "AmazonEC2ContainerServiceV20141113.ListTasks", { cluster: "local", family: "shop", maxResults: 1, nextToken });
  const tags = (PaginationToken?: string) => call(base, "ResourceGroupsTaggingAPI_20170126.GetResources", { ResourcesPerPage: 1, PaginationToken });
  const firstList = (await list()).body.nextToken as string;
  const firstTags = (await tags()).body.PaginationToken as string;
  assert.is((await list(firstList)).status, 200, "a held token works");
  for (let i = 0; i < MAX_TOKENS + 10; i += 8) await Promise.all(Array.from({ length: 8 }, () => list()));
  const expired = await list(firstList);
  assert.equal([expired.status, expired.body.__type], [400, "InvalidParameterException"]);
  assert.match(expired.body.message, /expired/);
  const expiredTags = await tags(firstTags);
  assert.equal([expiredTags.status, expiredTags.body.__type], [400, "PaginationTokenExpiredException"]);
  // Control: a fresh listing still pages.
  const fresh = await list();
  assert.is((await list(fresh.body.nextToken)).status, 200);
});

test.run();

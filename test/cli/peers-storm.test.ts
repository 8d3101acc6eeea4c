// A small deploy storm: 20 boots of the built bundle within a second against a bucket scaled down to
// burst 5 and 4 per second. Every boot must exec the command, and every lookup must end ok.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCredentialsEndpoint } from "../fake-aws/credentials.ts";
import { makeTasks, startFakeAws } from "../fake-aws/server.ts";
import { json, startServer } from "../helpers/http-server.ts";
import { runEntrypoint } from "../helpers/run.ts";

const N = 20;

test(`${N} boots at once against a bucket of burst 5 and 4/s: all exec, all lookups ok`, async () => {
  const tasks = makeTasks(N, { cluster: "prod", family: "shop", addresses: "eni" });
  const creds = await startCredentialsEndpoint();
  const aws = await startFakeAws({ tasks, credentials: [creds], latencyMs: 25, buckets: { ecs: { burst: 5, perSecond: 4 }, tagging: { burst: 5, perSecond: 4 } } });
  const metadata = await startServer((req, res) => {
    const i = Number(/^\/v4\/t(\d+)\/task$/.exec(req.url ?? "")?.[1]);
    const t = tasks[i];
    if (t) json(res, 200, { Cluster: "prod", TaskARN: t.taskArn, Family: "shop", Revision: "1" });
    else json(res, 404, {});
  });
  const env = { ...creds.env, AWS_ENDPOINT_URL: aws.url, AWS_REGION: "us-east-1", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true" };
  try {
    const runs = tasks.map(async (t, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / N));
      const ip = t.attachments![0]!.details.find((d) => d.name === "privateIPv4Address")!.value;
      const uri = `${metadata.url}/v4/t${i}`;
      return runEntrypoint(["--app", "shop", "--ip", ip, "--metadata-uri", uri, "--peers", "family", "--peers-timeout", "30000", "sh", "-c", 'printf "%s %s" "$ECS_PEER_LOOKUP" "$RELEASE_NODE"'], { env, timeoutMs: 60_000 });
    });
    const results = await Promise.all(runs);
    for (const [i, r] of results.entries()) {
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ok shop@10\./, `boot ${i}: ${r.stdout} ${r.stderr}`);
    }
    assert.ok(aws.throttled().length > 0, "the bucket did throttle");
    assert.ok(aws.calls.length - aws.throttled().length <= 2 * N, "at most two answered calls per boot");
  } finally {
    await Promise.all([aws.close(), creds.close(), metadata.close()]);
  }
});

test.run();

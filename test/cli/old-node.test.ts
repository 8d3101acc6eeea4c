// The bundle on a Node.js without process.execve (the machine's Node 20): spawn mode, and logs that stay one line each.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { makeTasks } from "../fake-aws/server.ts";
import { startAwsTask } from "../helpers/aws-task.ts";
import { OLD_NODE } from "../helpers/old-node.ts";
import { ENTRYPOINT, runProgram } from "../helpers/run.ts";

skipUnless(OLD_NODE, "no Node.js without process.execve on this machine", { ci: true })("Node 20 with peers on: the AWS SDK's version warning is one log line, in text and in JSON", async () => {
  const task = await startAwsTask(makeTasks(3, { cluster: "prod", family: "shop" }));
  try {
    for (const format of ["text", "json"]) {
      const r = await runProgram(OLD_NODE!, [ENTRYPOINT, "--app", "shop", "--peers", "family", "--log-format", format, "sh", "-c", 'echo "$ECS_PEER_IPS"'], { env: task.env });
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout.trim().split(",").length, 2, "peers found");
      const lines = r.stderr.trimEnd().split("\n");
      for (const line of lines) {
        if (format === "text") assert.match(line, /^entrypoint: /, `not a log line: ${line}`);
        else assert.ok(JSON.parse(line).msg, line);
      }
      assert.is(lines.filter((l) => /Node\.js v20[\d.]+: the AWS SDK's releases from 2027 on need Node\.js >= 22/.test(l)).length, 1, r.stderr);
    }
  } finally {
    await task.close();
  }
});

test.run();

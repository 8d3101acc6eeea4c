// The docs' ECS Exec line, `/app/bin/entrypoint my_app remote`, in a release-shaped bin dir: the
// release command gets the task's node name, and a failed bootstrap never runs it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeMetadata } from "../helpers/fake-metadata.ts";
import { ENTRYPOINT, ROOT, runProgram } from "../helpers/run.ts";

// The README and the reference pages under docs/, read as one text.
const readme = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => join("docs", f))].map((f) => readFileSync(join(ROOT, f), "utf8")).join("\n");
const app = mkdtempSync(join(tmpdir(), "ep-app-"));
const bin = join(app, "bin");
const marker = join(app, "ran");
mkdirSync(bin);
copyFileSync(ENTRYPOINT, join(bin, "entrypoint"));
// A start script as mix release writes it (the entrypoint reads RELEASE_NAME from it), which reports what it got.
const START = `#!/bin/sh
export RELEASE_NAME="\${RELEASE_NAME:-"my_app"}"
touch '${marker}'
printf '%s\\n' "$RELEASE_NODE" "$ELIXIR_ERL_OPTIONS" "$@"
`;
writeFileSync(join(bin, "my_app"), START, { mode: 0o755 });

/** The README's command, with /app/bin where this test's release is. */
function documented(pattern: RegExp): string {
  const line = pattern.exec(readme)?.[1];
  assert.ok(line, `README documents ${pattern}`);
  return line.replaceAll("/app/bin/", `${bin}/`);
}
const REMOTE = documented(/--command "(\/app\/bin\/entrypoint my_app remote)"/);
const RPC = documented(/exec app1 (\/app\/bin\/entrypoint my_app rpc '[^']+')/);

test("the ECS Exec line runs bin/my_app remote with the task's node name and IPv6 -proto_dist", async () => {
  const fake = await startFakeMetadata(["--ip", "fd00::7"]);
  try {
    const r = await runProgram("sh", ["-c", REMOTE], { env: { ECS_CONTAINER_METADATA_URI_V4: fake.uri, ENTRYPOINT_GIT_SHA: "s1" } });
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "my_app-s1@fd00::7\n-proto_dist inet6_tcp\nremote\n");
    const rpc = await runProgram("sh", ["-c", RPC], { env: { ECS_CONTAINER_METADATA_URI_V4: fake.uri, ENTRYPOINT_GIT_SHA: "s1" } });
    assert.is(rpc.stdout, "my_app-s1@fd00::7\n-proto_dist inet6_tcp\nrpc\nIO.inspect(Node.list())\n");
  } finally {
    await fake.stop();
  }
});

const FAILING: [string, Record<string, string>, number][] = [
  ["no metadata URI", {}, 78],
  ["metadata unreachable", { ECS_CONTAINER_METADATA_URI_V4: "http://127.0.0.1:1/v4/x", ENTRYPOINT_METADATA_TIMEOUT_MS: "300" }, 69],
];

for (const [what, env, code] of FAILING) {
  test(`${what}: the ECS Exec line exits ${code} and never runs the command`, async () => {
    rmSync(marker, { force: true });
    const r = await runProgram("sh", ["-c", REMOTE], { env });
    assert.is(r.code, code, r.stderr);
    assert.not.ok(existsSync(marker), "the release command ran");
  });
}

test("control: the eval form runs the command even when env fails (why the README does not use it)", async () => {
  rmSync(marker, { force: true });
  const r = await runProgram("sh", ["-c", `eval "$(${bin}/entrypoint env)" && exec ${bin}/my_app remote`]);
  assert.is(r.code, 0);
  assert.ok(existsSync(marker), "eval of an empty output succeeds");
});

async function awsCalls(uri: string): Promise<number> {
  const counts = (await (await fetch(new URL("/fake/aws-calls", uri))).json()) as Record<string, Record<string, number>>;
  return Object.values(counts).reduce((sum, apis) => sum + Object.values(apis).reduce((a, b) => a + b, 0), 0);
}

test("rpc, remote, stop, restart, pid: no peer lookup and no pinned port (the release holds it); a boot of the release keeps both", async () => {
  const fake = await startFakeMetadata([]);
  const env = { ECS_CONTAINER_METADATA_URI_V4: fake.uri, ENTRYPOINT_DIST_PORT: "9100", ENTRYPOINT_PEERS: "family", AWS_ENDPOINT_URL: new URL(fake.uri).origin, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };
  try {
    // Every command of the start script that starts a hidden node to reach the running release.
    for (const word of ["rpc", "remote", "stop", "restart", "pid"]) {
      const r = await runProgram(join(bin, "entrypoint"), ["my_app", word], { env });
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout.split("\n")[1], "", `${word}: ELIXIR_ERL_OPTIONS`);
    }
    assert.is(await awsCalls(fake.uri), 0, "AWS calls of the operator commands");
    const boot = await runProgram(join(bin, "entrypoint"), ["my_app", "start"], { env });
    assert.is(boot.code, 0, boot.stderr);
    assert.match(boot.stdout.split("\n")[1]!, "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100");
    assert.ok((await awsCalls(fake.uri)) > 0, "the boot looks up its peers");
  } finally {
    await fake.stop();
  }
});

test.run();

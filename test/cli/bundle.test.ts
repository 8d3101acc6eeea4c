// The shipped artifact: one executable file, small, with the AWS SDK kept out of the boot path.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { ENTRYPOINT, runProgram } from "../helpers/run.ts";

const text = readFileSync(ENTRYPOINT, "utf8");

test("one executable file of at most 1.5 MB with a node shebang", () => {
  assert.ok(statSync(ENTRYPOINT).mode & 0o111);
  assert.ok(statSync(ENTRYPOINT).size <= 1.5 * 1024 * 1024, `${statSync(ENTRYPOINT).size} bytes`);
  assert.ok(text.startsWith("#!/usr/bin/env node\n"));
  assert.not.match(text, /require\("(?:\.|@aws-sdk|execa|undici)/, "requires nothing outside Node itself");
});

test("the AWS SDK and execa are not in the parsed code, only compressed in the trailing comment", () => {
  const at = text.lastIndexOf("\n/*ENTRYPOINT-CHUNKS\n");
  assert.ok(at > 0, "the chunks comment is there");
  const code = text.slice(0, at);
  for (const marker of ["AmazonEC2ContainerServiceV20141113", "ResourceGroupsTaggingAPI_20170126", "forceKillAfterDelay", "DescribeTasksCommand"]) {
    assert.not.ok(text.includes(marker), `${marker} in the plain bundle`);
  }
  const chunks = JSON.parse(text.slice(at + 21, text.lastIndexOf("\n*/")));
  assert.equal(Object.keys(chunks).sort(), ["doctor", "fake-metadata", "peers", "peers-ec2", "spawn", "tls"]);
  assert.ok(code.length < 64 * 1024, `the code V8 parses on every boot is small (${code.length} bytes)`);
  assert.not.match(code, /[A-Za-z0-9+/=]{1000,}/, "no chunk text in the code itself");
});

test("host and bridge mode's part (container instances, EC2) is in its own chunk, not in the peers chunk awsvpc boots compile", () => {
  const at = text.lastIndexOf("\n/*ENTRYPOINT-CHUNKS\n");
  const chunks = JSON.parse(text.slice(at + 21, text.lastIndexOf("\n*/")));
  const code = (name: string) => brotliDecompressSync(Buffer.from(chunks[name], "base64")).toString("utf8");
  for (const marker of ["2016-11-15", "reservationSet", "InstanceId."]) {
    assert.not.ok(code("peers").includes(marker), `${marker} in the peers chunk`);
    assert.ok(code("peers-ec2").includes(marker), `${marker} in the peers-ec2 chunk`);
  }
});

test("the boot loads only cheap Node modules up front (node:crypto alone costs about 5 ms, node:os 0.3 ms)", () => {
  const code = text.slice(0, text.lastIndexOf("\n/*ENTRYPOINT-CHUNKS\n"));
  const eager = [...code.matchAll(/exports\s*=\s*process\.getBuiltinModule\("([^"]+)"\)/g)].map((m) => m[1]!);
  assert.ok(eager.includes("node:fs"), "the pattern still finds the bundled modules");
  assert.equal(eager.filter((m) => !["node:fs", "node:path", "node:buffer"].includes(m)), [], "load other modules where they are used");
});

test("runs alone in a directory under a package.json with \"type\": \"module\" (Node then loads it as an ES module)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ep-esm-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  mkdirSync(join(dir, "bin"));
  copyFileSync(ENTRYPOINT, join(dir, "bin", "entrypoint"));
  const r = await runProgram(join(dir, "bin", "entrypoint"), ["--ip", "10.0.0.1", "--app", "shop", "--exec-mode", "spawn", "sh", "-c", "echo $RELEASE_NODE"], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "shop@10.0.0.1\n");
});

test.run();

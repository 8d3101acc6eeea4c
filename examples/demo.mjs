#!/usr/bin/env node
// npm run demo: a fake ECS metadata endpoint, and the built entrypoint wrapping a real command
// that prints the node name it was given, as a release would see it.
import { spawn, spawnSync } from "node:child_process";

const entrypoint = new URL("../entrypoint", import.meta.url).pathname;
const fake = spawn(entrypoint, ["fake-metadata", "--ip", "10.0.42.7", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
const uri = await new Promise((resolve, reject) => {
  let out = "";
  fake.stdout.setEncoding("utf8").on("data", (d) => {
    out += d;
    const match = /^ECS_CONTAINER_METADATA_URI_V4=(\S+)\n/.exec(out);
    if (match) resolve(match[1]);
  });
  fake.on("exit", (code) => reject(new Error(`fake-metadata exited with ${code}`)));
});
console.log(`fake ECS metadata endpoint: ${uri}\n`);
console.log("$ entrypoint --app my_app --sha 0f3c9e1 sh -c 'echo RELEASE_NODE=$RELEASE_NODE ...'");
const run = spawnSync(
  entrypoint,
  ["--app", "my_app", "--sha", "0f3c9e1", "sh", "-c", 'echo "RELEASE_DISTRIBUTION=$RELEASE_DISTRIBUTION"; echo "RELEASE_NODE=$RELEASE_NODE"; echo "pid $$ (the entrypoint exec-ed into this shell)"'],
  { env: { ...process.env, ECS_CONTAINER_METADATA_URI_V4: uri }, stdio: "inherit" },
);
fake.kill("SIGTERM");
process.exitCode = run.status ?? 1;

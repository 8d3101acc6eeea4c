#!/usr/bin/env node
// npm run demo: one fake ECS (metadata + ECS/tagging API) and three tasks booting through the built
// entrypoint, each wrapping a real command that prints what a release would get.
import { spawn } from "node:child_process";

const entrypoint = new URL("../entrypoint", import.meta.url).pathname;
const fake = spawn(entrypoint, ["fake-metadata", "--family", "my_app", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
const uri = await new Promise((resolve, reject) => {
  let out = "";
  fake.stdout.setEncoding("utf8").on("data", (d) => {
    out += d;
    const match = /^ECS_CONTAINER_METADATA_URI_V4=(\S+)\n/.exec(out);
    if (match) resolve(match[1]);
  });
  fake.on("exit", (code) => reject(new Error(`fake-metadata exited with ${code}`)));
});
const base = uri.replace(/\/v4\/.*$/, "");
console.log(`fake ECS endpoint: ${base} (metadata at /v4/..., AWS API at /)\n`);

/** One task: on one host, /v4/<ip> makes the caller the task with that address. */
function task(ip) {
  const env = { ...process.env, ECS_CONTAINER_METADATA_URI_V4: `${base}/v4/${ip}`, AWS_ENDPOINT_URL: base, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };
  const args = ["--app", "my_app", "--sha", "0f3c9e1", "--peers", "family", "sh", "-c", 'echo "  RELEASE_NODE=$RELEASE_NODE\n  ECS_PEER_NODES=$ECS_PEER_NODES\n  (pid $$: the entrypoint exec-ed into this shell)"'];
  return new Promise((resolve) => {
    const child = spawn(entrypoint, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ ip, code, out }));
  });
}

const ips = ["10.0.42.2", "10.0.42.3", "10.0.42.4"];
// Tasks start one after another, as ECS brings them up: each later one finds the earlier ones.
console.log("first boot of each task (a boot-time snapshot: each sees the tasks already up):");
for (const ip of ips) console.log(`task ${ip}\n${(await task(ip)).out}`);
console.log("a restart of the first task, now that all three are up:");
const again = await task(ips[0]);
console.log(`task ${ips[0]}\n${again.out}`);
fake.kill("SIGTERM");
process.exitCode = again.code ?? 1;

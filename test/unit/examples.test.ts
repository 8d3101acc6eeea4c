// examples/init-container/: the task definition and the entrypoint image's Dockerfile keep the
// promises the init-container path rests on (SPEC §4.11), and agree with each other and with env.sh.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { ENV } from "../../src/config/options.ts";

interface Container {
  name: string;
  image: string;
  essential?: boolean;
  command?: string[];
  environment?: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  mountPoints?: { sourceVolume: string; containerPath: string; readOnly?: boolean }[];
  dependsOn?: { containerName: string; condition: string }[];
  portMappings?: { containerPort: number; protocol?: string }[];
  stopTimeout?: number;
  linuxParameters?: { initProcessEnabled?: boolean };
  logConfiguration?: { logDriver: string };
}

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const task = JSON.parse(read("examples/init-container/task-definition.json"));
const dockerfile = read("examples/init-container/Dockerfile");
const pkg = JSON.parse(read("package.json"));
const containers: Container[] = task.containerDefinitions;
const init = containers.find((c) => c.name === "entrypoint")!;
const app = containers.find((c) => c.name === "app")!;
const env = (c: Container) => Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value]));
const output = () => init.command![init.command!.indexOf("--output") + 1]!;

test("two containers: the init container and the app", () => {
  assert.equal(containers.map((c) => c.name).sort(), ["app", "entrypoint"]);
});

test("awsvpc, Fargate, a Fargate cpu/memory pair", () => {
  assert.is(task.networkMode, "awsvpc");
  assert.ok(task.requiresCompatibilities.includes("FARGATE"));
  // Fargate's pairs for the two smallest sizes (MiB): enough for an example, and checked.
  const pairs: Record<string, number[]> = { "256": [512, 1024, 2048], "512": [1024, 2048, 3072, 4096], "1024": [2048, 3072, 4096, 5120, 6144, 7168, 8192] };
  assert.ok(pairs[task.cpu]?.includes(Number(task.memory)), `cpu ${task.cpu} with memory ${task.memory}`);
  assert.ok(task.taskRoleArn && task.executionRoleArn, "task role (peers) and execution role (secrets, logs)");
});

test("the init container is not essential and the app waits for its success", () => {
  assert.is(init.essential, false);
  assert.is(app.essential, true);
  assert.equal(app.dependsOn, [{ containerName: "entrypoint", condition: "SUCCESS" }]);
});

test("both mount the task's one volume: the init container writes, the app only reads", () => {
  assert.equal(task.volumes.map((v: { name: string }) => v.name), ["release-env"]);
  const [w] = init.mountPoints!;
  const [r] = app.mountPoints!;
  assert.is(w!.sourceVolume, "release-env");
  assert.is(r!.sourceVolume, "release-env");
  assert.is(w!.readOnly ?? false, false);
  assert.is(r!.readOnly, true);
});

test("the init container's command ends with --output of a file in the directory the app container mounts", () => {
  assert.equal(init.command!.slice(0, 1), ["env"]);
  assert.equal(init.command!.slice(-2, -1), ["--output"]);
  assert.is(posix.dirname(output()), app.mountPoints![0]!.containerPath);
  assert.is(posix.dirname(output()), init.mountPoints![0]!.containerPath);
});

test("env.sh sources that same file by default", () => {
  const fallback = /ECS_RELEASE_ENV="\$\{ECS_RELEASE_ENV:-([^}]+)\}"/.exec(read("examples/elixir/rel/env.sh.eex"))?.[1];
  assert.is(env(app).ECS_RELEASE_ENV ?? fallback, output());
});

test("the cookie comes from secrets, never from the environment", () => {
  const cookie = app.secrets!.find((s) => s.name === "RELEASE_COOKIE");
  assert.match(cookie!.valueFrom, /^arn:aws:(secretsmanager|ssm):/);
  for (const c of containers) assert.not.ok("RELEASE_COOKIE" in env(c), `${c.name} has RELEASE_COOKIE in its environment`);
});

test("the init container names the app, the sha and the peers with the entrypoint's own variables", () => {
  const known = new Set<string>(Object.values(ENV));
  for (const name of Object.keys(env(init))) assert.ok(known.has(name), `${name} is not a variable of the entrypoint`);
  for (const name of [ENV.app, ENV.sha, ENV.peers]) assert.ok(name in env(init), name);
});

test("the app publishes epmd and the pinned distribution port; init process and stop timeout set; logs on both", () => {
  const ports = app.portMappings!.map((p) => p.containerPort);
  assert.ok(ports.includes(4369), "epmd 4369");
  const pinned = env(init)[ENV.distPort];
  if (pinned) assert.ok(ports.includes(Number(pinned)), `distribution port ${pinned}`);
  assert.is(app.linuxParameters?.initProcessEnabled, true);
  assert.ok(app.stopTimeout! > 0 && app.stopTimeout! <= 120, "Fargate allows 1..120 s");
  for (const c of containers) assert.is(c.logConfiguration?.logDriver, "awslogs", c.name);
});

test("Dockerfile: scratch, root, node runs the bundle, and its CMD is the task definition's command", () => {
  const final = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  assert.match(final, /^\nFROM scratch\n/);
  assert.not.match(final, /^USER /m);
  assert.is(/^ENTRYPOINT (.+)$/m.exec(final)?.[1], '["/usr/local/bin/node", "/entrypoint"]');
  assert.equal(JSON.parse(/^CMD (.+)$/m.exec(final)![1]!), init.command);
});

test("Dockerfile: the tarball it copies is the one npm pack makes of this version", () => {
  assert.equal([...dockerfile.matchAll(/^ARG VERSION=(.+)$/gm)].map((m) => m[1]), [pkg.version, pkg.version]);
  assert.match(dockerfile, new RegExp(`^COPY ${pkg.name}-\\$\\{VERSION\\}\\.tgz `, "m"));
  assert.ok(init.image.endsWith(`/${pkg.name}:${pkg.version}`), "the task runs this version's image");
});

test("docs/image-and-boot.md: its relative links resolve, and it names this version and the snippet's size", () => {
  const page = read("docs/image-and-boot.md");
  const docs = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs");
  for (const [, target] of page.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
    if (!/^[a-z]+:/.test(target!)) assert.ok(existsSync(join(docs, target!)), `link ${target} from docs/`);
  }
  for (const [, v] of page.matchAll(/VERSION=([\w.-]+)/g)) assert.is(v, pkg.version);
  for (const [, v] of dockerfile.matchAll(/VERSION=([\w.-]+)/g)) assert.is(v, pkg.version);
  const snippet = statSync(new URL("../../examples/elixir/rel/env.sh.eex", import.meta.url)).size;
  assert.match(page, `\`env.sh\` snippet (${snippet} bytes)`);
});

test.run();

#!/usr/bin/env node
// Bundles src/ into one executable file: node build.mjs [--app NAME] [--sha SHA] [--outfile PATH]
import { build } from "esbuild";
import { chmodSync, readFileSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import { parseArgs } from "node:util";
import { brotliCompressSync, constants } from "node:zlib";

// Parts that only some runs use: kept compressed in the bundle, compiled on first use (src/chunks.ts).
const CHUNKS = {
  spawn: "src/exec/spawn.ts",
  "fake-metadata": "src/fake-metadata/server.ts",
  peers: "src/peers/index.ts",
  // Host and bridge mode only: the container instances' addresses (DescribeContainerInstances, EC2 DescribeInstances).
  "peers-ec2": "src/peers/instances.ts",
  doctor: "src/doctor/index.ts",
  tls: "src/tls/index.ts",
};

const { values } = parseArgs({
  options: { app: { type: "string" }, sha: { type: "string" }, outfile: { type: "string", default: "entrypoint" } },
});
const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const baked = {};
if (values.app) baked.app = values.app;
if (values.sha) baked.sha = values.sha;

// Node's own modules come from process.getBuiltinModule, not require: the bundle then also runs
// when a package.json with "type": "module" above it makes Node load it as an ES module.
const builtins = {
  name: "builtins",
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => (isBuiltin(args.path) ? { path: args.path, namespace: "builtin" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({ contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`, loader: "js" }));
  },
};

// ESM builds of the dependencies first: the AWS SDK's are tree-shaken per command (half the size of its CJS files).
const common = { plugins: [builtins], bundle: true, platform: "node", format: "cjs", target: "node22", minify: true, legalComments: "none", logLevel: "warning", mainFields: ["module", "main"] };
const define = { __ENTRYPOINT_VERSION__: JSON.stringify(pkg.version) };

async function packChunk(entry) {
  const result = await build({ ...common, entryPoints: [entry], write: false, define });
  const code = result.outputFiles[0].contents;
  return brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length } }).toString("base64");
}

const chunks = Object.fromEntries(await Promise.all(Object.entries(CHUNKS).map(async ([name, entry]) => [name, await packChunk(entry)])));

await build({
  ...common,
  entryPoints: ["src/main.ts"],
  outfile: values.outfile,
  // The __ENTRYPOINT_BAKED__ line is the one `entrypoint install` rewrites (see src/baked.ts).
  banner: {
    js: [
      "#!/usr/bin/env node",
      '"use strict";',
      `var __ENTRYPOINT_BAKED__ = ${JSON.stringify(baked)};`,
      // Every Node module comes from process.getBuiltinModule (Node >= 20.16 / 22.3): say so instead of crashing.
      'if (typeof process.getBuiltinModule !== "function") { console.error("entrypoint: error: Node.js " + process.version + " is too old: use Node.js >= 22.15 (>= 20.16 runs the command as a child, without exec)"); process.exit(78); }',
    ].join("\n"),
  },
  define,
  // Lazily used parts ride in a trailing comment (see src/chunks.ts); base64 and JSON never contain "*/".
  footer: { js: `/*ENTRYPOINT-CHUNKS\n${JSON.stringify(chunks)}\n*/` },
});
chmodSync(values.outfile, 0o755);
console.log(`built ${values.outfile} (${(statSync(values.outfile).size / 1024).toFixed(0)} KiB)`);

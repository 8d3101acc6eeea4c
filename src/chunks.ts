import { EntrypointError, EXIT } from "./errors.ts";

// Code that only some runs need (execa for spawn mode, the fake server, the AWS SDK) sits in
// the bundle as compressed text: a boot that does not use it neither parses nor runs it.
// build.mjs fills this in from the CHUNKS table there.
declare const __ENTRYPOINT_CHUNKS__: Record<string, string> | undefined;

// Chunks that load other chunks (doctor → peers) find the packed texts through this global.
const SHARED = Symbol.for("ecs-release-entrypoint.chunks");

function packedChunks(): Record<string, string> | undefined {
  if (typeof __ENTRYPOINT_CHUNKS__ !== "undefined") return ((globalThis as Record<symbol, unknown>)[SHARED] = __ENTRYPOINT_CHUNKS__);
  return (globalThis as Record<symbol, unknown>)[SHARED] as Record<string, string> | undefined;
}

export interface Chunks {
  spawn: typeof import("./spawn.ts");
  "fake-metadata": typeof import("./fake-metadata/server.ts");
  peers: typeof import("./peers/index.ts");
  doctor: typeof import("./doctor/index.ts");
}

// Chunks are bundled whole; all they require from outside is Node's own modules.
function requireBuiltin(id: string): unknown {
  const mod = process.getBuiltinModule(id);
  if (mod === undefined) throw new Error(`chunk asked for ${id}, which is not a Node.js built-in module`);
  return mod;
}

export function loadChunk<K extends keyof Chunks>(name: K): Chunks[K] {
  const packed = packedChunks()?.[name];
  if (packed === undefined) throw new EntrypointError(EXIT.software, `this build has no "${name}" part; run the bundle that npm run build writes`);
  const { brotliDecompressSync } = process.getBuiltinModule("node:zlib");
  const code = brotliDecompressSync(Buffer.from(packed, "base64")).toString("utf8");
  const module = { exports: {} as Chunks[K] };
  new Function("module", "exports", "require", `${code}\n//# sourceURL=entrypoint:${name}`)(module, module.exports, requireBuiltin);
  return module.exports;
}

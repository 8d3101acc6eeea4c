import { EntrypointError, EXIT } from "./errors.ts";

// Code that only some runs need (execa for spawn mode, the fake server, the AWS SDK, the doctor)
// rides at the end of the bundle, compressed, inside a comment: V8 skips a comment far faster than
// it builds a string, so a boot that does not use these parts does not pay for them.
// build.mjs writes the comment from the CHUNKS table there.
export const CHUNKS_MARK = "\n/*ENTRYPOINT-CHUNKS\n";

// Read once per process; chunks that load other chunks (doctor → peers → peers-ec2) reach them through this global.
const SHARED = Symbol.for("ecs-release-entrypoint.chunks");

function packedChunks(): Record<string, string> | undefined {
  const cache = globalThis as Record<symbol, Record<string, string> | undefined>;
  if (cache[SHARED]) return cache[SHARED];
  const { readFileSync } = process.getBuiltinModule("node:fs");
  const text = readFileSync(process.argv[1] ?? "", "utf8");
  const at = text.lastIndexOf(CHUNKS_MARK);
  if (at < 0) return undefined;
  return (cache[SHARED] = JSON.parse(text.slice(at + CHUNKS_MARK.length, text.lastIndexOf("\n*/"))) as Record<string, string>);
}

/** The parts build.mjs packs; each caller names the module type it loads, so this file imports none of them. */
export type ChunkName = "spawn" | "fake-metadata" | "peers" | "peers-ec2" | "doctor" | "tls";

// Chunks are bundled whole; all they require from outside is Node's own modules.
function requireBuiltin(id: string): unknown {
  const mod = process.getBuiltinModule(id);
  if (mod === undefined) throw new Error(`chunk asked for ${id}, which is not a Node.js built-in module`);
  return mod;
}

export function loadChunk<T>(name: ChunkName): T {
  const packed = packedChunks()?.[name];
  if (packed === undefined) throw new EntrypointError(EXIT.software, `this build has no "${name}" part; run the bundle that npm run build writes`);
  const { brotliDecompressSync } = process.getBuiltinModule("node:zlib");
  const code = brotliDecompressSync(Buffer.from(packed, "base64")).toString("utf8");
  const module = { exports: {} as T };
  new Function("module", "exports", "require", `${code}\n//# sourceURL=entrypoint:${name}`)(module, module.exports, requireBuiltin);
  return module.exports;
}

// The boot's address and peer steps, shared by the boot, "entrypoint env" and "entrypoint doctor".
import { canonicalIp, type Address } from "./address.ts";
import { loadChunk } from "../chunks.ts";
import type { Config } from "../config/config.ts";
import { configError } from "../errors.ts";
import { now, type Logger } from "../log.ts";
import { learnAddress, type LearnedAddress } from "./metadata.ts";
import { basenameOf } from "./node-name.ts";
import { nodeNameFor } from "../network/index.ts";
import { ENV } from "../config/options.ts";
import type { Peers } from "../peers/index.ts";

export interface Self {
  /** RELEASE_NODE as found in the environment, kept as it is. */
  preset?: string;
  basename?: string;
  address?: Address;
  /** Where the address came from, for logs and the doctor. */
  source?: string;
  /** The RELEASE_NODE this boot sets (undefined when kept or unknown). */
  node?: string;
  /** bridge or host, when the address is the container instance's (src/network/). */
  networkMode?: string;
  /** Bridge mode: the distribution port as the instance publishes it. */
  published?: LearnedAddress["published"];
}

function requireBasename(config: Config): string {
  if (config.basename) return config.basename;
  throw configError(
    `no app name for the node name: pass --app NAME, set ${ENV.app}, or bake it in with "entrypoint install PATH --app NAME" (no RELEASE_NAME found in a start script in ${config.binDir})`,
  );
}

/** Step 3: who we are: a kept RELEASE_NODE, --ip, or the metadata endpoint. */
export async function addressStep(config: Config, env: NodeJS.ProcessEnv, log: Logger): Promise<Self> {
  const started = now();
  const preset = env.RELEASE_NODE;
  if (preset) {
    log.info(`RELEASE_NODE is already set to ${preset}; keeping it, metadata not fetched`);
    return { preset, basename: basenameOf(preset), address: canonicalIp(preset.slice(preset.indexOf("@") + 1)), source: "RELEASE_NODE" };
  }
  const basename = !config.ip && !config.metadataUri ? config.basename : requireBasename(config);
  const learned = await learnAddress(config, log, env);
  if (!learned) {
    log.warn("no metadata endpoint and no --ip: running without distribution variables (--allow-no-metadata)");
    return { basename };
  }
  const node = basename ? nodeNameFor(basename, learned.address.ip, learned.published) : undefined;
  if (node) log.info(`node ${node}`, { ip_from: learned.source, ms: Math.round(now() - started) });
  return { basename, address: learned.address, source: learned.source, node, networkMode: learned.networkMode, published: learned.published };
}

/**
 * Step 4 (when on): the AWS SDK is compiled only here. It may start before step 3 has finished
 * (`self` a promise): listing the tasks does not need our own address, only the final filter does.
 * Never throws; a failure is a warning.
 */
export async function peersStep(config: Config, env: NodeJS.ProcessEnv, self: Self | Promise<Self>, log: Logger): Promise<Peers | undefined> {
  if (config.peers.kind === "off") return undefined;
  const basename = env.RELEASE_NODE ? basenameOf(env.RELEASE_NODE) : config.basename;
  if (!basename) {
    log.warn("peers: no node basename (no app name), so no ECS_PEER_NODES; pass --app");
    return undefined;
  }
  const { findPeers } = loadChunk<typeof import("../peers/index.ts")>("peers");
  return findPeers({
    strategy: config.peers,
    query: config.peersQuery,
    timeoutMs: config.peersTimeoutMs,
    metadataUri: config.metadataUri,
    self: Promise.resolve(self).then((s) => ({ ip: s.address?.ip, family: s.address?.family ?? 4, networkMode: s.networkMode, published: s.published, preset: s.preset !== undefined })),
    distPort: config.distPort?.min,
    basename,
    env,
    log,
  });
}

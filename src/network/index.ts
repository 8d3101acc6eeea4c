// The boot's network step (SPEC 4.9): how the release's node takes part in distribution: with EPMD
// (nothing to add), without it on the one pinned port (the flags for the release's OTP), or, in bridge
// mode with a dynamic host port, with a node name that carries that port and EcsEpmd to read it.
import type { Config } from "../config/config.ts";
import type { Logger } from "../log.ts";
import { dynamicPortFlags, ECS_EPMD_MODULE, epmdlessFlags, requireOnePort, type EpmdlessFlags } from "./epmd.ts";
import { releaseErtsVersion, releaseHasModule, type ErtsVersion } from "./erts.ts";
import { isDynamic, type Published } from "./mode.ts";
import { nodeName, portNodeName } from "../boot/node-name.ts";

export type { EpmdlessFlags } from "./epmd.ts";

/**
 * Checked with the configuration, before any waiting (78 on a bad combination). Reads the release's
 * ERTS version only when EPMD is off. Undefined: distribution with EPMD, as OTP does by default.
 */
export function networkStep(
  config: Pick<Config, "epmd" | "distPort" | "binDir">,
  log: Logger,
  readErts: (binDir: string) => ErtsVersion | undefined = releaseErtsVersion,
): EpmdlessFlags | undefined {
  if (config.epmd === "on") return undefined;
  const port = requireOnePort(config.distPort);
  const erts = readErts(config.binDir);
  const flags = epmdlessFlags(port, erts?.version);
  if (erts) {
    log.info(`distribution without EPMD on port ${port}`, { erts: erts.version, erts_from: erts.from, flags: flags.always.join(" ") });
  } else {
    // Both port forms work on every OTP from 23 on; only OTP 22 and older (2019) would fail, at the VM's start.
    log.info(`distribution without EPMD on port ${port}; no ERTS version in ${config.binDir}/../releases/start_erl.data or an erts-* directory there, so both port flags are set (OTP 23 or later needed)`, {
      flags: flags.always.join(" "),
    });
  }
  return flags;
}

/** The node name for the address step's outcome: with a dynamic host port, the name carries it. */
export const nodeNameFor = (basename: string, ip: string, published: Published | undefined) =>
  published && isDynamic(published) ? portNodeName(basename, ip, published.hostPort) : nodeName(basename, ip);

/** Bridge mode with a dynamic host port: EcsEpmd for the running node, the host port for the operator's. */
function dynamicPortStep(binDir: string, published: Published, log: Logger, readErts: (binDir: string) => ErtsVersion | undefined): EpmdlessFlags {
  const flags = dynamicPortFlags(published, readErts(binDir)?.version);
  log.info(`network mode bridge, dynamic host port ${published.hostPort}: distribution without EPMD on container port ${published.containerPort}; peers' ports come from their names (EcsEpmd)`, {
    flags: [...flags.always, ...flags.listening!].join(" "),
  });
  // Without the module the release's VM stops at boot with an undef error that names no fix.
  if (releaseHasModule(binDir, ECS_EPMD_MODULE) === false) {
    log.warn(`the release in ${binDir}/.. has no ${ECS_EPMD_MODULE} module: copy examples/elixir/ecs_epmd.ex into the app's lib/ (a dynamic host port needs it, or the node cannot start distribution)`);
  }
  return flags;
}

/**
 * After the address step: bridge mode runs without EPMD whatever was configured (epmd cannot be
 * reached through a port mapping), on the pinned port that the address step found published; with a
 * dynamic host port, the running node loads EcsEpmd and the operator's node dials the host port.
 */
export function epmdForMode<T extends Partial<EpmdlessFlags>>(
  config: Pick<Config, "distPort" | "binDir">,
  self: { networkMode?: string; published?: Published },
  configured: T | undefined,
  log: Logger,
  readErts: (binDir: string) => ErtsVersion | undefined = releaseErtsVersion,
): T | EpmdlessFlags | undefined {
  if (self.networkMode !== "bridge") return configured;
  if (self.published && isDynamic(self.published)) return dynamicPortStep(config.binDir, self.published, log, readErts);
  if (configured) return configured;
  log.info("network mode bridge: distribution without EPMD (a port mapping cannot reach epmd)");
  return networkStep({ ...config, epmd: "off" }, log, readErts);
}

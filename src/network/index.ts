// The boot's network step (SPEC 4.9): how the release's node takes part in distribution. Today: with
// EPMD (nothing to add), or without it on the one pinned port (the flags for the release's OTP).
import type { Config } from "../config/config.ts";
import type { Logger } from "../log.ts";
import { epmdlessFlags, requireOnePort, type EpmdlessFlags } from "./epmd.ts";
import { releaseErtsVersion, type ErtsVersion } from "./erts.ts";

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

/**
 * After the address step: bridge mode runs without EPMD whatever was configured (epmd cannot be
 * reached through a port mapping), on the pinned port that the address step found published.
 */
export function epmdForMode<T extends Partial<EpmdlessFlags>>(
  config: Pick<Config, "distPort" | "binDir">,
  self: { networkMode?: string },
  configured: T | undefined,
  log: Logger,
): T | EpmdlessFlags | undefined {
  if (self.networkMode !== "bridge" || configured) return configured;
  log.info("network mode bridge: distribution without EPMD (a port mapping cannot reach epmd)");
  return networkStep({ ...config, epmd: "off" }, log);
}

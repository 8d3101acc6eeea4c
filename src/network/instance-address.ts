// bridge and host mode (SPEC 4.9): the node is reached at the container instance's private IPv4,
// learned from the sources in order, each bounded in time; and in bridge mode at the published port.
import type { Address } from "../boot/address.ts";
import type { Config } from "../config/config.ts";
import { configError, unavailableError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { ENV } from "../config/options.ts";
import { imdsAddress, imdsEndpoint } from "./imds.ts";
import { METADATA_FILE_ENV, metadataFileAddress } from "./metadata-file.ts";
import { bridgePublished, type InstanceMode, type Published } from "./mode.ts";
import { routeAddress } from "./route.ts";

export interface InstanceAddress {
  address: Address;
  /** metadata-file <path>, imds or route: for the log and the doctor. */
  source: string;
  networkMode: InstanceMode;
  published?: Published;
}

export interface Tried {
  source: string;
  reason: string;
}

const FIXES = {
  ip: `pass --ip (${ENV.ip}) with the instance's private IP`,
  file: "set ECS_ENABLE_CONTAINER_METADATA=true in the instance's /etc/ecs/ecs.config",
  imds: "let containers reach IMDS (from a bridge container: aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2)",
};

/** The 69 message: every source tried, why each failed, and the fixes (pure). */
export function noInstanceAddress(mode: InstanceMode, tried: Tried[]): string {
  const reasons = tried.map((t) => `${t.source}: ${t.reason}`).join("; ");
  return `network mode ${mode}: no source gave the container instance's private IPv4 address (${reasons}); ${FIXES.ip}, or ${FIXES.file}, or ${FIXES.imds}`;
}

type Source = { name: string; run: () => Promise<{ address: Address } | { reason: string }> };

function sources(mode: InstanceMode, env: NodeJS.ProcessEnv, deadline: number): Source[] {
  const file = env[METADATA_FILE_ENV];
  const imds = imdsEndpoint(env);
  const list: Source[] = [
    {
      name: file ? `metadata-file ${file}` : "metadata-file",
      run: async () => (file ? metadataFileAddress(file, deadline) : { reason: `${METADATA_FILE_ENV} is not set (the agent sets it only with ECS_ENABLE_CONTAINER_METADATA=true)` }),
    },
    {
      name: "imds",
      run: async () => {
        if (!("url" in imds)) return { reason: `switched off by ${imds.disabled}` };
        const got = await imdsAddress(imds.url);
        return "reason" in got ? { reason: `${imds.url}: ${got.reason}` } : got;
      },
    },
  ];
  // Only a host-mode container shares the instance's interfaces; a bridge container's route leaves from the bridge.
  if (mode === "host") list.push({ name: "route", run: () => routeAddress() });
  return list;
}

/**
 * The instance's address (--ip was handled before: it skips the metadata). Bridge mode first checks
 * the published port, so a task definition to fix is said before any waiting.
 */
export async function instanceAddress(
  mode: InstanceMode,
  doc: unknown,
  config: Pick<Config, "distPort" | "ipFamily">,
  env: NodeJS.ProcessEnv,
  deadline: number,
  log: Logger,
): Promise<InstanceAddress> {
  if (config.ipFamily === "ipv6") throw configError(`--ip-family ipv6: in network mode ${mode} the instance's address sources give IPv4 only; pass --ip with the instance's IPv6 address`);
  const published = mode === "bridge" ? bridgePublished(doc, config.distPort) : undefined;
  if (mode === "bridge") log.info(`network mode bridge: the node is reached at the instance's private IP, port ${published!.hostPort}`);
  if (mode === "host" && !config.distPort) {
    log.warn(`network mode host: the distribution port is not pinned; tasks on one instance share its ports: set ${ENV.distPort} (--dist-port) and open that port in the security group`);
  }
  const tried: Tried[] = [{ source: "--ip", reason: "not given" }];
  for (const source of sources(mode, env, deadline)) {
    const got = await source.run();
    if ("address" in got) return { address: got.address, source: source.name, networkMode: mode, published };
    log.debug(`instance address: ${source.name} gave none: ${got.reason}`);
    tried.push({ source: source.name, reason: got.reason });
  }
  throw unavailableError(noInstanceAddress(mode, tried));
}

// Distribution without EPMD on one pinned port (SPEC 4.9): which OTP flags do it, by the release's
// ERTS version (pure). Every node listens on the same port and dials peers on it; nothing asks epmd.
import { configError } from "../errors.ts";
import { ENV } from "../config/options.ts";

export type EpmdMode = "on" | "off";

/** How the port is given to erl_epmd: the init flag (OTP 23-27.1), the kernel parameter (OTP 27.2+), or both. */
export type PortForm = "erl_epmd_port" | "kernel" | "both";

export interface EpmdlessFlags {
  port: number;
  form: PortForm;
  /** Every node of the release: the running one and the operator's hidden ones (rpc, remote, stop...). */
  always: string[];
  /** Only the node that runs the release (dynamic host ports: the EPMD module that reads ports from names). */
  listening?: string[];
  /** Only the hidden nodes: they dial the running node and must not listen on its port (eaddrinuse). */
  operator: string[];
}

// ERTS versions of the OTP releases that changed the rule (ERTS 11.0 = OTP 23.0, 15.2 = OTP 27.2).
const FIRST_SUPPORTED = [11, 0];
const FIRST_KERNEL_PARAMETER = [15, 2];

/** "13.1.5" → [13, 1, 5]; anything else is not a version. */
export function parseVersion(text: string): number[] | undefined {
  if (!/^\d{1,4}(\.\d{1,6}){0,5}$/.test(text)) return undefined;
  return text.split(".").map(Number);
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The port form for an ERTS version. Unknown version: both forms (OTP 23-27.1 ignore the kernel
 * parameter they do not know; 27.2+ read it), so the node works on any OTP from 23 on.
 */
export function portForm(erts: string | undefined): PortForm {
  const version = erts === undefined ? undefined : parseVersion(erts);
  if (!version) return "both";
  if (compareVersions(version, FIRST_SUPPORTED) < 0) {
    throw configError(`${ENV.epmd}=off: the release's ERTS ${erts} (OTP 22 or older) cannot run distribution without EPMD; it needs OTP 23 or later (ERTS 11+), or ${ENV.epmd}=on`);
  }
  return compareVersions(version, FIRST_KERNEL_PARAMETER) < 0 ? "erl_epmd_port" : "kernel";
}

/** erl_epmd's one port, which a node listens on and dials every peer on, in the form of its OTP. */
const portFlags = (port: number, form: PortForm) =>
  ({
    erl_epmd_port: [`-erl_epmd_port ${port}`],
    kernel: [`-kernel erl_epmd_node_listen_port ${port}`],
    both: [`-erl_epmd_port ${port}`, `-kernel erl_epmd_node_listen_port ${port}`],
  })[form];

/** The ELIXIR_ERL_OPTIONS additions for a node without EPMD on `port`. */
export function epmdlessFlags(port: number, erts: string | undefined): EpmdlessFlags {
  const form = portForm(erts);
  return { port, form, always: ["-start_epmd false", ...portFlags(port, form)], operator: ["-dist_listen false"] };
}

/** The EPMD module of examples/elixir/ecs_epmd.ex: it answers a peer's port from the peer's node name. */
export const ECS_EPMD_MODULE = "Elixir.EcsEpmd";

/**
 * Bridge mode with a dynamic host port: each node has its own published port, carried in its name.
 * The running node loads EcsEpmd and listens on the container port (the pinned listen range); the
 * operator's hidden node dials only this node, so erl_epmd's one port, the host port, does it
 * (the start_clean boot of rpc and remote need not have the app's modules).
 */
export function dynamicPortFlags(published: { containerPort: number; hostPort: number }, erts: string | undefined): EpmdlessFlags {
  const form = portForm(erts);
  return {
    port: published.containerPort,
    form,
    always: ["-start_epmd false"],
    listening: [`-epmd_module ${ECS_EPMD_MODULE}`],
    operator: [...portFlags(published.hostPort, form), "-dist_listen false"],
  };
}

/** Without EPMD every node listens on, and dials, one and the same port: a range cannot work. */
export function requireOnePort(distPort: { min: number; max: number } | undefined): number {
  if (!distPort) {
    throw configError(`${ENV.epmd}=off needs the one distribution port every node listens on: set ${ENV.distPort}=9100 (or --dist-port 9100)`);
  }
  if (distPort.min !== distPort.max) {
    throw configError(`${ENV.epmd}=off: ${ENV.distPort} is the range ${distPort.min}-${distPort.max}, but without EPMD every node dials peers on one port: give one port, e.g. ${ENV.distPort}=${distPort.min}`);
  }
  return distPort.min;
}

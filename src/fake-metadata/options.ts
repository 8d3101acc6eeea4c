import { canonicalIp, type Address } from "../boot/address.ts";
import type { CommandLine } from "../config/cli.ts";
import { configError, expected } from "../errors.ts";
import { modeOptions, type ModeOptions } from "./modes.ts";

export interface FakeOptions {
  host: string;
  port: number;
  /** Fixed address to report, or undefined for each caller's own source address. */
  ip?: Address;
  networkMode: string;
  cluster: string;
  family: string;
  service?: string;
  region: string;
  tags: Record<string, string>;
  expireMs: number;
  /** bridge and host mode: the published port, the metadata file, IMDS's answer. */
  modes: ModeOptions;
}

export const isLoopback = (host: string) => host === "localhost" || host === "::1" || /^127\./.test(host);

function whole(value: string | undefined, fallback: number, min: number, max: number, flag: string): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < min || n > max) throw configError(`${flag}: ${expected(`a whole number ${min}-${max}`, value!)}`);
  return n;
}

function tags(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of list) {
    const eq = tag.indexOf("=");
    if (eq < 1) throw configError(`--tag: ${expected("KEY=VALUE", tag)}`);
    out[tag.slice(0, eq)] = tag.slice(eq + 1);
  }
  return out;
}

export function fakeOptions(line: Pick<CommandLine, "flags" | "repeated">): FakeOptions {
  const f = line.flags;
  const ip = f.ip === undefined || f.ip === "auto" ? undefined : canonicalIp(f.ip);
  if (f.ip !== undefined && f.ip !== "auto" && !ip) throw configError(`--ip: ${expected("an IP address or auto", f.ip)}`);
  const networkMode = f.networkMode ?? "awsvpc";
  if (!["awsvpc", "bridge", "host"].includes(networkMode)) throw configError(`--network-mode: ${expected("awsvpc, bridge or host", networkMode)}`);
  return {
    host: f.host ?? "127.0.0.1",
    port: whole(f.port, 0, 0, 65535, "--port"),
    ip,
    networkMode,
    cluster: f.cluster ?? "local",
    family: f.family ?? "local-app",
    service: f.service,
    region: f.region ?? "us-east-1",
    tags: tags(line.repeated.tag ?? []),
    expireMs: whole(f.expire, 60_000, 1, 2 ** 31 - 1, "--expire"),
    modes: modeOptions(f),
  };
}

// Per-task options of the fake, in the metadata URI's last segment (`/v4/<id>;mode=bridge;instance=10.0.1.5;
// host-port=32768`): one fake then serves a whole EC2 cluster, tasks in host and bridge mode on many instances.
import { parseIp } from "../boot/address.ts";

export interface TaskOptions {
  networkMode?: "awsvpc" | "bridge" | "host";
  /** The container instance's private IPv4 (tasks that name the same one share the instance). */
  instanceIp?: string;
  containerPort?: number;
  hostPort?: number;
}

const port = (v: string) => (/^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? Number(v) : undefined);

/** `<id>;key=value;…`: the id, and the options or the first one that cannot be read. */
export function taskOptions(segment: string): { id: string; options: TaskOptions } | { error: string } {
  const [id = "", ...pairs] = segment.split(";");
  const options: TaskOptions = {};
  for (const pair of pairs.slice(0, 8)) {
    const [key, value = ""] = pair.split("=", 2) as [string, string?];
    if (key === "mode" && (value === "awsvpc" || value === "bridge" || value === "host")) options.networkMode = value;
    else if (key === "instance" && parseIp(value)?.family === 4) options.instanceIp = parseIp(value)!.ip;
    else if (key === "container-port" && port(value)) options.containerPort = port(value);
    else if (key === "host-port" && port(value)) options.hostPort = port(value);
    else return { error: `task option ${JSON.stringify(pair.slice(0, 60))}: expected mode=awsvpc|bridge|host, instance=IPV4, container-port=N or host-port=N` };
  }
  return { id, options };
}

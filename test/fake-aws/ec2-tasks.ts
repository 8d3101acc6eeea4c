// Fake tasks on EC2 container instances (host and bridge mode): no ENI, a container instance, published ports.
import { instanceAt, type FakeTask } from "../../src/fake-metadata/aws/tasks.ts";
import { parseTaskArn } from "./tasks.ts";

export interface Placement {
  networkMode: "bridge" | "host";
  /** Task i runs on instance ips[i % ips.length]. */
  ips: string[];
  /** The distribution port inside the container. */
  containerPort: number;
  /** Task i's host port for it (default: the container port, a static mapping); undefined: no binding at all. */
  hostPort?: (i: number) => number | undefined;
}

/** The same tasks, moved onto container instances; a bridge task publishes its port, a host task binds it. */
export function onInstances(tasks: FakeTask[], p: Placement): FakeTask[] {
  return tasks.map((task, i) => {
    const arn = parseTaskArn(task.taskArn)!;
    const ip = p.ips[i % p.ips.length]!;
    const hostPort = p.hostPort ? p.hostPort(i) : p.containerPort;
    const bindings = hostPort === undefined ? [] : [{ bindIP: "0.0.0.0", containerPort: p.networkMode === "host" ? hostPort : p.containerPort, hostPort, protocol: "tcp" as const }];
    const containers = (task.containers ?? []).map((c, j) => {
      const { networkInterfaces: _, ...rest } = c;
      return { ...rest, networkBindings: j === 0 ? bindings : [] };
    });
    return { ...task, launchType: "EC2", attachments: [], containers, instance: instanceAt(arn.region, arn.account, arn.cluster, ip) };
  });
}

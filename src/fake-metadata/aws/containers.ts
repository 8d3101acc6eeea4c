// ECS DescribeContainerInstances over the container instances of the fake's tasks (host and bridge mode).
import { resolveCluster, type EcsState } from "./ecs.ts";
import { AwsError, optString, optStringList } from "./protocol.ts";
import { instancesOf, type FakeInstance } from "./tasks.ts";

export function describeContainerInstances(input: Record<string, unknown>, st: EcsState): { containerInstances: unknown[]; failures: unknown[] } {
  const cluster = resolveCluster(optString(input, "cluster"), st);
  const refs = optStringList(input, "containerInstances");
  if (!refs || refs.length === 0) throw new AwsError("InvalidParameterException", "ContainerInstances cannot be empty.");
  if (refs.length > 100) throw new AwsError("InvalidParameterException", "ContainerInstances cannot be longer than 100.");
  const inCluster = st.tasks.filter((t) => t.cluster === cluster);
  const instances = instancesOf(inCluster);
  const containerInstances: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of new Set(refs)) {
    const found = instances.find((i) => i.containerInstanceArn === ref || i.containerInstanceArn.endsWith(`/${ref}`));
    if (found) containerInstances.push(describe(found, inCluster.filter((t) => t.instance?.containerInstanceArn === found.containerInstanceArn && t.lastStatus === "RUNNING").length));
    else failures.push({ arn: ref, reason: "MISSING" });
  }
  return { containerInstances, failures };
}

function describe(i: FakeInstance, running: number): Record<string, unknown> {
  const resource = (name: string, value: number) => ({ name, type: "INTEGER", doubleValue: 0, longValue: 0, integerValue: value });
  return {
    containerInstanceArn: i.containerInstanceArn,
    ec2InstanceId: i.ec2InstanceId,
    version: 7,
    versionInfo: { agentVersion: "1.89.0", agentHash: "0123abcd", dockerVersion: "DockerVersion: 25.0.8" },
    remainingResources: [resource("CPU", 2048 - 256 * running), resource("MEMORY", 7680 - 512 * running)],
    registeredResources: [resource("CPU", 2048), resource("MEMORY", 7680)],
    status: "ACTIVE",
    agentConnected: true,
    runningTasksCount: running,
    pendingTasksCount: 0,
    attributes: [{ name: "ecs.os-type", value: "linux" }, { name: "ecs.availability-zone", value: "us-east-1a" }],
    registeredAt: Math.floor(Date.now() / 1000) - 3600,
    attachments: [],
    tags: [],
  };
}

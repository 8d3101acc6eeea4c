// The ECS and tagging API half of `entrypoint fake-metadata`: answers for the tasks that asked for
// metadata, so AWS_ENDPOINT_URL=<fake> gives peer discovery locally. Any credentials are accepted.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LocalTask } from "../documents.ts";
import { ec2ErrorReply } from "./ec2.ts";
import { AwsError, parseInput, readBody, send, sendError, sendJson, TokenBook } from "./protocol.ts";
import { answer, answerQuery, routeOf } from "./routes.ts";
import { instanceAt, parseTaskArn, type Container, type FakeTask } from "./tasks.ts";

/** What every task shows: identity, status and its one container (the network parts added by the caller). */
function common(task: LocalTask, launchType: string, container: Partial<Container>): FakeTask {
  const app = { containerArn: `${task.taskArn.replace(":task/", ":container/")}/app`, taskArn: task.taskArn, name: "app", image: `${task.family}:latest`, lastStatus: "RUNNING" };
  const service = task.service ? { service: task.service } : {};
  return { taskArn: task.taskArn, cluster: task.cluster, family: task.family, ...service, lastStatus: "RUNNING", desiredStatus: "RUNNING", launchType, tags: task.tags, attachments: [], containers: [{ ...app, ...container }] };
}

/** A task in host or bridge mode: on its container instance, its distribution port published there. */
function onInstance(task: LocalTask, instanceIp: string): FakeTask {
  const ports = task.ports;
  const networkBindings = ports ? [{ bindIP: "0.0.0.0", containerPort: ports.containerPort, hostPort: ports.hostPort, protocol: "tcp" as const }] : [];
  const account = parseTaskArn(task.taskArn)?.account ?? "123456789012";
  return { ...common(task, "EC2", { networkBindings }), instance: instanceAt(task.region, account, task.cluster, instanceIp) };
}

/** A metadata caller as DescribeTasks shows it: one ENI attachment and one container interface (awsvpc). */
export function wireTask(task: LocalTask): FakeTask {
  if (task.instanceIp) return onInstance(task, task.instanceIp);
  const id = parseTaskArn(task.taskArn)?.id ?? "0";
  const address = task.address;
  const v4 = address?.family === 4 ? address.ip : undefined;
  const v6 = address?.family === 6 ? address.ip : undefined;
  const attachmentId = `${id.slice(0, 8)}-0000-4000-8000-${id.slice(20, 32)}`;
  const details = [
    { name: "networkInterfaceId", value: `eni-${id.slice(0, 17)}` },
    ...(v4 ? [{ name: "privateIPv4Address", value: v4 }] : []),
    ...(v6 ? [{ name: "ipv6Address", value: v6 }] : []),
  ];
  const nic = { attachmentId, ...(v4 ? { privateIpv4Address: v4 } : {}), ...(v6 ? { ipv6Address: v6 } : {}) };
  const attachments = address && task.networkMode === "awsvpc" ? [{ id: attachmentId, type: "ElasticNetworkInterface", status: "ATTACHED", details }] : [];
  return { ...common(task, "FARGATE", { networkInterfaces: address ? [nic] : [] }), attachments };
}

export interface AwsScope {
  region: string;
  account: string;
  cluster: string;
  live(): LocalTask[];
  /** Short or empty listing pages, as a test asks (PUT /fake/paging). */
  paging?: { size?: number; empty?: number };
}

/** Handles POST requests that carry an X-Amz-Target; returns false for anything else. */
export function awsHandler(scope: AwsScope) {
  const tokens = new TokenBook();
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "POST") return false;
    void (async () => {
      try {
        const body = await readBody(req);
        const route = routeOf(req.method, String(req.headers["x-amz-target"] ?? ""), req.headers);
        if (!route) throw new AwsError("UnknownOperationException", `the fake answers ListTasks, DescribeTasks, DescribeContainerInstances, GetResources and EC2 DescribeInstances; got X-Amz-Target ${JSON.stringify(req.headers["x-amz-target"] ?? "")}`);
        const paging = { forcePageSize: scope.paging?.size, emptyPages: scope.paging?.empty };
        const view = { region: scope.region, account: scope.account, tasks: scope.live().map(wireTask), clusters: [scope.cluster], services: [], tokens, ...paging };
        if (route.api === "DescribeInstances") return send(res, wrapEc2(() => answerQuery(view, body)));
        sendJson(res, 200, answer(view, route.api, parseInput(body)));
      } catch (err) {
        sendError(res, err instanceof AwsError ? err : new AwsError("InternalFailure", String(err), { status: 500 }));
      }
    })();
    return true;
  };
}

/** EC2 answers its errors in XML. */
function wrapEc2(reply: () => ReturnType<typeof answerQuery>): ReturnType<typeof answerQuery> {
  try {
    return reply();
  } catch (err) {
    return ec2ErrorReply(err instanceof AwsError ? err : new AwsError("InternalError", String(err), { status: 500 }));
  }
}

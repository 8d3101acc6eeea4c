// The AWS operations the local fake answers, shared by `entrypoint fake-metadata` and the test fake: AWS JSON 1.1
// (X-Amz-Target) for ECS and tagging, EC2's Query protocol (a form-encoded POST) for DescribeInstances.
import type { IncomingHttpHeaders } from "node:http";
import { describeContainerInstances } from "./containers.ts";
import { describeTasks, listTasks, type EcsState } from "./ecs.ts";
import { answerEc2 } from "./ec2.ts";
import type { Reply } from "./protocol.ts";
import { getResources } from "./tagging.ts";
import { instancesOf, parseTaskArn } from "./tasks.ts";

export type ApiName = "ListTasks" | "DescribeTasks" | "DescribeContainerInstances" | "GetResources" | "DescribeInstances";

export interface Route {
  api: ApiName;
  service: "ecs" | "tagging" | "ec2";
  action: string;
}

export const ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";
export const TAGGING_TARGET = "ResourceGroupsTaggingAPI_20170126.";

const ROUTES: Record<string, Route> = {
  [`${ECS_TARGET}ListTasks`]: { api: "ListTasks", service: "ecs", action: "ecs:ListTasks" },
  [`${ECS_TARGET}DescribeTasks`]: { api: "DescribeTasks", service: "ecs", action: "ecs:DescribeTasks" },
  [`${ECS_TARGET}DescribeContainerInstances`]: { api: "DescribeContainerInstances", service: "ecs", action: "ecs:DescribeContainerInstances" },
  [`${TAGGING_TARGET}GetResources`]: { api: "GetResources", service: "tagging", action: "tag:GetResources" },
};

export const EC2_ROUTE: Route = { api: "DescribeInstances", service: "ec2", action: "ec2:DescribeInstances" };

/** The operation a request asks for (POST with an X-Amz-Target of ours, or a form-encoded EC2 call), or undefined. */
export function routeOf(method: string | undefined, target: string, headers: IncomingHttpHeaders = {}): Route | undefined {
  if (method !== "POST") return undefined;
  if (Object.hasOwn(ROUTES, target)) return ROUTES[target];
  return !target && isForm(headers) ? EC2_ROUTE : undefined;
}

/** EC2's Query protocol: a form-encoded body, no X-Amz-Target. */
export const isForm = (headers: IncomingHttpHeaders) => String(headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");

/** What the API answers from: the tasks, the clusters and services that exist, page tokens. */
export type ApiView = EcsState;

/** Answers one call over the tasks of this region and account. */
export function answer(view: ApiView, api: Exclude<ApiName, "DescribeInstances">, input: Record<string, unknown>): unknown {
  const visible = { ...view, tasks: visibleTasks(view) };
  if (api === "ListTasks") return listTasks(input, visible);
  if (api === "DescribeTasks") return describeTasks(input, visible);
  if (api === "DescribeContainerInstances") return describeContainerInstances(input, visible);
  return getResources(input, visible);
}

function visibleTasks(view: ApiView) {
  return view.tasks.filter((t) => {
    const arn = parseTaskArn(t.taskArn);
    return arn?.region === view.region && arn.account === view.account;
  });
}

/** Answers one EC2 call (the XML reply) over the container instances of this region's and account's tasks. */
export const answerQuery = (view: ApiView, body: Buffer): Reply => answerEc2(body, instancesOf(visibleTasks(view)), view.account, view.region);

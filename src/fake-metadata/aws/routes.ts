// The AWS JSON 1.1 operations the local fake answers, shared by `entrypoint fake-metadata` and the test fake.
import { describeTasks, listTasks, type EcsState } from "./ecs.ts";
import { getResources } from "./tagging.ts";
import { parseTaskArn } from "./tasks.ts";

export type ApiName = "ListTasks" | "DescribeTasks" | "GetResources";

export interface Route {
  api: ApiName;
  service: "ecs" | "tagging";
  action: string;
}

export const ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";
export const TAGGING_TARGET = "ResourceGroupsTaggingAPI_20170126.";

const ROUTES: Record<string, Route> = {
  [`${ECS_TARGET}ListTasks`]: { api: "ListTasks", service: "ecs", action: "ecs:ListTasks" },
  [`${ECS_TARGET}DescribeTasks`]: { api: "DescribeTasks", service: "ecs", action: "ecs:DescribeTasks" },
  [`${TAGGING_TARGET}GetResources`]: { api: "GetResources", service: "tagging", action: "tag:GetResources" },
};

/** The operation a request asks for (POST with an X-Amz-Target of ours), or undefined. */
export function routeOf(method: string | undefined, target: string): Route | undefined {
  return method === "POST" && Object.hasOwn(ROUTES, target) ? ROUTES[target] : undefined;
}

/** What the API answers from: the tasks, the clusters and services that exist, page tokens. */
export type ApiView = EcsState;

/** Answers one call over the tasks of this region and account. */
export function answer(view: ApiView, api: ApiName, input: Record<string, unknown>): unknown {
  const tasks = view.tasks.filter((t) => {
    const arn = parseTaskArn(t.taskArn);
    return arn?.region === view.region && arn.account === view.account;
  });
  const visible = { ...view, tasks };
  if (api === "ListTasks") return listTasks(input, visible);
  if (api === "DescribeTasks") return describeTasks(input, visible);
  return getResources(input, visible);
}

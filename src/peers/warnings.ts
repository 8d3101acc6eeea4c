// The peer step's warnings that name a fix: the IAM actions a refusal needs, a group of mixed network modes,
// bridge tasks that publish no distribution port.
import type { Logger } from "../log.ts";
import { portMappingLine } from "../network/mode.ts";
import type { InstanceNaming } from "./bindings.ts";

type Input = { strategy: { kind: string }; log: Logger };

const IAM_HINT = "the task role needs ecs:ListTasks and ecs:DescribeTasks (and tag:GetResources for --peers tags)";
const IAM_HINT_INSTANCE = "in network mode host and bridge the task role also needs ecs:DescribeContainerInstances and ec2:DescribeInstances";
const DENIED = new Set(["AccessDeniedException", "UnauthorizedOperation"]);

/** The "; the task role needs …" part of a refusal's warning (empty for other errors). */
export const iamHint = (code: string | undefined, instanceMode: boolean) => (DENIED.has(code ?? "") ? `; ${IAM_HINT}${instanceMode ? `; ${IAM_HINT_INSTANCE}` : ""}` : "");

export function warnAddressless(count: number, found: number, input: Input): void {
  input.log.warn(
    `peers (${input.strategy.kind}): ${count} running task(s) have no task IP address (network mode host or bridge?)${found ? "" : "; 0 peers"}: this task runs in awsvpc mode and finds awsvpc peers; give every task of the group the same networkMode`,
  );
}

export function warnUnbound(count: number, mode: InstanceNaming, input: Input): void {
  input.log.warn(
    `peers (${input.strategy.kind}): ${count} running task(s) publish no host port for the distribution port ${mode.distPort ?? "(none pinned)"}; 0 peers: add to the container's portMappings ${portMappingLine(mode.distPort ?? 9100)}${mode.dynamic ? ' (or "hostPort": 0 for a dynamic port)' : ""}`,
  );
}

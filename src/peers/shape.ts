// The fields of a DescribeTasks task that the peer step reads, checked before any is used (pure): the SDK hands
// the answer's JSON over as it came, so one careless or hostile task must cost one peer, not the whole lookup.

/** An ARN is at most 2048 characters (IAM's limit); a longer "ARN" is not forwarded to another call. */
export const MAX_ARN_CHARS = 2048;

type Check = (v: unknown) => boolean;
const object = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
// JSON null stands for a missing field, as the SDK's own types allow.
const text: Check = (v) => v == null || typeof v === "string";
const listOf = (each: Check): Check => (v) => v == null || (Array.isArray(v) && v.every(each));
const shaped = (fields: Record<string, Check>): Check => (v) => object(v) && Object.entries(fields).every(([k, check]) => check(v[k]));

const detail = shaped({ name: text, value: text });
const attachment = shaped({ type: text, details: listOf(detail) });
const nic = shaped({ privateIpv4Address: text, ipv6Address: text });
const port: Check = (v) => v == null || typeof v === "number";
const binding = shaped({ bindIP: text, containerPort: port, hostPort: port, protocol: text });
const container = shaped({ networkInterfaces: listOf(nic), networkBindings: listOf(binding) });

const TASK: Record<string, Check> = {
  taskArn: (v) => typeof v === "string" && v.length <= MAX_ARN_CHARS,
  taskDefinitionArn: text,
  startedBy: text,
  lastStatus: text,
  desiredStatus: text,
  attachments: listOf(attachment),
  containers: listOf(container),
  containerInstanceArn: (v) => v == null || (typeof v === "string" && v.length <= MAX_ARN_CHARS),
};

/** What is wrong with a task of a DescribeTasks answer (the first field that is), or undefined when it can be read. */
export function taskProblem(task: unknown): string | undefined {
  if (!object(task)) return "not an object";
  return Object.entries(TASK).find(([k, check]) => !check(task[k]))?.[0];
}

/** A listed ARN that can be forwarded to DescribeTasks. */
export const usableArn = (arn: unknown): arn is string => typeof arn === "string" && arn.length > 0 && arn.length <= MAX_ARN_CHARS;

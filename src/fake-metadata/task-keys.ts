// Per-task credentials of the local fake, as ECS gives each task its role's own session: every task on one machine
// calls the API from 127.0.0.1, so its access key id, not its source address, tells the fake who is calling.
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ACCOUNT } from "./documents.ts";

/** Tasks whose keys are remembered at most (the oldest is forgotten), so key requests cannot grow memory. */
export const MAX_TASK_KEYS = 1024;
const LIFETIME_MS = 6 * 3600_000;

/** A stable key id per task address, so a restarted fake still knows a task by its cached credentials. */
export const keyIdFor = (taskIp: string) => `ASIAFAKE${createHash("sha256").update(taskIp).digest("hex").slice(0, 12).toUpperCase()}`;

/** The access key id a SigV4 request was signed with (`Credential=<id>/<date>/<region>/<service>/aws4_request`). */
export function signingKeyId(req: Pick<IncomingMessage, "headers">): string | undefined {
  return /Credential=([A-Za-z0-9]{1,128})\//.exec(String(req.headers.authorization ?? ""))?.[1];
}

export class TaskKeys {
  readonly #tasks = new Map<string, string>();

  /** The container-credentials document for the task at `taskIp` (what AWS_CONTAINER_CREDENTIALS_FULL_URI serves). */
  issue(taskIp: string, now = Date.now()): Record<string, string> {
    const keyId = keyIdFor(taskIp);
    this.#tasks.delete(keyId);
    if (this.#tasks.size >= MAX_TASK_KEYS) this.#tasks.delete(this.#tasks.keys().next().value!);
    this.#tasks.set(keyId, taskIp);
    return {
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/fake-task-role`,
      AccessKeyId: keyId,
      // The fake checks no signature: the secret and token only have to look like the real ones.
      SecretAccessKey: randomBytes(30).toString("base64"),
      Token: `IQoJb3JpZ2luX2Vj${randomBytes(48).toString("base64")}`,
      Expiration: new Date(now + LIFETIME_MS).toISOString().replace(/\.\d{3}Z$/, "Z"),
    };
  }

  /** The task whose credentials signed a request, if they came from this fake. */
  taskOf(req: Pick<IncomingMessage, "headers">): string | undefined {
    const keyId = signingKeyId(req);
    return keyId === undefined ? undefined : this.#tasks.get(keyId);
  }
}

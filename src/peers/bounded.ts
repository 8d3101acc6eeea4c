// Reading an AWS answer without trusting its size: shared by the SDK clients and the EC2 Query call.
import type { Readable } from "node:stream";

/** The largest AWS answer read: a full DescribeTasks of 100 tasks is about 1 MiB; more is not a real answer. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export class AnswerTooLarge extends Error {
  constructor(bytes: number | undefined, max: number) {
    super(`the answer is larger than ${max} bytes${bytes ? ` (${bytes})` : ""}; not read`);
    this.name = "AnswerTooLarge";
  }
}

export function readAtMost(body: Readable, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      body.destroy();
      reject(new AnswerTooLarge(undefined, max));
    });
    body.once("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    body.once("error", reject);
    body.once("close", () => reject(Object.assign(new Error("the connection closed before the answer was complete"), { code: "ECONNRESET" })));
  });
}

// The container metadata file of the fake: written NOT_READY at start, READY after the delay, removed at exit.
import { rmSync } from "node:fs";
import { writeFileAtomic } from "../atomic-write.ts";
import { taskArnFor } from "./documents.ts";
import { metadataFileDocument, type ModeOptions } from "./modes.ts";
import type { FakeOptions } from "./options.ts";

/** Writes the file and schedules READY; the returned function stops the timer and removes the file. */
export function startMetadataFile(options: FakeOptions, modes: ModeOptions): () => void {
  const task = {
    cluster: options.cluster,
    family: options.family,
    networkMode: options.networkMode,
    region: options.region,
    taskArn: taskArnFor(options.region, options.cluster, modes.instanceIp?.ip ?? "metadata-file"),
  };
  const write = (ready: boolean) => writeFileAtomic(modes.metadataFile, JSON.stringify(metadataFileDocument(task, modes, ready), null, 2) + "\n", 0o644);
  write(false);
  const timer = modes.readyAfterMs === undefined ? undefined : setTimeout(() => write(true), modes.readyAfterMs);
  return () => {
    clearTimeout(timer);
    rmSync(modes.metadataFile, { force: true });
  };
}

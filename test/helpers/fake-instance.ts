// `entrypoint fake-metadata --network-mode bridge|host`, optionally inside a network namespace, with
// every variable it prints (the metadata URI, the metadata file, the IMDS endpoint).
import { spawn } from "node:child_process";
import { baseEnv, ENTRYPOINT, waitFor } from "./run.ts";

export interface FakeInstance {
  /** ECS_CONTAINER_METADATA_URI_V4, ECS_CONTAINER_METADATA_FILE, AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  vars: Record<string, string>;
  stop(): Promise<void>;
}

const EXPECTED = ["ECS_CONTAINER_METADATA_URI_V4", "ECS_CONTAINER_METADATA_FILE", "AWS_EC2_METADATA_SERVICE_ENDPOINT"];

export async function startFakeInstance(args: string[], netns?: string): Promise<FakeInstance> {
  const argv = [...(netns ? ["netns", "exec", netns, ENTRYPOINT] : []), "fake-metadata", ...args];
  const child = spawn(netns ? "ip" : ENTRYPOINT, argv, { env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const vars: Record<string, string> = {};
  try {
    await waitFor(() => out.split("\n").length > EXPECTED.length || child.exitCode !== null, 5000, "fake-metadata to print its variables");
    for (const line of out.trim().split("\n")) vars[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    for (const name of EXPECTED) if (!vars[name]) throw new Error(`fake-metadata printed no ${name}: ${out} ${err}`);
  } catch (error) {
    // A fake that started but printed too little must not outlive the test file.
    child.kill("SIGKILL");
    throw error;
  }
  return {
    vars,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

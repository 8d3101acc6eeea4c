import { spawn, type ChildProcess } from "node:child_process";
import { baseEnv, ENTRYPOINT, waitFor } from "./run.ts";

export interface RunningFake {
  uri: string;
  /** The fake's origin: its AWS endpoint, and where its /fake/... test controls are. */
  origin: string;
  /** One request to a test control (/fake/aws-calls, /fake/deny/<ip>, ...), its JSON answer. */
  control(method: string, path: string): Promise<{ status: number; body: any }>;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Starts `entrypoint fake-metadata` and waits for the URI line it prints first. */
export async function startFakeMetadata(args: string[] = [], env: Record<string, string> = {}): Promise<RunningFake> {
  const child = spawn(ENTRYPOINT, ["fake-metadata", ...args], { env: baseEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await waitFor(() => out.includes("\n") || child.exitCode !== null, 5000, "fake-metadata to print its URI");
  const uri = /^ECS_CONTAINER_METADATA_URI_V4=(\S+)\n/.exec(out)?.[1];
  if (!uri) throw new Error(`fake-metadata printed no URI: ${out} ${err}`);
  const origin = new URL(uri).origin;
  return {
    uri,
    origin,
    control: async (method, path) => {
      const res = await fetch(`${origin}${path}`, { method });
      return { status: res.status, body: await res.json() };
    },
    child,
    stderr: () => err,
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/** One fake per test of a suite, stopped after each: `start` it in the test, then use its origin and controls. */
export function fakePerTest(suite: { after: { each(fn: () => Promise<void>): void } }) {
  let fake: RunningFake | undefined;
  suite.after.each(async () => {
    await fake?.stop();
    fake = undefined;
  });
  return {
    start: async (args: string[] = []) => (fake = await startFakeMetadata(args)),
    base: () => fake!.origin,
    control: (method: string, path: string) => fake!.control(method, path),
  };
}

// Signals before the exec that do not stop the boot: logged and dropped, the boot goes on. SIGUSR1
// above all must not open Node.js's debugger (an unauthenticated port on 127.0.0.1:9229).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { skipUnless } from "../helpers/skip.ts";
import { spawnSync, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { json, startServer, type LoopbackServer } from "../helpers/http-server.ts";
import { FIXTURES, runEntrypoint, runProgram, waitFor } from "../helpers/run.ts";

const DOC = { Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: ["10.0.0.5"] }] };

/** A metadata endpoint that holds every request until released: the boot waits for it as long as the test likes. */
async function heldMetadata(): Promise<{ server: LoopbackServer; release: () => void }> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = await startServer((_q, res) => void released.then(() => json(res, 200, DOC)));
  return { server, release };
}

/** TCP ports on which the process `pid` itself listens: its socket inodes, looked up in its network namespace's tables. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {}
  }
  const ports: number[] = [];
  for (const table of ["tcp", "tcp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is f[1] (ADDR:PORT in hex), st is f[3] (0A = LISTEN), inode is f[9].
      if (f[3] === "0A" && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(":")[1]!, 16));
    }
  }
  return ports;
}

/** Follows the child's stderr live; the collected text is also in the run's result. */
function liveStderr(child: ChildProcess): () => string {
  let text = "";
  child.stderr!.on("data", (d: Buffer) => (text += d));
  return () => text;
}

const canUnshare = spawnSync("unshare", ["--net", "true"]).status === 0;

skipUnless(canUnshare, "cannot create a network namespace here (needs root)", { ci: true })("control: the probe sees Node.js's debugger when a bare node process gets SIGUSR1 (own network namespace)", async () => {
  let seen: number[] = [];
  const script = `ip link set lo up && exec "${process.execPath}" -e "setTimeout(() => {}, 20000)"`;
  const r = await runProgram("unshare", ["--net", "sh", "-c", script], {
    timeoutMs: 15_000,
    onSpawn: (child) => {
      const err = liveStderr(child);
      void (async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        process.kill(child.pid!, "SIGUSR1");
        await waitFor(() => err().includes("Debugger listening"), 10_000, "the debugger line");
        seen = listeningPorts(child.pid!);
        child.kill("SIGKILL");
      })().catch(() => child.kill("SIGKILL"));
    },
  });
  assert.match(r.stderr, "Debugger listening on ws://127.0.0.1:9229/");
  assert.equal(seen, [9229]);
});

/**
 * Boots print-pid in `mode` against a held metadata endpoint; `whileHeld` runs once the metadata
 * request has arrived (the boot is waiting), then the endpoint answers.
 */
async function bootWhileHeld(mode: "execve" | "spawn", whileHeld: (child: ChildProcess, err: () => string) => Promise<void>) {
  const { server, release } = await heldMetadata();
  try {
    return await runEntrypoint(["--app", "shop", "--exec-mode", mode, `${FIXTURES}/print-pid`], {
      env: { ECS_CONTAINER_METADATA_URI_V4: `${server.url}/v4/x` },
      onSpawn: (child) => {
        const err = liveStderr(child);
        void waitFor(() => server.requests.length > 0, 10_000, "the metadata request")
          .then(() => whileHeld(child, err))
          .catch(() => {})
          .finally(release);
      },
    });
  } finally {
    release();
    await server.close();
  }
}

// Without a handler each of these ends a process silently (129, 140, 142).
const IGNORED = ["SIGHUP", "SIGUSR2", "SIGALRM"] as const;

for (const mode of ["execve", "spawn"] as const) {
  test(`${mode}: SIGUSR1 during the metadata step opens no debugger: logged, nothing listens, the boot goes on and runs the command`, async () => {
    let listening: number[] | undefined;
    const r = await bootWhileHeld(mode, async (child, err) => {
      process.kill(child.pid!, "SIGUSR1");
      // Either line proves the signal was handled: our warning, or Node's debugger starting.
      await waitFor(() => /SIGUSR1|Debugger listening/.test(err()), 10_000, "SIGUSR1 to be handled");
      listening = listeningPorts(child.pid!);
    });
    assert.not.match(r.stderr, "Debugger listening");
    assert.equal(listening, [], "TCP listeners of the entrypoint while it waited");
    assert.match(r.stderr, "entrypoint: warning: SIGUSR1 ignored: without a handler Node.js would open its debugger on it\n");
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d+\n$/, "the command ran");
  });

  test(`${mode}: SIGHUP, SIGUSR2 and SIGALRM during the metadata step are logged and dropped; the boot goes on`, async () => {
    const r = await bootWhileHeld(mode, async (child, err) => {
      for (const signal of IGNORED) {
        process.kill(child.pid!, signal);
        await waitFor(() => err().includes(`${signal} before`) || child.exitCode !== null || child.signalCode !== null, 10_000, `${signal} to be handled`);
      }
    });
    assert.is(r.signal, null, "ended by itself, not killed");
    assert.is(r.code, 0, r.stderr);
    for (const signal of IGNORED) {
      assert.match(r.stderr, `entrypoint: warning: ${signal} before the command started: ignored (${FIXTURES}/print-pid starts with the default disposition)\n`);
    }
    assert.match(r.stdout, /^\d+\n$/, "the command ran");
  });
}

test.run();

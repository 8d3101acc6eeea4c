// Loopback scaffolding for the doctor tests: fake epmd servers that answer however a test says,
// and a real epmd + Erlang node on a private port (ERL_EPMD_PORT), each stopped by PID.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";

export interface FakeEpmd {
  port: number;
  /** The bytes of each request, as received. */
  requests: Buffer[];
  close(): Promise<void>;
}

/** A TCP server on host that reads one request, then lets `answer` reply (or not). */
export async function startFakeEpmd(host: string, answer: (socket: Socket) => void, port = 0): Promise<FakeEpmd> {
  const requests: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", (data) => {
      requests.push(data);
      answer(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** epmd's reply header: its port number, 4 bytes big-endian. */
export function epmdHeader(port: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(port);
  return b;
}

/** A port that nothing listens on (taken and given back). */
export async function deadPort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function erlangUnavailable(): string | undefined {
  try {
    execFileSync("sh", ["-c", "command -v epmd && command -v erl"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "epmd or erl not found (apt-get install erlang-base)";
  }
}

const erlEnv = (epmdPort: number) => ({ PATH: "/usr/local/bin:/usr/bin:/bin", HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", ERL_EPMD_PORT: String(epmdPort) });

/** A real epmd bound to 127.0.0.1 on its own port, so it never meets another epmd on this machine. */
export function startLoopbackEpmd(port: number): ChildProcess {
  return spawn("epmd", ["-address", "127.0.0.1", "-port", String(port)], { env: erlEnv(port), stdio: "ignore" });
}

export function startLoopbackNode(epmdPort: number, name: string, cookie: string): ChildProcess {
  return spawn("erl", ["-noshell", "-noinput", "-start_epmd", "false", "-name", name, "-setcookie", cookie], { env: erlEnv(epmdPort), stdio: "ignore" });
}

/** SIGKILLs a process and its direct children (erl_child_setup), by PID. */
export function killTree(child: ChildProcess | undefined): void {
  if (!child?.pid) return;
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {}
  for (const pid of [child.pid, ...kids]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}

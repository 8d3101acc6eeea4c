// Signals from the start of the process until the command runs, and what the command starts with.
export const FORWARDED_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"] as const;

/**
 * What a signal does before the command runs. "stop": end the boot with 128+N, the command never starts.
 * "ignore": logged and dropped (the command is not running yet; it starts with the default disposition):
 * without a handler these would end the boot silently (SIGHUP 129, SIGUSR2 140, …), and SIGUSR1 would
 * open Node.js's debugger on 127.0.0.1:9229. Others keep the kernel's default (SIGWINCH: nothing;
 * SIGKILL, SIGSTOP and faults cannot be caught; SIGPROF belongs to V8's profiler).
 */
export const BEFORE_EXEC: Readonly<Record<string, "stop" | "ignore">> = {
  SIGTERM: "stop",
  SIGINT: "stop",
  SIGQUIT: "stop",
  SIGHUP: "ignore",
  SIGUSR1: "ignore",
  SIGUSR2: "ignore",
  SIGALRM: "ignore",
  SIGVTALRM: "ignore",
  SIGPWR: "ignore",
  SIGIO: "ignore",
  SIGXCPU: "ignore",
};

// node:os is loaded only when a signal needs its number: the boot does not otherwise pay for it.
export const signalExitCode = (signal: NodeJS.Signals) => 128 + (process.getBuiltinModule("node:os").constants.signals[signal] ?? 0);

function listen(signals: readonly string[], handler: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of signals) process.on(signal as NodeJS.Signals, handler);
  return () => {
    for (const signal of signals) process.off(signal as NodeJS.Signals, handler);
  };
}

/**
 * Node.js opens its inspector (an unauthenticated debugger on 127.0.0.1:9229) on SIGUSR1 unless the
 * process has a handler for it: every subcommand installs this first. Returns the remover.
 */
export const refuseDebugSignal = (warn: (message: string) => void) =>
  listen(["SIGUSR1"], (signal) => warn(`${signal} ignored: without a handler Node.js would open its debugger on it`));

/**
 * Until the command runs, the "stop" signals end the boot at once with 128+N and the "ignore" ones
 * (but SIGUSR1, see refuseDebugSignal) are logged and dropped. The handlers are also what makes them
 * arrive at all when this process is PID 1: the kernel drops signals that have none. An exec resets
 * caught signals to their defaults. Returns the function that removes the handlers.
 */
export function handleSignalsBeforeExec(command: string, warn: (message: string) => void): () => void {
  const stops = Object.keys(BEFORE_EXEC).filter((s) => BEFORE_EXEC[s] === "stop");
  const ignores = Object.keys(BEFORE_EXEC).filter((s) => BEFORE_EXEC[s] === "ignore" && s !== "SIGUSR1");
  const removeStops = listen(stops, (signal) => {
    warn(`${signal} before the command started: stopping, ${command} is not run`);
    process.exit(signalExitCode(signal));
  });
  const removeIgnores = listen(ignores, (signal) => warn(`${signal} before the command started: ignored (${command} starts with the default disposition)`));
  return () => {
    removeStops();
    removeIgnores();
  };
}

export interface SignalRelay {
  /** From now on every forwarded signal goes to `forward`; the ones that came earlier go first, in order. */
  attach(forward: (signal: NodeJS.Signals) => void): void;
  detach(): void;
}

/** Handlers for every forwarded signal, installed before the child exists; what arrives meanwhile waits. */
export function relaySignals(): SignalRelay {
  let forward: ((signal: NodeJS.Signals) => void) | undefined;
  const waiting: NodeJS.Signals[] = [];
  const handler = (signal: NodeJS.Signals) => (forward ? forward(signal) : waiting.push(signal));
  for (const signal of FORWARDED_SIGNALS) process.on(signal, handler);
  return {
    attach(to) {
      forward = to;
      for (const signal of waiting.splice(0)) to(signal);
    },
    detach() {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, handler);
    },
  };
}

/**
 * Node.js ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across execve, while a
 * caught one is reset to its default: catching them here gives the command the defaults.
 */
export function defaultSignalsAfterExec(): void {
  for (const signal of ["SIGPIPE", "SIGXFSZ"] as const) process.on(signal, () => {});
}

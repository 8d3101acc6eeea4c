// Signals from the start of the boot until the command runs, and what the command starts with.
export const FORWARDED_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"] as const;
const STOPPING_SIGNALS = ["SIGTERM", "SIGINT", "SIGQUIT"] as const;

// node:os is loaded only when a signal needs its number: the boot does not otherwise pay for it.
export const signalExitCode = (signal: NodeJS.Signals) => 128 + (process.getBuiltinModule("node:os").constants.signals[signal] ?? 0);

/**
 * Until the command runs, SIGTERM, SIGINT and SIGQUIT end the boot at once with 128+N. The handler
 * is also what makes them arrive at all when this process is PID 1: the kernel drops signals
 * that have none. Returns the function that removes the handlers.
 */
export function exitOnStopSignals(onStop: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    onStop(signal);
    process.exit(signalExitCode(signal));
  };
  for (const signal of STOPPING_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOPPING_SIGNALS) process.off(signal, handler);
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

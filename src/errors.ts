// Exit codes follow sysexits(3) and the shell's 126/127 convention.
export const EXIT = {
  usage: 64,
  unavailable: 69,
  software: 70,
  cantCreate: 73,
  ioError: 74,
  config: 78,
  notExecutable: 126,
  notFound: 127,
} as const;

/** The one error type of the boot: a message that names the value and the fix, and the exit code. */
export class EntrypointError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EntrypointError";
    this.exitCode = exitCode;
  }
}

/** Structural test: each lazily loaded chunk of the bundle carries its own copy of the class. */
export const isEntrypointError = (err: unknown): err is EntrypointError =>
  err instanceof Error && err.name === "EntrypointError" && typeof (err as EntrypointError).exitCode === "number";

export const usageError = (message: string) => new EntrypointError(EXIT.usage, message);
export const configError = (message: string) => new EntrypointError(EXIT.config, message);
export const unavailableError = (message: string, cause?: unknown) =>
  new EntrypointError(EXIT.unavailable, message, { cause });

/** "expected …, got …" wording shared by every validation message. */
export function expected(what: string, got: string, fix?: string): string {
  return `expected ${what}, got ${JSON.stringify(got)}${fix ? `; ${fix}` : ""}`;
}

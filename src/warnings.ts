// Node.js prints process warnings as multi-line text on stderr, outside the log's one-line format.
type Emit = (...args: unknown[]) => void;

/** Hands each process warning to `handled` first; what it does not take passes on. Returns the undo. */
export function divertWarnings(handled: (text: string, type: string | undefined) => boolean): () => void {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (!handled(text, type)) (emitWarning as Emit).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  return () => {
    process.emitWarning = emitWarning;
  };
}

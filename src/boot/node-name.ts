import { configError } from "../errors.ts";

const VALID = /^[A-Za-z0-9_-]{1,200}$/;

/** The first character that may not appear in a basename, if any. */
export function characterProblem(name: string): string | undefined {
  const index = [...name].findIndex((ch) => !/[A-Za-z0-9_-]/.test(ch));
  return index < 0 ? undefined : `character ${JSON.stringify([...name][index])} at position ${index + 1} is not allowed`;
}

/** Checks a node basename; the message names the first offending character. */
export function basenameProblem(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (name.length > 200) return `it is ${name.length} characters long (at most 200)`;
  // erl would read "-x@10.0.0.1" as one of its own flags, and the node would boot as nonode@nohost.
  if (name.startsWith("-")) return 'it starts with "-"';
  return VALID.test(name) ? undefined : characterProblem(name);
}

/** `<app>-<sha>`, or `<app>` without a sha; --basename replaces both. */
export function composeBasename(parts: { app?: string; sha?: string; basename?: string }): string | undefined {
  if (parts.basename) return parts.basename;
  if (!parts.app) return undefined;
  return parts.sha ? `${parts.app}-${parts.sha}` : parts.app;
}

export function validateBasename(name: string, source: string): string {
  const problem = basenameProblem(name);
  if (problem) {
    throw configError(
      `invalid node basename ${JSON.stringify(name)} (from ${source}): ${problem}; use only ASCII letters, digits, "_" and "-", not starting with "-"`,
    );
  }
  return name;
}

export const nodeName = (basename: string, ip: string) => `${basename}@${ip}`;

/** The part of a node name before "@". */
export const basenameOf = (node: string) => node.split("@")[0]!;

/**
 * Bridge mode with a dynamic host port (SPEC 4.9): every node of an instance has its own published
 * port, so the name carries it, `<basename>-<hostPort>@<instance ip>`; EcsEpmd reads it back.
 */
export const portNodeName = (basename: string, ip: string, hostPort: number) => `${basename}-${hostPort}@${ip}`;

/** The published port a port-carrying node name ends with (the digits after the last "-"), if any. */
export function portOfNodeName(node: string): number | undefined {
  const match = /-([1-9]\d{0,4})$/.exec(basenameOf(node));
  const port = match ? Number(match[1]) : undefined;
  return port !== undefined && port <= 65535 ? port : undefined;
}

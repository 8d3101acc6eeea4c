import { EntrypointError, EXIT, isEntrypointError, usageError } from "../errors.ts";
import { BOOT_OPTIONS, SUBCOMMAND_OPTIONS, SUBCOMMANDS, type OptionSpec, type Subcommand } from "./options.ts";

export interface CommandLine {
  subcommand: Subcommand | "run";
  /** Flag values by option key; on/off flags hold "1". */
  flags: Record<string, string>;
  repeated: Record<string, string[]>;
  positionals: string[];
  /** The command to exec and its arguments, untouched. */
  command: string[];
}

const isSubcommand = (word: string): word is Subcommand => (SUBCOMMANDS as readonly string[]).includes(word);

function findOption(arg: string, subcommand: CommandLine["subcommand"]): OptionSpec | undefined {
  const extra = subcommand === "run" ? [] : (SUBCOMMAND_OPTIONS[subcommand] ?? []);
  return [...extra, ...BOOT_OPTIONS].find((o) => o.flag === arg);
}

/** Splits argv into options, subcommand and command: options come first, the first other word ends them. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const line: CommandLine = { subcommand: "run", flags: {}, repeated: {}, positionals: [], command: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      if (line.subcommand === "run") line.command = argv.slice(i + 1);
      else line.positionals.push(...argv.slice(i + 1));
      return line;
    }
    if (arg === "--help" || arg === "-h") return { ...line, subcommand: "help" };
    if (arg === "--version") return { ...line, subcommand: "version" };
    if (arg.startsWith("-") && arg !== "-") {
      i = readOption(argv, i, line);
      continue;
    }
    if (line.subcommand !== "run") line.positionals.push(arg);
    else if (isSubcommand(arg)) line.subcommand = arg;
    else {
      line.command = argv.slice(i);
      return line;
    }
  }
  return line;
}

/** Reads the option at argv[i] into line and returns the index of its last word. */
function readOption(argv: readonly string[], i: number, line: CommandLine): number {
  const arg = argv[i]!;
  const eq = arg.indexOf("=");
  const name = eq > 0 ? arg.slice(0, eq) : arg;
  const spec = findOption(name, line.subcommand);
  if (!spec) {
    const where = line.subcommand === "run" ? "" : ` for "${line.subcommand}"`;
    throw usageError(`unknown option ${JSON.stringify(name)}${where}; see "entrypoint --help" (options go before the command)`);
  }
  let value = "1";
  let last = i;
  if (spec.value === undefined) {
    if (eq > 0) throw usageError(`option ${spec.flag} takes no value, got ${JSON.stringify(arg)}`);
  } else if (eq > 0) {
    value = arg.slice(eq + 1);
    if (value === "") throw usageError(missingValue(spec, { kind: "empty", written: arg }));
  } else {
    if (i + 1 >= argv.length) throw usageError(missingValue(spec, { kind: "last" }));
    value = argv[++last]!;
    if (value === "") throw usageError(missingValue(spec, { kind: "empty", written: `${spec.flag} ""` }));
    // "--app --" or "--basename --help": the value is missing, not "--".
    if (value.startsWith("-")) throw usageError(missingValue(spec, { kind: "flag", next: value }));
  }
  if (spec.repeatable) (line.repeated[spec.key] ??= []).push(value);
  else line.flags[spec.key] = value;
  return last;
}

// Where an empty or missing value usually comes from: a CI or shell variable that is not set in that step.
const EXAMPLE_VARIABLE: Record<string, string> = { sha: "GITHUB_SHA", app: "APP_NAME" };

export type Missing = { kind: "empty"; written: string } | { kind: "last" } | { kind: "flag"; next: string };

// A word that is not flag-shaped may be a secret (a PEM key starts with "-----"): its length only.
const nextWord = (word: string) => (/^(--?[A-Za-z][A-Za-z0-9-]{0,40}|--?)$/.test(word) ? JSON.stringify(word) : `one that starts with "-" (${word.length} characters, not shown)`);

/** `--sha "$GITHUB_SHA"` with the variable unset gives an empty word; unquoted, the word is gone and the next one is taken. */
export function missingValue(spec: OptionSpec, missing: Missing): string {
  const v = EXAMPLE_VARIABLE[spec.key] ?? "VARIABLE";
  const fix = `set the variable, or leave ${spec.flag} out`;
  if (missing.kind === "empty") {
    return `option ${spec.flag} got an empty value (${missing.written}); an empty value usually comes from a variable that is not set where this runs, e.g. ${spec.flag} "$${v}" with ${v} unset: ${fix}`;
  }
  const what = missing.kind === "last" ? "it is the last word" : `the next word is ${nextWord(missing.next)}`;
  const dash = missing.kind === "flag" ? `; a value that starts with "-" is written ${spec.flag}=VALUE` : "";
  return `option ${spec.flag} needs a value (${spec.value}), but ${what}; an unquoted variable that is not set drops out of the command line, e.g. ${spec.flag} $${v} with ${v} unset: ${fix}${dash}`;
}

/**
 * A boot that failed for lack of an option the user wrote after the command (where it belongs to
 * the command): the error says so, naming the word.
 */
export function withMisplacedOptionHint(err: unknown, command: readonly string[]): unknown {
  if (!isEntrypointError(err) || !([EXIT.usage, EXIT.config, EXIT.unavailable, EXIT.notFound] as number[]).includes(err.exitCode)) return err;
  const word = command.slice(1).find((arg) => BOOT_OPTIONS.some((o) => o.flag === arg.split("=")[0]));
  if (word === undefined) return err;
  const hint = `; options go before the command: ${JSON.stringify(word)} came after ${JSON.stringify(command[0])}, so it belongs to the command (write entrypoint ${word.split("=")[0]} … ${command[0]})`;
  return new EntrypointError(err.exitCode, err.message + hint, { cause: err });
}

import { BAKED, VERSION } from "./baked.ts";
import { BOOT_OPTIONS, SUBCOMMAND_OPTIONS, type OptionSpec } from "./options.ts";

function optionLines(options: readonly OptionSpec[]): string[] {
  return options.map((o) => {
    const flag = o.value ? `${o.flag} ${o.value}` : o.flag;
    const env = o.env.length ? `  [${o.env.join(", ")}]` : "";
    const dflt = o.default ? ` (default: ${o.default})` : "";
    return `  ${flag}\n      ${o.help}${dflt}${env}`;
  });
}

export function usage(): string {
  const sub = (name: keyof typeof SUBCOMMAND_OPTIONS) => optionLines(SUBCOMMAND_OPTIONS[name] ?? []);
  return [
    "Usage:",
    "  entrypoint [options] [--] <command> [args...]   bootstrap, then exec the command",
    "  entrypoint env [options] [--format shell|json|dotenv] [--output FILE]",
    "  entrypoint fake-metadata [--port N] [--host ADDR] [--ip ADDR|auto]",
    "  entrypoint install PATH [--app NAME] [--sha SHA]",
    "  entrypoint doctor [options] [--format text|json] [--peer ADDR]...   diagnose clustering (no exec)",
    "  entrypoint peers [options] [--format lines|json|shell]   look up the peers now and print them (no exec)",
    "  entrypoint help | version",
    "",
    "A bare command name is looked up in the bin dir first, then on PATH; everything after it passes through unchanged.",
    "Options (flag beats env var, env var beats the baked-in value, which beats the default):",
    ...optionLines(BOOT_OPTIONS),
    "env options:",
    ...sub("env"),
    "fake-metadata options (--ip ADDR|auto: address to report; auto = the caller's source address):",
    ...sub("fake-metadata"),
    "peers options (strategy from --peers, family when off; exit 0 when the lookup worked, 1 when it failed):",
    ...sub("peers"),
    "doctor options (exit 0 when nothing blocks clustering, 1 otherwise):",
    ...sub("doctor"),
    "Exit codes: the command's own; 64 usage, 69 no IP from the metadata, 78 configuration, 126 not executable, 127 not found.",
    "",
  ].join("\n");
}

export function versionLine(): string {
  const baked = [BAKED.app && `app ${BAKED.app}`, BAKED.sha && `sha ${BAKED.sha}`].filter(Boolean).join(", ");
  return `ecs-release-entrypoint ${VERSION}${baked ? ` (${baked})` : ""}\n`;
}

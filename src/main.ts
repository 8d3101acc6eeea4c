import { BAKED } from "./config/baked.ts";
import { parseCommandLine, withMisplacedOptionHint, type CommandLine } from "./config/cli.ts";
import { buildConfig, type Config } from "./config/config.ts";
import { configError, EntrypointError, EXIT, isEntrypointError, usageError } from "./errors.ts";
import { loadChunk } from "./chunks.ts";
import { canExecve, execve, type ExecTarget } from "./exec/exec.ts";
import { checkImage } from "./exec/exec-check.ts";
import { nonUtf8Variables } from "./exec/environ.ts";
import { usage, versionLine } from "./config/help.ts";
import { install } from "./commands/install.ts";
import { createLogger, writeStdout, type Logger } from "./log.ts";
import { envShOverrides, releaseNameIn } from "./boot/release-files.ts";
import { erlAdditions, protoDistProblem, tlsProtoDistConflict, releaseVariables, renderVariables, type EnvFormat, type ErlAdditions, type ReleaseEnvInput } from "./boot/release-env.ts";
import { renderEnvFile, writeEnvFile } from "./commands/env-file.ts";
import { addressStep, peersStep } from "./boot/steps.ts";
import { runPeers } from "./commands/peers-command.ts";
import { forOperator, isOperatorCommand } from "./boot/operator.ts";
import { epmdForMode, networkStep } from "./network/index.ts";
import { resolveCommand } from "./exec/resolve-command.ts";
import { handleSignalsBeforeExec, refuseDebugSignal, relaySignals } from "./exec/signals.ts";
import { ENV } from "./config/options.ts";
import { withoutTlsInputs } from "./tls/switch.ts";
import { dirname, resolve } from "node:path";

const selfPath = process.argv[1] ?? "entrypoint";

// Until the config is read, log in the format the environment asks for.
let log: Logger = createLogger({ format: process.env[ENV.logFormat] === "json" ? "json" : "text", quiet: false, debug: false });
// As early as can be: SIGUSR1 would otherwise open Node.js's debugger on 127.0.0.1:9229.
const allowDebugSignal = refuseDebugSignal((message) => log.warn(message));

function loadConfig(line: CommandLine): Config {
  const config = buildConfig({ line, env: process.env, baked: BAKED, selfPath, releaseNameIn });
  log = createLogger(config.log);
  return config;
}

/** Steps 3-5, shared with "entrypoint env": address and peers (if on, side by side) → the release's variables. */
async function releaseEnv(config: Config, env: NodeJS.ProcessEnv, role: Pick<ReleaseEnvInput, "epmdless" | "operator">, tlsParent?: string): Promise<{ vars: Record<string, string>; erl: ErlAdditions }> {
  const address = addressStep(config, env, log);
  // The peer lookup (SDK compile, credentials, /task) overlaps the metadata request.
  const lookup = peersStep(config, env, address, log);
  // If the address step fails first, the boot stops with its error; the lookup is simply dropped.
  lookup.catch(() => {});
  const self = await address;
  // Peers on but no lookup possible (no basename): the app must still see that it failed.
  const peers = (await lookup) ?? (config.peers.kind === "off" ? undefined : { ips: [], nodes: [], lookup: "failed" as const });
  warnAboutEnvSh(config);
  const family = self.node ? self.address?.family : undefined;
  const protoDist = protoDistProblem(env.ELIXIR_ERL_OPTIONS, family);
  if (protoDist) log.warn(protoDist);
  // Bridge mode (known only from the metadata) turns EPMD off.
  const epmdless = epmdForMode(config, self, role.epmdless, log);
  // Written once the address is known: a boot that stops earlier leaves no key copy behind.
  const tls = config.distTls ? writeTls(config, env, role.operator === true, tlsParent) : undefined;
  const input = { distribution: config.distribution, node: self.node, family, distPort: config.distPort, ...role, epmdless, peers, tls, env };
  return { vars: releaseVariables(input), erl: erlAdditions(input) };
}

/** A -proto_dist of the user's that is not TLS would keep the cluster in clear text: refused before writing. */
function writeTls(config: Config, env: NodeJS.ProcessEnv, operator: boolean, parent = process.getBuiltinModule("node:os").tmpdir()) {
  const conflict = tlsProtoDistConflict(env.ELIXIR_ERL_OPTIONS);
  if (conflict) throw configError(conflict);
  return loadChunk<typeof import("./tls/index.ts")>("tls").writeTlsFiles(config.distTls!, parent, config.binDir, log, operator);
}

/** The boot: config → command → address → peers (if on) → release env → exec. */
async function boot(line: CommandLine): Promise<number> {
  const [command, ...args] = line.command;
  if (command === undefined) throw usageError('missing command: entrypoint [options] [--] <command> [args...], e.g. "entrypoint server"');
  // A stop request during the boot ends it: the command is never started. Other signals are logged and dropped.
  const removeBootHandlers = handleSignalsBeforeExec(command, (message) => log.warn(message));
  // 1. Configuration, validated once; a bad value stops here, before any waiting.
  const loaded = loadConfig(line);
  // 1b. Distribution without EPMD: the flags for the release's OTP (the operator's node dials the same port).
  const role = { epmdless: networkStep(loaded, log), operator: isOperatorCommand(args) };
  const config = forOperator(loaded, args, log);
  const mode = execMode(config);
  // 2. The command must exist before we spend time on the network.
  const path = resolveCommand(command, config.binDir, process.env.PATH);
  const files = checkImage(path, process.env.PATH);
  // 3-5. Address, peers and the release's variables.
  const { vars } = await releaseEnv(config, process.env, role);
  const target: ExecTarget = { path, argv: [command, ...args], env: config.distTls ? withoutTlsInputs({ ...process.env, ...vars }) : { ...process.env, ...vars }, files };
  for (const name of nonUtf8Variables()) log.warn(`${JSON.stringify(name)} holds bytes that are not UTF-8; the command gets each as U+FFFD (Node.js reads the environment as UTF-8)`);
  // 6. Become the command, or stand in for it where the runtime cannot exec.
  if (mode === "execve") {
    log.debug("exec", { path, mode });
    execve(target);
  }
  // From here every forwarded signal waits for the child, which gets it as soon as it exists.
  const relay = relaySignals();
  removeBootHandlers();
  allowDebugSignal();
  log.debug("exec", { path, mode });
  const { spawnAndWait } = loadChunk<typeof import("./exec/spawn.ts")>("spawn");
  return spawnAndWait(target, log, relay);
}

function execMode(config: Config): "execve" | "spawn" {
  if (config.execMode === "auto") return canExecve() ? "execve" : "spawn";
  if (config.execMode === "execve" && !canExecve()) {
    throw new EntrypointError(EXIT.config, `--exec-mode execve: this Node.js (${process.version}) has no process.execve; use Node.js >= 22.15, or --exec-mode spawn`);
  }
  return config.execMode;
}

function warnAboutEnvSh(config: Config): void {
  for (const { file, variable } of envShOverrides(config.binDir)) {
    log.warn(`${file} sets ${variable} and runs after the entrypoint, overriding its value; remove that line from rel/env.sh.eex`);
  }
}

async function printEnv(line: CommandLine): Promise<number> {
  const format = (line.flags.format ?? "shell") as EnvFormat;
  if (!["shell", "json", "dotenv"].includes(format)) throw usageError(`--format: expected shell, json or dotenv, got ${JSON.stringify(format)}`);
  if (line.positionals.length > 0) throw usageError(`env takes no arguments, got ${JSON.stringify(line.positionals[0])}`);
  const output = line.flags.output;
  if (output !== undefined && format !== "shell") throw usageError(`--output writes the file that rel/env.sh sources, in shell form: drop --format ${format}`);
  const config = loadConfig(line);
  // Both containers run as one user and share the volume: the TLS files go beside the env file.
  const tlsParent = output === undefined ? undefined : dirname(resolve(output));
  const { vars, erl } = await releaseEnv(config, process.env, { epmdless: networkStep(config, log) }, tlsParent);
  if (output === undefined) writeStdout(renderVariables(vars, format));
  else log.info(`wrote ${writeEnvFile(output, renderEnvFile(vars, erl))}`, { node: vars.RELEASE_NODE ?? "(kept from the environment)" });
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(argv);
  switch (line.subcommand) {
    case "help":
      writeStdout(usage());
      return 0;
    case "version":
      writeStdout(versionLine());
      return 0;
    case "install":
      log.info(`wrote ${install(selfPath, line.positionals, line.flags)}`);
      return 0;
    case "fake-metadata": {
      const { runFakeMetadata } = loadChunk<typeof import("./fake-metadata/server.ts")>("fake-metadata");
      log = createLogger({ format: line.flags.logFormat === "json" ? "json" : "text", quiet: line.flags.quiet === "1", debug: false });
      return runFakeMetadata(line, log);
    }
    case "env":
      return printEnv(line);
    case "doctor": {
      const { runDoctor } = loadChunk<typeof import("./doctor/index.ts")>("doctor");
      return runDoctor({ line, config: loadConfig(line), env: process.env, log });
    }
    case "peers":
      return runPeers({ line, config: loadConfig(line), env: process.env, log });
    case "run":
      return boot(line).catch((err: unknown) => {
        throw withMisplacedOptionHint(err, line.command);
      });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isEntrypointError(err)) {
      log.error(err.message);
      process.exit(err.exitCode);
    }
    log.error(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(EXIT.software);
  },
);

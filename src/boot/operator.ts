// `bin/<release> rpc|remote|stop|restart|pid` start a second, hidden node inside the task that only dials the
// running release: Elixir's release start script runs `remote` as a remsh, `rpc` with --rpc-eval, and
// `stop`, `restart`, `pid` as rpc calls of System.stop/0, System.restart/0 and System.pid/0.
import type { Config } from "../config/config.ts";
import type { Logger } from "../log.ts";

const OPERATOR_COMMANDS = new Set(["rpc", "remote", "stop", "restart", "pid"]);

/** The release command (bin/<release> ARG) starts a hidden node that dials the running one. */
export const isOperatorCommand = (args: readonly string[]) => OPERATOR_COMMANDS.has(args[0] ?? "");

/**
 * Same node name and -proto_dist as the boot, but no peer lookup (it would spend the account's API budget for
 * nothing). The pinned port stays known (bridge mode checks its mapping; without EPMD the hidden node dials it),
 * but the hidden node never gets the listen pin (eaddrinuse): releaseVariables gives that to the running node only.
 */
export function forOperator(config: Config, args: readonly string[], log: Logger): Config {
  if (!isOperatorCommand(args) || config.peers.kind === "off") return config;
  log.debug(`${args[0]}: a console next to the running release; no peer lookup`);
  return { ...config, peers: { kind: "off" } };
}

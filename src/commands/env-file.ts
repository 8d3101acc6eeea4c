// `entrypoint env --output FILE`: the init container's product. An app container without Node.js
// sources FILE from rel/env.sh, so it must carry everything the exec would have set.
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import { EntrypointError, EXIT } from "../errors.ts";
import { renderVariables, shellQuote, type ErlAdditions } from "../boot/release-env.ts";

// The release commands whose node listens; remote, rpc, stop, restart and pid start a second node beside it.
const LISTENING_COMMANDS = "start|start_iex|daemon|daemon_iex";

const append = (options: string[]) => `export ELIXIR_ERL_OPTIONS="\${ELIXIR_ERL_OPTIONS:+$ELIXIR_ERL_OPTIONS }"${shellQuote(options.join(" "))}`;

/** Shell lines for rel/env.sh: the variables, then the Erlang flags appended to the app container's own. */
export function renderEnvFile(vars: Record<string, string>, erl: ErlAdditions): string {
  const { ELIXIR_ERL_OPTIONS: _initContainers, ...plain } = vars;
  const lines = ["# Written by ecs-release-entrypoint (entrypoint env --output) for rel/env.sh to source.", renderVariables(plain, "shell").trimEnd()];
  // A -proto_dist the app container already chose (inet6_tls, say) is kept: the last one would win.
  const protoDist = erl.always.filter((o) => o.startsWith("-proto_dist "));
  const always = erl.always.filter((o) => !protoDist.includes(o));
  if (protoDist.length) lines.push(`case " \${ELIXIR_ERL_OPTIONS:-} " in *" -proto_dist "*) ;; *) ${append(protoDist)} ;; esac`);
  if (always.length) lines.push(append(always));
  // The listening node gets the pinned port; the hidden nodes of remote, rpc, stop... only dial (without EPMD: -dist_listen false).
  const listening = erl.listening.length ? append(erl.listening) : ":";
  const operator = erl.operator.length ? ` *) ${append(erl.operator)} ;;` : "";
  if (erl.listening.length || operator) lines.push(`case "\${RELEASE_COMMAND:-start}" in ${LISTENING_COMMANDS}) ${listening} ;;${operator} esac`);
  return lines.filter(Boolean).join("\n") + "\n";
}

function obstacle(path: string, err: NodeJS.ErrnoException): string {
  const dir = dirname(path);
  if (err.code === "ENOENT") return `the directory ${dir} does not exist: mount the task volume there (the init container's mountPoints)`;
  if (err.code === "EACCES" || err.code === "EPERM") return `${dir} is not writable by uid ${process.getuid?.() ?? "?"}: run the init container as a user that may write the volume`;
  if (err.code === "EROFS") return `${dir} is read-only: mount the task volume read-write in the init container`;
  if (err.code === "EISDIR" || isDirectory(path)) return `${path} is a directory: name a file inside it`;
  return err.message;
}

const isDirectory = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

/** Writes the file atomically, readable by the release's user whoever that is (0644; it holds no secret). */
export function writeEnvFile(given: string, text: string): string {
  const path = resolve(given);
  try {
    if (isDirectory(path)) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    writeFileAtomic(path, text, 0o644);
  } catch (err) {
    throw new EntrypointError(EXIT.cantCreate, `env --output: cannot write ${path}: ${obstacle(path, err as NodeJS.ErrnoException)}`);
  }
  return path;
}

// Pieces of the TLS distribution e2e test: the ECS secrets of a task, plain `erl` nodes that try to
// connect (the controls), and a packet capture on the hub's bridge read back as bytes.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { erlString } from "../../src/tls/optfile.ts";
import type { Pair, Pki } from "../helpers/tls-pki.ts";
import { killPid, runToEnd, sleep, startProc, waitUntil } from "./procs.ts";
import { cleanEnv, COOKIE } from "./task.ts";

/** What the task definition's `secrets` put in the container: PEM text, as Secrets Manager gives it. */
export const tlsSecrets = (pki: Pki, pair: Pair): Record<string, string> => ({
  ENTRYPOINT_DIST_TLS: "on",
  ENTRYPOINT_TLS_CA: pki.ca,
  ENTRYPOINT_TLS_CERT: pair.cert,
  ENTRYPOINT_TLS_KEY: pair.key,
});

export type Control = { kind: "tls"; ca: string; pair?: Pair } | { kind: "tcp" };

/**
 * An optfile for a control node. Its client verifies nothing (verify_none), so a refused connection is
 * the server's doing: it asks for a certificate of its CA and refuses anything else.
 */
function controlOptfile(dir: string, ca: string, pair?: Pair): string {
  const own = pair ? [`{certfile, ${erlString(pair.certPath)}}`, `{keyfile, ${erlString(pair.keyPath)}}`] : [];
  const client = [...own, `{cacertfile, ${erlString(ca)}}`, "{verify, verify_none}", "{versions, ['tlsv1.3']}"];
  const file = join(mkdtempSync(join(dir, "control-")), "ssl_dist.conf");
  writeFileSync(file, `[{server, [{verify, verify_none}]}, {client, [${client.join(", ")}]}].\n`);
  return file;
}

/** A plain `erl` node in namespace `ns` that tries to connect to `target` with the release's cookie; its answer. */
export async function tryConnect(ns: string, name: string, target: string, control: Control, dir: string): Promise<boolean> {
  const proto = control.kind === "tls" ? ["-proto_dist", "inet_tls", "-ssl_dist_optfile", controlOptfile(dir, control.ca, control.pair)] : [];
  const eval_ = `io:format("connected=~p~n", [net_kernel:connect_node('${target}')]), halt().`;
  const args = ["netns", "exec", ns, "erl", "-noshell", "-name", name, "-setcookie", COOKIE, ...proto, "-eval", eval_];
  const r = await runToEnd(`control ${name}`, "ip", args, cleanEnv(), 20_000);
  const answer = /connected=(true|false)/.exec(r.output)?.[1];
  if (answer === undefined) throw new Error(`control ${name} gave no answer (exit ${r.code ?? r.signal}):\n${r.output}`);
  return answer === "true";
}

/**
 * Two plain-TCP `erl` nodes in two namespaces: a sends b a term holding `marker` through erpc, the
 * control of what the wire shows without TLS.
 */
export async function plainExchange(a: { ns: string; ip: string }, b: { ns: string; ip: string }, marker: string): Promise<string> {
  const env = cleanEnv();
  const waiter = startProc("plain b", "ip", ["netns", "exec", b.ns, "erl", "-noshell", "-name", `plain-b@${b.ip}`, "-setcookie", COOKIE, "-eval", "timer:sleep(20000), halt()."], env);
  try {
    const call = `B = 'plain-b@${b.ip}', F = fun F(0) -> false; F(N) -> net_kernel:connect_node(B) orelse (timer:sleep(100) =:= ok andalso F(N - 1)) end, true = F(100), io:format("~s~n", [erpc:call(B, string, uppercase, [${erlString(marker)}])]), halt().`;
    const r = await runToEnd("plain a", "ip", ["netns", "exec", a.ns, "erl", "-noshell", "-name", `plain-a@${a.ip}`, "-setcookie", COOKIE, "-eval", call], env, 20_000);
    if (r.code !== 0) throw new Error(`plain exchange failed (${r.code ?? r.signal}):\n${r.output}`);
    return r.output.trim();
  } finally {
    killPid(waiter.pid, "SIGKILL");
  }
}

/** tcpdump on the hub's bridge, distribution traffic only (not epmd on 4369, not the fake ECS on `fakePort`). */
export async function startCapture(hub: string, file: string, fakePort: number) {
  const filter = `tcp and not port 4369 and not port ${fakePort}`;
  const proc = startProc("tcpdump", "ip", ["netns", "exec", hub, "tcpdump", "--immediate-mode", "-i", "br0", "-U", "-Z", "root", "-w", file, filter], cleanEnv());
  await waitUntil("tcpdump listening", 10_000, () => (/listening on br0/.test(proc.output()) ? true : undefined));
  return {
    /** Stops the capture and returns its bytes (latin1: one character per byte, for searching). */
    async stop(): Promise<{ bytes: string; packets: number }> {
      // Packets the kernel has queued but tcpdump has not read yet would be lost to a stop right away.
      await sleep(300);
      killPid(proc.pid, "SIGINT");
      await proc.exited;
      if (process.env.TLS_DEBUG) console.error(proc.output());
      return { bytes: readFileSync(file).toString("latin1"), packets: Number(/(\d+) packets? captured/.exec(proc.output())?.[1] ?? 0) };
    },
  };
}

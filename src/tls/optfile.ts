// The ssl_dist_optfile (Erlang terms) that -proto_dist inet_tls reads: both sides verify the peer
// against our CA; the client checks the cluster's DNS name, not the IP of the node name.
import type { TlsMaterial } from "./material.ts";

export interface OptfilePaths {
  ca: string;
  cert: string;
  key: string;
}

/** An Erlang string literal: backslash and quote escaped, anything but printable ASCII as \x{code point}. */
export function erlString(text: string): string {
  const escape = (ch: string) => (ch === "\\" ? "\\\\" : ch === '"' ? '\\"' : /^[\x20-\x7e]$/.test(ch) ? ch : `\\x{${ch.codePointAt(0)!.toString(16)}}`);
  return `"${[...text].map(escape).join("")}"`;
}

const list = (items: string[]) => `[${items.join(", ")}]`;

/**
 * The client's name check. inet_tls_dist passes the host part of the node name (an IP) as
 * server_name_indication ahead of our options, and OTP 25 lets it win over ours whenever `versions` is
 * set (it always is for distribution). So the check is pinned instead: a presented DNS name equal to
 * ours (ASCII case-insensitive) passes, anything else fails. The optfile is evaluated, so a fun can be given.
 */
function nameCheck(serverName: string): string {
  return `{customize_hostname_check, [{match_fun, fun(_Reference, {dNSName, Name}) -> string:equal(Name, ${erlString(serverName)}, true); (_Reference, _Presented) -> false end}]}`;
}

export function renderOptfile(paths: OptfilePaths, material: Pick<TlsMaterial, "serverName" | "versions">): string {
  const versions = `{versions, ${list(material.versions.map((v) => `'${v}'`))}}`;
  const common = [`{certfile, ${erlString(paths.cert)}}`, `{keyfile, ${erlString(paths.key)}}`, `{cacertfile, ${erlString(paths.ca)}}`, "{verify, verify_peer}", versions];
  const server = [...common, "{fail_if_no_peer_cert, true}"];
  const client = [...common, nameCheck(material.serverName)];
  return `%% Written by ecs-release-entrypoint for -ssl_dist_optfile.\n[{server, ${list(server)}},\n {client, ${list(client)}}].\n`;
}

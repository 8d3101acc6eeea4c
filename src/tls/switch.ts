// The part of TLS distribution every boot carries: is it on, and which variables the release must not
// get. The rest (node:crypto, the checks, the files) is the "tls" chunk, loaded only when it is on.
import type { Setting } from "../config/config-values.ts";
import { configError, expected } from "../errors.ts";
import { ENV } from "../config/options.ts";

/** on/off (and the 1/0 forms of the other switches); the flag gives "1". */
export function tlsOn(s: Setting | undefined): boolean {
  if (!s) return false;
  if (["on", "1", "true", "yes"].includes(s.value)) return true;
  if (["off", "0", "false", "no"].includes(s.value)) return false;
  throw configError(`${s.source}: ${expected("on or off", s.value)}`);
}

/** Everything TLS reads from the environment; the release gets none of it (the PEM text least of all). */
export const TLS_INPUTS = [ENV.distTls, ENV.tlsCa, ENV.tlsCert, ENV.tlsKey, ENV.tlsServerName, ENV.tlsVersions];

/** The exec'd environment without the TLS inputs. */
export function withoutTlsInputs(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of TLS_INPUTS) delete out[name];
  return out;
}

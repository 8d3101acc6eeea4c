// The part of TLS distribution every boot carries: is it on, and which variables the release must not
// get. The rest (node:crypto, the checks, the files) is the "tls" chunk, loaded only when it is on.
import { flagOn, type Setting } from "../config/config-values.ts";
import { ENV } from "../config/options.ts";

/** on/off as SPEC 4.10 writes it (the other switches' 1/0 work too); the flag gives "1". */
export const tlsOn = (s: Setting | undefined) => flagOn(s, "on or off");

/** Everything TLS reads from the environment; the release gets none of it (the PEM text least of all). */
export const TLS_INPUTS = [ENV.distTls, ENV.tlsCa, ENV.tlsCert, ENV.tlsKey, ENV.tlsServerName, ENV.tlsVersions];

/** The exec'd environment without the TLS inputs. */
export function withoutTlsInputs(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of TLS_INPUTS) delete out[name];
  return out;
}

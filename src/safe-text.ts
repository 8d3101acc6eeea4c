// Text that came from the network (metadata fields, AWS error messages, epmd and handshake answers)
// reaches terminals and log pipelines: every place that prints goes through safeText.

// Controls (C0, DEL, C1), format characters (bidi marks, embeddings, overrides and isolates, zero-width ones, the
// soft hyphen, U+061C, tags, musical formatting), the other default-ignorable (invisible) characters, line and
// paragraph separators, lone surrogates: each one hides, reorders or breaks the text a person reads.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;
// Access key ids (long-term AKIA…, temporary ASIA…), also glued to other characters.
const ACCESS_KEY_ID = /(?:AKIA|ASIA)[A-Z0-9]{12,}/g;
// Shorter values would redact ordinary words.
const MIN_SECRET_LENGTH = 8;

export const DEFAULT_MAX_CHARS = 2000;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (NAMED[ch]) return NAMED[ch];
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, "0")}`;
  return code < 0x10000 ? `\\u${code.toString(16).padStart(4, "0")}` : `\\u{${code.toString(16)}}`;
}

// Credentials the AWS SDK resolved (container endpoint, profile, SSO…), shared by every chunk of the bundle:
// each chunk has its own copy of this module, but the log that prints lives in the main one.
const RESOLVED = Symbol.for("ecs-release-entrypoint.resolved-credentials");
interface Resolved {
  secrets: Set<string>;
  keyIds: Set<string>;
}
const resolved = () => ((globalThis as Record<symbol, Resolved | undefined>)[RESOLVED] ??= { secrets: new Set(), keyIds: new Set() });
const long = (v: unknown): v is string => typeof v === "string" && v.length >= MIN_SECRET_LENGTH;
// Longest first, so that a secret holding another is redacted whole.
const longestFirst = (values: Iterable<unknown>) => [...new Set(values)].filter(long).sort((a, b) => b.length - a.length);

/** Remembers the credentials the SDK resolved, whatever gave them, so that no printed text shows them. */
export function rememberCredentials(c: { accessKeyId?: unknown; secretAccessKey?: unknown; sessionToken?: unknown }): void {
  for (const v of [c.secretAccessKey, c.sessionToken]) if (long(v)) resolved().secrets.add(v);
  if (long(c.accessKeyId)) resolved().keyIds.add(c.accessKeyId);
}

/** Credential values that must never be printed: those of the environment, and those the SDK resolved. */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  return longestFirst([env.AWS_SESSION_TOKEN, env.AWS_SECRET_ACCESS_KEY, env.AWS_CONTAINER_AUTHORIZATION_TOKEN, ...resolved().secrets]);
}

/** Access key ids that must never be printed, beyond those the AKIA/ASIA pattern catches. */
export const keyIdsOf = (env: NodeJS.ProcessEnv): string[] => longestFirst([env.AWS_ACCESS_KEY_ID, ...resolved().keyIds]);

/** Redacts secrets and access key ids, cuts to maxChars, then escapes control and bidi characters (pure). */
export function cleanText(text: string, maxChars: number, secrets: readonly string[], keyIds: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("<redacted>");
  // The pattern first: it also takes characters glued to a key id; then the exact values it cannot recognise.
  out = out.replace(ACCESS_KEY_ID, "<access key id>");
  for (const id of keyIds) out = out.split(id).join("<access key id>");
  // Cut before escaping, so that an escape sequence is never split.
  if (out.length > maxChars) out = `${out.slice(0, maxChars)}… (${out.length - maxChars} more characters)`;
  return out.replace(UNSAFE, escapeOne);
}

/** cleanText with this process's credentials. */
export const safeText = (text: string, maxChars = DEFAULT_MAX_CHARS) => cleanText(text, maxChars, secretsOf(process.env), keyIdsOf(process.env));

/** Network text in quotes, for a message: "…" with the content cleaned (no second layer of escapes). */
export const quoted = (text: string, maxChars: number) => `"${safeText(text, maxChars)}"`;

/** Every string inside a JSON-like value, cleaned. */
export function safeDeep<T>(value: T, maxChars = DEFAULT_MAX_CHARS): T {
  if (typeof value === "string") return safeText(value, maxChars) as T;
  if (Array.isArray(value)) return value.map((v) => safeDeep(v, maxChars)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [safeText(k, maxChars), safeDeep(v, maxChars)])) as T;
  }
  return value;
}

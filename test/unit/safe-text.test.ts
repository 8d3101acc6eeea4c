import { test } from "uvu";
import * as assert from "uvu/assert";
import { cleanText, rememberCredentials, safeDeep, safeText, secretsOf } from "../../src/safe-text.ts";

const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN+/=";
const cases: [string, string, string][] = [
  ["plain text passes", "ListTasks failed: nope", "ListTasks failed: nope"],
  ["ESC and OSC", "mode \x1b]0;owned\x07awsvpc", "mode \\x1b]0;owned\\x07awsvpc"],
  ["newline cannot start a forged line", "ok\nFAIL  peer forged", "ok\\nFAIL  peer forged"],
  ["CR, tab, DEL", "a\rb\tc\x7f", "a\\rb\\tc\\x7f"],
  ["C1 CSI", "x\u009b31my", "x\\x9b31my"],
  ["bidi override and isolates", "abc\u202edcba\u2066x\u2069", "abc\\u202edcba\\u2066x\\u2069"],
  ["zero-width and line separator", "a\u200bb\u2028c\ufeff", "a\\u200bb\\u2028c\\ufeff"],
  ["non-ASCII letters stay", "Zürich 東京", "Zürich 東京"],
  ["access key id", "user AKIAABCDEFGHIJKLMNOP is denied", "user <access key id> is denied"],
  ["access key id glued on both sides", "sess_ASIAABCDEFGHIJKLMNOPX.", "sess_<access key id>."],
  ["session token wherever it appears", `token=${TOKEN}; again ${TOKEN}`, "token=<redacted>; again <redacted>"],
];
for (const [name, input, want] of cases) {
  test(`cleanText: ${name}`, () => {
    assert.is(cleanText(input, 1000, [TOKEN]), want);
  });
}

test("cleanText: bounded, and the cut never splits an escape", () => {
  const out = cleanText("\x1b".repeat(100_000), 10, []);
  assert.is(out, `${"\\x1b".repeat(10)}… (99990 more characters)`);
});

test("cleanText: a secret is redacted before the cut, so no prefix of it survives", () => {
  assert.is(cleanText(`xx${TOKEN}`, 12, [TOKEN]), "xx<redacted>");
});

test("secretsOf: the environment's session token and secret key; short values are ignored", () => {
  assert.equal(secretsOf({ AWS_SESSION_TOKEN: TOKEN, AWS_SECRET_ACCESS_KEY: "local", AWS_ACCESS_KEY_ID: "x" }), [TOKEN]);
});

test("safeDeep: every string of a report, keys included", () => {
  assert.equal(safeDeep({ a: ["x\n", 1, { "k\x1b": "\u202e" }], b: null }), { a: ["x\\n", 1, { "k\\x1b": "\\u202e" }], b: null });
});


test("cleanText: access key ids no pattern recognises are redacted by value, after the pattern", () => {
  assert.is(cleanText("signed by TASKKEY0123abcd and AKIAABCDEFGHIJKLMNOP.", 500, [], ["TASKKEY0123abcd"]), "signed by <access key id> and <access key id>.");
});

test("rememberCredentials: what the SDK resolved is redacted by safeText, whatever its shape", () => {
  const creds = { accessKeyId: "resolvedKEY-0001", secretAccessKey: "resolved-secret-value", sessionToken: "resolved-token-value-xyz", short: "abc" };
  rememberCredentials(creds);
  assert.is(safeText(`k=${creds.accessKeyId} s=${creds.secretAccessKey} t=${creds.sessionToken}`), "k=<access key id> s=<redacted> t=<redacted>");
});

test.run();

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

// Characters that hide, reorder or break text: each is escaped, alone and between letters.
const invisible: [string, number][] = [
  ["soft hyphen", 0xad],
  ["combining grapheme joiner", 0x34f],
  ["Arabic letter mark", 0x61c],
  ["Arabic number sign", 0x600],
  ["Hangul choseong filler", 0x115f],
  ["Hangul jungseong filler", 0x1160],
  ["Khmer vowel inherent aq", 0x17b4],
  ["Mongolian vowel separator", 0x180e],
  ["zero-width space", 0x200b],
  ["left-to-right mark", 0x200e],
  ["left-to-right embedding", 0x202a],
  ["word joiner", 0x2060],
  ["invisible plus", 0x2064],
  ["left-to-right isolate", 0x2066],
  ["line separator", 0x2028],
  ["paragraph separator", 0x2029],
  ["Hangul filler", 0x3164],
  ["variation selector-16", 0xfe0f],
  ["byte order mark", 0xfeff],
  ["halfwidth Hangul filler", 0xffa0],
  ["interlinear annotation anchor", 0xfff9],
  ["Kaithi number sign", 0x110bd],
  ["musical symbol begin beam", 0x1d173],
  ["musical symbol end phrase", 0x1d17a],
  ["language tag", 0xe0001],
  ["tag latin small letter a", 0xe0061],
  ["cancel tag", 0xe007f],
];
const escaped = (cp: number) => (cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\u{${cp.toString(16)}}`);
for (const [name, cp] of invisible) {
  test(`cleanText: U+${cp.toString(16).toUpperCase().padStart(4, "0")} (${name}) is escaped`, () => {
    const ch = String.fromCodePoint(cp);
    assert.is(cleanText(`a${ch}b`, 100, []), `a${cp < 0x100 ? `\\x${cp.toString(16)}` : escaped(cp)}b`);
  });
}

test("cleanText: every tag character (U+E0000–E007F) and musical formatting character (U+1D173–1D17A) is escaped", () => {
  const cps = [...Array.from({ length: 0x80 }, (_, i) => 0xe0000 + i), ...Array.from({ length: 8 }, (_, i) => 0x1d173 + i)];
  for (const cp of cps) assert.is(cleanText(String.fromCodePoint(cp), 100, []), escaped(cp), escaped(cp));
});

test("cleanText: a lone surrogate (half of a cut pair) is escaped, not printed raw", () => {
  assert.is(cleanText("x\ud834", 100, []), "x\\ud834");
});

test("control: visible letters, marks and emoji stay as they are", () => {
  const text = "café ñ e\u0301 Ελληνικά עברית العربية हिन्दी 한국어 🚀 𝄞";
  assert.is(cleanText(text, 100, []), text);
});

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

// --dist-tls through the built entrypoint: the files it writes (private, parsed by Erlang itself),
// the flags the command gets, the PEM text kept out of its environment and of the log, a wrong
// input stopping the boot with 78, the init container's files beside its env file.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, ROOT, runEntrypoint } from "../helpers/run.ts";
import { CLUSTER_NAME, makePki } from "../helpers/tls-pki.ts";

const pki = makePki();
let dir = "";
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), "tls-cli-"));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));
test.after(() => rmSync(pki.dir, { recursive: true, force: true }));

const TLS = { ENTRYPOINT_DIST_TLS: "on", ENTRYPOINT_TLS_CA: pki.ca, ENTRYPOINT_TLS_CERT: pki.node.cert, ENTRYPOINT_TLS_KEY: pki.node.keyPath };
const NAMES = ["ELIXIR_ERL_OPTIONS", "RELEASE_NODE", ...Object.keys(TLS)];
const showEnv = (extra: Record<string, string>, ip = "10.0.0.7") =>
  runEntrypoint(["--ip", ip, "--app", "shop", "--bin-dir", FIXTURES, "show-env", ...NAMES], { env: { ...TLS, TMPDIR: dir, ...extra } });

/** The optfile as inet_tls_dist reads it (ssl_dist_sup:consult evaluates it), printed back by Erlang. */
function consult(file: string): string {
  return execFileSync("erl", ["-noshell", "-eval", `io:format("~0p", [ssl_dist_sup:consult(lists:nth(1, init:get_plain_arguments()))]), halt().`, "-extra", file], { encoding: "utf8" });
}

test("the command gets -proto_dist inet_tls and the optfile; the TLS inputs leave its environment; files 0700/0600, written once", async () => {
  const r = await showEnv({ ELIXIR_ERL_OPTIONS: "+sbwt none" });
  assert.is(r.code, 0, r.stderr);
  const optfile = /-ssl_dist_optfile (\S+)/.exec(r.stdout)?.[1];
  assert.match(r.stdout, /^ELIXIR_ERL_OPTIONS=\+sbwt none -proto_dist inet_tls -ssl_dist_optfile \S+$/m);
  for (const name of Object.keys(TLS)) assert.ok(r.stdout.includes(`${name}=<unset>`), `${name} removed:\n${r.stdout}`);
  const [tlsDir] = readdirSync(dir);
  assert.is(optfile, join(dir, tlsDir!, "ssl_dist.conf"));
  assert.is(statSync(join(dir, tlsDir!)).mode & 0o777, 0o700);
  assert.equal(readdirSync(join(dir, tlsDir!)).sort(), ["ca.pem", "cert.pem", "key.pem", "ssl_dist.conf"]);
  for (const f of readdirSync(join(dir, tlsDir!))) assert.is(statSync(join(dir, tlsDir!, f)).mode & 0o777, 0o600, f);
  assert.is(readFileSync(join(dir, tlsDir!, "key.pem"), "utf8"), pki.node.key);
  assert.is(readFileSync(join(dir, tlsDir!, "ca.pem"), "utf8").trim(), pki.ca.trim());
  assert.match(r.stderr, new RegExp(`distribution over TLS \\(tlsv1\\.3\\), checking the name ${CLUSTER_NAME.replace(/\./g, "\\.")} dir=${dir}/\\S+ cert_expires=\\d{4}-`));
  assert.not.match(r.stderr, /PRIVATE KEY|CERTIFICATE-----|MI[IG]/, "no PEM in the log");
  const terms = consult(optfile!);
  assert.match(terms, /\{server,\[\{certfile,"[^"]+\/cert\.pem"\},.*\{verify,verify_peer\},\{versions,\['tlsv1\.3'\]\},\{fail_if_no_peer_cert,true\}\]\}/);
  assert.match(terms, /\{client,\[.*\{verify,verify_peer\},\{versions,\['tlsv1\.3'\]\},\{customize_hostname_check,\[\{match_fun,#Fun<erl_eval/);
});

test("rpc, remote...: their key copies older than an hour are removed, never the running release's or a recent one", async () => {
  const hoursAgo = new Date(Date.now() - 2 * 3_600_000);
  for (const name of ["entrypoint-tls-op-old", "entrypoint-tls-op-just-now", "entrypoint-tls-release"]) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "key.pem"), "x");
    if (name !== "entrypoint-tls-op-just-now") utimesSync(join(dir, name), hoursAgo, hoursAgo);
  }
  const r = await runEntrypoint(["--ip", "10.0.0.7", "--app", "shop", "--bin-dir", FIXTURES, "show-env", "rpc"], { env: { ...TLS, TMPDIR: dir } });
  assert.is(r.code, 0, r.stderr);
  const left = readdirSync(dir).sort();
  assert.equal(left.filter((n) => !/^entrypoint-tls-op-[A-Za-z0-9]{6}$/.test(n)), ["entrypoint-tls-op-just-now", "entrypoint-tls-release"]);
  assert.is(left.length, 3, `one new directory for this run: ${left.join(" ")}`);
  // The boot of the release itself sweeps nothing.
  utimesSync(join(dir, "entrypoint-tls-op-just-now"), hoursAgo, hoursAgo);
  assert.is((await showEnv({})).code, 0);
  assert.ok(readdirSync(dir).includes("entrypoint-tls-op-just-now"));
});

test("a private key as PEM text on the command line: 78 (ps shows it to everyone); its path there is fine", async () => {
  const run = (key: string) =>
    runEntrypoint(["--ip", "10.0.0.7", "--app", "shop", "--bin-dir", FIXTURES, "--dist-tls-key", key, "show-env", "RELEASE_NODE"], { env: { ...TLS, ENTRYPOINT_TLS_KEY: "", TMPDIR: dir } });
  // Written as a separate word, the key looks like a flag: the usage error must not print it either.
  const word = await run(pki.node.key);
  assert.is(word.code, 64, word.stderr);
  assert.match(word.stderr, /option --dist-tls-key needs a value \(PEM\|PATH\), but the next word is one that starts with "-" \(\d+ characters, not shown\)/);
  assert.not.match(word.stderr, /BEGIN|MI[GI]/);
  const text = await runEntrypoint(["--ip", "10.0.0.7", "--app", "shop", "--bin-dir", FIXTURES, `--dist-tls-key=${pki.node.key}`, "show-env", "RELEASE_NODE"], { env: { ...TLS, ENTRYPOINT_TLS_KEY: "", TMPDIR: dir } });
  assert.is(text.code, 78, text.stderr);
  assert.match(text.stderr, /^entrypoint: error: --dist-tls-key: a private key on the command line is visible to every process \(ps\): give the absolute path of the key file, or the key in ENTRYPOINT_TLS_KEY/m);
  assert.not.match(text.stderr, /BEGIN|MI[GI]/);
  const path = await run(pki.node.keyPath);
  assert.is(path.code, 0, path.stderr);
});

test("IPv6: inet6_tls; TLS 1.2 when asked for; a TMPDIR with a quote and a backslash still gives an optfile Erlang reads back", async () => {
  const odd = join(dir, `it's"odd"\\x`);
  mkdirSync(odd);
  const r = await showEnv({ TMPDIR: odd, ENTRYPOINT_TLS_VERSIONS: "1.2,1.3" }, "fd00::7");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ELIXIR_ERL_OPTIONS=-proto_dist inet6_tls -ssl_dist_optfile \S+$/m);
  const optfile = /-ssl_dist_optfile (\S+)/.exec(r.stdout)![1]!;
  const terms = consult(optfile);
  assert.ok(terms.includes(`{keyfile,${JSON.stringify(join(odd, optfile.split("/").at(-2)!, "key.pem"))}}`), terms);
  assert.match(terms, /\{versions,\['tlsv1\.3','tlsv1\.2'\]\}/);
});

test("a wrong input: 78 before the command runs, one line naming the input, no file written", async () => {
  const r = await showEnv({ ENTRYPOINT_TLS_KEY: pki.node2.key });
  assert.is(r.code, 78, r.stderr);
  assert.is(r.stdout, "", "the command never ran");
  assert.is(r.stderr.trim(), "entrypoint: error: ENTRYPOINT_TLS_KEY does not match the certificate in ENTRYPOINT_TLS_CERT: give the key that certificate was made for");
  assert.equal(readdirSync(dir), []);
});

test("a -proto_dist of the user's that is not TLS: 78 (the cluster would stay in clear text); a TLS one is kept", async () => {
  const r = await showEnv({ ELIXIR_ERL_OPTIONS: "-proto_dist inet_tcp" });
  assert.is(r.code, 78, r.stderr);
  assert.match(r.stderr, /ELIXIR_ERL_OPTIONS has -proto_dist inet_tcp, but ENTRYPOINT_DIST_TLS is on: remove that flag/);
  const kept = await showEnv({ ELIXIR_ERL_OPTIONS: "-proto_dist inet_tls" });
  assert.is(kept.code, 0, kept.stderr);
  assert.match(kept.stdout, /^ELIXIR_ERL_OPTIONS=-proto_dist inet_tls -ssl_dist_optfile \S+$/m);
});

test("a release without ssl in lib/: 78 with the mix.exs fix", async () => {
  mkdirSync(join(dir, "rel", "bin"), { recursive: true });
  mkdirSync(join(dir, "rel", "releases"));
  mkdirSync(join(dir, "rel", "lib", "kernel-8.5.3"), { recursive: true });
  symlinkSync(join(FIXTURES, "show-env"), join(dir, "rel", "bin", "show-env"));
  const r = await runEntrypoint(["--ip", "10.0.0.7", "--app", "shop", "--bin-dir", join(dir, "rel", "bin"), "show-env"], { env: { ...TLS, TMPDIR: dir } });
  assert.is(r.code, 78, r.stderr);
  assert.match(r.stderr, /has no ssl, public_key, crypto, asn1 in lib\/: add :ssl to extra_applications in mix\.exs/);
});

test("env --output: the TLS directory beside the file (the shared volume), the flags in the file", async () => {
  const file = join(dir, "release.env");
  const r = await runEntrypoint(["env", "--output", file, "--ip", "10.0.0.7", "--app", "shop"], { env: { ...TLS, TMPDIR: "/nonexistent" } });
  assert.is(r.code, 0, r.stderr);
  const tlsDir = readdirSync(dir).find((f) => f.startsWith("entrypoint-tls-"));
  assert.ok(tlsDir, readdirSync(dir).join());
  const text = readFileSync(file, "utf8");
  assert.ok(text.includes(`-proto_dist inet_tls`), text);
  assert.ok(text.includes(`-ssl_dist_optfile ${join(dir, tlsDir!, "ssl_dist.conf")}`), text);
  assert.not.match(text, /PRIVATE KEY|CERTIFICATE-----|ENTRYPOINT_TLS/);
});

test("docs/tls.md: its openssl lines, run as they are, make a CA and a certificate the entrypoint accepts", async () => {
  const page = readFileSync(join(ROOT, "docs", "tls.md"), "utf8");
  const block = /^```sh\n(# The cluster's CA[\s\S]*?openssl req -x509[\s\S]*?)^```$/m.exec(page)?.[1];
  assert.ok(block, "docs/tls.md has the openssl block");
  execFileSync("sh", ["-euc", block!], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const pem = (f: string) => readFileSync(join(dir, f), "utf8");
  const inputs = { ENTRYPOINT_DIST_TLS: "on", ENTRYPOINT_TLS_CA: pem("ca.pem"), ENTRYPOINT_TLS_CERT: join(dir, "node.pem"), ENTRYPOINT_TLS_KEY: pem("node.key"), TMPDIR: dir };
  const r = await runEntrypoint(["env", "--ip", "10.0.0.7", "--app", "my_app"], { env: inputs });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /distribution over TLS \(tlsv1\.3\), checking the name my-app\.cluster\.internal/);
});

test.run();

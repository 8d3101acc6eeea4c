import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildConfig, type ConfigInputs } from "../../../src/config/config.ts";

function config(flags: Record<string, string>, env: Record<string, string> = {}, baked: ConfigInputs["baked"] = {}, startScript?: string) {
  return buildConfig({ line: { flags }, env, baked, selfPath: "/app/bin/entrypoint", releaseNameIn: () => startScript });
}

const precedence: [string, Parameters<typeof config>, string | undefined][] = [
  ["flag beats env", [{ app: "flag" }, { ENTRYPOINT_APP: "env" }, { app: "baked" }, "script"], "flag"],
  ["env beats baked", [{}, { ENTRYPOINT_APP: "env" }, { app: "baked" }, "script"], "env"],
  ["baked beats start script", [{}, {}, { app: "baked" }, "script"], "baked"],
  ["start script last", [{}, {}, {}, "script"], "script"],
  ["empty env var counts as unset", [{}, { ENTRYPOINT_GIT_SHA: "" }, { app: "shop", sha: "baked" }], "shop-baked"],
  ["nothing: no basename yet", [{}, {}, {}], undefined],
  ["sha joins app", [{ app: "shop" }, { ENTRYPOINT_GIT_SHA: "abc" }], "shop-abc"],
  ["baked sha, flag app", [{ app: "shop" }, {}, { sha: "s1" }], "shop-s1"],
  ["basename overrides both", [{ app: "shop", sha: "x", basename: "whole" }], "whole"],
];
for (const [name, args, want] of precedence) {
  test(`basename: ${name}`, () => assert.is(config(...args).basename, want));
}

test("defaults", () => {
  const c = config({});
  assert.equal(
    { uri: c.metadataUri, t: c.metadataTimeoutMs, fam: c.ipFamily, dist: c.distribution, peers: c.peers, pt: c.peersTimeoutMs, mode: c.execMode, bin: c.binDir, allow: c.allowNoMetadata, log: c.log },
    { uri: undefined, t: 10000, fam: "auto", dist: "name", peers: { kind: "off" }, pt: 60000, mode: "auto", bin: "/app/bin", allow: false, log: { format: "text", quiet: false, debug: false } },
  );
});

test("metadata URI: v4 beats v3, flag beats both", () => {
  assert.is(config({}, { ECS_CONTAINER_METADATA_URI: "http://v3/x", ECS_CONTAINER_METADATA_URI_V4: "http://v4/x" }).metadataUri, "http://v4/x");
  assert.is(config({}, { ECS_CONTAINER_METADATA_URI: "http://v3/x" }).metadataUri, "http://v3/x");
  assert.is(config({ metadataUri: "http://flag/" }, { ECS_CONTAINER_METADATA_URI_V4: "http://v4/x" }).metadataUri, "http://flag");
});

test("ip is stored canonical", () => assert.is(config({ ip: "FD00:0:0:0:0:0:0:3" }).ip, "fd00::3"));
test("dist port single and range", () => {
  assert.equal(config({ distPort: "9100" }).distPort, { min: 9100, max: 9100 });
  assert.equal(config({}, { ENTRYPOINT_DIST_PORT: "9100-9105" }).distPort, { min: 9100, max: 9105 });
});
test("peers strategies", () => {
  assert.equal(config({ peers: "family" }).peers, { kind: "family" });
  assert.equal(config({ peers: "service:web" }).peers, { kind: "service", service: "web" });
  const q = '{"cluster":"c","params":{"TagFilters":[{"Key":"app","Values":["shop"]}]}}';
  assert.equal(config({}, { DNS_CLUSTER_ECS_QUERY: q }).peers, { kind: "tags" }, "DNS_CLUSTER_ECS_QUERY turns tags on");
  assert.is(config({}, { DNS_CLUSTER_ECS_QUERY: q }).peersQuery?.cluster, "c");
});
test("boolean env vars", () => {
  assert.is(config({}, { ENTRYPOINT_ALLOW_NO_METADATA: "1" }).allowNoMetadata, true);
  assert.is(config({}, { ENTRYPOINT_QUIET: "true" }).log.quiet, true);
  assert.is(config({ quiet: "1" }).log.quiet, true);
});
test("bin dir: flag, env, else the entrypoint's directory", () => {
  assert.is(config({ binDir: "/x/bin" }).binDir, "/x/bin");
  assert.is(config({}, { ENTRYPOINT_BIN_DIR: "/y" }).binDir, "/y");
});

const invalid: [string, Parameters<typeof config>, RegExp][] = [
  ["bad app", [{ app: "my.app" }], /"my\.app" \(from --app\).*"\."/],
  ["bad sha from env", [{ app: "shop" }, { ENTRYPOINT_GIT_SHA: "a/b" }], /ENTRYPOINT_GIT_SHA/],
  ["bad ip", [{ ip: "10.0.0" }], /--ip: expected an IPv4 or IPv6 address, got "10\.0\.0"/],
  ["bad family", [{}, { ENTRYPOINT_IP_FAMILY: "v6" }], /ENTRYPOINT_IP_FAMILY: expected one of auto, ipv4, ipv6, got "v6"/],
  ["bad timeout", [{ metadataTimeout: "10s" }], /--metadata-timeout: expected a whole number of milliseconds/],
  ["bad port range", [{ distPort: "9105-9100" }], /--dist-port/],
  ["bad peers", [{ peers: "dns" }], /expected off, family, service:NAME or tags, got "dns"/],
  ["tags without query", [{ peers: "tags" }], /needs a query/],
  ["query not JSON", [{ peersQuery: "{cluster" }], /bad peers query: not JSON/],
  ["query without filters", [{ peersQuery: '{"cluster":"c"}' }], /TagFilters is missing/],
  ["51 TagFilters", [{ peersQuery: JSON.stringify({ params: { TagFilters: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}` })) } }) }], /51 TagFilters; GetResources takes at most 50/],
  ["21 values", [{ peersQuery: JSON.stringify({ params: { TagFilters: [{ Key: "a", Values: Array.from({ length: 21 }, String) }] } }) }], /has 21 Values; GetResources takes at most 20/],
  ["empty key", [{ peersQuery: '{"params":{"TagFilters":[{"Key":""}]}}' }], /has an empty "Key"/],
  ["bad metadata uri", [{ metadataUri: "169.254.170.2/v4" }], /--metadata-uri: expected an http/],
  ["bad boolean", [{}, { ENTRYPOINT_QUIET: "maybe" }], /ENTRYPOINT_QUIET: expected 1 or 0/],
  ["bad log format", [{ logFormat: "xml" }], /--log-format/],
];
for (const [name, args, message] of invalid) {
  test(`config error (78): ${name}`, () => {
    try {
      config(...args);
      assert.unreachable();
    } catch (err) {
      assert.is((err as { exitCode: number }).exitCode, 78, (err as Error).message);
      assert.match((err as Error).message, message);
    }
  });
}

test.run();

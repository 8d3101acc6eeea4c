import { test } from "uvu";
import * as assert from "uvu/assert";
import { cookieHash, localFindings, type LocalInput } from "../../../src/doctor/local.ts";

const base: LocalInput = {
  self: { basename: "shop-abc", address: { ip: "10.0.0.3", family: 4 }, source: "--ip", node: "shop-abc@10.0.0.3" },
  basename: "shop-abc",
  erlOptions: "",
  erlOptionsSetByUs: false,
  cookie: { source: "RELEASE_COOKIE", sha256: "1a2b3c4d", path: "/app/releases/COOKIE" },
  overrides: [],
  epmdPort: 4369,
  peers: { kind: "given", count: 1 },
};
const v6 = { basename: "shop-abc", address: { ip: "fd00::3", family: 6 as const }, source: "--ip", node: "shop-abc@fd00::3" };

// [case, input overrides, check, severity, message pattern, fix pattern?]
const cases: [string, Partial<LocalInput>, string, "ok" | "warn" | "fail", RegExp, RegExp?][] = [
  ["node from --ip", {}, "address", "ok", /^node shop-abc@10\.0\.0\.3; ip 10\.0\.0\.3 from --ip$/],
  ["no address", { self: { basename: "shop-abc" } }, "address", "fail", /no node name/, /ECS Exec/],
  ["preset RELEASE_NODE", { self: { preset: "shop-abc@10.0.0.3", basename: "shop-abc", address: { ip: "10.0.0.3", family: 4 }, source: "RELEASE_NODE" } }, "address", "ok", /preset to shop-abc@10\.0\.0\.3 \(kept/],
  ["preset with another basename", { self: { preset: "other@10.0.0.3", basename: "other", address: { ip: "10.0.0.3", family: 4 } } }, "address", "warn", /peers look for shop-abc/],
  ["preset with a non-canonical IPv6", { self: { preset: "shop-abc@FD00:0:0::3", basename: "shop-abc", address: { ip: "fd00::3", family: 6 } } }, "address", "fail", /peers write the address as fd00::3 \(RFC 5952\)/],
  ["preset with a hostname", { self: { preset: "shop-abc@ip-10-0-0-3", basename: "shop-abc" } }, "address", "warn", /host is not an IP address/],
  ["cookie in the environment", {}, "cookie", "ok", /^RELEASE_COOKIE is set; sha256 1a2b3c4d/],
  ["cookie from the file", { cookie: { source: "/app/releases/COOKIE", sha256: "1a2b3c4d", path: "/app/releases/COOKIE" } }, "cookie", "ok", /comes from \/app\/releases\/COOKIE \(new with each build/],
  ["no cookie", { cookie: { path: "/app/releases/COOKIE" } }, "cookie", "fail", /RELEASE_COOKIE is not set and \/app\/releases\/COOKIE is not readable/, /from a secret/],
  ["IPv4 without -proto_dist", {}, "proto_dist", "ok", /^IPv4 address and no -proto_dist/],
  ["IPv4 with -proto_dist inet6_tcp", { erlOptions: "-proto_dist inet6_tcp" }, "proto_dist", "warn", /IPv4 address, but/],
  ["IPv6 with -proto_dist set by us", { self: v6, erlOptions: "+S 2 -proto_dist inet6_tcp", erlOptionsSetByUs: true }, "proto_dist", "ok", /set by the entrypoint/],
  ["IPv6 with -proto_dist inet6_tls (TLS distribution)", { self: v6, erlOptions: "-proto_dist inet6_tls -ssl_dist_optfile /tmp/x/dist.conf", erlOptionsSetByUs: true }, "proto_dist", "ok", /^IPv6 address and -proto_dist inet6_tls in ELIXIR_ERL_OPTIONS/],
  ["IPv4 with -proto_dist inet6_tls", { erlOptions: "-proto_dist inet6_tls" }, "proto_dist", "warn", /IPv4 address, but ELIXIR_ERL_OPTIONS has -proto_dist inet6_tls/],
  ["IPv6 without -proto_dist", { self: v6, erlOptions: "+S 2" }, "proto_dist", "fail", /IPv6 address, but ELIXIR_ERL_OPTIONS has no -proto_dist inet6_tcp/, /-proto_dist inet6_tcp/],
  ["IPv6 with a look-alike option", { self: v6, erlOptions: "-proto_dist inet6_tcpx" }, "proto_dist", "fail", /no -proto_dist inet6_tcp/],
  ["env.sh clean", {}, "env_sh", "ok", /no releases\/\*\/env\.sh/],
  ["env.sh override", { overrides: [{ file: "/app/releases/0.1.0/env.sh", variable: "RELEASE_NODE" }] }, "env_sh", "fail", /\/app\/releases\/0\.1\.0\/env\.sh sets RELEASE_NODE/, /\$\{RELEASE_NODE:-…\}/],
  ["not pinned", {}, "dist_port", "ok", /not pinned: the security group must open TCP 4369 and every port/],
  ["pinned", { distPort: { min: 9100, max: 9101 } }, "dist_port", "ok", /pinned to 9100-9101: the security group needs TCP 4369 and 9100-9101/],
  ["without EPMD", { distPort: { min: 9100, max: 9100 }, withoutEpmd: true }, "dist_port", "ok", /^distribution without EPMD on port 9100: the security group needs only TCP 9100 between tasks$/],
  ["peers given", {}, "peers", "ok", /1 peer\(s\) given with --peer/],
  ["peers off", { peers: { kind: "off" } }, "peers", "warn", /^no peer was checked: peer discovery is off \(--peers off, ENTRYPOINT_PEERS unset\) and no --peer was given$/, /--peers family .*ENTRYPOINT_PEERS.*--peer ADDR/],
  ["peer lookup denied", { peers: { kind: "lookup", strategy: "family", count: 0, problem: { message: "x", action: "ecs:DescribeTasks", code: "AccessDeniedException" } } }, "peers", "fail", /the IAM action ecs:DescribeTasks was denied/, /add ecs:DescribeTasks to the task role/],
  ["peer lookup throttled", { peers: { kind: "lookup", strategy: "family", count: 0, problem: { message: "ecs:ListTasks failed: ThrottlingException: slow down", action: "ecs:ListTasks", code: "ThrottlingException" } } }, "peers", "fail", /failed: ecs:ListTasks failed: ThrottlingException/],
  ["tags found nothing", { peers: { kind: "lookup", strategy: "tags", count: 0 } }, "peers", "warn", /found no other running task; tasks carry tags only when the service sets propagateTags/],
  ["tasks without a task address", { peers: { kind: "lookup", strategy: "family", count: 0, addressless: 3 } }, "peers", "fail", /3 running task\(s\) found by --peers family have no task IP address \(network mode host or bridge\)/, /networkMode": "awsvpc"/],
  ["family found two", { peers: { kind: "lookup", strategy: "family", count: 2 } }, "peers", "ok", /2 peer\(s\) found by --peers family/],
];

for (const [name, overrides, check, severity, message, fix] of cases) {
  test(`localFindings: ${name}`, () => {
    const found = localFindings({ ...base, ...overrides }).filter((f) => f.check === check);
    assert.is(found.length, 1, JSON.stringify(found));
    assert.is(found[0]!.severity, severity, found[0]!.message);
    assert.match(found[0]!.message, message);
    if (fix) assert.match(found[0]!.fix ?? "", fix);
  });
}

test("no address: no -proto_dist finding at all", () => assert.not.ok(localFindings({ ...base, self: {} }).some((f) => f.check === "proto_dist")));
test("cookieHash: first 8 hex digits of sha256 (printf %s c | sha256sum)", () => assert.is(cookieHash("c"), "2e7d2c03"));

test.run();

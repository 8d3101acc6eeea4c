// The instance-address sources' pure parts (SPEC 4.9): one read of the metadata file, where IMDS is
// (as the AWS SDK reads the environment), which route address can name a node, and the 69 message.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { imdsEndpoint } from "../../../src/network/imds.ts";
import { noInstanceAddress } from "../../../src/network/instance-address.ts";
import { readMetadataFile } from "../../../src/network/metadata-file.ts";
import { routeAddressProblem } from "../../../src/network/route.ts";

const ready = (extra: Record<string, unknown>) => JSON.stringify({ MetadataFileStatus: "READY", ...extra });
const reads: [string, string, string | RegExp][] = [
  ["READY with the instance's address", ready({ HostPrivateIPv4Address: "10.0.1.43" }), "10.0.1.43"],
  ["NOT_READY: read again", JSON.stringify({ MetadataFileStatus: "NOT_READY", HostPrivateIPv4Address: "10.0.1.43" }), /^wait: MetadataFileStatus is "NOT_READY", not READY$/],
  ["no status yet: read again", JSON.stringify({ Cluster: "c" }), /^wait: MetadataFileStatus is missing/],
  ["half written: read again", '{"Cluster": "c", "Metada', /^wait: not JSON/],
  ["empty file: read again", "", /^wait: not JSON/],
  ["null: read again", "null", /^wait: MetadataFileStatus is missing/],
  ["READY without the address: give up", ready({}), /^fatal: READY, but without HostPrivateIPv4Address$/],
  ["an address that is not IPv4", ready({ HostPrivateIPv4Address: "fd00::1" }), /^fatal: HostPrivateIPv4Address "fd00::1" is not an IPv4 address/],
  ["garbage, escaped", ready({ HostPrivateIPv4Address: "x\u001b[31m" }), /^fatal: HostPrivateIPv4Address "x\\x1b\[31m" is not/],
  ["link-local", ready({ HostPrivateIPv4Address: "169.254.172.1" }), /^fatal: HostPrivateIPv4Address 169\.254\.172\.1 is link-local/],
  ["unspecified", ready({ HostPrivateIPv4Address: "0.0.0.0" }), /^fatal: .* is unspecified/],
];
for (const [name, text, want] of reads) {
  test(`readMetadataFile: ${name}`, () => {
    const got = readMetadataFile(text);
    if (typeof want === "string") return assert.equal(got, { address: { ip: want, family: 4 } });
    const [kind, value] = Object.entries(got)[0]!;
    assert.match(`${kind}: ${value}`, want);
  });
}

const endpoints: [string, Record<string, string>, { url: string } | RegExp][] = [
  ["the default", {}, { url: "http://169.254.169.254" }],
  ["IPv6 endpoint mode", { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" }, { url: "http://[fd00:ec2::254]" }],
  ["a given endpoint wins, trailing slash dropped", { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:1338/", AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" }, { url: "http://127.0.0.1:1338" }],
  ["disabled", { AWS_EC2_METADATA_DISABLED: "true", AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:1338" }, /AWS_EC2_METADATA_DISABLED=true/],
  ["disabled in any case", { AWS_EC2_METADATA_DISABLED: "True" }, /AWS_EC2_METADATA_DISABLED=true/],
  ["false is not disabled", { AWS_EC2_METADATA_DISABLED: "false" }, { url: "http://169.254.169.254" }],
  ["an https endpoint", { AWS_EC2_METADATA_SERVICE_ENDPOINT: "https://127.0.0.1" }, /is not an http:\/\/ URL/],
  ["not a URL", { AWS_EC2_METADATA_SERVICE_ENDPOINT: "127.0.0.1:1338" }, /is not an http:\/\/ URL/],
];
for (const [name, env, want] of endpoints) {
  test(`imdsEndpoint: ${name}`, () => {
    const got = imdsEndpoint(env);
    if (want instanceof RegExp) assert.ok("disabled" in got && want.test(got.disabled), JSON.stringify(got));
    else assert.equal(got, want);
  });
}

const routes: [string, string, 4 | 6, string | undefined][] = [
  ["a VPC address", "10.0.1.43", 4, undefined],
  ["loopback", "127.0.0.1", 4, "127.0.0.1 is loopback"],
  ["link-local", "169.254.1.1", 4, "169.254.1.1 is link-local (169.254.0.0/16)"],
  ["IPv6", "fd00::1", 6, "fd00::1 is not IPv4"],
];
for (const [name, ip, family, problem] of routes) {
  test(`routeAddressProblem: ${name}`, () => assert.is(routeAddressProblem({ ip, family }), problem));
}

test("noInstanceAddress: every source with its reason, then the fixes, on one line", () => {
  const message = noInstanceAddress("host", [
    { source: "--ip", reason: "not given" },
    { source: "metadata-file", reason: "ECS_CONTAINER_METADATA_FILE is not set" },
    { source: "imds", reason: "http://169.254.169.254: no answer within 1000 ms" },
    { source: "route", reason: "no route to 192.0.2.1" },
  ]);
  assert.is(
    message,
    "network mode host: no source gave the container instance's private IPv4 address (--ip: not given; metadata-file: ECS_CONTAINER_METADATA_FILE is not set; " +
      "imds: http://169.254.169.254: no answer within 1000 ms; route: no route to 192.0.2.1); pass --ip (ENTRYPOINT_IP) with the instance's private IP, " +
      "or set ECS_ENABLE_CONTAINER_METADATA=true in the instance's /etc/ecs/ecs.config, or let containers reach IMDS (from a bridge container: aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2)",
  );
});

test.run();

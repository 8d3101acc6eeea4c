import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeEntities, ec2ErrorOf, instancesOf, MAX_DEPTH, parseXml } from "../../../src/peers/ec2-xml.ts";
import { describeInstancesBody, ec2Endpoint } from "../../../src/peers/ec2-query.ts";

const NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
const instance = (id: string, ip?: string, nested = "") => `<item><instanceId>${id}</instanceId>${nested}${ip ? `<privateIpAddress>${ip}</privateIpAddress>` : ""}</item>`;
const answer = (...reservations: string[][]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse ${NS}><requestId>r</requestId><reservationSet>${reservations.map((r) => `<item><reservationId>r-1</reservationId><groupSet/><instancesSet>${r.join("")}</instancesSet></item>`).join("")}</reservationSet></DescribeInstancesResponse>`;
const NIC = "<networkInterfaceSet><item><privateIpAddress>10.9.9.9</privateIpAddress><privateIpAddressesSet><item><privateIpAddress>10.9.9.8</privateIpAddress></item></privateIpAddressesSet></item></networkInterfaceSet>";

const reads: [string, string, { instanceId: string; privateIpAddress?: string }[]][] = [
  ["two reservations", answer([instance("i-1", "10.0.0.1")], [instance("i-2", "10.0.0.2")]), [{ instanceId: "i-1", privateIpAddress: "10.0.0.1" }, { instanceId: "i-2", privateIpAddress: "10.0.0.2" }]],
  ["several instances in one reservation", answer([instance("i-1", "10.0.0.1"), instance("i-2", "10.0.0.2")]), [{ instanceId: "i-1", privateIpAddress: "10.0.0.1" }, { instanceId: "i-2", privateIpAddress: "10.0.0.2" }]],
  ["the instance's own address, not an interface's (nested before it)", answer([instance("i-1", "10.0.0.1", NIC)]), [{ instanceId: "i-1", privateIpAddress: "10.0.0.1" }]],
  ["no private address (a terminated instance)", answer([instance("i-1")]), [{ instanceId: "i-1", privateIpAddress: undefined }]],
  ["empty reservationSet", answer(), []],
  ["self-closing reservationSet", `<DescribeInstancesResponse ${NS}><reservationSet/></DescribeInstancesResponse>`, []],
  ["namespace prefixes and comments", `<ec2:DescribeInstancesResponse xmlns:ec2="x"><!-- c --><ec2:reservationSet><ec2:item><ec2:instancesSet><ec2:item><ec2:instanceId>i-1</ec2:instanceId><ec2:privateIpAddress> 10.0.0.1 </ec2:privateIpAddress></ec2:item></ec2:instancesSet></ec2:item></ec2:reservationSet></ec2:DescribeInstancesResponse>`, [{ instanceId: "i-1", privateIpAddress: "10.0.0.1" }]],
];
for (const [name, xml, want] of reads) test(`instancesOf: ${name}`, () => assert.equal(instancesOf(parseXml(xml)), want));

const refused: [string, string, RegExp][] = [
  ["another answer", "<Response><Errors/></Response>", /a Response element instead of DescribeInstancesResponse/],
  ["unclosed", `<DescribeInstancesResponse ${NS}><reservationSet>`, /not one complete XML document/],
  ["mismatched", "<a><b></a></b>", /unexpected <\/a>/],
  ["a DOCTYPE (entity expansion)", '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', /document type declaration/],
  ["too deep", "<a>".repeat(MAX_DEPTH + 2) + "</a>".repeat(MAX_DEPTH + 2), /nested deeper than 64/],
  ["two roots", "<a/><b/>", /not one complete XML document/],
  ["not XML", "{\"json\": true}", /not one complete XML document/],
];
for (const [name, xml, want] of refused) test(`parseXml refuses: ${name}`, () => assert.throws(() => instancesOf(parseXml(xml)), want));

const entities: [string, string][] = [
  ["a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;", "a <b> & \"c\" 'd'"],
  ["&#65;&#x42;&#x1F600;", "AB😀"],
  ["&unknown; &#0; &#x110000;", "&unknown; &#0; &#x110000;"],
  ["&amp;lt;", "&lt;"],
];
for (const [text, want] of entities) test(`decodeEntities: ${text}`, () => assert.is(decodeEntities(text), want));

const errors: [string, string, { code: string; message: string } | undefined][] = [
  ["EC2's error", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized &amp; more</Message></Error></Errors><RequestID>x</RequestID></Response>", { code: "UnauthorizedOperation", message: "You are not authorized & more" }],
  ["CDATA message", "<Response><Errors><Error><Code>X</Code><Message><![CDATA[a <b>]]></Message></Error></Errors></Response>", { code: "X", message: "a <b>" }],
  ["no code", "<Response><Errors><Error><Message>m</Message></Error></Errors></Response>", undefined],
  ["another root", "<ErrorResponse><Errors><Error><Code>X</Code></Error></Errors></ErrorResponse>", undefined],
  ["an HTML page", "<html><body>Bad gateway", undefined],
];
for (const [name, xml, want] of errors) test(`ec2ErrorOf: ${name}`, () => assert.equal(ec2ErrorOf(xml), want));

const endpoints: [string, string, NodeJS.ProcessEnv, string][] = [
  ["regional", "eu-west-1", {}, "https://ec2.eu-west-1.amazonaws.com"],
  ["China", "cn-north-1", {}, "https://ec2.cn-north-1.amazonaws.com.cn"],
  ["FIPS", "us-east-1", { AWS_USE_FIPS_ENDPOINT: "true" }, "https://ec2-fips.us-east-1.amazonaws.com"],
  ["AWS_ENDPOINT_URL", "us-east-1", { AWS_ENDPOINT_URL: "http://127.0.0.1:4566" }, "http://127.0.0.1:4566"],
  ["AWS_ENDPOINT_URL_EC2 first", "us-east-1", { AWS_ENDPOINT_URL: "http://a", AWS_ENDPOINT_URL_EC2: "http://b" }, "http://b"],
  ["both ignored when asked", "us-east-1", { AWS_ENDPOINT_URL_EC2: "http://b", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }, "https://ec2.us-east-1.amazonaws.com"],
];
for (const [name, region, env, want] of endpoints) test(`ec2Endpoint: ${name}`, () => assert.is(ec2Endpoint(region, env), want));

test("describeInstancesBody: Action, Version, InstanceId.N from 1", () => {
  assert.is(describeInstancesBody(["i-0a", "i-0b"]), "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0a&InstanceId.2=i-0b");
});

test.run();

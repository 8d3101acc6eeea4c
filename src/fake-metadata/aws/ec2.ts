// EC2 DescribeInstances over EC2's Query protocol: a form-encoded POST in, XML out (element names and namespace
// as EC2 answers, errors as <Response><Errors><Error>), over the container instances of the fake's tasks.
import { randomUUID } from "node:crypto";
import { AwsError, type Reply } from "./protocol.ts";
import type { FakeInstance } from "./tasks.ts";

export const EC2_VERSION = "2016-11-15";
const XMLNS = `http://ec2.amazonaws.com/doc/${EC2_VERSION}/`;

/** One EC2 Query call (the form body): only DescribeInstances is answered. */
export function answerEc2(body: Buffer, instances: FakeInstance[], account: string, region: string): Reply {
  const form = new URLSearchParams(body.toString("utf8"));
  const action = form.get("Action") ?? "";
  if (action !== "DescribeInstances") throw new AwsError("InvalidAction", `The action ${action.slice(0, 100)} is not valid for this web service.`);
  return describeInstances(form, instances, account, region);
}

// Text content needs only these three escaped (EC2's own messages keep their quotes as they are).
const escapeXml = (text: string) => text.replace(/[<>&]/g, (c) => `&${{ "<": "lt", ">": "gt", "&": "amp" }[c]};`);

function xmlReply(status: number, xml: string): Reply {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  return { status, text, headers: { "content-type": "text/xml;charset=UTF-8", "content-length": Buffer.byteLength(text), "x-amzn-requestid": randomUUID() } };
}

export function ec2ErrorReply(err: AwsError): Reply {
  return xmlReply(err.status, `<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`);
}

/** The `InstanceId.N` list of a request, in N order. */
function instanceIds(form: URLSearchParams): string[] {
  return [...form.entries()]
    .filter(([k]) => /^InstanceId\.\d+$/.test(k))
    .sort(([a], [b]) => Number(a.slice(11)) - Number(b.slice(11)))
    .map(([, v]) => v);
}

function instanceXml(i: FakeInstance, account: string, region: string): string {
  const dns = `ip-${i.privateIpAddress.replaceAll(".", "-")}.ec2.internal`;
  return (
    `<item><instanceId>${i.ec2InstanceId}</instanceId><imageId>ami-0fa1e000000000000</imageId><instanceState><code>16</code><name>running</name></instanceState>` +
    `<privateDnsName>${dns}</privateDnsName><dnsName/><instanceType>m7g.large</instanceType><placement><availabilityZone>${region}a</availabilityZone><tenancy>default</tenancy></placement>` +
    `<subnetId>subnet-0fa1e00000000000</subnetId><vpcId>vpc-0fa1e000</vpcId><privateIpAddress>${i.privateIpAddress}</privateIpAddress>` +
    `<networkInterfaceSet><item><networkInterfaceId>eni-${i.ec2InstanceId.slice(2)}</networkInterfaceId><ownerId>${account}</ownerId>` +
    `<privateIpAddress>${i.privateIpAddress}</privateIpAddress><privateIpAddressesSet><item><privateIpAddress>${i.privateIpAddress}</privateIpAddress><primary>true</primary></item></privateIpAddressesSet></item></networkInterfaceSet></item>`
  );
}

/** DescribeInstances by InstanceId.N: every id must exist, as EC2 requires (InvalidInstanceID.NotFound names the others). */
export function describeInstances(form: URLSearchParams, instances: FakeInstance[], account: string, region: string): Reply {
  if (form.get("Version") !== EC2_VERSION) throw new AwsError("InvalidParameterValue", `Version ${JSON.stringify(form.get("Version") ?? "")} is not supported here; use ${EC2_VERSION}`);
  const ids = instanceIds(form);
  const malformed = ids.find((id) => !/^i-[0-9a-f]{8,17}$/.test(id));
  if (malformed !== undefined) throw new AwsError("InvalidInstanceID.Malformed", `Invalid id: "${malformed}"`);
  const byId = new Map(instances.map((i) => [i.ec2InstanceId, i]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length === 1) throw new AwsError("InvalidInstanceID.NotFound", `The instance ID '${missing[0]}' does not exist`);
  if (missing.length > 1) throw new AwsError("InvalidInstanceID.NotFound", `The instance IDs '${missing.join(", ")}' do not exist`);
  const chosen = ids.length ? [...new Set(ids)].map((id) => byId.get(id)!) : instances;
  // One reservation per instance, as instances launched one by one are.
  const reservations = chosen.map((i) => `<item><reservationId>r-${i.ec2InstanceId.slice(2)}</reservationId><ownerId>${account}</ownerId><groupSet/><instancesSet>${instanceXml(i, account, region)}</instancesSet></item>`);
  return xmlReply(200, `<DescribeInstancesResponse xmlns="${XMLNS}"><requestId>${randomUUID()}</requestId><reservationSet>${reservations.join("")}</reservationSet></DescribeInstancesResponse>`);
}

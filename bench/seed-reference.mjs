// The algorithm the app used before (DNSCluster's ECS resolver): one tagging page with the API's
// default page size, then one DescribeTasks for that page, repeat. Prints {"ms", "ips"} on stdout.
import { DescribeTasksCommand, ECSClient } from "@aws-sdk/client-ecs";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";

const query = JSON.parse(process.env.DNS_CLUSTER_ECS_QUERY);
const started = performance.now();
const region = process.env.AWS_REGION;
const tagging = new ResourceGroupsTaggingAPIClient({ region });
const ecs = new ECSClient({ region });
const ips = new Set();
let token;
do {
  const page = await tagging.send(new GetResourcesCommand({ ...query.params, PaginationToken: token }));
  const arns = (page.ResourceTagMappingList ?? []).map((m) => m.ResourceARN);
  if (arns.length) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster: query.cluster, tasks: arns }));
    for (const task of out.tasks ?? []) for (const c of task.containers ?? []) for (const n of c.networkInterfaces ?? []) if (n.privateIpv4Address) ips.add(n.privateIpv4Address);
  }
  token = page.PaginationToken;
} while (token);
console.log(JSON.stringify({ ms: performance.now() - started, ips: ips.size }));

// Host mode's last source: the container shares the instance's interfaces, so the local address the
// kernel picks for the route out of the instance is the primary interface's private IP.
import { parseIp, unusableReason, type Address } from "../boot/address.ts";

// TEST-NET-1 (RFC 5737): never assigned, so no more specific route covers it and the kernel answers
// with the default route's interface, which on EC2 is the primary ENI in the VPC. A UDP connect only
// looks the route up: no packet is sent.
export const ROUTE_TARGET = "192.0.2.1";
const ROUTE_BUDGET_MS = 500;

/** Why the route's local address cannot be the node's (pure), or undefined when it can. */
export function routeAddressProblem(address: Address): string | undefined {
  if (address.family !== 4) return `${address.ip} is not IPv4`;
  if (address.ip.startsWith("127.")) return `${address.ip} is loopback`;
  const unusable = unusableReason(address);
  return unusable ? `${address.ip} is ${unusable}` : undefined;
}

export function routeAddress(target = ROUTE_TARGET): Promise<{ address: Address } | { reason: string }> {
  const { createSocket } = process.getBuiltinModule("node:dgram");
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const done = (result: { address: Address } | { reason: string }) => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => done({ reason: `no route lookup within ${ROUTE_BUDGET_MS} ms` }), ROUTE_BUDGET_MS);
    socket.once("error", (err: NodeJS.ErrnoException) => done({ reason: `no route to ${target}: ${err.code ?? err.message}` }));
    socket.connect(53, target, () => {
      const address = parseIp(socket.address().address);
      // Without a route Node's connect can still succeed, bound to the wildcard address.
      if (!address || address.ip === "0.0.0.0") return done({ reason: `no route to ${target}` });
      const problem = routeAddressProblem(address);
      done(problem ? { reason: `the route to ${target} leaves from ${problem}` } : { address });
    });
  });
}

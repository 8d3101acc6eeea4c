// The deploy storm's bookkeeping, apart from the I/O: boot schedule, figures per run, the "who knows whom" graphs.

/** N boot times (ms) spread at random over the window, sorted; the first half boots generation 1, the rest generation 2. */
export function schedule(n, windowMs, random = Math.random) {
  const times = Array.from({ length: n }, () => random() * windowMs).sort((a, b) => a - b);
  return times.map((at, i) => ({ i, at, gen: i < Math.ceil(n / 2) ? 1 : 2 }));
}

export const percentile = (list, p) => {
  if (!list.length) return NaN;
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** Is the undirected graph over `members` with an edge for every "a knows b" connected? */
export function connected(members, knows) {
  if (members.length <= 1) return true;
  const parent = new Map(members.map((m) => [m, m]));
  const root = (x) => {
    while (parent.get(x) !== x) x = parent.get(x);
    return x;
  };
  for (const a of members) for (const b of knows.get(a) ?? []) if (parent.has(b)) parent.set(root(a), root(b));
  const roots = new Set(members.map(root));
  return roots.size === 1;
}

/**
 * boots: { i, gen, ip, lookup, complete, ips, lookupMs, liveBefore: Set<ip> of tasks live when the lookup began,
 * sameGenLiveBefore: number }; ipGen: Map ip -> gen.
 */
export function figures(boots, ipGen, calls, throttled, nonLookupMs) {
  const n = boots.length;
  const gen2 = boots.filter((b) => b.gen === 2);
  const couldFind = gen2.filter((b) => b.sameGenLiveBefore > 0);
  const found = couldFind.filter((b) => b.ips.some((ip) => ipGen.get(ip) === 2));
  const knows = new Map(boots.map((b) => [b.ip, b.ips]));
  const members = (g) => boots.filter((b) => b.gen === g).map((b) => b.ip);
  const total = boots.map((b) => b.lookupMs + nonLookupMs);
  return {
    n,
    calls,
    callsPerBoot: calls / n,
    throttled,
    p50: percentile(total, 50),
    p99: percentile(total, 99),
    failed: boots.filter((b) => b.lookup !== "ok").length / n,
    sameGen: couldFind.length ? found.length / couldFind.length : 1,
    sameGenOf: `${found.length}/${couldFind.length}`,
    complete: boots.filter((b) => b.complete).length / n,
    knewAll: boots.filter((b) => [...b.liveBefore].every((ip) => b.ips.includes(ip))).length / n,
    graphs: [1, 2].map((g) => connected(members(g), knows)),
  };
}

// listCandidates over scripted page sequences: short and empty pages, the page cap, repeated tokens.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createLogger } from "../../../src/log.ts";
import { listCandidates, MAX_PAGES, PAGE } from "../../../src/peers/collect.ts";
import type { Page } from "../../../src/peers/aws.ts";

const arn = (i: number) => `arn:aws:ecs:us-east-1:123456789012:task/prod/${i.toString(16).padStart(32, "0")}`;
const OWN = arn(0);
const quiet = createLogger({ format: "text", quiet: true, debug: false }, () => {});

/** Pages of the given sizes (ARNs numbered on), each with a fresh token but the last; "loop" repeats a token. */
function script(sizes: number[], loop = false) {
  let next = 1;
  const calls: (string | undefined)[] = [];
  const pages: Page[] = sizes.map((n, i) => ({ arns: Array.from({ length: n }, () => arn(next++)), next: i < sizes.length - 1 ? (loop && i > 0 ? "t1" : `t${i + 1}`) : undefined }));
  const fetch = async (token?: string) => {
    calls.push(token);
    return pages[calls.length - 1] ?? { arns: [], next: "again" };
  };
  return { fetch, calls };
}

const cases: [string, number[], { found: number; complete: boolean; calls: number } | "throws", boolean?][] = [
  ["one full page, the end", [40], { found: 40, complete: true, calls: 1 }],
  ["a last page holding more than a page's worth: a subset", [PAGE + 1], { found: PAGE, complete: false, calls: 1 }],
  ["a page's worth exactly, the end: complete", [PAGE], { found: PAGE, complete: true, calls: 1 }],
  ["short pages until the end", [10, 10, 10], { found: 30, complete: true, calls: 3 }],
  ["empty pages with a token, then tasks", [0, 0, 0, 7], { found: 7, complete: true, calls: 4 }],
  ["stops once a page's worth is found", [60, 60, 60], { found: PAGE, complete: false, calls: 2 }],
  ["the cap with tasks: a subset", [...Array(MAX_PAGES + 5).fill(1)], { found: MAX_PAGES, complete: false, calls: MAX_PAGES }],
  ["the cap with nothing: failed", [...Array(MAX_PAGES + 5).fill(0)], "throws"],
  ["a repeated token with tasks: a subset", [3, 3, 3, 3], { found: 6, complete: false, calls: 2 }, true],
  ["a repeated token with nothing: failed", [0, 0, 0, 0], "throws", true],
];

for (const [name, sizes, want, loop] of cases) {
  test(`listCandidates: ${name}`, async () => {
    const { fetch, calls } = script(sizes, loop);
    const scope = { cluster: "prod", all: false };
    if (want === "throws") {
      await listCandidates(fetch, scope, { taskArn: OWN }, quiet).then(() => assert.unreachable("resolved"), (e: Error) => assert.match(e.message, /no task so far/));
      return;
    }
    const out = await listCandidates(fetch, scope, { taskArn: OWN }, quiet);
    assert.equal([out.arns.length, out.complete, calls.length], [want.found, want.complete, want.calls]);
  });
}

test("listCandidates: our own task counts towards the page but is not a candidate", async () => {
  const fetch = async (token?: string): Promise<Page> => (token ? { arns: [arn(500)], next: undefined } : { arns: [OWN, ...Array.from({ length: 99 }, (_, i) => arn(i + 1))], next: "t" });
  const out = await listCandidates(fetch, { cluster: "prod", all: false }, { taskArn: OWN }, quiet);
  assert.equal([out.arns.length, out.complete, out.arns.includes(OWN)], [99, false, false]);
});

// Tokens that come back after another one (A → B → A) loop as surely as one handed back at once.
const cycles: [string, (string | undefined)[], number][] = [
  ["A → A", ["A", "A"], 2],
  ["A → B → A", ["A", "B", "A"], 3],
  ["A → B → C → B", ["A", "B", "C", "B"], 4],
];
for (const [name, tokens, calls] of cycles) {
  test(`listCandidates: a token cycle ${name} ends at the repeat, with the warning`, async () => {
    const lines: string[] = [];
    const log = createLogger({ format: "text", quiet: false, debug: false }, (line) => lines.push(line));
    let call = 0;
    const fetch = async (): Promise<Page> => ({ arns: [arn(++call)], next: tokens[call - 1] ?? "end" });
    const out = await listCandidates(fetch, { cluster: "prod", all: false }, { taskArn: OWN }, log);
    assert.equal([out.arns.length, out.complete, call], [calls, false, calls]);
    assert.equal(lines, [`entrypoint: warning: peers: the listing handed back a page token it had already given; using the ${calls} page(s) received (ECS_PEER_LIST=subset)\n`]);
  });
}

test.run();

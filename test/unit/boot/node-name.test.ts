import { test } from "uvu";
import * as assert from "uvu/assert";
import { basenameProblem, composeBasename, portNodeName, portOfNodeName, validateBasename } from "../../../src/boot/node-name.ts";

const compose: [Parameters<typeof composeBasename>[0], string | undefined][] = [
  [{ app: "shop", sha: "abc123" }, "shop-abc123"],
  [{ app: "shop" }, "shop"],
  [{ app: "shop", sha: "" }, "shop"],
  [{ app: "shop", sha: "abc", basename: "custom" }, "custom"],
  [{ sha: "abc" }, undefined],
  [{}, undefined],
];
for (const [parts, want] of compose) {
  test(`composeBasename(${JSON.stringify(parts)}) = ${want}`, () => assert.is(composeBasename(parts), want));
}

const problems: [string, RegExp | undefined][] = [
  ["shop-abc123", undefined],
  ["my_app-0f3c", undefined],
  ["A".repeat(200), undefined],
  ["A".repeat(201), /201 characters/],
  ["", /empty/],
  ["my.app", /"\." at position 3/],
  ["shop@host", /"@" at position 5/],
  ["shop abc", /" " at position 5/],
  ["shöp", /"ö" at position 3/],
  ["--", /starts with "-"/],
  ["-shop", /starts with "-"/],
  ["shop-", undefined],
];
for (const [name, want] of problems) {
  test(`basenameProblem(${JSON.stringify(name.slice(0, 20))})`, () => {
    const got = basenameProblem(name);
    if (want) assert.match(got ?? "", want);
    else assert.is(got, undefined);
  });
}

test("validateBasename names the value, the source and the fix; exit code 78", () => {
  try {
    validateBasename("my.app", "--app");
    assert.unreachable();
  } catch (err) {
    const e = err as { exitCode: number; message: string };
    assert.is(e.exitCode, 78);
    assert.match(e.message, /"my\.app" \(from --app\)/);
    assert.match(e.message, /ASCII letters, digits/);
  }
});

test("a port-carrying node name gives its published port back, and nothing else does", () => {
  assert.is(portNodeName("shop-abc123", "10.0.1.43", 32768), "shop-abc123-32768@10.0.1.43");
  const table: [string, number | undefined][] = [
    ["shop-abc123-32768@10.0.1.43", 32768],
    ["shop-1234-9100@10.0.1.43", 9100],
    ["shop-65535@h", 65535],
    ["shop-65536@h", undefined],
    ["shop-0@h", undefined],
    ["shop-09100@h", undefined],
    ["shop@10.0.1.43", undefined],
    ["shop-abc@10.0.1.43", undefined],
    ["shop_9100@h", undefined],
  ];
  for (const [node, port] of table) assert.is(portOfNodeName(node), port, node);
});

test.run();

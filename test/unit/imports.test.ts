// The modules of src/ import each other without cycles (type-only imports and `typeof import` included).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "../helpers/run.ts";

const SRC = join(ROOT, "src");
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => join(SRC, f));
const imports = new Map(
  files.map((file) => {
    const text = readFileSync(file, "utf8");
    // Static imports, and the `typeof import("…")` that names a lazily loaded part's type.
    const found = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+\.ts)"/gms), ...text.matchAll(/\bimport\("(\.[^"]+\.ts)"\)/g)];
    const specs = found.map((m) => resolve(dirname(file), m[1]!));
    return [file, specs];
  }),
);

function findCycle(): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === "done") return undefined;
    if (state.get(file) === "open") return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, "open");
    stack.push(file);
    for (const next of imports.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, "done");
    return undefined;
  };
  for (const file of files) {
    const cycle = visit(file);
    if (cycle) return cycle.map((f) => relative(SRC, f));
  }
  return undefined;
}

test("no import cycle in src/", () => {
  assert.ok(files.length > 10, "src files found");
  const cycle = findCycle();
  assert.is(cycle, undefined, `cycle: ${cycle?.join(" → ")}`);
});

test.run();

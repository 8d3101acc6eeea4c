import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseShebang } from "../../../src/exec/exec-check.ts";

// The #! line as Linux reads it: the first 256 bytes, interpreter, then the rest as one argument.
const cases: [string, string, ReturnType<typeof parseShebang> | RegExp][] = [
  ["plain", "#!/bin/sh\necho", { interpreter: "/bin/sh", arg: "" }],
  ["with an argument", "#!/bin/sh -e\n", { interpreter: "/bin/sh", arg: "-e" }],
  ["space after #!", "#! /bin/sh -e\n", { interpreter: "/bin/sh", arg: "-e" }],
  ["env -S keeps the rest as one argument", "#!/usr/bin/env -S sh -e\n", { interpreter: "/usr/bin/env", arg: "-S sh -e" }],
  ["no newline", "#!/bin/sh", { interpreter: "/bin/sh", arg: "" }],
  ["tabs and trailing blanks", "#!\t/bin/sh\t-x \t\n", { interpreter: "/bin/sh", arg: "-x" }],
  ["a long line with an argument (the kernel cuts it)", `#!/bin/sh -e${" ".repeat(300)}`.slice(0, 256), { interpreter: "/bin/sh", arg: "-e" }],
  ["a long interpreter path", `#!/${"x".repeat(300)}`.slice(0, 256), /longer than 255 bytes/],
  ["CRLF", "#!/bin/sh\r\n", /carriage return/],
  ["no interpreter", "#!\n", /names no interpreter/],
  ["empty", "", /^is empty/],
  ["no #!", "echo hi\n", /neither an ELF binary nor a script/],
];
for (const [name, header, want] of cases) {
  test(`parseShebang: ${name}`, () => {
    const got = parseShebang(Buffer.from(header, "latin1"));
    if (want instanceof RegExp) assert.match("problem" in got ? got.problem : "", want);
    else assert.equal(got, want);
  });
}

test.run();

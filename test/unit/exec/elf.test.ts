import { test } from "uvu";
import * as assert from "uvu/assert";
import { elfProblem, parseElfHeader, type ElfHeader } from "../../../src/exec/elf.ts";
import { kindOf } from "../../../src/exec/file-kind.ts";
import { writableFdinfo } from "../../../src/exec/text-busy.ts";

/** A 64-byte ELF64 little-endian header with the given type and machine. */
function header(type: number, machine: number, bytes = 64): Buffer {
  const b = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(b);
  b.writeUInt16LE(type, 16);
  b.writeUInt16LE(machine, 18);
  b.writeBigUInt64LE(64n, 32);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(3, 56);
  return b.subarray(0, bytes);
}

test("parseElfHeader reads type, machine and the program header table", () => {
  assert.equal(parseElfHeader(header(3, 62)), { is64: true, le: true, type: 3, machine: 62, phoff: 64, phentsize: 56, phnum: 3 });
  assert.is(parseElfHeader(header(3, 62, 40)), "a truncated ELF file");
  assert.is(parseElfHeader(Buffer.from("#!/bin/sh\n")), "not an ELF file");
  assert.is(parseElfHeader(Buffer.alloc(0)), "not an ELF file");
});

const h = (type: number, machine: number) => parseElfHeader(header(type, machine)) as ElfHeader;
const problems: [string, ElfHeader, string, boolean, RegExp | undefined][] = [
  ["a PIE program (ET_DYN)", h(3, 62), "x64", false, undefined],
  ["a static program (ET_EXEC)", h(2, 62), "x64", false, undefined],
  ["x86 on x86-64", h(2, 3), "x64", false, undefined],
  ["an object file (ET_REL)", h(1, 62), "x64", false, /^an object file/],
  ["a core dump", h(4, 62), "x64", false, /core dump/],
  ["no type", h(0, 62), "x64", false, /no type/],
  ["an unknown type", h(0xfe00, 62), "x64", false, /type 65024, not a program/],
  ["aarch64 on x86-64", h(3, 183), "x64", false, /^built for aarch64, but this machine is x86-64$/],
  ["aarch64 on x86-64 with binfmt_misc", h(3, 183), "x64", true, undefined],
  ["x86-64 on arm64", h(3, 62), "arm64", false, /built for x86-64, but this machine is aarch64/],
];
for (const [name, elf, arch, emulated, want] of problems) {
  test(`elfProblem: ${name}`, () => {
    const got = elfProblem(elf, arch, emulated);
    if (want) assert.match(got ?? "", want);
    else assert.is(got, undefined);
  });
}

const fdinfo: [string, boolean][] = [
  ["pos:\t0\nflags:\t0100000\nmnt_id:\t1\n", false],
  ["pos:\t0\nflags:\t0100001\n", true],
  ["pos:\t0\nflags:\t02100002\n", true],
  ["pos:\t0\nflags:\t0102000\n", false],
  ["no flags line", false],
];
for (const [text, want] of fdinfo) test(`writableFdinfo ${JSON.stringify(text)} -> ${want}`, () => assert.is(writableFdinfo(text), want));

const stats = (kind: string) => ({ isDirectory: () => kind === "dir", isFIFO: () => kind === "fifo", isSocket: () => kind === "sock", isCharacterDevice: () => kind === "chr", isBlockDevice: () => false });
const kinds: [string, string][] = [["dir", "a directory"], ["fifo", "a FIFO (named pipe)"], ["sock", "a socket"], ["chr", "a device"], ["other", "not a regular file"]];
for (const [kind, want] of kinds) test(`kindOf ${kind}`, () => assert.is(kindOf(stats(kind)), want));

test.run();

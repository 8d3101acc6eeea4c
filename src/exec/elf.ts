// An ELF file that the kernel would refuse to run: not a program (an object file), built for another
// CPU (ENOEXEC), or with a loader (PT_INTERP) that is missing (ENOENT: a glibc binary on a musl image),
// not a file, not executable or not an ELF program itself. Each would abort a failed execve.
import { closeSync, openSync, readdirSync, readSync } from "node:fs";
import { EntrypointError, EXIT } from "../errors.ts";
import { fileProblem } from "./file-kind.ts";

// e_machine values of the CPUs Node.js runs on, with the 32-bit ones a 64-bit kernel also runs.
const MACHINES: Record<string, { name: string; runs: number[] }> = {
  x64: { name: "x86-64", runs: [62, 3] },
  ia32: { name: "x86", runs: [3] },
  arm64: { name: "aarch64", runs: [183, 40] },
  arm: { name: "arm", runs: [40] },
  ppc64: { name: "ppc64", runs: [21] },
  s390x: { name: "s390x", runs: [22] },
  riscv64: { name: "riscv64", runs: [243] },
  loong64: { name: "loongarch64", runs: [258] },
};
const MACHINE_NAMES: Record<number, string> = { 62: "x86-64", 3: "x86", 183: "aarch64", 40: "arm", 21: "ppc64", 22: "s390x", 243: "riscv", 258: "loongarch" };
const TYPES: Record<number, string> = { 0: "an ELF file of no type", 1: "an object file (ELF relocatable, e.g. a .o from cc -c), not a program", 4: "a core dump, not a program" };
const PT_INTERP = 3;
export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

export interface ElfHeader {
  is64: boolean;
  le: boolean;
  type: number;
  machine: number;
  phoff: number;
  phentsize: number;
  phnum: number;
}

/** The fields of an ELF header that decide whether the kernel runs the file; a problem when it is cut short. */
export function parseElfHeader(b: Buffer): ElfHeader | string {
  if (b.length < 20 || !b.subarray(0, 4).equals(ELF_MAGIC)) return "not an ELF file";
  const is64 = b[4] === 2;
  const le = b[5] !== 2;
  if (b.length < (is64 ? 64 : 52)) return "a truncated ELF file";
  const u16 = (at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const word = (at: number) => (is64 ? Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  return { is64, le, type: u16(16), machine: u16(18), phoff: word(is64 ? 32 : 28), phentsize: u16(is64 ? 54 : 42), phnum: u16(is64 ? 56 : 44) };
}

/** Why the kernel would not load this header as a program (ET_EXEC or ET_DYN for this CPU), if it would not. */
export function elfProblem(h: ElfHeader, arch: string, emulated: boolean): string | undefined {
  if (h.type !== 2 && h.type !== 3) return TYPES[h.type] ?? `an ELF file of type ${h.type}, not a program`;
  const own = MACHINES[arch];
  if (own && !own.runs.includes(h.machine) && !emulated) return `built for ${MACHINE_NAMES[h.machine] ?? `ELF machine ${h.machine}`}, but this machine is ${own.name}`;
  return undefined;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  return buf.subarray(0, readSync(fd, buf, 0, length, offset));
}

// binfmt_misc handlers (qemu-user) can run other CPUs' binaries: then the kernel, not this check, decides.
const emulated = () => {
  try {
    return readdirSync("/proc/sys/fs/binfmt_misc").some((name) => name !== "register" && name !== "status");
  } catch {
    return false;
  }
};

/** The loader named by PT_INTERP, if any. */
function loaderOf(fd: number, h: ElfHeader): string | undefined {
  if (h.phentsize < (h.is64 ? 56 : 32)) return undefined;
  const table = readAt(fd, h.phoff, Math.min(h.phentsize * h.phnum, 64 * 1024));
  for (let at = 0; at + h.phentsize <= table.length; at += h.phentsize) {
    if ((h.le ? table.readUInt32LE(at) : table.readUInt32BE(at)) !== PT_INTERP) continue;
    const word = (o: number) => (h.is64 ? Number(h.le ? table.readBigUInt64LE(at + o) : table.readBigUInt64BE(at + o)) : h.le ? table.readUInt32LE(at + o) : table.readUInt32BE(at + o));
    const [offset, size] = h.is64 ? [word(8), word(32)] : [word(4), word(16)];
    return readAt(fd, offset, Math.min(size, 4096)).toString("latin1").replace(/\0.*$/s, "");
  }
  return undefined;
}

const fail = (code: number, message: string) => new EntrypointError(code, message);

/** Checks an ELF program and its loader; returns the loader's path (the kernel opens it too). */
export function checkElf(path: string): string | undefined {
  const fd = openSync(path, "r");
  let loader: string | undefined;
  try {
    const h = parseElfHeader(readAt(fd, 0, 64));
    if (typeof h === "string") throw fail(EXIT.notExecutable, `${path}: ${h}`);
    const problem = elfProblem(h, process.arch, emulated());
    if (problem) throw fail(EXIT.notExecutable, `${path}: ${problem}; ${h.type === 2 || h.type === 3 ? "build the image for this platform" : "name the program to run"}`);
    loader = loaderOf(fd, h);
  } finally {
    closeSync(fd);
  }
  if (loader !== undefined) checkLoader(path, loader);
  return loader;
}

function checkLoader(path: string, loader: string): void {
  const problem = fileProblem(loader);
  if (problem === "missing") {
    throw fail(EXIT.notFound, `${path}: its loader ${loader} does not exist in this image (a binary linked against another C library, e.g. glibc on Alpine?); use a binary built for this image`);
  }
  if (problem) throw fail(EXIT.notExecutable, `${path}: its loader ${loader} ${problem}; use a binary built for this image`);
  let fd: number;
  try {
    fd = openSync(loader, "r");
  } catch {
    return; // unreadable but executable: the kernel can still load it
  }
  try {
    const h = parseElfHeader(readAt(fd, 0, 64));
    const why = typeof h === "string" ? h : elfProblem(h, process.arch, emulated());
    if (why) throw fail(EXIT.notExecutable, `${path}: its loader ${loader} cannot be run: ${why}; use a binary built for this image`);
  } finally {
    closeSync(fd);
  }
}

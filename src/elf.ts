// An ELF binary that the kernel would refuse: built for another CPU (ENOEXEC), or linked against a
// loader the image does not have (ENOENT: a glibc binary on a musl image). Both abort a failed execve.
import { closeSync, existsSync, openSync, readdirSync, readSync } from "node:fs";
import { EntrypointError, EXIT } from "./errors.ts";

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
const PT_INTERP = 3;

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

export function checkElf(path: string): void {
  const fd = openSync(path, "r");
  try {
    const header = readAt(fd, 0, 64);
    const is64 = header[4] === 2;
    const le = header[5] !== 2;
    const u16 = (b: Buffer, at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const word = (b: Buffer, at: number) => (is64 ? Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : le ? b.readUInt32LE(at) : b.readUInt32BE(at));
    if (header.length < (is64 ? 64 : 52)) throw new EntrypointError(EXIT.notExecutable, `${path}: a truncated ELF file`);
    const machine = u16(header, 18);
    const own = MACHINES[process.arch];
    if (own && !own.runs.includes(machine) && !emulated()) {
      throw new EntrypointError(EXIT.notExecutable, `${path}: built for ${MACHINE_NAMES[machine] ?? `ELF machine ${machine}`}, but this machine is ${own.name}; build the image for this platform`);
    }
    const [phoff, phentsize, phnum] = [word(header, is64 ? 32 : 28), u16(header, is64 ? 54 : 42), u16(header, is64 ? 56 : 44)];
    const table = readAt(fd, phoff, Math.min(phentsize * phnum, 64 * 1024));
    for (let at = 0; at + phentsize <= table.length; at += phentsize) {
      if ((le ? table.readUInt32LE(at) : table.readUInt32BE(at)) !== PT_INTERP) continue;
      const [offset, size] = is64 ? [word(table, at + 8), word(table, at + 32)] : [word(table, at + 4), word(table, at + 16)];
      const loader = readAt(fd, offset, Math.min(size, 4096)).toString("latin1").replace(/\0.*$/s, "");
      if (!existsSync(loader)) {
        throw new EntrypointError(EXIT.notFound, `${path}: its loader ${loader} does not exist in this image (a binary linked against another C library, e.g. glibc on Alpine?); use a binary built for this image`);
      }
    }
  } finally {
    closeSync(fd);
  }
}

// The container metadata file (ECS_CONTAINER_METADATA_FILE): the instance's private IP once the
// agent marks it READY. Present only when the instance sets ECS_ENABLE_CONTAINER_METADATA=true.
import { parseIp, unusableReason, type Address } from "../boot/address.ts";
import { now } from "../log.ts";
import { quoted } from "../safe-text.ts";

export const METADATA_FILE_ENV = "ECS_CONTAINER_METADATA_FILE";
// The agent's file is a few KiB; anything larger is not it.
const MAX_FILE_BYTES = 256 * 1024;
const POLL_MS = 100;

/** Outcome of one read: the address, a reason to read again later, or a reason to give up now. */
export type FileRead = { address: Address } | { wait: string } | { fatal: string };

/** One read of the file's text (pure): READY with a usable IPv4 `HostPrivateIPv4Address`, or why not. */
export function readMetadataFile(text: string): FileRead {
  let doc: { MetadataFileStatus?: unknown; HostPrivateIPv4Address?: unknown };
  try {
    doc = JSON.parse(text) ?? {};
  } catch {
    // The agent may be rewriting it: read again.
    return { wait: `not JSON: ${quoted(text, 60)}` };
  }
  if (doc.MetadataFileStatus !== "READY") return { wait: `MetadataFileStatus is ${typeof doc.MetadataFileStatus === "string" ? quoted(doc.MetadataFileStatus, 30) : "missing"}, not READY` };
  const value = doc.HostPrivateIPv4Address;
  if (typeof value !== "string") return { fatal: "READY, but without HostPrivateIPv4Address" };
  const address = parseIp(value);
  if (address?.family !== 4) return { fatal: `HostPrivateIPv4Address ${quoted(value, 60)} is not an IPv4 address` };
  const unusable = unusableReason(address);
  return unusable ? { fatal: `HostPrivateIPv4Address ${address.ip} is ${unusable}` } : { address };
}

function readOnce(path: string): FileRead {
  const fs = process.getBuiltinModule("node:fs");
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, "r");
    if (!fs.fstatSync(fd).isFile()) return { fatal: "not a regular file" };
    // At most one byte past the limit: a device or a growing file cannot make the boot read forever.
    const buf = Buffer.alloc(MAX_FILE_BYTES + 1);
    const size = fs.readSync(fd, buf, 0, buf.length, 0);
    if (size > MAX_FILE_BYTES) return { fatal: `larger than ${MAX_FILE_BYTES / 1024} KiB` };
    return readMetadataFile(buf.subarray(0, size).toString("utf8"));
  } catch (err) {
    return { wait: (err as NodeJS.ErrnoException).code ?? String(err) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Polls the file until it is READY or the deadline (a monotonic `now()` value) passes. */
export async function metadataFileAddress(path: string, deadline: number): Promise<{ address: Address } | { reason: string }> {
  const started = now();
  for (;;) {
    const read = readOnce(path);
    if ("address" in read) return read;
    if ("fatal" in read) return { reason: `${path}: ${read.fatal}` };
    const left = deadline - now();
    if (left <= 0) return { reason: `${path}: ${read.wait} after ${Math.round(now() - started)} ms (--metadata-timeout)` };
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
  }
}

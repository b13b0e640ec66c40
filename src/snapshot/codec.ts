// Compressed snapshots: the whole snapshot deflated (raw DEFLATE, RFC 1951) inside an envelope:
//   "WVSNAPZ\n"  magic (8 bytes), u32 envelope version (1), u32 length of the snapshot inside,
//   the deflated bytes
// A Linux VM's sparse RAM deflates about 3x (13.6 to 4.1 MiB for a booted 256 MiB VM) at the
// cost of the time to inflate it on restore, so compression is asked for, not the default.
// Browser-safe: the codec is plugged in by the host (Node's zlib, src/node/core-module.ts);
// without one, compressed snapshots are refused with a clear error. Inflating is bounded by
// the length the envelope declares (itself bounded by the largest snapshot): a compressed
// snapshot is untrusted input like any other.

import { SnapshotError } from "./error.js";

export interface Deflate {
  deflate(bytes: Uint8Array): Uint8Array;
  /** Inflates, giving up beyond `maxLength` output bytes (it throws then). */
  inflate(bytes: Uint8Array, maxLength: number): Uint8Array;
}

const MAGIC_Z = new TextEncoder().encode("WVSNAPZ\n");
const ENVELOPE_VERSION = 1;
/** Largest snapshot accepted (format.ts MAX_SNAPSHOT: all of 2 GiB of RAM plus state). */
const MAX_INNER = 2 ** 31 + (1 << 24);

let codec: Deflate | undefined;

/** Uses `c` to compress and expand snapshots from now on. */
export function useNativeDeflate(c: Deflate): void { codec = c; }

export function isCompressed(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC_Z.length && MAGIC_Z.every((b, i) => bytes[i] === b);
}

/** The snapshot deflated in its envelope. */
export function compressSnapshot(snap: Uint8Array): Uint8Array {
  if (!codec) throw new SnapshotError("compression needs a host with a DEFLATE codec (Node)");
  if (isCompressed(snap)) return snap;
  const z = codec.deflate(snap);
  const out = new Uint8Array(16 + z.length);
  out.set(MAGIC_Z, 0);
  const v = new DataView(out.buffer);
  v.setUint32(8, ENVELOPE_VERSION, true);
  v.setUint32(12, snap.length, true);
  out.set(z, 16);
  return out;
}

/** The snapshot inside a compressed envelope; any other bytes as they are (checked later). */
export function expandSnapshot(bytes: Uint8Array): Uint8Array {
  if (!isCompressed(bytes)) return bytes;
  if (bytes.length < 16) throw new SnapshotError("compressed snapshot truncated in its envelope");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = v.getUint32(8, true), length = v.getUint32(12, true);
  if (version !== ENVELOPE_VERSION) throw new SnapshotError(`compressed envelope version ${version}, this wasmvisor reads ${ENVELOPE_VERSION}`);
  if (length < 24 || length > MAX_INNER) throw new SnapshotError("compressed snapshot declares a length out of range");
  if (!codec) throw new SnapshotError("the snapshot is compressed, and this host has no DEFLATE codec to expand it");
  let out: Uint8Array;
  try { out = codec.inflate(bytes.subarray(16), length); } catch (e) {
    throw new SnapshotError(`compressed data is damaged (${(e as Error).message})`);
  }
  if (out.length !== length) throw new SnapshotError(`compressed data expands to ${out.length} bytes, its envelope says ${length}`);
  return out;
}

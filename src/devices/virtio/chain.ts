// Descriptor chains of a split virtqueue (virtio 1.2 section 2.7.5), walked with every field
// distrusted: the guest writes them. A chain ends after at most queue-size descriptors (a TTL,
// so loops end); a `next` outside the table, an address range outside RAM, a total length past
// 2^32, an indirect table that is nested, empty, not a multiple of 16 bytes, longer than
// MAX_INDIRECT or combined with NEXT, and a device-readable descriptor after a writable one are
// each named errors. The walk fills a reused segment list: no allocation per request.
// Browser-safe.
import { type GuestRam, inRam } from "./memory.js";

export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
/** Longest indirect table accepted (descriptors). */
export const MAX_INDIRECT = 1024;
const MAX_TOTAL = 2 ** 32;

export enum ChainError {
  None = 0,
  HeadOutOfRange,
  NextOutOfRange,
  TooLong,
  AddressOutOfRam,
  LengthOverflow,
  NestedIndirect,
  IndirectSize,
  IndirectWithNext,
  ReadableAfterWritable,
  TableOutOfRam,
}

export const CHAIN_ERROR_TEXT: Record<ChainError, string> = {
  [ChainError.None]: "no error",
  [ChainError.HeadOutOfRange]: "head index outside the descriptor table",
  [ChainError.NextOutOfRange]: "next index outside the descriptor table",
  [ChainError.TooLong]: "chain longer than the queue (a loop?)",
  [ChainError.AddressOutOfRam]: "buffer outside guest RAM",
  [ChainError.LengthOverflow]: "total length past 4 GiB",
  [ChainError.NestedIndirect]: "indirect descriptor inside an indirect table",
  [ChainError.IndirectSize]: "indirect table empty, too long or not a multiple of 16 bytes",
  [ChainError.IndirectWithNext]: "indirect descriptor with the NEXT flag",
  [ChainError.ReadableAfterWritable]: "device-readable buffer after a device-writable one",
  [ChainError.TableOutOfRam]: "descriptor table outside guest RAM",
};

/** The buffers of one chain: readable ones first, then writable ones. */
export class Chain {
  readonly addr: number[] = [];
  readonly len: number[] = [];
  count = 0;
  /** Index of the first device-writable segment (count if none). */
  firstWritable = 0;
  readableBytes = 0;
  writableBytes = 0;

  private clear(): void { this.count = 0; this.firstWritable = 0; this.readableBytes = 0; this.writableBytes = 0; }

  /**
   * Walks the chain starting at descriptor `head` of the table at `table` (queue size `size`).
   * Returns ChainError.None and fills the segments, or the first error found.
   */
  walk(ram: GuestRam, table: number, size: number, head: number): ChainError {
    this.clear();
    if (head >= size) return ChainError.HeadOutOfRange;
    let tab = table, n = size, i = head, ttl = size, indirect = false, writable = false;
    for (;;) {
      if (ttl-- <= 0) return ChainError.TooLong;
      const d = tab + i * 16 - ram.base;
      const v = ram.view;
      const addr = v.getUint32(d, true) + v.getUint32(d + 4, true) * 4294967296;
      const len = v.getUint32(d + 8, true);
      const flags = v.getUint16(d + 12, true);
      const next = v.getUint16(d + 14, true);
      if (flags & VIRTQ_DESC_F_INDIRECT) {
        if (indirect) return ChainError.NestedIndirect;
        if (flags & VIRTQ_DESC_F_NEXT) return ChainError.IndirectWithNext;
        if (len === 0 || len % 16 !== 0 || len / 16 > MAX_INDIRECT) return ChainError.IndirectSize;
        if (!inRam(ram, addr, len)) return ChainError.TableOutOfRam;
        tab = addr; n = len / 16; i = 0; ttl = n; indirect = true;
        continue;
      }
      if (len > 0) {
        if (!inRam(ram, addr, len)) return ChainError.AddressOutOfRam;
        if (flags & VIRTQ_DESC_F_WRITE) {
          if (!writable) { writable = true; this.firstWritable = this.count; }
          this.writableBytes += len;
        } else {
          if (writable) return ChainError.ReadableAfterWritable;
          this.readableBytes += len;
        }
        if (this.readableBytes + this.writableBytes > MAX_TOTAL) return ChainError.LengthOverflow;
        this.addr[this.count] = addr;
        this.len[this.count] = len;
        this.count++;
      } else if ((flags & VIRTQ_DESC_F_WRITE) && !writable) {
        writable = true; this.firstWritable = this.count;
      }
      if (!(flags & VIRTQ_DESC_F_NEXT)) break;
      if (next >= n) return ChainError.NextOutOfRange;
      i = next;
    }
    if (!writable) this.firstWritable = this.count;
    return ChainError.None;
  }

  /** Copies up to `out.length` readable bytes starting `skip` bytes in; returns how many. */
  read(ram: GuestRam, skip: number, out: Uint8Array): number {
    let done = 0;
    for (let s = 0; s < this.firstWritable && done < out.length; s++) {
      let a = this.addr[s], l = this.len[s];
      if (skip >= l) { skip -= l; continue; }
      a += skip; l -= skip; skip = 0;
      const k = Math.min(l, out.length - done);
      out.set(ram.bytes.subarray(a - ram.base, a - ram.base + k), done);
      done += k;
    }
    return done;
  }

  /** Copies `data` into the writable buffers starting `skip` bytes in; returns bytes written. */
  write(ram: GuestRam, skip: number, data: Uint8Array): number {
    let done = 0;
    for (let s = this.firstWritable; s < this.count && done < data.length; s++) {
      let a = this.addr[s], l = this.len[s];
      if (skip >= l) { skip -= l; continue; }
      a += skip; l -= skip; skip = 0;
      const k = Math.min(l, data.length - done);
      ram.bytes.set(data.subarray(done, done + k), a - ram.base);
      ram.written(a, k);
      done += k;
    }
    return done;
  }
}

// Batches of guest RAM pages, as live migration sends them (source.ts, target.ts): a record per
// page, u32 little-endian page index (from DRAM_BASE) then its 4096 bytes, or the index with
// ZERO_PAGE set and no bytes for a page that is all zeros. A batch from the network is untrusted
// input: applyPages checks every record against the RAM it goes into before writing any.
// Browser-safe.

export const PAGE = 4096;
const ZERO_PAGE = 0x8000_0000;

/** Bytes of the record whose header word is `w`. */
const recordBytes = (w: number) => ((w & ZERO_PAGE) !== 0 ? 4 : 4 + PAGE);

export class PageBatchError extends Error {
  constructor(message: string) { super(`migration: ${message}`); this.name = "PageBatchError"; }
}

/** True if page `page` of the RAM seen as `words` is all zeros (snapshots leave such pages out too). */
export function isZeroPage(words: Uint32Array, page: number): boolean {
  const w0 = page * (PAGE / 4);
  for (let i = w0; i < w0 + PAGE / 4; i++) if (words[i] !== 0) return false;
  return true;
}

/**
 * The pages of `ram` named by `pages` as one batch. `skipZero`: leave out pages that are all
 * zeros (the first round: the target's RAM starts zeroed); else they are sent as zero records.
 */
export function encodePages(ram: Uint8Array, pages: ArrayLike<number>, skipZero: boolean): Uint8Array {
  const words = new Uint32Array(ram.buffer, ram.byteOffset, ram.byteLength >>> 2);
  const zero = new Uint8Array(pages.length);
  let size = 0;
  for (let i = 0; i < pages.length; i++) {
    zero[i] = isZeroPage(words, pages[i]) ? 1 : 0;
    if (!(zero[i] && skipZero)) size += 4 + (zero[i] ? 0 : PAGE);
  }
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  let o = 0;
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i];
    if (zero[i]) {
      if (!skipZero) { v.setUint32(o, (p | ZERO_PAGE) >>> 0, true); o += 4; }
      continue;
    }
    v.setUint32(o, p, true);
    out.set(ram.subarray(p * PAGE, (p + 1) * PAGE), o + 4);
    o += 4 + PAGE;
  }
  return out;
}

/** The pages [from, to) of `ram` (the first round), the zero ones left out. */
export function allPages(ram: Uint8Array, from = 0, to = ram.length / PAGE): Uint8Array {
  const pages = new Uint32Array(to - from);
  for (let i = 0; i < pages.length; i++) pages[i] = from + i;
  return encodePages(ram, pages, true);
}

/** Pages a batch holds (records, zero ones included). Throws PageBatchError for a malformed batch. */
export function checkPages(batch: Uint8Array, ramBytes: number): number {
  const v = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  const max = ramBytes / PAGE;
  let o = 0, n = 0;
  while (o < batch.length) {
    if (o + 4 > batch.length) throw new PageBatchError("page batch truncated in a record header");
    const w = v.getUint32(o, true), p = w & ~ZERO_PAGE;
    if (p >= max) throw new PageBatchError(`page ${p} is past the end of a ${ramBytes}-byte RAM`);
    if (o + recordBytes(w) > batch.length) throw new PageBatchError(`page ${p} truncated`);
    o += recordBytes(w);
    n++;
  }
  return n;
}

/** Writes a batch into `ram`, after checking all of it (nothing is written if it is malformed). */
export function applyPages(ram: Uint8Array, batch: Uint8Array): number {
  const n = checkPages(batch, ram.length);
  const v = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  for (let o = 0; o < batch.length;) {
    const w = v.getUint32(o, true), p = w & ~ZERO_PAGE;
    if (w & ZERO_PAGE) ram.fill(0, p * PAGE, (p + 1) * PAGE);
    else ram.set(batch.subarray(o + 4, o + 4 + PAGE), p * PAGE);
    o += recordBytes(w);
  }
  return n;
}

/** Splits a batch at record boundaries into parts of at most `max` bytes (a page and its record fit). */
export function splitBatch(batch: Uint8Array, max: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  const v = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  let start = 0, o = 0;
  while (o < batch.length) {
    const len = recordBytes(v.getUint32(o, true));
    if (o + len - start > max && o > start) { parts.push(batch.subarray(start, o)); start = o; }
    o += len;
  }
  if (o > start) parts.push(batch.subarray(start, o));
  return parts;
}

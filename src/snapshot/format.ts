// Whole-board snapshots: one versioned, checksummed binary format (STYLE.md section 1):
//   "WVSNAP\r\n"  magic (8 bytes)
//   u32 format version (1), u32 header length, header (JSON: core source hash, RAM size,
//       mode, the board's address table, mtime, page count, section lengths)
//   the hart's state block, then each device's saved state (address-table order, then HTIF),
//   each as u32 length + bytes
//   RAM, sparse: (u32 page index, 4096 bytes) for every non-zero page (the header counts them);
//       a Diff snapshot holds only the pages written since its base, a page now all zeros as
//       its index with ZERO_RECORD set and no bytes (src/snapshot/diff.ts merges it onto its base)
//   the disks' copy-on-write overlays (in memory or in files): (u32 disk, u32 chunk index, u32 length, bytes) for every
//       written chunk (the header's overlayChunks counts them; absent: none)
//   u32 CRC-32 of everything before it: also the snapshot's identity for the Diffs built on it
// A compressed snapshot is that whole byte string deflated, after "WVSNAPZ\n", u32 version and
// u32 length (expandSnapshot; Node hosts have the codec, src/snapshot/codec.ts).
// A snapshot is untrusted input: restore checks the magic, version, checksum, every length, the
// core that made it and the machine it describes against the board it goes into, before any
// state is touched. Restore targets a fresh board (Machine.fromSnapshot builds one), so a device
// refusing its state leaves nothing half-restored that anyone will run. Browser-safe.
import { SOURCE_HASH } from "../core/abi.gen.js";
import type { Board } from "../machine/board.js";
import { CHUNK } from "../devices/virtio/blk/backend.js";
import { isZeroPage } from "../migration/pages.js";
import { crc32 } from "./crc32.js";
import { expandSnapshot } from "./codec.js";
import { SnapshotError } from "./error.js";

export { crc32 };

const MAGIC = new TextEncoder().encode("WVSNAP\r\n");
export const SNAPSHOT_VERSION = 1;
const PAGE = 4096;
/** Largest snapshot accepted: all of 2 GiB of RAM plus state. */
export const MAX_SNAPSHOT = 2 ** 31 + (1 << 24);
const MAX_HEADER = 1 << 20;
const MAX_SECTION = 1 << 22;
/** Set in a Diff snapshot's page record: the page is all zeros now (no bytes follow). */
export const ZERO_RECORD = 0x80000000;

export { SnapshotError };

interface Header {
  core: number;
  memSize: number;
  mode: string;
  table: { name: string; base: number; size: number }[];
  mtime: string;
  pages: number;
  /** The VM it was taken of, when a host took it: its id and definition (the API's body). */
  vm?: SnapshotVm;
  /** Chunk records of the disks' copy-on-write overlays after the RAM pages. */
  overlayChunks?: number;
  /** False when RAM was left out (a migration's state, its pages sent apart). */
  ram?: boolean;
  /** A Diff snapshot: the snapshot its pages go onto. */
  diff?: SnapshotBase;
}

/** The snapshot a Diff builds on: its file (as the host that wrote both knew it) and its checksum. */
export interface SnapshotBase { path: string; crc: number }

/** What a host records of the VM a snapshot is of, so it can be loaded without naming one. */
export interface SnapshotVm { id: string; body?: unknown }

function tableOf(board: Board) { return board.table.map((e) => ({ name: e.name, base: e.base, size: e.size })); }

/**
 * The board's state as a snapshot (the runner must not be inside a slice). `ram` false leaves
 * RAM out (live migration sends it separately, src/migration/): such a snapshot restores only
 * into a board whose RAM already holds the pages.
 */
export function saveBoard(board: Board, vm?: SnapshotVm, ram = true, diff?: { pages: Uint32Array; base: SnapshotBase }): Uint8Array {
  const hart = board.hart;
  board.consoleOut.flush();
  const sections: Uint8Array[] = [hart.saveState()];
  for (const e of board.table) if (e.device) sections.push(e.device.save());
  sections.push(board.htif.save());
  const mem = hart.deviceRam();
  const pages: number[] = []; // page indexes, ZERO_RECORD set on a Diff's zero pages
  const words = new Uint32Array(mem.buffer, mem.byteOffset, mem.byteLength / 4);
  if (diff) for (const p of diff.pages) pages.push(isZeroPage(words, p) ? (p | ZERO_RECORD) >>> 0 : p);
  else for (let p = 0; ram && p < mem.length / PAGE; p++) if (!isZeroPage(words, p)) pages.push(p);
  // What the guest wrote to its disks (their copy-on-write overlays; a disk written through has none).
  const chunks: ChunkRecord[] = [];
  board.blk.forEach((b, d) => { for (const [i, c] of b.disk.overlayChunks?.() ?? []) chunks.push({ disk: d, index: i, bytes: c }); });
  const header: Header = { core: SOURCE_HASH, memSize: board.memSize, mode: board.mode, table: tableOf(board), mtime: hart.mtime.toString(), pages: pages.length,
    ...(vm && { vm }), ...(chunks.length && { overlayChunks: chunks.length }), ...(!ram && { ram: false }), ...(diff && { diff: diff.base }) };
  return encode(header, sections, pages.map((p) => ({ record: p, bytes: p & ZERO_RECORD ? null : mem.subarray(p * PAGE, (p + 1) * PAGE) })), chunks);
}

interface ChunkRecord { disk: number; index: number; bytes: Uint8Array }

/** The snapshot bytes of its parts: page records ascending (bytes null: a Diff's zero record). */
function encode(header: Header, sections: Uint8Array[], pages: { record: number; bytes: Uint8Array | null }[], chunks: ChunkRecord[]): Uint8Array {
  const hbytes = new TextEncoder().encode(JSON.stringify(header));
  let size = 8 + 8 + hbytes.length + 4;
  for (const s of sections) size += 4 + s.length;
  for (const p of pages) size += 4 + (p.bytes ? PAGE : 0);
  for (const c of chunks) size += 12 + c.bytes.length;
  size += 4;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  let o = 0;
  out.set(MAGIC, 0); o = 8;
  v.setUint32(o, SNAPSHOT_VERSION, true); v.setUint32(o + 4, hbytes.length, true); o += 8;
  out.set(hbytes, o); o += hbytes.length;
  v.setUint32(o, sections.length, true); o += 4;
  for (const s of sections) { v.setUint32(o, s.length, true); out.set(s, o + 4); o += 4 + s.length; }
  for (const p of pages) {
    v.setUint32(o, p.record, true);
    if (p.bytes) out.set(p.bytes, o + 4);
    o += 4 + (p.bytes ? PAGE : 0);
  }
  for (const c of chunks) { v.setUint32(o, c.disk, true); v.setUint32(o + 4, c.index, true); v.setUint32(o + 8, c.bytes.length, true); out.set(c.bytes, o + 12); o += 12 + c.bytes.length; }
  v.setUint32(o, crc32(out.subarray(0, o)), true);
  return out;
}

/**
 * The VM a snapshot says it is of (checked: magic, version, checksum, header), or undefined
 * when it names none. Throws SnapshotError for a damaged snapshot.
 */
export function snapshotVm(snap: Uint8Array): SnapshotVm | undefined {
  const h = readHeader(expandSnapshot(snap));
  const vm = h.vm;
  if (vm === undefined) return undefined;
  if (typeof vm !== "object" || vm === null || typeof vm.id !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(vm.id)) {
    throw new SnapshotError("header names its VM badly");
  }
  return vm;
}

/** The base a Diff snapshot builds on, or undefined for a Full one (checked as snapshotVm is). */
export function snapshotBase(snap: Uint8Array): SnapshotBase | undefined {
  return checkedBase(readHeader(expandSnapshot(snap)));
}

function checkedBase(h: Header): SnapshotBase | undefined {
  const d = h.diff;
  if (d === undefined) return undefined;
  if (typeof d !== "object" || d === null || typeof d.path !== "string" || !Number.isInteger(d.crc) || d.crc < 0 || d.crc > 0xffffffff) {
    throw new SnapshotError("header names its base snapshot badly");
  }
  return d;
}

/** A snapshot's identity: the checksum at its end (what a Diff built on it records). */
export function snapshotId(snap: Uint8Array): number {
  const s = expandSnapshot(snap);
  return new DataView(s.buffer, s.byteOffset, s.byteLength).getUint32(s.length - 4, true);
}

/** Checks the frame of a snapshot (magic, checksum, version, header length) and parses its header. */
function readHeader(snap: Uint8Array): Header {
  if (!(snap instanceof Uint8Array)) throw new SnapshotError("not bytes");
  if (snap.length > MAX_SNAPSHOT) throw new SnapshotError(`${snap.length} bytes is larger than any snapshot`);
  if (snap.length < 24 || !MAGIC.every((b, i) => snap[i] === b)) throw new SnapshotError("not a wasmvisor snapshot (bad magic)");
  const v = new DataView(snap.buffer, snap.byteOffset, snap.byteLength);
  const crc = v.getUint32(snap.length - 4, true);
  if (crc32(snap.subarray(0, snap.length - 4)) !== crc) throw new SnapshotError("checksum mismatch: the file is damaged");
  const version = v.getUint32(8, true);
  if (version !== SNAPSHOT_VERSION) throw new SnapshotError(`format version ${version}, this wasmvisor reads ${SNAPSHOT_VERSION}`);
  const hlen = v.getUint32(12, true);
  if (hlen > MAX_HEADER || 16 + hlen + 4 > snap.length - 4) throw new SnapshotError("header length out of range");
  let h: Header;
  try { h = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(snap.subarray(16, 16 + hlen))) as Header; } catch { throw new SnapshotError("header is not valid JSON"); }
  if (typeof h !== "object" || h === null) throw new SnapshotError("header is not an object");
  return h;
}

/** A snapshot taken apart and checked in itself (not yet against a board). */
export interface ParsedSnapshot {
  bytes: Uint8Array;
  header: Header;
  sections: Uint8Array[];
  /** RAM page records in ascending order: the page and where its bytes are (-1: all zeros, a Diff's). */
  pages: { index: number; at: number }[];
  chunks: { disk: number; index: number; at: number; len: number }[];
}

/**
 * Takes a snapshot apart, checking its frame, header fields, every length and the order of its
 * records; a compressed one is expanded first. Throws SnapshotError.
 */
export function parseSnapshot(input: Uint8Array): ParsedSnapshot {
  const snap = expandSnapshot(input);
  const h = readHeader(snap);
  const v = new DataView(snap.buffer, snap.byteOffset, snap.byteLength);
  const hlen = v.getUint32(12, true);
  const end = snap.length - 4;
  if (h.core !== SOURCE_HASH) throw new SnapshotError(`made by another core build (0x${(Number(h.core) >>> 0).toString(16)}, this one is 0x${SOURCE_HASH.toString(16)})`);
  if (!Number.isInteger(h.memSize) || h.memSize <= 0 || h.memSize % PAGE !== 0 || h.memSize > 2 ** 31) throw new SnapshotError("header memSize out of range");
  if (typeof h.mtime !== "string" || !/^\d{1,20}$/.test(h.mtime) || BigInt(h.mtime) >= 2n ** 64n) throw new SnapshotError("header mtime is not a 64-bit count");
  const diff = h.diff !== undefined;
  checkedBase(h);
  const maxPages = h.memSize / PAGE;
  if (!Number.isInteger(h.pages) || h.pages < 0 || h.pages > maxPages) throw new SnapshotError("page count out of range");
  // Sections: lengths first, all inside the file.
  let o = 16 + hlen;
  const count = v.getUint32(o, true); o += 4;
  if (count > 64) throw new SnapshotError(`${count} state sections is more than any board has`);
  const sections: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (o + 4 > end) throw new SnapshotError("truncated in the state sections");
    const n = v.getUint32(o, true);
    if (n > MAX_SECTION || o + 4 + n > end) throw new SnapshotError(`state section ${i} length out of range`);
    sections.push(snap.subarray(o + 4, o + 4 + n));
    o += 4 + n;
  }
  const pages: ParsedSnapshot["pages"] = [];
  let last = -1;
  for (let i = 0; i < h.pages; i++) {
    if (o + 4 > end) throw new SnapshotError("RAM pages run past the end of the file");
    const raw = v.getUint32(o, true);
    const zero = (raw & ZERO_RECORD) !== 0, index = raw & ~ZERO_RECORD;
    if (zero && !diff) throw new SnapshotError(`RAM page ${index}: a zero-page record in a Full snapshot`);
    if (index >= maxPages || index <= last) throw new SnapshotError(`RAM page ${index} out of range or out of order`);
    if (!zero && o + 4 + PAGE > end) throw new SnapshotError("RAM pages run past the end of the file");
    pages.push({ index, at: zero ? -1 : o + 4 });
    last = index;
    o += zero ? 4 : 4 + PAGE;
  }
  // The overlays' chunks, after the pages; together they fill the file to its checksum.
  const nChunks = h.overlayChunks ?? 0;
  if (!Number.isInteger(nChunks) || nChunks < 0) throw new SnapshotError("overlay chunk count out of range");
  const chunks: ParsedSnapshot["chunks"] = [];
  for (let i = 0; i < nChunks; i++) {
    if (o + 12 > end) throw new SnapshotError("truncated in the disk overlays");
    const disk = v.getUint32(o, true), index = v.getUint32(o + 4, true), len = v.getUint32(o + 8, true);
    if (len > CHUNK || o + 12 + len > end) throw new SnapshotError(`overlay chunk ${index} of disk ${disk} runs past the end of the file`);
    chunks.push({ disk, index, at: o + 12, len });
    o += 12 + len;
  }
  if (o !== end) throw new SnapshotError("RAM pages and disk overlays do not fill the rest of the file");
  return { bytes: snap, header: h, sections, pages, chunks };
}

/**
 * Restores a snapshot into `board`, which must be fresh (never run) and built with the same
 * configuration: Machine.fromSnapshot makes one. Its RAM is all zeros, or holds the pages a
 * migration brought in for a snapshot saved without RAM; the snapshot's pages are written over it.
 */
export function restoreBoard(board: Board, input: Uint8Array, ramStaged = false): void {
  const { bytes: snap, header: h, sections, pages, chunks } = parseSnapshot(input);
  if (h.ram === false && !ramStaged) throw new SnapshotError("it holds no RAM (a migration's state), so it cannot be loaded by itself");
  if (h.diff) throw new SnapshotError(`a Diff snapshot holds only what changed since ${h.diff.path}: merge it onto its base first (mergeDiff)`);
  if (h.memSize !== board.memSize) throw new SnapshotError(`the snapshot's VM has ${h.memSize} bytes of RAM, this one ${board.memSize}`);
  if (h.mode !== board.mode) throw new SnapshotError(`the snapshot is of a ${String(h.mode)}-mode VM, this board is ${board.mode}`);
  if (JSON.stringify(h.table) !== JSON.stringify(tableOf(board))) throw new SnapshotError("the snapshot's devices differ from this board's (disks, consoles, slots)");
  const devices = board.table.filter((e) => e.device).length;
  if (sections.length !== devices + 2) throw new SnapshotError(`${sections.length} state sections, this board has ${devices + 2}`);
  // Each overlay chunk must fit a disk of this board that keeps its copy-on-write overlay.
  for (const { disk, index, len } of chunks) {
    const blk = board.blk[disk];
    if (!blk || !blk.disk.restoreChunk) throw new SnapshotError(`overlay chunk for disk ${disk}, which this board has not got (or which has no copy-on-write overlay)`);
    if (index * CHUNK >= blk.disk.size || len !== Math.min(CHUNK, blk.disk.size - index * CHUNK)) throw new SnapshotError(`overlay chunk ${index} of disk ${disk} does not fit it`);
  }
  const hart = board.hart;
  if (sections[0].length !== hart.saveState().length) throw new SnapshotError("hart state has the wrong size");
  try { hart.checkState(sections[0]); } catch (e) { throw new SnapshotError((e as Error).message); }
  // Everything checked: restore. The devices check their own state once more as they take it.
  try {
    let s = 1;
    for (const e of board.table) if (e.device) e.device.restore(sections[s++]);
    board.htif.restore(sections[s]);
  } catch (e) {
    throw new SnapshotError(`device state refused: ${(e as Error).message}`);
  }
  // A fresh board's RAM is all zeros (pages the OS has not handed out yet): only the saved
  // pages are written, so a restore touches no more memory than the VM had in use.
  const ram = hart.ram;
  for (const p of pages) ram.set(snap.subarray(p.at, p.at + PAGE), p.index * PAGE);
  for (const r of chunks) board.blk[r.disk].disk.restoreChunk!(r.index, snap.subarray(r.at, r.at + r.len));
  hart.restoreState(sections[0]); // also drops decoded code and cached translations
  hart.mtime = BigInt(h.mtime); // time continues from the snapshot, whatever this host's clock says
}

/**
 * A Full snapshot from `base` (Full) and `diff` (a Diff built on it: its pages replace or zero
 * the base's, its state and disk overlays are the ones kept). Checks both, and that the diff
 * names this base (`baseId`: the identity of the snapshot the diff was made on, when `base` is
 * the merge of a chain that ends in it) and the same machine. The inputs may be compressed;
 * the result is not.
 */
export function mergeDiff(base: Uint8Array, diff: Uint8Array, id?: number): Uint8Array {
  const b = parseSnapshot(base), d = parseSnapshot(diff);
  const baseId = id ?? snapshotId(b.bytes);
  if (!d.header.diff) throw new SnapshotError("the second snapshot is not a Diff");
  if (b.header.diff) throw new SnapshotError("the base is itself a Diff: merge it onto its own base first");
  if (b.header.ram === false) throw new SnapshotError("the base holds no RAM");
  if (d.header.diff.crc !== baseId) throw new SnapshotError(`the Diff was made on another base than this one (checksum 0x${baseId.toString(16)}, the Diff's base 0x${d.header.diff.crc.toString(16)})`);
  if (b.header.memSize !== d.header.memSize || b.header.mode !== d.header.mode || JSON.stringify(b.header.table) !== JSON.stringify(d.header.table)) {
    throw new SnapshotError("the Diff is of another machine than its base (memory, mode or devices)");
  }
  // Pages: the base's, then the diff's over them (a zero record drops the page).
  const at = new Map<number, [Uint8Array, number]>();
  for (const p of b.pages) at.set(p.index, [b.bytes, p.at]);
  for (const p of d.pages) { if (p.at < 0) at.delete(p.index); else at.set(p.index, [d.bytes, p.at]); }
  const order = [...at.keys()].sort((x, y) => x - y);
  const { diff: _, ...rest } = d.header;
  return encode({ ...rest, pages: order.length }, d.sections,
    order.map((i) => { const [src, a] = at.get(i)!; return { record: i, bytes: src.subarray(a, a + PAGE) }; }),
    d.chunks.map((c) => ({ disk: c.disk, index: c.index, bytes: d.bytes.subarray(c.at, c.at + c.len) })));
}

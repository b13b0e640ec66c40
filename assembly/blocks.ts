// The block cache: a guest instruction stream decoded into straight-line blocks.
//
// A block is the run of instructions from one start address up to and including the first that
// always leaves the straight line or may change what the hart is (a jump, a SYSTEM instruction),
// the end of its 4 KiB page, or BLOCK_MAX instructions. Conditional branches do not end it: a
// taken one leaves it there (a side exit), a branch not taken goes on in it. Its decoded entries
// sit one after the other, so the interpreter steps to the next with a constant add and checks
// budget, fetch page and decode tag once per block instead of once per instruction.
//
// Header (32 bytes):  +0 u32 tag: host address of the first instruction
//                     +4 u16 instruction count, +6 u16 bytes covered
//                     +8 u32 times entered (the JIT's hotness count; QUEUED once queued to be
//                        compiled; at JIT_PROBE it is queued too, to look for shared code);
//                        once compiled, the block's ordinal in its function
//                     +12 u32 table index of the compiled function that holds it (0: none)
//                     +16 u32, +20 u32 successor hints: blocks the interpreter went on to
//                        after this one (nextBlock), +24 8 bytes zero
// Entry (16 bytes):   +0 u16 offset of the next instruction from the block start (fall-through)
//                     +2 u16 offset of this instruction, +4.. as decode.ts writes it (op, rd,
//                     rs1, rs2, length, immediate). For AUIPC, JAL and branches the immediate is
//                     made relative to the block start (offset + imm), so executing them needs
//                     only the block's pc.
//
// Compiled code chains between the blocks of a page without a lookup, so when a compiled block is
// dropped every block of its page forgets the function (uncompilePage); a dropped block has its
// slot cleared and its tag zeroed, and a block decoded again is a new, uncompiled one.
// Blocks are keyed by host (physical) address, so one block serves every virtual mapping of its
// page. The lookup has two levels: a u16 per RAM page names the page's slot array (a u32 block
// per halfword), handed out from a pool of SLOT_ARRAYS on the first block of the page; there is
// no aliasing between pages, and a full pool or block area drops every block.
// Coherence: a page that holds blocks is flagged PAGE_CODE (mmu.ts) and kept out of the store
// TLBs, so a store to it reaches invalidateBlocksAt(), which drops exactly the blocks that cover
// the stored bytes.
import {
  BLOCK_AREA, BLOCK_AREA_END, JIT_EPOCH, JIT_PROBE, JIT_QUEUE, JIT_QUEUED, JIT_QUEUE_MAX, PAGE_SLOTS, RAM_OFF,
  S_RAM_SIZE, SCRATCH_BLOCK, SLOT_ARRAY_BYTES, SLOT_ARRAY_SHIFT, SLOT_ARRAYS, SLOT_OWNERS, SLOT_POOL,
} from "./layout";
import { decode16, decode32 } from "./decode.gen";
import * as O from "./ops";
import * as mmu from "./mmu";

export const BLOCK_MAX: u32 = 32;
export const ENTRY: u32 = 16;
export const HEADER: u32 = 32;
// A block covers at most BLOCK_MAX * 4 bytes: a store at h can only hit blocks starting after
// h - BLOCK_SPAN.
const BLOCK_SPAN: u32 = BLOCK_MAX * 4;

let next: u32 = BLOCK_AREA;
let nextArray: u32 = 1; // slot arrays handed out (array 0 is the empty one)

// @ts-ignore: decorator
@inline function pageSlots(h: u32): u32 { return PAGE_SLOTS + (((h - RAM_OFF) >> 12) << 1); }

/** The slot of host address `h` in slot array `idx`. */
// @ts-ignore: decorator
@inline function slotIn(idx: u32, h: u32): u32 {
  return SLOT_POOL + (idx << SLOT_ARRAY_SHIFT) + (((h & 0xfff) >> 1) << 2);
}

/** The lookup slot of host address `h` (in the empty array 0 if its page has none). */
// @ts-ignore: decorator
@inline export function lookupSlot(h: u32): u32 { return slotIn(<u32>load<u16>(pageSlots(h)), h); }

/** The cached block starting at host address `h`, or 0. */
// @ts-ignore: decorator
@inline export function cachedBlock(h: u32): u32 {
  const b = load<u32>(lookupSlot(h));
  return b != 0 && load<u32>(b) == h ? b : 0;
}

/**
 * The cached block starting at host address `h`, or 0, looked up after block `prev` ran: first
 * among the two blocks `prev` went on to last (its header's successor hints, in the cache line
 * just read, where the lookup's sparse tables miss the host's caches on kernel code), then by
 * the lookup, whose find becomes `prev`'s first hint. A hint is only trusted with the tag `h`:
 * a dropped block has its tag zeroed. Hints may name blocks from before a flush, whose memory
 * was handed out again; no hint survives a flush in a live block, since every block header is
 * written anew (and the scratch block's hints are cleared by flushBlocks).
 */
// @ts-ignore: decorator
@inline export function nextBlock(prev: u32, h: u32): u32 {
  const c0 = load<u32>(prev, 16);
  if (load<u32>(c0) == h) return c0; // 0 when there is no hint: memory at 0 holds x0, never a tag
  const c1 = load<u32>(prev, 20);
  if (load<u32>(c1) == h) return c1;
  const b = cachedBlock(h);
  if (b != 0) { store<u32>(prev, b, 16); store<u32>(prev, c0, 20); }
  return b;
}

/** Drops every block (a restore, a reset, or a full area or pool). */
export function flushBlocks(): void {
  for (let i: u32 = 1; i < nextArray; i++) store<u16>(PAGE_SLOTS + (load<u32>(SLOT_OWNERS + (i << 2)) << 1), 0);
  nextArray = 1;
  next = BLOCK_AREA;
  store<u64>(SCRATCH_BLOCK, 0, 16); // the one header that outlives a flush: its hints go
  store<u32>(JIT_EPOCH, load<u32>(JIT_EPOCH) + 1); // the host's compiled functions are all unreachable
  store<u32>(JIT_QUEUED, 0);
}

/** The lookup slot of `h`, giving its page a slot array if it has none (room was made for it). */
function slotFor(h: u32): u32 {
  const ps = pageSlots(h);
  let idx = <u32>load<u16>(ps);
  if (idx == 0) {
    idx = nextArray++;
    memory.fill(slotIn(idx, 0), 0, SLOT_ARRAY_BYTES);
    store<u32>(SLOT_OWNERS + (idx << 2), (h - RAM_OFF) >> 12);
    store<u16>(ps, <u16>idx);
  }
  return slotIn(idx, h);
}

export const QUEUED: u32 = 0x80000000;

/**
 * Counts an entry into uncompiled block `b`; at `threshold` entries it is queued for the host's
 * JIT (which compiles the queue after run() returns). A full queue retries at the next entry.
 */
// @ts-ignore: decorator
@inline export function noteHot(b: u32, threshold: u32): void {
  const hits = load<u32>(b, 8) + 1;
  if (hits < threshold) {
    store<u32>(b, hits, 8);
    // At JIT_PROBE entries the host looks for the block's code among what other harts compiled
    // (the block stays uncompiled and counting if it is not there).
    if (hits == load<u32>(JIT_PROBE)) enqueue(b);
    return;
  }
  if (hits < QUEUED && enqueue(b)) store<u32>(b, QUEUED, 8);
}

/** Puts block `b` in the JIT's queue; false if the queue is full. */
// @ts-ignore: decorator
@inline function enqueue(b: u32): bool {
  const q = load<u32>(JIT_QUEUED);
  if (q >= JIT_QUEUE_MAX) return false;
  store<u32>(JIT_QUEUE + (q << 2), b);
  store<u32>(JIT_QUEUED, q + 1);
  return true;
}

/** Drops the blocks that start in the RAM page at host address `page` (page aligned). */
export function invalidateBlockPage(page: u32): void {
  const idx = <u32>load<u16>(pageSlots(page));
  if (idx == 0) return;
  // Their tags are zeroed too, so no successor hint (nextBlock) finds them either.
  for (let i: u32 = 0; i < 2048; i++) {
    const b = load<u32>(slotIn(idx, 0) + (i << 2));
    if (b != 0 && load<u32>(b) == page + (i << 1)) store<u32>(b, 0);
  }
  memory.fill(slotIn(idx, 0), 0, SLOT_ARRAY_BYTES);
}

/** Drops the blocks that cover any byte of [h, h + size), all within one page. */
export function invalidateBlocksAt(h: u32, size: u32): void {
  if (load<u16>(pageSlots(h)) == 0) return;
  const page = h & ~0xfff;
  const from = h - page > BLOCK_SPAN ? (h - BLOCK_SPAN) & ~1 : page;
  let compiled = false;
  for (let a = from; a < h + size; a += 2) {
    const slot = lookupSlot(a);
    const b = load<u32>(slot);
    if (b != 0 && load<u32>(b) == a && a + <u32>load<u16>(b, 6) > h) {
      if (load<u32>(b, 12) != 0) compiled = true;
      store<u32>(slot, 0);
      store<u32>(b, 0);
    }
  }
  if (compiled) uncompilePage(page);
}

/**
 * A compiled block of the page at host address `page` was dropped: the page's function chains
 * to its blocks without looking them up, so none of them may enter it any more (src/jit/
 * codegen.ts). They count entries again from 0, to be compiled anew when hot.
 */
function uncompilePage(page: u32): void {
  const idx = <u32>load<u16>(pageSlots(page));
  for (let i: u32 = 0; i < 2048; i++) {
    const b = load<u32>(slotIn(idx, 0) + (i << 2));
    if (b != 0 && load<u32>(b) == page + (i << 1)) { store<u32>(b, 0, 8); store<u32>(b, 0, 12); }
  }
}

/** Whether `op` ends a block: it always sets pc, traps by design, or may change what the hart is. */
// @ts-ignore: decorator
@inline function endsBlock(op: u32): bool {
  return op == O.OP_JAL || op == O.OP_JALR || (op >= O.OP_ECALL && op <= O.OP_CSRRCI) || op == O.OP_ILLEGAL ||
    op == O.OP_CBO || op == O.OP_SFENCE_INVAL;
}

/** Makes a pc-relative immediate relative to the block start. */
// @ts-ignore: decorator
@inline function rebase(e: u32, off: u32): void {
  const op = <u32>load<u16>(e, 4);
  if (op == O.OP_AUIPC || op == O.OP_JAL || (op >= O.OP_BEQ && op <= O.OP_BGEU)) {
    store<i32>(e, load<i32>(e, 12) + <i32>off, 12);
  }
}

/**
 * Decodes the block starting at host address `h` (virtual `pc`) and enters it in the lookup
 * table. An instruction that crosses into the next page gets an uncached one-instruction block
 * of its own. Returns the block, or 0 with mmu.excCause set if the second half of such an
 * instruction cannot be fetched.
 */
export function buildBlock(h: u32, pc: u64): u32 {
  const lo0 = <u32>load<u16>(h);
  if ((lo0 & 3) == 3 && (h & 0xfff) == 0xffe) return crossingBlock(h, lo0, pc);
  if (next + HEADER + BLOCK_MAX * ENTRY > BLOCK_AREA_END || nextArray == SLOT_ARRAYS) flushBlocks();
  const b = next;
  const pageEnd = (h & ~0xfff) + 4096;
  const ramEnd = RAM_OFF + <u32>load<u64>(S_RAM_SIZE);
  const end = pageEnd < ramEnd ? pageEnd : ramEnd;
  let e = b + HEADER;
  let off: u32 = 0;
  let count: u32 = 0;
  while (true) {
    const a = h + off;
    const lo = <u32>load<u16>(a);
    let len: u32 = 2;
    if ((lo & 3) != 3) {
      decode16(e, lo);
    } else {
      if (a + 4 > end) break; // crosses the page (or RAM's end): it starts a block of its own
      decode32(e, load<u32>(a));
      len = 4;
    }
    store<u16>(e, <u16>(off + len));
    store<u16>(e, <u16>off, 2);
    store<u16>(e, 0, 10); // unused: zero, so equal code decodes to equal bytes (the JIT's cache key)
    rebase(e, off);
    const op = <u32>load<u16>(e, 4);
    off += len;
    e += ENTRY;
    count++;
    if (endsBlock(op) || count == BLOCK_MAX || h + off + 2 > end) break;
  }
  store<u32>(b, h);
  store<u16>(b, <u16>count, 4);
  store<u16>(b, <u16>off, 6);
  store<u32>(b, 0, 8);
  store<u32>(b, 0, 12);
  store<u64>(b, 0, 16); // no successor hints yet
  store<u64>(b, 0, 24);
  next = e;
  store<u32>(slotFor(h), b);
  mmu.markCodePage(h);
  return b;
}

/** A 32-bit instruction at page offset 0xffe: fetch its upper half from the next page. */
function crossingBlock(h: u32, lo: u32, pc: u64): u32 {
  const pc2 = pc + 2;
  const d = mmu.fetchTlb(pc2);
  let h2: u32;
  if (d == 1) {
    h2 = mmu.fetchHost(pc2);
    if (mmu.excCause >= 0) return 0;
  } else {
    h2 = <u32>(pc2 + d);
  }
  const e = SCRATCH_BLOCK + HEADER;
  decode32(e, lo | (<u32>load<u16>(h2) << 16));
  store<u16>(e, 4);
  store<u16>(e, 0, 2);
  rebase(e, 0);
  store<u32>(SCRATCH_BLOCK, 1); // a tag no host address has: never found by a lookup
  store<u16>(SCRATCH_BLOCK, 1, 4);
  store<u16>(SCRATCH_BLOCK, 4, 6);
  store<u32>(SCRATCH_BLOCK, QUEUED, 8);
  store<u32>(SCRATCH_BLOCK, 0, 12);
  store<u64>(SCRATCH_BLOCK, 0, 16);
  return SCRATCH_BLOCK;
}

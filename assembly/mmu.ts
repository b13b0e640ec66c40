// Address translation (privileged spec 4.3–4.5: Sv39 and Sv48, with Svpbmt and Svnapot), the
// TLBs, physical memory dispatch (RAM, in-core CLINT, host devices) and the slow paths of loads
// and stores.
import {
  DRAM_BASE, PAGE_CODE, PAGE_FLAGS, PAGE_STORES, PAGE_STORES_FIRST, PAGE_STORES_MAX,
  PAGE_RAN, PAGE_WATCH, RAM_OFF, S_MENVCFG, S_MSTATUS, S_PRIV,
  S_RAM_SIZE, S_SATP, S_TOHOST, TLB_BASE, TLB_ENTRIES, TLB_INVALID, TLB_KIND_BYTES, TLB_SET_BYTES,
  CLINT_BASE, CLINT_SIZE, DIRTY_LOG,
} from "./layout";
import { invalidateBlockPage, invalidateBlocksAt } from "./blocks";
import {
  EXC_FETCH_ACCESS, EXC_FETCH_PAGE, EXC_LOAD_ACCESS, EXC_LOAD_PAGE, EXC_STORE_ACCESS,
  EXC_STORE_PAGE, MS_MPP, MS_MPP_SHIFT, MS_MPRV, MS_MXR, MS_SUM, PRIV_M, PRIV_S, PRIV_U,
  ENVCFG_PBMTE, mmioRead, mmioWrite,
} from "./state";
import { clintRead, clintWrite } from "./clint";
import { pmpAllows, pmpPageAllows } from "./pmp";

export const ACC_FETCH: u32 = 0;
export const ACC_LOAD: u32 = 1;
export const ACC_STORE: u32 = 2;
// PMP permission bit each access kind needs (pmpcfg X = 4, R = 1, W = 2).
// @ts-ignore: decorator
@inline function permOf(acc: u32): u32 { return acc == ACC_FETCH ? 4 : acc == ACC_LOAD ? 1 : 2; }

/** PMP check of a physical access; false (with the access fault set) if it is denied. */
export function pmpCheck(pa: u64, size: u64, acc: u32, p: u64, va: u64): bool {
  if (pmpAllows(pa, size, permOf(acc), p)) return true;
  accessFault(va, acc);
  return false;
}

// Fault reported by the slow paths: excCause < 0 means none.
export let excCause: i64 = -1;
export let excTval: u64 = 0;
// Set when a store touched HTIF tohost with a non-zero command.
export let htifPending: bool = false;
// Set when a store reached a device: interrupt lines may have changed, so the interpreter
// ends its block and re-checks interrupts before the next instruction.
export let deviceWritten: bool = false;
// Set by the host from inside a device callback: leave run() after this instruction.
export let hostExitRequested: bool = false;
export function requestHostExit(): void { hostExitRequested = true; deviceWritten = true; }
// Set by the host (through the mmioFault export) while it serves an mmio call.
export let mmioFaulted: bool = false;
export function setMmioFaulted(): void { mmioFaulted = true; }

// Base of the current TLB tables for each access kind; they follow the effective privilege.
export let tlbFetch: u32 = TLB_BASE + 2 * TLB_SET_BYTES;
export let tlbLoad: u32 = TLB_BASE + 2 * TLB_SET_BYTES + TLB_KIND_BYTES;
export let tlbStore: u32 = TLB_BASE + 2 * TLB_SET_BYTES + 2 * TLB_KIND_BYTES;

// @ts-ignore: decorator
@inline function setIndex(p: u64): u32 { return p == PRIV_M ? 2 : <u32>p; }

/** Privilege used for loads and stores: MPRV in M-mode borrows MPP (privileged spec 3.1.6.3). */
export function dataPriv(): u64 {
  const p = load<u64>(S_PRIV);
  const ms = load<u64>(S_MSTATUS);
  if (p == PRIV_M && (ms & MS_MPRV) != 0) return (ms & MS_MPP) >> MS_MPP_SHIFT;
  return p;
}

/** Points the TLB tables at the sets of the current privilege (after priv or MPRV/MPP change). */
export function selectTlbSets(): void {
  const f = TLB_BASE + setIndex(load<u64>(S_PRIV)) * TLB_SET_BYTES;
  const d = TLB_BASE + setIndex(dataPriv()) * TLB_SET_BYTES;
  tlbFetch = f;
  tlbLoad = d + TLB_KIND_BYTES;
  tlbStore = d + 2 * TLB_KIND_BYTES;
}

function clearTable(base: u32): void {
  for (let e = base; e < base + TLB_KIND_BYTES; e += 16) store<u64>(e, TLB_INVALID);
}

// What the TLBs hold beyond single 4 KiB translations, so that an SFENCE.VMA of one address
// and a cleared SUM can drop only the entries they concern (a booting Linux fences one page
// after every page fault and toggles SUM around every user copy; flushing everything then
// costs it most of its TLB refills).
// - The superpages entries were filled from (an entry holds one 4 KiB piece of its superpage,
//   and a fence of any address in the superpage must drop every piece), as base | shift.
// - The S-set data entries that map U pages (filled under SUM = 1).
// A log that overflows stands for "anything": the broad flush is done instead.
const LOG_MAX: i32 = 32;
const superLog = new StaticArray<u64>(LOG_MAX);
let superCount: i32 = 0;
const userLog = new StaticArray<u32>(LOG_MAX);
let userCount: i32 = 0; // LOG_MAX + 1: overflowed

// The leaf translate() found last: log2 of its page size and its U bit (tlbFill reads them).
let leafShift: u64 = 12;
let leafUser = false;

/** SFENCE.VMA with rs1 = x0, satp and PMP writes: forget every translation. */
export function tlbFlushAll(): void {
  for (let s: u32 = 0; s < 3; s++) {
    for (let k: u32 = 0; k < 3; k++) clearTable(TLB_BASE + s * TLB_SET_BYTES + k * TLB_KIND_BYTES);
  }
  superCount = 0;
  userCount = 0;
}

/**
 * SFENCE.VMA with rs1 = `va` (4.2.1): drops the translations of `va`'s page, in every address
 * space, or every translation if `va` lies in a superpage the TLBs hold pieces of.
 */
export function tlbFlushPage(va: u64): void {
  if (superCount > LOG_MAX) { tlbFlushAll(); return; }
  for (let i = 0; i < superCount; i++) {
    const r = unchecked(superLog[i]);
    const shift = r & 63;
    if ((va >> shift) << shift == (r & ~(<u64>63))) { tlbFlushAll(); return; }
  }
  // The M set holds untranslated addresses only (M-mode, or MPRV borrowing S or U uses those sets).
  const idx = (<u32>(va >> 12) & (TLB_ENTRIES - 1)) << 4;
  for (let s: u32 = 0; s < 2; s++) {
    for (let k: u32 = 0; k < 3; k++) store<u64>(TLB_BASE + s * TLB_SET_BYTES + k * TLB_KIND_BYTES + idx, TLB_INVALID);
  }
}

/** MXR was cleared: loads of execute-only pages the U and S sets allowed are no longer allowed. */
export function tlbFlushData(): void {
  for (let s: u32 = 0; s < 2; s++) {
    clearTable(TLB_BASE + s * TLB_SET_BYTES + TLB_KIND_BYTES);
    clearTable(TLB_BASE + s * TLB_SET_BYTES + 2 * TLB_KIND_BYTES);
  }
  userCount = 0;
}

/**
 * SUM was cleared: S-mode loses the U pages (3.1.6.3). Only S-set data entries filled while it
 * was set can map them; a set SUM or MXR only allows more, so setting them drops nothing.
 */
export function tlbSumCleared(): void {
  if (userCount > LOG_MAX) {
    clearTable(TLB_BASE + TLB_SET_BYTES + TLB_KIND_BYTES);
    clearTable(TLB_BASE + TLB_SET_BYTES + 2 * TLB_KIND_BYTES);
  } else {
    for (let i = 0; i < userCount; i++) store<u64>(unchecked(userLog[i]), TLB_INVALID);
  }
  userCount = 0;
}

function noteSuperpage(va: u64): void {
  if (superCount > LOG_MAX) return;
  const r = ((va >> leafShift) << leafShift) | leafShift;
  for (let i = 0; i < superCount; i++) if (unchecked(superLog[i]) == r) return;
  if (superCount == LOG_MAX) { superCount = LOG_MAX + 1; return; }
  unchecked(superLog[superCount++] = r);
}

function noteUserEntry(e: u32): void {
  if (userCount >= LOG_MAX) { userCount = LOG_MAX + 1; return; }
  unchecked(userLog[userCount++] = e);
}

function tlbFlushStores(): void {
  for (let s: u32 = 0; s < 3; s++) clearTable(TLB_BASE + s * TLB_SET_BYTES + 2 * TLB_KIND_BYTES);
}

/**
 * Caches the translation of `va`'s page (RAM at host address `host`, physical `pa`) unless PMP
 * treats parts of the physical page differently for this access kind and privilege.
 */
// @ts-ignore: decorator
@inline function tlbFill(table: u32, va: u64, host: u32, pa: u64, acc: u32, p: u64): void {
  if (!pmpPageAllows(pa & ~(<u64>0xfff), permOf(acc), p)) return;
  const e = table + ((<u32>(va >> 12) & (TLB_ENTRIES - 1)) << 4);
  const page = va & ~(<u64>0xfff);
  store<u64>(e, page);
  store<u64>(e, (<u64>(host & ~0xfff)) - page, 8);
  if (leafShift != 12) noteSuperpage(va);
  if (leafUser && p == PRIV_S && acc != ACC_FETCH) noteUserEntry(e);
}

/**
 * Caches a store translation (the walk set D) of RAM at host address `h`, unless its page holds
 * code or is watched: those stores must take the slow path.
 */
export function fillStoreTlb(va: u64, h: u32, pa: u64, p: u64): void {
  if (dirtyLogOn) markDirty(h, 1);
  if (load<u8>(PAGE_FLAGS + ((h - RAM_OFF) >> 12)) == 0) tlbFill(tlbStore, va, h, pa, ACC_STORE, p);
}

/** Caches a load translation of RAM at host address `h`. */
export function fillLoadTlb(va: u64, h: u32, pa: u64, p: u64): void { tlbFill(tlbLoad, va, h, pa, ACC_LOAD, p); }

/**
 * For compiled code (src/jit/codegen.ts) that missed the load or store TLB at `va` with an
 * access of `size` bytes: caches the translation where the slow path would, but without any of
 * its effects on the guest. A walk that would have to set A or D fails, and so does a fault,
 * raising nothing. Returns whether the TLB now holds it; if not, compiled code leaves the
 * access to the interpreter, which does it in full.
 */
export function tlbRefill(va: u64, size: u32, store: bool): bool {
  if ((va & (<u64>size - 1)) != 0) return false; // misaligned: the slow path splits it
  const p = dataPriv();
  const acc = store ? ACC_STORE : ACC_LOAD;
  const pa = translate(va, acc, p, false);
  if (excCause >= 0) { excCause = -1; return false; }
  const h = ramHost(pa, size);
  if (h == 0) return false; // a device, or outside RAM
  // Neither fills where PMP treats parts of the page differently; stores not for code or watched pages.
  if (store) { fillStoreTlb(va, h, pa, p); return storeHit(va, ~(<u64>0xfff)) != 0; }
  fillLoadTlb(va, h, pa, p);
  return loadHit(va, ~(<u64>0xfff)) != 0;
}

/** Host (linear-memory) address of physical `pa` if [pa, pa+size) is RAM, else 0. */
// @ts-ignore: decorator
@inline export function ramHost(pa: u64, size: u64): u32 {
  const off = pa - DRAM_BASE;
  if (off < load<u64>(S_RAM_SIZE) && off + size <= load<u64>(S_RAM_SIZE)) return RAM_OFF + <u32>off;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Translation

/**
 * Translates `va` for an access of kind `acc` at privilege `p`. Returns the physical address,
 * or sets excCause/excTval and returns 0. `update` = false walks without setting A/D bits
 * (debugger reads); such a walk fails where an update would be needed.
 */
export function translate(va: u64, acc: u32, p: u64, update: bool): u64 {
  const satp = load<u64>(S_SATP);
  const mode = satp >> 60;
  leafShift = 12;
  leafUser = false;
  if (p == PRIV_M || mode == 0) return va;
  const levels: i32 = mode == 9 ? 4 : 3;
  // The VA must be the sign extension of its top translated bit (4.3.2, 4.4.1).
  const vaBits = 12 + 9 * levels;
  const top = (<i64>va) >> (vaBits - 1);
  if (top != 0 && top != -1) return pageFault(va, acc);
  let table = (satp & 0xfffffffffff) << 12;
  for (let level = levels - 1; level >= 0; level--) {
    const ptePa = table + (((va >> (12 + 9 * <u64>level)) & 511) << 3);
    const h = ramHost(ptePa, 8);
    // Page-table reads are S-mode loads for PMP (3.7.1).
    if (h == 0 || !pmpAllows(ptePa, 8, 1, PRIV_S)) return accessFault(va, acc);
    let pte = load<u64>(h);
    const v = pte & 1, r = (pte >> 1) & 1, w = (pte >> 2) & 1, x = (pte >> 3) & 1;
    // Bits 60:54 are reserved, W without R is a reserved encoding (4.3.1, 4.4.1).
    if (v == 0 || (r == 0 && w == 1) || ((pte >> 54) & 0x7f) != 0) return pageFault(va, acc);
    if (r == 0 && x == 0) { // pointer to the next level: N and PBMT are reserved in it
      if ((pte >> 61) != 0) return pageFault(va, acc);
      table = ((pte >> 10) & 0xfffffffffff) << 12;
      continue;
    }
    // Svpbmt: PBMT (62:61) 0 PMA, 1 NC, 2 IO (memory attributes: all RAM here is coherent, so
    // they change nothing), 3 reserved; reserved as a whole while menvcfg.PBMTE is 0.
    const pbmt = (pte >> 61) & 3;
    if (pbmt != 0 && (pbmt == 3 || (load<u64>(S_MENVCFG) & ENVCFG_PBMTE) == 0)) return pageFault(va, acc);
    // Svnapot: N (63) marks a 64 KiB NAPOT leaf, ppn[3:0] = 1000, at level 0 only; any other
    // NAPOT encoding is reserved.
    const napot = (pte >> 63) != 0;
    if (napot && (level != 0 || ((pte >> 10) & 0xf) != 8)) return pageFault(va, acc);
    // Leaf: check permissions (4.3.2 step 5).
    const u = (pte >> 4) & 1;
    const ms = load<u64>(S_MSTATUS);
    if (p == PRIV_U && u == 0) return pageFault(va, acc);
    if (p == PRIV_S && u == 1 && (acc == ACC_FETCH || (ms & MS_SUM) == 0)) return pageFault(va, acc);
    if (acc == ACC_FETCH && x == 0) return pageFault(va, acc);
    if (acc == ACC_LOAD && r == 0 && !((ms & MS_MXR) != 0 && x == 1)) return pageFault(va, acc);
    if (acc == ACC_STORE && w == 0) return pageFault(va, acc);
    const ppn = (pte >> 10) & 0xfffffffffff;
    const lowMask: u64 = (<u64>1 << (9 * <u64>level)) - 1;
    if ((ppn & lowMask) != 0) return pageFault(va, acc); // misaligned superpage
    // Hardware A/D update (Svadu behaviour, 4.3.2 step 7).
    const need = (<u64>1 << 6) | (acc == ACC_STORE ? (<u64>1 << 7) : 0);
    if ((pte & need) != need) {
      if (!update) return pageFault(va, acc);
      if (!pmpAllows(ptePa, 8, 2, PRIV_S)) return accessFault(va, acc);
      pte |= need;
      store<u64>(h, pte);
      noteRamStore(h, 8);
    }
    leafUser = u != 0;
    if (napot) { // the low 4 bits of the page number come from the VA; TLB-flushed as a 64 KiB unit
      leafShift = 16;
      return ((((ppn & ~(<u64>0xf)) | ((va >> 12) & 0xf))) << 12) | (va & 0xfff);
    }
    leafShift = 12 + 9 * <u64>level;
    const pagePpn = ppn | ((va >> 12) & lowMask);
    return (pagePpn << 12) | (va & 0xfff);
  }
  return pageFault(va, acc);
}

function pageFault(va: u64, acc: u32): u64 {
  excCause = acc == ACC_FETCH ? EXC_FETCH_PAGE : acc == ACC_LOAD ? EXC_LOAD_PAGE : EXC_STORE_PAGE;
  excTval = va;
  return 0;
}

function accessFault(va: u64, acc: u32): u64 {
  excCause = acc == ACC_FETCH ? EXC_FETCH_ACCESS : acc == ACC_LOAD ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS;
  excTval = va;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Decode-cache coherence: pages that hold decoded instructions are never in a store TLB, so a
// store to one takes the slow path. A guest store drops only the decoded entries it overlaps,
// so data that shares a page with running code (small guests' .data next to .text) costs a
// slow-path store, not a re-decode of the page. After enough such stores the page is treated
// as data again: all its entries are dropped and stores go back to the TLB until code runs from
// it once more. Enough is PAGE_STORES_FIRST the first time, since most such pages stopped being
// code for good (a booting Linux frees its init text and reuses the pages, and reuses the pages
// of exited programs), and doubles each time the page goes back and forth, up to PAGE_STORES_MAX,
// so a page whose code and data both stay hot is not re-decoded every few stores.

// PAGE_STORES: the count in the low 12 bits (PAGE_STORES_MAX is all ones), the times it went back above.
const BACKS_SHIFT: u32 = 12;
const MAX_BACKS: u32 = 15;

// Whether any page flag was set since the flags were last cleared (see index.ts afterRestore).
export let pageFlagsUsed = false;
export function clearPageFlagsUsed(): void { pageFlagsUsed = false; }
export function notePageFlagsUsed(): void { pageFlagsUsed = true; }

/** Marks the RAM page of host address `h` as holding decoded code. */
export function markCodePage(h: u32): void {
  const f = PAGE_FLAGS + ((h - RAM_OFF) >> 12);
  const flags = load<u8>(f);
  if ((flags & PAGE_CODE) != 0) return;
  store<u8>(f, flags | PAGE_CODE);
  pageFlagsUsed = true;
  const c = PAGE_STORES + ((h - RAM_OFF) >> 12 << 1);
  store<u16>(c, <u16>(<u32>load<u16>(c) & ~PAGE_STORES_MAX)); // the count starts again; the times it went back stay
  tlbFlushStores();
}

/** Drops every block of the RAM page containing host address `h`; stores there go fast again. */
export function invalidateCodePage(h: u32): void {
  const page = h & ~0xfff;
  const f = PAGE_FLAGS + ((page - RAM_OFF) >> 12);
  store<u8>(f, load<u8>(f) & ~(PAGE_CODE | PAGE_RAN));
  invalidateBlockPage(page);
}

/**
 * A store of `size` bytes reached RAM at host address `h` behind the TLB's back: a guest store
 * (size <= 8) or a host write (DMA, loader), which drops whole pages. A guest store that hits a
 * code page ends the running block (deviceWritten), so the next instruction is fetched anew
 * even if the store rewrote it.
 */
export function noteRamStore(h: u32, size: u32): void {
  if (dirtyLogOn) markDirty(h, size);
  const firstPage = (h - RAM_OFF) >> 12;
  const lastPage = (h + size - 1 - RAM_OFF) >> 12;
  for (let pg = firstPage; pg <= lastPage; pg++) {
    const f = PAGE_FLAGS + pg;
    const flags = load<u8>(f);
    if (flags == 0) continue;
    if ((flags & PAGE_CODE) != 0) {
      const c = PAGE_STORES + (pg << 1);
      const word = <u32>load<u16>(c);
      const backs = word >> BACKS_SHIFT, stores = (word & PAGE_STORES_MAX) + 1;
      if (size > 8 || stores > min(PAGE_STORES_FIRST << backs, PAGE_STORES_MAX)) {
        const after = size > 8 ? backs : min(backs + 1, MAX_BACKS); // a host write is no back and forth
        store<u16>(c, <u16>(after << BACKS_SHIFT));
        invalidateCodePage(RAM_OFF + (pg << 12));
      } else {
        store<u16>(c, <u16>(word + 1));
        const pageStart = RAM_OFF + (pg << 12);
        const from = h > pageStart ? h : pageStart;
        const to = h + size < pageStart + 4096 ? h + size : pageStart + 4096;
        invalidateBlocksAt(from, to - from);
      }
      deviceWritten = true;
    }
    if ((flags & PAGE_WATCH) != 0) checkTohost();
  }
}

// ---------------------------------------------------------------------------------------------
// Dirty-page log (live migration, src/migration/). While it is on, every RAM page a store or a
// host write reaches has its bit set in DIRTY_LOG. Stores through the store TLB do not come
// here, so a page is marked when its store translation is cached (fillStoreTlb) as well as on
// every slow-path store (noteRamStore); restarting the log clears the bitmap and every store
// TLB, so the first store to each page after a restart takes the slow path and marks it again.
// Compiled code stores through the same TLBs (src/jit/codegen.ts), so it is covered too.

export let dirtyLogOn = false;

function markDirty(h: u32, size: u32): void {
  const first = (h - RAM_OFF) >> 12;
  const last = (h + size - 1 - RAM_OFF) >> 12;
  for (let pg = first; pg <= last; pg++) {
    const a = DIRTY_LOG + (pg >> 3);
    store<u8>(a, load<u8>(a) | <u8>(<u32>1 << (pg & 7)));
  }
}

/** Turns the log on (cleared, every page clean) or off. */
export function dirtyLogSet(on: bool): void {
  dirtyLogOn = on;
  dirtyLogRestart();
}

/** Clears the log for the next round (the host has read it) and makes stores mark pages again. */
export function dirtyLogRestart(): void {
  const pages = <u32>(load<u64>(S_RAM_SIZE) >> 12);
  memory.fill(DIRTY_LOG, 0, (pages + 7) >> 3);
  tlbFlushStores();
}

function checkTohost(): void {
  const th = load<u64>(S_TOHOST);
  if (th == 0) return;
  const h = ramHost(th, 8);
  if (h != 0 && load<u64>(h) != 0) { htifPending = true; deviceWritten = true; }
}

// ---------------------------------------------------------------------------------------------
// Physical access (after translation)

/** Reads `size` (1, 2, 4 or 8) bytes of RAM at host address `h`, zero-extended. */
// @ts-ignore: decorator
@inline export function ramLoad(h: u32, size: u32): u64 {
  if (size == 1) return load<u8>(h);
  if (size == 2) return load<u16>(h);
  if (size == 4) return load<u32>(h);
  return load<u64>(h);
}

/** Writes the low `size` (1, 2, 4 or 8) bytes of `v` to RAM at host address `h`. */
// @ts-ignore: decorator
@inline function ramStore(h: u32, size: u32, v: u64): void {
  if (size == 1) store<u8>(h, <u8>v);
  else if (size == 2) store<u16>(h, <u16>v);
  else if (size == 4) store<u32>(h, <u32>v);
  else store<u64>(h, v);
}


function physRead(pa: u64, size: u32, va: u64): u64 {
  const h = ramHost(pa, size);
  if (h != 0) {
    return ramLoad(h, size);
  }
  if ((pa & (size - 1)) != 0) { accessFault(va, ACC_LOAD); return 0; }
  if (pa - CLINT_BASE < CLINT_SIZE) return clintRead(pa - CLINT_BASE, size);
  mmioFaulted = false;
  const v = <u64>mmioRead(<f64>pa, size);
  if (mmioFaulted) { accessFault(va, ACC_LOAD); return 0; }
  return v;
}

function physWrite(pa: u64, size: u32, v: u64, va: u64): void {
  const h = ramHost(pa, size);
  if (h != 0) {
    ramStore(h, size, v);
    noteRamStore(h, size);
    return;
  }
  if ((pa & (size - 1)) != 0) { accessFault(va, ACC_STORE); return; }
  deviceWritten = true;
  if (pa - CLINT_BASE < CLINT_SIZE) { clintWrite(pa - CLINT_BASE, size, v); return; }
  mmioFaulted = false;
  mmioWrite(<f64>pa, size, <i32>v, <i32>(v >> 32));
  if (mmioFaulted) accessFault(va, ACC_STORE);
}

// ---------------------------------------------------------------------------------------------
// Slow paths of loads and stores (TLB miss, misaligned, device, watched page)

/** Loads `size` bytes at `va`, zero-extended. On a fault sets excCause and returns 0. */
export function loadSlow(va: u64, size: u32): u64 {
  const p = dataPriv();
  const pageEnd = (va & 0xfff) + size;
  if (pageEnd > 4096) { // crosses a page: translate and check both halves, then assemble bytes
    const pa0 = translate(va, ACC_LOAD, p, true);
    if (excCause >= 0) return 0;
    const va1 = (va + 4096) & ~(<u64>0xfff);
    const pa1 = translate(va1, ACC_LOAD, p, true);
    if (excCause >= 0) return 0;
    if (!pmpCheck(pa0, va1 - va, ACC_LOAD, p, va) || !pmpCheck(pa1, va + size - va1, ACC_LOAD, p, va1)) return 0;
    let v: u64 = 0;
    for (let i: u32 = 0; i < size; i++) {
      const a = va + i;
      const pa = a < va1 ? pa0 + i : pa1 + (a - va1);
      const b = physRead(pa, 1, a);
      if (excCause >= 0) return 0;
      v |= b << (<u64>i << 3);
    }
    return v;
  }
  const pa = translate(va, ACC_LOAD, p, true);
  if (excCause >= 0) return 0;
  if (!pmpCheck(pa, size, ACC_LOAD, p, va)) return 0;
  const h = ramHost(pa, size);
  if (h != 0) {
    tlbFill(tlbLoad, va, h, pa, ACC_LOAD, p);
    return ramLoad(h, size);
  }
  if ((pa & (size - 1)) != 0) { // misaligned device access: split into bytes
    let v: u64 = 0;
    for (let i: u32 = 0; i < size; i++) {
      v |= physRead(pa + i, 1, va + i) << (<u64>i << 3);
      if (excCause >= 0) return 0;
    }
    return v;
  }
  return physRead(pa, size, va);
}

/** Stores `size` bytes of `v` at `va`. On a fault sets excCause; nothing is written then. */
export function storeSlow(va: u64, size: u32, v: u64): void {
  const p = dataPriv();
  const pageEnd = (va & 0xfff) + size;
  if (pageEnd > 4096) {
    const pa0 = translate(va, ACC_STORE, p, true);
    if (excCause >= 0) return;
    const va1 = (va + 4096) & ~(<u64>0xfff);
    const pa1 = translate(va1, ACC_STORE, p, true);
    if (excCause >= 0) return;
    if (!pmpCheck(pa0, va1 - va, ACC_STORE, p, va) || !pmpCheck(pa1, va + size - va1, ACC_STORE, p, va1)) return;
    // Both pages must be writable memory before any byte is written.
    if (ramHost(pa0, va1 - va) == 0 || ramHost(pa1, va + size - va1) == 0) {
      accessFault(ramHost(pa0, va1 - va) == 0 ? va : va1, ACC_STORE);
      return;
    }
    for (let i: u32 = 0; i < size; i++) {
      const a = va + i;
      const pa = a < va1 ? pa0 + i : pa1 + (a - va1);
      physWrite(pa, 1, v >> (<u64>i << 3), a);
    }
    return;
  }
  const pa = translate(va, ACC_STORE, p, true);
  if (excCause >= 0) return;
  if (!pmpCheck(pa, size, ACC_STORE, p, va)) return;
  const h = ramHost(pa, size);
  if (h != 0) {
    ramStore(h, size, v);
    noteRamStore(h, size);
    fillStoreTlb(va, h, pa, p);
    return;
  }
  if ((pa & (size - 1)) != 0) {
    for (let i: u32 = 0; i < size; i++) {
      physWrite(pa + i, 1, v >> (<u64>i << 3), va + i);
      if (excCause >= 0) return;
    }
    return;
  }
  physWrite(pa, size, v, va);
}

/**
 * Host address for an instruction fetch at `pc` (a halfword in RAM), filling the fetch TLB;
 * 0 with excCause set on a fault.
 */
export function fetchHost(pc: u64): u32 {
  const p = load<u64>(S_PRIV);
  const pa = translate(pc, ACC_FETCH, p, true);
  if (excCause >= 0) return 0;
  const h = ramHost(pa, 2);
  if (h == 0 || !pmpCheck(pa, 2, ACC_FETCH, p, pc)) { accessFault(pc, ACC_FETCH); return 0; }
  tlbFill(tlbFetch, pc, h, pa, ACC_FETCH, p);
  return h;
}

/** Host address of the fetch page for `pc` from the fetch TLB, or 0 on a miss. */
// @ts-ignore: decorator
@inline export function fetchTlb(pc: u64): u64 {
  const e = tlbFetch + ((<u32>(pc >> 12) & (TLB_ENTRIES - 1)) << 4);
  if ((pc & ~(<u64>0xfff)) == load<u64>(e)) return load<u64>(e, 8);
  return 1; // deltas are page aligned, so 1 never is one
}

// Data TLB hit test masks: the page tag plus the low bits that must be zero for an aligned access.
export const M1: u64 = ~(<u64>0xfff);
export const M2: u64 = ~(<u64>0xffe);
export const M4: u64 = ~(<u64>0xffc);
export const M8: u64 = ~(<u64>0xff8);

/** Host address of an aligned load at `va` (mask M1..M8 by size) on a load TLB hit, else 0. */
// @ts-ignore: decorator
@inline export function loadHit(va: u64, mask: u64): u32 {
  const e = tlbLoad + ((<u32>(va >> 12) & (TLB_ENTRIES - 1)) << 4);
  return (va & mask) == load<u64>(e) ? <u32>(va + load<u64>(e, 8)) : 0;
}

/** Host address of an aligned store at `va` on a store TLB hit, else 0. */
// @ts-ignore: decorator
@inline export function storeHit(va: u64, mask: u64): u32 {
  const e = tlbStore + ((<u32>(va >> 12) & (TLB_ENTRIES - 1)) << 4);
  return (va & mask) == load<u64>(e) ? <u32>(va + load<u64>(e, 8)) : 0;
}

/**
 * Reads `size` bytes at virtual `va` as the current privilege would (fetch) or as the current
 * data privilege would, without side effects (no A/D update, no device access). -1 if it cannot.
 */
export function peekVirtual(va: u64, size: u32, fetch: bool): i64 {
  excCause = -1;
  const pa = translate(va, fetch ? ACC_FETCH : ACC_LOAD, fetch ? load<u64>(S_PRIV) : dataPriv(), false);
  if (excCause >= 0) { excCause = -1; return -1; }
  const h = ramHost(pa, size);
  if (h == 0) return -1;
  return <i64>ramLoad(h, size);
}

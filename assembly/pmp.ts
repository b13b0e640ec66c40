// Physical memory protection (privileged spec 1.12, section 3.7): 16 entries, grain 4 bytes.
// pmpcfg0 holds entries 0-7 and pmpcfg2 entries 8-15 (RV64 has no odd pmpcfg registers);
// pmpcfg4..14 and pmpaddr16..63 are hardwired to zero.
//
// The CSRs live in the state block; the ranges they describe are derived into PMP_TABLE
// (recomputed after every write and after a restore), in priority order, so a check is a short
// scan. The TLBs are flushed when PMP changes and are only filled for a page that one entry
// covers whole (or no entry touches), so a TLB hit never needs a PMP check.
import { PMPADDR_BASE, PMPCFG_BASE, PMP_TABLE } from "./layout";
import { PRIV_M } from "./state";

export const PMP_ENTRIES: u32 = 16;
const A_OFF: u32 = 0, A_TOR: u32 = 1, A_NA4: u32 = 2; // A_NAPOT = 3
const CFG_L: u32 = 0x80;
// PMP_TABLE entry: lo u64, hi u64 (exclusive), cfg u64 (R=1 W=2 X=4 L=0x80); `pmpCount` used.
const ENTRY: u32 = 24;

/** Active (A != OFF) entries in PMP_TABLE. */
let pmpCount: u32 = 0;
/** Some active entry is locked (then M-mode accesses are checked too). */
let pmpLocked: bool = false;

// @ts-ignore: decorator
@inline function cfgOf(i: u32): u32 {
  return <u32>(load<u64>(PMPCFG_BASE + (i >> 3) * 8) >> ((<u64>i & 7) << 3)) & 0xff;
}
// @ts-ignore: decorator
@inline function addrOf(i: u32): u64 { return load<u64>(PMPADDR_BASE + i * 8); }

/** Rebuilds PMP_TABLE from the pmpcfg/pmpaddr CSRs. */
export function pmpRecompute(): void {
  let n: u32 = 0;
  let locked = false;
  for (let i: u32 = 0; i < PMP_ENTRIES; i++) {
    const cfg = cfgOf(i);
    const a = (cfg >> 3) & 3;
    if (a == A_OFF) continue;
    const addr = addrOf(i);
    let lo: u64, hi: u64;
    if (a == A_TOR) {
      lo = i == 0 ? 0 : addrOf(i - 1) << 2;
      hi = addr << 2;
      if (lo >= hi) continue; // an empty TOR range matches nothing
    } else if (a == A_NA4) {
      lo = addr << 2;
      hi = lo + 4;
    } else { // NAPOT: trailing ones of pmpaddr give the size, 2^(ones + 3) bytes
      const ones = <u64>ctz(~addr);
      if (ones >= 54) { lo = 0; hi = <u64>-1; }
      else {
        const size: u64 = <u64>8 << ones;
        lo = (addr << 2) & ~(size - 1);
        hi = lo + size;
      }
    }
    const e = PMP_TABLE + n * ENTRY;
    store<u64>(e, lo);
    store<u64>(e, hi, 8);
    store<u64>(e, <u64>(cfg & (CFG_L | 7)), 16);
    if ((cfg & CFG_L) != 0) locked = true;
    n++;
  }
  pmpCount = n;
  pmpLocked = locked;
}

/** Writes pmpcfg register `reg` (0, 2, ..., 14): locked entries keep their byte. */
export function pmpWriteCfg(reg: u32, v: u64): void {
  if (reg >= 4 || (reg & 1) != 0) return; // entries 16+ do not exist: hardwired zero
  const off = PMPCFG_BASE + (reg >> 1) * 8;
  const old = load<u64>(off);
  let next: u64 = 0;
  for (let b: u64 = 0; b < 8; b++) {
    const sh = b << 3;
    const ob = (old >> sh) & 0xff;
    let nb = (v >> sh) & 0x9f; // bits 6:5 are reserved (read zero)
    if ((ob & CFG_L) != 0) nb = ob;
    else if ((nb & 3) == 2) nb &= ~(<u64>3); // R=0 W=1 is reserved: keep neither (WARL)
    next |= nb << sh;
  }
  store<u64>(off, next);
  pmpRecompute();
}

/** Writes pmpaddr `i`: ignored if entry i is locked, or entry i+1 is a locked TOR. */
export function pmpWriteAddr(i: u32, v: u64): void {
  if (i >= PMP_ENTRIES) return;
  if ((cfgOf(i) & CFG_L) != 0) return;
  if (i + 1 < PMP_ENTRIES) {
    const next = cfgOf(i + 1);
    if ((next & CFG_L) != 0 && ((next >> 3) & 3) == A_TOR) return;
  }
  store<u64>(PMPADDR_BASE + i * 8, v & 0x3fffffffffffff);
  pmpRecompute();
}

export function pmpReadCfg(reg: u32): u64 { return reg < 4 ? load<u64>(PMPCFG_BASE + (reg >> 1) * 8) : 0; }
export function pmpReadAddr(i: u32): u64 { return i < PMP_ENTRIES ? addrOf(i) : 0; }

/**
 * May privilege `p` access [pa, pa+size) for `perm` (1 read, 2 write, 4 execute)? The
 * lowest-numbered entry that matches any byte decides, and it must match all of them; with no
 * match M-mode succeeds and S/U fail (3.7.1).
 */
export function pmpAllows(pa: u64, size: u64, perm: u32, p: u64): bool {
  const n = pmpCount;
  if (n == 0) return p == PRIV_M;
  if (p == PRIV_M && !pmpLocked) return true;
  const last = pa + size - 1;
  for (let i: u32 = 0; i < n; i++) {
    const e = PMP_TABLE + i * ENTRY;
    const lo = load<u64>(e), hi = load<u64>(e, 8);
    if (last < lo || pa >= hi) continue; // no byte in this entry
    if (pa < lo || last >= hi) return false; // a partial match fails
    const cfg = <u32>load<u64>(e, 16);
    if (p == PRIV_M && (cfg & CFG_L) == 0) return true;
    return (cfg & perm) == perm;
  }
  return p == PRIV_M;
}

/**
 * True if every access of privilege `p` with `perm` to the 4 KiB page at `page` gets the same
 * answer and it is yes: the page may be cached in a TLB.
 */
export function pmpPageAllows(page: u64, perm: u32, p: u64): bool {
  const n = pmpCount;
  if (n == 0) return p == PRIV_M;
  if (p == PRIV_M && !pmpLocked) return true;
  const end = page + 4096;
  for (let i: u32 = 0; i < n; i++) {
    const e = PMP_TABLE + i * ENTRY;
    const lo = load<u64>(e), hi = load<u64>(e, 8);
    if (hi <= page || lo >= end) continue; // no byte of the page in this entry
    if (lo > page || hi < end) return false; // partly covered: check accesses one by one
    const cfg = <u32>load<u64>(e, 16);
    if (p == PRIV_M && (cfg & CFG_L) == 0) return true;
    return (cfg & perm) == perm;
  }
  return p == PRIV_M;
}

// The hart's host interface: every export is the host's whole interface to one core instance
// (see src/core/hart.ts). Execution is in interp.ts over the block cache of blocks.ts.
import {
  PAGE_FLAGS, PAGE_WATCH, RAM_OFF, RES_NONE, STATE_END, S_MHARTID, S_MIP_HW, S_MSTATUS,
  S_MTIMECMP, S_PC, S_PRIV, S_RAM_SIZE, S_RES_ADDR, S_TOHOST, S_FROMHOST, S_MTIME_ADJ, S_STIMECMP,
  S_PARA, S_SBI_TIMECMP, STATS_BASE, STATS_END, S_MEDELEG, S_MIDELEG, S_MCOUNTEREN, S_MIP,
  S_SCOUNTEREN,
} from "./layout";
import { pmpRecompute, pmpWriteAddr, pmpWriteCfg } from "./pmp";
import { MIP_MEIP, MIP_SEIP, PARA_USER, PRIV_M, updateTimerLine, hostClock, mtimeNow } from "./state";
import { noteRamStore, peekVirtual, ramHost, selectTlbSets, setMmioFaulted, tlbFlushAll } from "./mmu";
import { flushBlocks } from "./blocks";
import { interpret } from "./interp";
import { csrRead, csrWrite, MSTATUS_FIXED } from "./csr";
import * as mmu from "./mmu";
import * as csr from "./csr";

// The host reads the layout, exit codes and flags from src/core/abi.gen.ts (generated from
// these sources); the core exports only the hash that ties the two together.
export { SOURCE_HASH } from "./abi.gen";

/**
 * Executes up to `budget` instructions (interp.ts). Returns EXIT_BUDGET, EXIT_IDLE (WFI),
 * EXIT_HTIF, EXIT_SBI, EXIT_HOST or EXIT_FATAL.
 */
export function run(budget: u32): u32 { return interpret(budget); }

// ---------------------------------------------------------------------------------------------
// Host interface

/** Resets the hart: M-mode at `pc`, RAM of `ramSize` bytes (its contents are kept). */
export function reset(pc: u64, ramSize: u32, hartId: u64): void {
  memory.fill(0, 0, STATE_END);
  memory.fill(STATS_BASE, 0, STATS_END - STATS_BASE);
  store<u64>(S_PC, pc);
  store<u64>(S_PRIV, PRIV_M);
  store<u64>(S_MSTATUS, MSTATUS_FIXED);
  store<u64>(S_MHARTID, hartId);
  store<u64>(S_RAM_SIZE, ramSize);
  store<u64>(S_RES_ADDR, RES_NONE);
  store<u64>(S_MTIMECMP, <u64>-1);
  store<u64>(S_STIMECMP, <u64>-1);
  store<u64>(S_SBI_TIMECMP, <u64>-1);
  store<u64>(S_MTIME_ADJ, 0 - <u64>hostClock());
  afterRestore();
}

/**
 * Rebuilds derived state after the host wrote the state block (snapshot restore) or changed
 * RAM wholesale: TLBs, the block cache, the TLB set selection.
 */
export function afterRestore(): void {
  pmpRecompute();
  tlbFlushAll();
  flushBlocks();
  if (mmu.pageFlagsUsed) { memory.fill(PAGE_FLAGS, 0, (<u32>load<u64>(S_RAM_SIZE) + 4095) >> 12); mmu.clearPageFlagsUsed(); }
  watchTohost(load<u64>(S_TOHOST), true);
  selectTlbSets();
  mmu.excCause = -1;
}

/** Sets or clears the store watch on the RAM page of HTIF tohost (derived from S_TOHOST). */
function watchTohost(tohost: u64, on: bool): void {
  const h = ramHost(tohost, 8);
  if (h == 0) return;
  const f = PAGE_FLAGS + ((h - RAM_OFF) >> 12);
  store<u8>(f, on ? load<u8>(f) | PAGE_WATCH : load<u8>(f) & ~PAGE_WATCH);
  if (on) mmu.notePageFlagsUsed();
  tlbFlushAll();
}

/** Puts the hart in privilege mode `p` (0 U, 1 S, 3 M) without a trap. */
export function setPrivilege(p: u32): void {
  store<u64>(S_PRIV, <u64>p);
  selectTlbSets();
}

/** Declares the HTIF mailboxes (physical addresses, 0 for none). Stores to tohost exit run(). */
export function setHtif(tohost: u64, fromhost: u64): void {
  watchTohost(load<u64>(S_TOHOST), false);
  store<u64>(S_TOHOST, tohost);
  store<u64>(S_FROMHOST, fromhost);
  watchTohost(tohost, true);
}

/** Drives the external interrupt lines (MEIP, SEIP) from the host's interrupt controller. */
export function setExternalIrq(meip: bool, seip: bool): void {
  let hw = load<u64>(S_MIP_HW) & ~(MIP_MEIP | MIP_SEIP);
  if (meip) hw |= MIP_MEIP;
  if (seip) hw |= MIP_SEIP;
  store<u64>(S_MIP_HW, hw);
}

/** The host wrote guest RAM [pa, pa+len) (DMA, loader): drop decoded code there. */
export function invalidateRange(pa: u64, len: u32): void {
  if (len == 0) return;
  const h = ramHost(pa, len);
  if (h != 0) noteRamStore(h, len);
}

/**
 * Paravirtual mode: `mode` PARA_OFF, PARA_IMPORT, PARA_EXIT or PARA_USER. On, the hart runs without
 * M-mode software: every exception but ECALL from S and every S interrupt is delegated to S,
 * S may read all counters, and an S-mode ECALL is a hypercall.
 */
export function setPara(mode: u32): void {
  store<u64>(S_PARA, <u64>mode);
  store<u64>(S_SBI_TIMECMP, <u64>-1);
  if (mode != 0) {
    // PARA_USER delegates nothing: every U-mode trap goes to the host (takeTrap)
    store<u64>(S_MEDELEG, mode == <u32>PARA_USER ? 0 : 0xb1ff);
    store<u64>(S_MIDELEG, mode == <u32>PARA_USER ? 0 : 0x222);
    // cycle, time and instret readable in S and in U (firmware does the same: user programs read
    // time directly, e.g. in the vDSO's clock_gettime).
    store<u64>(S_MCOUNTEREN, 7);
    store<u64>(S_SCOUNTEREN, 7);
    // PMP entry 0 grants S and U all memory, as firmware's last entry would (3.7.1).
    pmpWriteAddr(0, <u64>-1);
    pmpWriteCfg(0, 0x1f);
    tlbFlushAll();
  }
  updateTimerLine();
}

/** Para mode: the SBI TIME deadline (set_timer). */
export function setSbiTimer(t: u64): void {
  store<u64>(S_SBI_TIMECMP, t);
  updateTimerLine();
}

/** Live migration: the dirty-page log (DIRTY_LOG) on, cleared, or off. */
export function dirtyLog(on: bool): void { mmu.dirtyLogSet(on); }

/** Live migration: the host has read the dirty-page log; clear it for the next round. */
export function dirtyLogRestart(): void { mmu.dirtyLogRestart(); }

/** Forgets every cached translation (SBI remote SFENCE.VMA on this hart). */
export function flushTlb(): void { tlbFlushAll(); }

/** Compiled code's TLB refill (mmu.ts tlbRefill): 1 if the load (store = 0) or store TLB now maps `va`. */
export function jitRefill(va: u64, size: u32, store: u32): u32 { return mmu.tlbRefill(va, size, store != 0) ? 1 : 0; }

/** Raises or clears SSIP (SBI IPI to this hart). */
export function setSoftIrq(on: bool): void {
  const m = load<u64>(S_MIP);
  store<u64>(S_MIP, on ? m | 2 : m & ~(<u64>2));
}

/** Zeroes the statistics counters. */
export function clearStats(): void { memory.fill(STATS_BASE, 0, STATS_END - STATS_BASE); }

/** Called by the host from inside mmioRead/mmioWrite: the access is a bus error. */
export function mmioFault(): void { setMmioFaulted(); }

/** Called by the host from inside mmioWrite: run() returns EXIT_HOST after this instruction. */
export function requestExit(): void { mmu.requestHostExit(); }

/** Current mtime (10 MHz ticks). */
export function mtime(): u64 { return mtimeNow(); }

/** Sets mtime to `v` from now on (a restored snapshot continues its time, on any host clock). */
export function setMtime(v: u64): void {
  store<u64>(S_MTIME_ADJ, v - <u64>hostClock());
  updateTimerLine();
}

/**
 * Reads `size` bytes at virtual `va` as the current data privilege would, without side
 * effects (no A/D update, no device access). Returns -1 if it cannot. For the debugger/trace.
 */
export function peek(va: u64, size: u32, fetch: bool): i64 { return peekVirtual(va, size, fetch); }

/** CSR read as the current privilege would do it; if that is illegal, csrAccessFailed() says so. */
export function debugCsrRead(num: u32): u64 {
  csr.csrIllegal = false;
  return csrRead(num);
}

/** CSR write as a CSRRW at the current privilege; false if it would be illegal. */
export function debugCsrWrite(num: u32, v: u64): bool {
  csr.csrIllegal = false;
  csrRead(num);
  if (csr.csrIllegal) return false;
  csrWrite(num, v);
  return !csr.csrIllegal;
}

export function csrAccessFailed(): bool { return csr.csrIllegal; }

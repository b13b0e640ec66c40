// Accessors for the hart state at its fixed linear-memory offsets, and the host imports.
import {
  X_BASE, S_PRIV, S_MSTATUS, S_MIP, S_MIP_HW, S_MIE, S_MTIME_ADJ, S_MTIMECMP, S_MENVCFG, S_STIMECMP,
  S_PARA, S_SBI_TIMECMP,
} from "./layout";

export const PRIV_U: u64 = 0;
export const PRIV_S: u64 = 1;
export const PRIV_M: u64 = 3;

// mstatus fields (privileged spec 3.1.6).
export const MS_SIE: u64 = 1 << 1;
export const MS_MIE: u64 = 1 << 3;
export const MS_SPIE: u64 = 1 << 5;
export const MS_UBE: u64 = 1 << 6;
export const MS_MPIE: u64 = 1 << 7;
export const MS_SPP: u64 = 1 << 8;
export const MS_VS: u64 = 3 << 9;
export const MS_MPP_SHIFT: u64 = 11;
export const MS_MPP: u64 = 3 << 11;
export const MS_FS: u64 = 3 << 13;
export const MS_XS: u64 = 3 << 15;
export const MS_MPRV: u64 = 1 << 17;
export const MS_SUM: u64 = 1 << 18;
export const MS_MXR: u64 = 1 << 19;
export const MS_TVM: u64 = 1 << 20;
export const MS_TW: u64 = 1 << 21;
export const MS_TSR: u64 = 1 << 22;
export const MS_UXL: u64 = 3 << 32;
export const MS_SXL: u64 = 3 << 34;
export const MS_SD: u64 = 1 << 63;
// The mstatus fields sstatus shows (4.1.1; SD as withSd() in csr.ts computes it).
export const MS_SSTATUS_VISIBLE: u64 = MS_SIE | MS_SPIE | MS_UBE | MS_SPP | MS_VS | MS_FS | MS_XS | MS_SUM |
  MS_MXR | MS_UXL | MS_SD;

// Interrupt numbers / mip bits (privileged spec 3.1.9).
export const IRQ_SSI: u64 = 1;
export const IRQ_MSI: u64 = 3;
export const IRQ_STI: u64 = 5;
export const IRQ_MTI: u64 = 7;
export const IRQ_SEI: u64 = 9;
export const IRQ_MEI: u64 = 11;
export const MIP_SSIP: u64 = 1 << 1;
export const MIP_MSIP: u64 = 1 << 3;
export const MIP_STIP: u64 = 1 << 5;
export const MIP_MTIP: u64 = 1 << 7;
export const MIP_SEIP: u64 = 1 << 9;
export const MIP_MEIP: u64 = 1 << 11;

// Exception causes (privileged spec table 3.6).
export const EXC_FETCH_MISALIGNED: u64 = 0;
export const EXC_FETCH_ACCESS: u64 = 1;
export const EXC_ILLEGAL: u64 = 2;
export const EXC_BREAKPOINT: u64 = 3;
export const EXC_LOAD_MISALIGNED: u64 = 4;
export const EXC_LOAD_ACCESS: u64 = 5;
export const EXC_STORE_MISALIGNED: u64 = 6;
export const EXC_STORE_ACCESS: u64 = 7;
export const EXC_ECALL_U: u64 = 8;
export const EXC_FETCH_PAGE: u64 = 12;
export const EXC_LOAD_PAGE: u64 = 13;
export const EXC_STORE_PAGE: u64 = 15;

// Exit reasons of run().
export const EXIT_BUDGET: u32 = 0; // the budget is spent
export const EXIT_IDLE: u32 = 1; // WFI with no interrupt pending: wait for one
export const EXIT_HTIF: u32 = 2; // the guest wrote a command to HTIF tohost
export const EXIT_FATAL: u32 = 3; // the hart cannot continue (detail in S_EXIT_INFO)
export const EXIT_HOST: u32 = 4; // a device asked the host to take over (requestExit)
export const EXIT_SBI: u32 = 5; // para mode, PARA_EXIT: an S-mode ECALL waits for the host (pc at it)
export const EXIT_TRAP: u32 = 6; // PARA_USER: a trap from U-mode waits for the host (pc at it)

// S_PARA values: how an S-mode ECALL reaches the host.
export const PARA_OFF: u64 = 0; // it traps, as on hardware (firmware in M-mode answers it)
export const PARA_IMPORT: u64 = 1; // the core calls the host's sbiCall() import and goes on
export const PARA_EXIT: u64 = 2; // run() returns EXIT_SBI; the host answers and advances pc
// Containers (src/container): a U-mode program whose kernel is the host. Every exception it
// takes ends run() with EXIT_TRAP instead: pc stays at the instruction, S_EXIT_INFO holds the
// cause and mtval the trap value; nothing is delegated and the privilege stays U.
export const PARA_USER: u64 = 3;

// What sbiCall() returns: bits telling the core what the hypercall changed.
export const SBI_TIMER: i32 = 1; // the SBI deadline changed: recompute STIP
export const SBI_END_BLOCK: i32 = 2; // interrupt or translation state changed: end the block
export const SBI_EXIT: i32 = 4; // leave run() after this call (shutdown, reboot, yield)
export const SBI_JUMP: i32 = 8; // continue at S_PC (the host set it) instead of after the ECALL

// menvcfg/senvcfg fields (privileged spec 3.1.18; Zicbom/Zicboz "CSR state"; Svpbmt; Sstc).
export const ENVCFG_FIOM: u64 = 1;
export const ENVCFG_CBIE: u64 = 3 << 4; // CBO.INVAL: 00 illegal, 01 flush, 11 invalidate (10 reserved)
export const ENVCFG_CBIE_FLUSH: u64 = 1 << 4;
export const ENVCFG_CBCFE: u64 = 1 << 6; // CBO.CLEAN and CBO.FLUSH
export const ENVCFG_CBZE: u64 = 1 << 7; // CBO.ZERO
export const ENVCFG_PBMTE: u64 = <u64>1 << 62; // menvcfg only: Svpbmt in effect for S and U
export const ENVCFG_STCE: u64 = <u64>1 << 63; // menvcfg only

// Host imports. hostClock returns the 10 MHz time base in ticks. Device registers outside the
// core go through mmioRead/mmioWrite, one call per access of 1, 2, 4 or 8 bytes; either may call
// mmioFault() to report a bus error. A read returns the value as an f64 (exact: devices answer
// 8-byte reads with at most 53 significant bits); a write passes the low and high 32 bits.
// @ts-ignore: decorator
@external("env", "hostClock") export declare function hostClock(): f64;
// @ts-ignore: decorator
@external("env", "mmioRead") export declare function mmioRead(pa: f64, size: i32): f64;
// @ts-ignore: decorator
@external("env", "mmioWrite") export declare function mmioWrite(pa: f64, size: i32, lo: i32, hi: i32): void;
// Para mode: the hypercall in a0-a7 (the host reads and writes the registers in memory).
// @ts-ignore: decorator
@external("env", "sbiCall") export declare function sbiCall(): i32;

// @ts-ignore: decorator
@inline export function xget(r: u32): u64 { return load<u64>(X_BASE + (r << 3)); }
// @ts-ignore: decorator
@inline export function xset(r: u32, v: u64): void { store<u64>(X_BASE + (r << 3), v); }
// @ts-ignore: decorator
@inline export function rd64(off: u32): u64 { return load<u64>(off); }
// @ts-ignore: decorator
@inline export function wr64(off: u32, v: u64): void { store<u64>(off, v); }

// @ts-ignore: decorator
@inline export function priv(): u64 { return load<u64>(S_PRIV); }
// @ts-ignore: decorator
@inline export function mstatus(): u64 { return load<u64>(S_MSTATUS); }

/** Current value of mtime. */
export function mtimeNow(): u64 {
  return (<u64>hostClock()) + load<u64>(S_MTIME_ADJ);
}

/**
 * Recomputes the timer lines: MTIP from mtimecmp (CLINT), and STIP from stimecmp while
 * menvcfg.STCE enables Sstc (then STIP is read-only in mip and follows the comparison).
 */
export function updateTimerLine(): void {
  const now = mtimeNow();
  let hw = load<u64>(S_MIP_HW) & ~(MIP_MTIP | MIP_STIP);
  if (now >= load<u64>(S_MTIMECMP)) hw |= MIP_MTIP;
  if ((load<u64>(S_MENVCFG) & ENVCFG_STCE) != 0 && now >= load<u64>(S_STIMECMP)) hw |= MIP_STIP;
  if (load<u64>(S_PARA) != 0 && now >= load<u64>(S_SBI_TIMECMP)) hw |= MIP_STIP;
  store<u64>(S_MIP_HW, hw);
}

/** mip as software sees it: the writable bits OR the device lines. */
// @ts-ignore: decorator
@inline export function mipValue(): u64 {
  return load<u64>(S_MIP) | load<u64>(S_MIP_HW);
}

/** Pending and enabled, before the global enables and delegation are applied. */
// @ts-ignore: decorator
@inline export function pendingEnabled(): u64 {
  return mipValue() & load<u64>(S_MIE);
}

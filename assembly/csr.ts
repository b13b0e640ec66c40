// Control and status registers (privileged spec 1.12, chapters 2, 3 and 4).
import {
  S_INSTRET, S_CYCLE_ADJ, S_INSTRET_ADJ, S_MCAUSE, S_MCOUNTEREN,
  S_MEDELEG, S_MENVCFG, S_MEPC, S_MHARTID, S_MIDELEG, S_MIE, S_MIP, S_MSCRATCH, S_MSTATUS,
  S_MTVAL, S_MTVEC, S_PRIV, S_SATP, S_FCSR, S_SCAUSE, S_SCOUNTEREN, S_SENVCFG, S_SEPC, S_SSCRATCH,
  S_STVAL, S_STVEC, S_STIMECMP, S_MCOUNTINHIBIT, S_CY_HOLD, S_IR_HOLD,
} from "./layout";
import {
  MIP_SEIP, MIP_SSIP, MIP_STIP, MS_FS, MS_MIE, MS_MPIE, MS_MPP, MS_MPP_SHIFT, MS_MPRV,
  MS_MXR, MS_SD, MS_SIE, MS_SPIE, MS_SPP, MS_SSTATUS_VISIBLE, MS_SUM, MS_TSR, MS_TVM, MS_TW,
  MS_VS, MS_XS, PRIV_M, PRIV_S, PRIV_U, mipValue, mtimeNow, ENVCFG_FIOM, ENVCFG_STCE, ENVCFG_CBIE, ENVCFG_CBCFE, ENVCFG_CBZE, ENVCFG_PBMTE,
  updateTimerLine,
} from "./state";
import { pmpReadAddr, pmpReadCfg, pmpWriteAddr, pmpWriteCfg } from "./pmp";
import { selectTlbSets, tlbFlushAll, tlbFlushData, tlbSumCleared } from "./mmu";
import { fpDirty, fpOff } from "./fpu";

// misa: MXL=2 (RV64) and the extensions A, B (= Zba + Zbb + Zbs), C, D, F, I, M, S, U.
export const MISA: u64 = (<u64>2 << 62) | (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) |
  (1 << 12) | (1 << 18) | (1 << 20);

const ENVCFG_S_WRITABLE: u64 = ENVCFG_FIOM | ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE;
const ENVCFG_M_WRITABLE: u64 = ENVCFG_S_WRITABLE | ENVCFG_PBMTE | ENVCFG_STCE;

/** A write to menvcfg/senvcfg: the writable fields; CBIE is WARL and keeps its value for 10. */
function envcfgFields(old: u64, v: u64, writable: u64): u64 {
  let next = v & writable;
  if ((next & ENVCFG_CBIE) == 2 << 4) next = (next & ~ENVCFG_CBIE) | (old & ENVCFG_CBIE);
  return next;
}

const MSTATUS_WRITABLE: u64 = MS_SIE | MS_MIE | MS_SPIE | MS_MPIE | MS_SPP | MS_MPP | MS_FS |
  MS_MPRV | MS_SUM | MS_MXR | MS_TVM | MS_TW | MS_TSR;
const SSTATUS_WRITABLE: u64 = MS_SIE | MS_SPIE | MS_SPP | MS_FS | MS_SUM | MS_MXR;
/** Fixed fields of mstatus: UXL = SXL = 2 (64-bit U and S modes). */
export const MSTATUS_FIXED: u64 = (<u64>2 << 32) | (<u64>2 << 34);

const S_INTS: u64 = MIP_SSIP | MIP_STIP | MIP_SEIP;
const MIE_WRITABLE: u64 = 0xaaa; // SSIE MSIE STIE MTIE SEIE MEIE
// Exceptions that may be delegated: all defined causes but ECALL from M (cause 11).
const MEDELEG_WRITABLE: u64 = 0xb3ff;

// Set by csrRead/csrWrite when the access is illegal (missing CSR, privilege, read-only).
export let csrIllegal: bool = false;

// @ts-ignore: decorator
@inline function illegal(): u64 { csrIllegal = true; return 0; }

function withSd(ms: u64): u64 {
  const dirty = (ms & MS_FS) == MS_FS || (ms & MS_XS) == MS_XS || (ms & MS_VS) == MS_VS;
  return dirty ? ms | MS_SD : ms & ~MS_SD;
}

/** Counter CSRs visible below M-mode only if mcounteren (and, for U, scounteren) allow. */
function counterAllowed(index: u32): bool {
  const p = load<u64>(S_PRIV);
  if (p == PRIV_M) return true;
  if (((load<u64>(S_MCOUNTEREN) >> index) & 1) == 0) return false;
  if (p == PRIV_U && ((load<u64>(S_SCOUNTEREN) >> index) & 1) == 0) return false;
  return true;
}

// mcountinhibit (3.1.12): CY (bit 0) and IR (bit 2) stop mcycle and minstret; the HPM bits are
// writable too (their counters are hardwired to zero).
const INHIBIT_CY: u64 = 1, INHIBIT_IR: u64 = 4;
const INHIBIT_WRITABLE: u64 = 0xfffffffd;

function mcycle(): u64 {
  if ((load<u64>(S_MCOUNTINHIBIT) & INHIBIT_CY) != 0) return load<u64>(S_CY_HOLD);
  return load<u64>(S_INSTRET) + load<u64>(S_CYCLE_ADJ);
}
function minstret(): u64 {
  if ((load<u64>(S_MCOUNTINHIBIT) & INHIBIT_IR) != 0) return load<u64>(S_IR_HOLD);
  return load<u64>(S_INSTRET) + load<u64>(S_INSTRET_ADJ);
}

function writeCountInhibit(v: u64): void {
  const old = load<u64>(S_MCOUNTINHIBIT);
  const next = v & INHIBIT_WRITABLE;
  const instret = load<u64>(S_INSTRET);
  // Stopping holds the current value; restarting continues from the held one. The write's own
  // instruction counts as executed before the change.
  if ((next & ~old & INHIBIT_CY) != 0) store<u64>(S_CY_HOLD, instret + 1 + load<u64>(S_CYCLE_ADJ));
  if ((old & ~next & INHIBIT_CY) != 0) store<u64>(S_CYCLE_ADJ, load<u64>(S_CY_HOLD) - instret - 1);
  if ((next & ~old & INHIBIT_IR) != 0) store<u64>(S_IR_HOLD, instret + 1 + load<u64>(S_INSTRET_ADJ));
  if ((old & ~next & INHIBIT_IR) != 0) store<u64>(S_INSTRET_ADJ, load<u64>(S_IR_HOLD) - instret - 1);
  store<u64>(S_MCOUNTINHIBIT, next);
}

/** Sstc: may the current privilege use stimecmp? (M always; S if mcounteren.TM and menvcfg.STCE.) */
function stimecmpAllowed(): bool {
  if (load<u64>(S_PRIV) == PRIV_M) return true;
  return (load<u64>(S_MCOUNTEREN) & 2) != 0 && (load<u64>(S_MENVCFG) & ENVCFG_STCE) != 0;
}

/** Reads CSR `csr` at the current privilege; sets csrIllegal if the access is not allowed. */
export function csrRead(csr: u32): u64 {
  const p = load<u64>(S_PRIV);
  if (<u64>((csr >> 8) & 3) > p) return illegal();
  switch (csr) {
    // Floating point: fflags, frm, fcsr exist only while mstatus.FS is not Off.
    case 0x001: return fpOff() ? illegal() : load<u64>(S_FCSR) & 0x1f;
    case 0x002: return fpOff() ? illegal() : (load<u64>(S_FCSR) >> 5) & 7;
    case 0x003: return fpOff() ? illegal() : load<u64>(S_FCSR) & 0xff;
    // Supervisor
    case 0x100: return withSd(load<u64>(S_MSTATUS)) & MS_SSTATUS_VISIBLE;
    case 0x104: return load<u64>(S_MIE) & load<u64>(S_MIDELEG) & S_INTS;
    case 0x105: return load<u64>(S_STVEC);
    case 0x106: return load<u64>(S_SCOUNTEREN);
    case 0x10a: return load<u64>(S_SENVCFG);
    case 0x140: return load<u64>(S_SSCRATCH);
    case 0x141: return load<u64>(S_SEPC);
    case 0x142: return load<u64>(S_SCAUSE);
    case 0x143: return load<u64>(S_STVAL);
    case 0x144: return mipValue() & load<u64>(S_MIDELEG) & S_INTS;
    case 0x14d: return stimecmpAllowed() ? load<u64>(S_STIMECMP) : illegal();
    case 0x180:
      if (p == PRIV_S && (load<u64>(S_MSTATUS) & MS_TVM) != 0) return illegal();
      return load<u64>(S_SATP);
    // Machine
    case 0x300: return withSd(load<u64>(S_MSTATUS));
    case 0x301: return MISA;
    case 0x302: return load<u64>(S_MEDELEG);
    case 0x303: return load<u64>(S_MIDELEG);
    case 0x304: return load<u64>(S_MIE);
    case 0x305: return load<u64>(S_MTVEC);
    case 0x306: return load<u64>(S_MCOUNTEREN);
    case 0x30a: return load<u64>(S_MENVCFG);
    case 0x320: return load<u64>(S_MCOUNTINHIBIT);
    case 0x340: return load<u64>(S_MSCRATCH);
    case 0x341: return load<u64>(S_MEPC);
    case 0x342: return load<u64>(S_MCAUSE);
    case 0x343: return load<u64>(S_MTVAL);
    case 0x344: return mipValue();
    case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3:
      return 0; // tselect/tdata1-3: no triggers (tdata1.type = 0)
    case 0xb00: return mcycle();
    case 0xb02: return minstret();
    case 0xc00: return counterAllowed(0) ? mcycle() : illegal();
    case 0xc01: return counterAllowed(1) ? mtimeNow() : illegal();
    case 0xc02: return counterAllowed(2) ? minstret() : illegal();
    case 0xf11: case 0xf12: case 0xf13: case 0xf15:
      return 0; // mvendorid, marchid, mimpid: not implemented (0); mconfigptr: none
    case 0xf14: return load<u64>(S_MHARTID);
  }
  // Hardware performance counters 3..31 and their event selectors: hardwired to zero.
  if (csr >= 0xb03 && csr <= 0xb1f) return 0;
  if (csr >= 0x323 && csr <= 0x33f) return 0;
  if (csr >= 0xc03 && csr <= 0xc1f) return counterAllowed(csr - 0xc00) ? 0 : illegal();
  // PMP (pmp.ts): pmpcfg0,2,..,14 (odd ones do not exist on RV64) and pmpaddr0..63.
  if (csr >= 0x3a0 && csr <= 0x3af) {
    if ((csr & 1) != 0) return illegal();
    return pmpReadCfg(csr - 0x3a0);
  }
  if (csr >= 0x3b0 && csr <= 0x3ef) return pmpReadAddr(csr - 0x3b0);
  return illegal();
}

/**
 * Writes CSR `csr` (the caller has checked read access with csrRead). Sets csrIllegal for a
 * read-only CSR. The caller ends its block afterwards: interrupts, privilege of data accesses
 * or translation may have changed.
 */
export function csrWrite(csr: u32, v: u64): void {
  if ((csr >> 10) == 3) { csrIllegal = true; return; }
  switch (csr) {
    case 0x001: store<u64>(S_FCSR, (load<u64>(S_FCSR) & ~(<u64>0x1f)) | (v & 0x1f)); fpDirty(); return;
    case 0x002: store<u64>(S_FCSR, (load<u64>(S_FCSR) & 0x1f) | ((v & 7) << 5)); fpDirty(); return;
    case 0x003: store<u64>(S_FCSR, v & 0xff); fpDirty(); return;
    case 0x100: {
      const ms = load<u64>(S_MSTATUS);
      writeMstatus((ms & ~SSTATUS_WRITABLE) | (v & SSTATUS_WRITABLE));
      return;
    }
    case 0x104: {
      const m = load<u64>(S_MIDELEG) & S_INTS;
      store<u64>(S_MIE, (load<u64>(S_MIE) & ~m) | (v & m));
      return;
    }
    case 0x105: writeTvec(S_STVEC, v); return;
    case 0x106: store<u64>(S_SCOUNTEREN, v & 0xffffffff); return;
    case 0x10a: store<u64>(S_SENVCFG, envcfgFields(load<u64>(S_SENVCFG), v, ENVCFG_S_WRITABLE)); return;
    case 0x140: store<u64>(S_SSCRATCH, v); return;
    case 0x141: store<u64>(S_SEPC, v & ~(<u64>1)); return;
    case 0x142: store<u64>(S_SCAUSE, v); return;
    case 0x143: store<u64>(S_STVAL, v); return;
    case 0x144: {
      const m = load<u64>(S_MIDELEG) & MIP_SSIP; // only SSIP is writable through sip
      store<u64>(S_MIP, (load<u64>(S_MIP) & ~m) | (v & m));
      return;
    }
    case 0x14d:
      store<u64>(S_STIMECMP, v);
      updateTimerLine();
      return;
    case 0x180: {
      const mode = v >> 60;
      // An unsupported mode leaves satp unchanged (4.1.11), which is how Linux probes Sv57/48/39.
      if (mode != 0 && mode != 8 && mode != 9) return;
      store<u64>(S_SATP, v);
      tlbFlushAll();
      return;
    }
    case 0x300: writeMstatus(v); return;
    case 0x301: return; // misa: extensions cannot be switched off
    case 0x302: store<u64>(S_MEDELEG, v & MEDELEG_WRITABLE); return;
    case 0x303: store<u64>(S_MIDELEG, v & S_INTS); return;
    case 0x304: store<u64>(S_MIE, v & MIE_WRITABLE); return;
    case 0x305: writeTvec(S_MTVEC, v); return;
    case 0x306: store<u64>(S_MCOUNTEREN, v & 0xffffffff); return;
    case 0x30a: { // FIOM, CBIE/CBCFE/CBZE (Zicbom, Zicboz), PBMTE (Svpbmt), STCE (Sstc)
      const prev = load<u64>(S_MENVCFG);
      const next = envcfgFields(prev, v, ENVCFG_M_WRITABLE);
      store<u64>(S_MENVCFG, next);
      // Cached translations were checked under the old PBMTE (PBMT bits reserved without it).
      if (((prev ^ next) & ENVCFG_PBMTE) != 0) tlbFlushAll();
      // With STCE, STIP in mip is read-only and follows stimecmp: drop the software bit.
      if ((next & ENVCFG_STCE) != 0) store<u64>(S_MIP, load<u64>(S_MIP) & ~MIP_STIP);
      updateTimerLine();
      return;
    }
    case 0x320: writeCountInhibit(v); return;
    case 0x340: store<u64>(S_MSCRATCH, v); return;
    case 0x341: store<u64>(S_MEPC, v & ~(<u64>1)); return;
    case 0x342: store<u64>(S_MCAUSE, v); return;
    case 0x343: store<u64>(S_MTVAL, v); return;
    case 0x344: { // MSIP/MTIP/MEIP come from devices; STIP too while Sstc is on
      const w = (load<u64>(S_MENVCFG) & ENVCFG_STCE) != 0 ? S_INTS & ~MIP_STIP : S_INTS;
      store<u64>(S_MIP, (load<u64>(S_MIP) & ~w) | (v & w));
      return;
    }
    case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: return;
    // The write replaces the writing instruction's own increment: the next instruction reads v
    // (unprivileged spec, Zicsr "CSR access ordering").
    case 0xb00:
      if ((load<u64>(S_MCOUNTINHIBIT) & INHIBIT_CY) != 0) store<u64>(S_CY_HOLD, v);
      else store<u64>(S_CYCLE_ADJ, v - load<u64>(S_INSTRET) - 1);
      return;
    case 0xb02:
      if ((load<u64>(S_MCOUNTINHIBIT) & INHIBIT_IR) != 0) store<u64>(S_IR_HOLD, v);
      else store<u64>(S_INSTRET_ADJ, v - load<u64>(S_INSTRET) - 1);
      return;
  }
  if ((csr >= 0xb03 && csr <= 0xb1f) || (csr >= 0x323 && csr <= 0x33f)) return;
  // PMP changes what every cached translation may do: flush the TLBs.
  if (csr >= 0x3a0 && csr <= 0x3af) { pmpWriteCfg(csr - 0x3a0, v); tlbFlushAll(); return; }
  if (csr >= 0x3b0 && csr <= 0x3ef) { pmpWriteAddr(csr - 0x3b0, v); tlbFlushAll(); return; }
  csrIllegal = true;
}

function writeTvec(off: u32, v: u64): void {
  if ((v & 3) >= 2) return; // reserved mode: keep the old value (WARL)
  store<u64>(off, v);
}

function writeMstatus(v: u64): void {
  const old = load<u64>(S_MSTATUS);
  let next = (old & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
  // MPP is WARL over the implemented modes: 2 (reserved) keeps the previous value.
  if (((next & MS_MPP) >> MS_MPP_SHIFT) == 2) next = (next & ~MS_MPP) | (old & MS_MPP);
  next = (next & ~MS_SD) | MSTATUS_FIXED;
  store<u64>(S_MSTATUS, next);
  const changed = old ^ next;
  if ((changed & (MS_MPRV | MS_MPP)) != 0) selectTlbSets();
  if ((changed & old & MS_MXR) != 0) tlbFlushData();
  else if ((changed & old & MS_SUM) != 0) tlbSumCleared();
}

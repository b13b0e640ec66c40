// Trap entry, interrupt selection and trap return (privileged spec 3.1.6.1, 3.1.9, 3.3.2).
import {
  S_MCAUSE, S_MEPC, S_MIDELEG, S_MEDELEG, S_MSTATUS, S_MTVAL, S_MTVEC, S_PRIV, S_SCAUSE, S_SEPC,
  S_STVAL, S_STVEC, S_PARA, S_EXIT_INFO, ST_EXCEPTIONS, ST_INTERRUPTS,
} from "./layout";
import {
  IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI, MS_MIE, MS_MPIE, MS_MPP, MS_MPP_SHIFT,
  MS_MPRV, MS_SIE, MS_SPIE, MS_SPP, PARA_USER, PRIV_M, PRIV_S, PRIV_U, pendingEnabled,
} from "./state";
import { selectTlbSets } from "./mmu";

// Exceptions taken so far: the instruction that raises one does not retire, so run() leaves
// it out of minstret (privileged spec 3.3.1) while still counting it against the budget.
export let exceptionsTaken: u32 = 0;
// Set when a trap would enter M-mode in para mode, where no firmware exists: the VM cannot go on
// (run() returns EXIT_FATAL; S_EXIT_INFO holds mcause).
export let fatalTrap: bool = false;
export function clearFatalTrap(): void { fatalTrap = false; }
// Set when PARA_USER hands a U-mode exception to the host (run() returns EXIT_TRAP).
export let userTrap: bool = false;
export function clearUserTrap(): void { userTrap = false; }

/** Enters the trap handler for `cause`; returns the handler's pc. */
export function takeTrap(cause: u64, tval: u64, epc: u64, interrupt: bool): u64 {
  if (!interrupt) exceptionsTaken++;
  const st = interrupt ? ST_INTERRUPTS : ST_EXCEPTIONS;
  store<u64>(st, load<u64>(st) + 1);
  const p = load<u64>(S_PRIV);
  const deleg = load<u64>(interrupt ? S_MIDELEG : S_MEDELEG);
  let ms = load<u64>(S_MSTATUS);
  const code = cause | (interrupt ? (<u64>1 << 63) : 0);
  let tvec: u64;
  if (p <= PRIV_S && ((deleg >> cause) & 1) != 0) {
    store<u64>(S_SCAUSE, code);
    store<u64>(S_SEPC, epc);
    store<u64>(S_STVAL, tval);
    ms = (ms & ~(MS_SPIE | MS_SIE | MS_SPP)) | ((ms & MS_SIE) != 0 ? MS_SPIE : 0) | (p << 8);
    store<u64>(S_PRIV, PRIV_S);
    tvec = load<u64>(S_STVEC);
  } else {
    const para = load<u64>(S_PARA);
    if (para == PARA_USER && !interrupt) { // the host is the kernel: it takes the trap
      userTrap = true;
      store<u64>(S_EXIT_INFO, code);
      store<u64>(S_MTVAL, tval);
      return epc;
    }
    if (para != 0) { fatalTrap = true; store<u64>(S_EXIT_INFO, code); }
    store<u64>(S_MCAUSE, code);
    store<u64>(S_MEPC, epc);
    store<u64>(S_MTVAL, tval);
    ms = (ms & ~(MS_MPIE | MS_MIE | MS_MPP)) | ((ms & MS_MIE) != 0 ? MS_MPIE : 0) | (p << MS_MPP_SHIFT);
    store<u64>(S_PRIV, PRIV_M);
    tvec = load<u64>(S_MTVEC);
  }
  store<u64>(S_MSTATUS, ms);
  selectTlbSets();
  const base = tvec & ~(<u64>3);
  return (interrupt && (tvec & 1) != 0) ? base + 4 * cause : base;
}

// Highest-priority interrupt in `bits`: MEI, MSI, MTI, SEI, SSI, STI (3.1.9).
function highest(bits: u64): i32 {
  if ((bits & (1 << IRQ_MEI)) != 0) return <i32>IRQ_MEI;
  if ((bits & (1 << IRQ_MSI)) != 0) return <i32>IRQ_MSI;
  if ((bits & (1 << IRQ_MTI)) != 0) return <i32>IRQ_MTI;
  if ((bits & (1 << IRQ_SEI)) != 0) return <i32>IRQ_SEI;
  if ((bits & (1 << IRQ_SSI)) != 0) return <i32>IRQ_SSI;
  if ((bits & (1 << IRQ_STI)) != 0) return <i32>IRQ_STI;
  return -1;
}

/** The interrupt to take now, or -1. Delegated interrupts are never taken in M-mode. */
export function pendingInterrupt(): i32 {
  const pe = pendingEnabled();
  if (pe == 0) return -1;
  const p = load<u64>(S_PRIV);
  const ms = load<u64>(S_MSTATUS);
  const deleg = load<u64>(S_MIDELEG);
  const toM = pe & ~deleg;
  if (toM != 0 && (p < PRIV_M || (ms & MS_MIE) != 0)) return highest(toM);
  const toS = pe & deleg;
  if (toS != 0 && (p < PRIV_S || (p == PRIV_S && (ms & MS_SIE) != 0))) return highest(toS);
  return -1;
}

/** MRET: returns to MPP, restoring MIE from MPIE (3.3.2). Returns the new pc. */
export function mret(): u64 {
  const ms = load<u64>(S_MSTATUS);
  const mpp = (ms & MS_MPP) >> MS_MPP_SHIFT;
  let next = (ms & ~(MS_MIE | MS_MPP)) | MS_MPIE | ((ms & MS_MPIE) != 0 ? MS_MIE : 0);
  if (mpp != PRIV_M) next &= ~MS_MPRV;
  store<u64>(S_MSTATUS, next);
  store<u64>(S_PRIV, mpp);
  selectTlbSets();
  return load<u64>(S_MEPC);
}

/** SRET: returns to SPP, restoring SIE from SPIE. Returns the new pc. */
export function sret(): u64 {
  const ms = load<u64>(S_MSTATUS);
  const spp = (ms & MS_SPP) != 0 ? PRIV_S : PRIV_U;
  const next = (ms & ~(MS_SIE | MS_SPP | MS_MPRV)) | MS_SPIE | ((ms & MS_SPIE) != 0 ? MS_SIE : 0);
  store<u64>(S_MSTATUS, next);
  store<u64>(S_PRIV, spp);
  selectTlbSets();
  return load<u64>(S_SEPC);
}

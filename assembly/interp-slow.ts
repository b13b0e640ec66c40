// The interpreter's slow paths, out of its loop (interp.ts): one decoded entry executed the
// general way. The loop runs the common cases that need no call (TLB hits, integer and M
// arithmetic, branches, double-precision arithmetic on its native fast path) and leaves every
// other instruction here through one call site: V8 saves every live value around a call, so a
// loop that calls out from many places keeps its values on the stack instead of in registers.
import {
  RES_NONE, S_INSTRET, S_STEPS, S_MSTATUS, S_PRIV, S_RES_ADDR, S_WFI, S_RES_VA, S_PARA, ST_HYPERCALLS, S_PC,
} from "./layout";
import * as O from "./ops";
import {
  EXC_BREAKPOINT, EXC_ECALL_U, EXC_ILLEGAL, EXC_LOAD_MISALIGNED, EXC_STORE_MISALIGNED,
  EXC_STORE_ACCESS, EXC_LOAD_ACCESS, EXIT_HTIF, EXIT_HOST, EXIT_IDLE,
  MS_TSR, MS_TVM, MS_TW, PRIV_M, PRIV_S, PRIV_U, pendingEnabled, updateTimerLine, xget, xset,
  EXIT_SBI, PARA_EXIT, PARA_OFF, SBI_TIMER, SBI_EXIT, SBI_JUMP, sbiCall,
} from "./state";
import {
  ACC_LOAD, ACC_STORE, M4, M8, dataPriv, pmpCheck, loadSlow, noteRamStore, ramHost, storeHit,
  storeSlow, tlbFlushAll, tlbFlushPage, translate, peekVirtual,
} from "./mmu";
import { csrRead, csrWrite } from "./csr";
import { mret, sret } from "./trap";
import { execFp, fget, fpDirty, fpOff, fset } from "./fpu";
import { execBitmanip } from "./bitmanip";
import { execCbo } from "./cbo";
import { OP_B_FIRST, OP_B_LAST } from "./bitmanip.gen";
import * as mmu from "./mmu";
import * as csr from "./csr";

/** Why run() returns (EXIT_BUDGET while it goes on); set by the slow paths. */
export let exitReason: u32 = 0;

/** Leaves the exception `cause` (with `tval`) for the block's exit to take. */
// @ts-ignore: decorator
@inline export function fault(cause: u64, tval: u64): void {
  mmu.excCause = <i64>cause;
  mmu.excTval = tval;
}

function amoCompute(f5: u32, old: u64, src: u64, word: bool): u64 {
  if (word) {
    const o = <i32>old, s = <i32>src;
    switch (f5) {
      case O.AMO_SWAP: return <u64><u32>s;
      case O.AMO_ADD: return <u64><u32>(o + s);
      case O.AMO_XOR: return <u64><u32>(o ^ s);
      case O.AMO_AND: return <u64><u32>(o & s);
      case O.AMO_OR: return <u64><u32>(o | s);
      case O.AMO_MIN: return <u64><u32>(o < s ? o : s);
      case O.AMO_MAX: return <u64><u32>(o > s ? o : s);
      case O.AMO_MINU: return <u64><u32>(<u32>o < <u32>s ? o : s);
      default: return <u64><u32>(<u32>o > <u32>s ? o : s);
    }
  }
  switch (f5) {
    case O.AMO_SWAP: return src;
    case O.AMO_ADD: return old + src;
    case O.AMO_XOR: return old ^ src;
    case O.AMO_AND: return old & src;
    case O.AMO_OR: return old | src;
    case O.AMO_MIN: return <i64>old < <i64>src ? old : src;
    case O.AMO_MAX: return <i64>old > <i64>src ? old : src;
    case O.AMO_MINU: return old < src ? old : src;
    default: return old > src ? old : src;
  }
}

// Physical address of the last atomicHost() access: LR/SC reservations are physical.
let atomicPa: u64 = 0;

/**
 * Host address for an atomic access of `size` bytes at `va` (translated as a store, or as a
 * load for LR). AMOs work on RAM only; anything else is an access fault. 0 on a fault.
 */
function atomicHost(va: u64, size: u32, acc: u32): u32 {
  if ((va & (size - 1)) != 0) {
    mmu.excCause = acc == ACC_LOAD ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED;
    mmu.excTval = va;
    return 0;
  }
  const p = dataPriv();
  const pa = translate(va, acc, p, true);
  if (mmu.excCause >= 0) return 0;
  // An AMO reads and writes: PMP must allow both (an LR only reads).
  if (!pmpCheck(pa, size, ACC_LOAD, p, va)) { if (acc != ACC_LOAD) mmu.excCause = EXC_STORE_ACCESS; return 0; }
  if (acc != ACC_LOAD && !pmpCheck(pa, size, ACC_STORE, p, va)) return 0;
  atomicPa = pa;
  const h = ramHost(pa, size);
  if (h == 0) {
    mmu.excCause = acc == ACC_LOAD ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS;
    mmu.excTval = va;
  } else if (acc == ACC_STORE) {
    mmu.fillStoreTlb(va, h, pa, p); // the next AMO or store to the page takes the fast path
  } else {
    mmu.fillLoadTlb(va, h, pa, p);
  }
  return h;
}

// systemOp() results: the instruction set sysTarget (the next pc), is an event (interrupts and
// translation are looked at again), or ends the block at once (a fault, a device write).
export const SYS_TARGET: u32 = 1;
export const SYS_EVENT: u32 = 2;
export const SYS_STOP: u32 = 4;
export let sysTarget: u64 = 0;


/**
 * Executes decoded entry `cur` the general way: a load or store that missed the TLB (or an FP
 * one with the FPU off), every instruction the loop has no case for, and the double-precision
 * operations its fast path declined. `insnPc` is the instruction's pc, `live` the steps before
 * it, `instretBefore` minstret before it. Returns SYS_* flags; a fault is left in mmu.excCause.
 */
export function slowOp(cur: u32, insnPc: u64, live: u64, instretBefore: u64): u32 {
  const op = <u32>load<u16>(cur, 4);
  const rd = <u32>load<u8>(cur, 6);
  const rs1 = <u32>load<u8>(cur, 7);
  const rs2 = <u32>load<u8>(cur, 8);
  const imm = <u64><i64>load<i32>(cur, 12);
  switch (op) {
    case O.OP_LB: case O.OP_LH: case O.OP_LW: case O.OP_LD: case O.OP_LBU: case O.OP_LHU: case O.OP_LWU:
    case O.OP_FLW: case O.OP_FLD: case O.OP_FLH: {
      const fp = op == O.OP_FLW || op == O.OP_FLD || op == O.OP_FLH;
      if (fp && fpOff()) { fault(EXC_ILLEGAL, rawInsn(insnPc, cur)); return SYS_STOP; }
      const size = loadSize(op);
      const v = loadMiss(xget(rs1) + imm, size, live);
      if (mmu.excCause >= 0) return SYS_STOP;
      switch (op) {
        case O.OP_LB: xset(rd, <u64><i64><i8>v); break;
        case O.OP_LH: xset(rd, <u64><i64><i16>v); break;
        case O.OP_LW: xset(rd, <u64><i64><i32>v); break;
        case O.OP_FLW: fset(rd, v | 0xffffffff00000000); fpDirty(); break; // NaN-boxed
        case O.OP_FLD: fset(rd, v); fpDirty(); break;
        case O.OP_FLH: fset(rd, (v & 0xffff) | 0xffffffffffff0000); fpDirty(); break;
        default: xset(rd, v); // LD and the zero-extending loads: loadSlow returns the bytes as they are
      }
      return 0;
    }
    case O.OP_SB: case O.OP_SH: case O.OP_SW: case O.OP_SD: case O.OP_FSW: case O.OP_FSD: case O.OP_FSH: {
      const fp = op == O.OP_FSW || op == O.OP_FSD || op == O.OP_FSH;
      if (fp && fpOff()) { fault(EXC_ILLEGAL, rawInsn(insnPc, cur)); return SYS_STOP; }
      // FSW and FSH store the low bits whatever the boxing.
      storeMiss(xget(rs1) + imm, storeSize(op), fp ? fget(rs2) : xget(rs2), live);
      if (mmu.excCause >= 0 || mmu.deviceWritten) { endAfterStore(); return SYS_EVENT | SYS_STOP; }
      return 0;
    }
    case O.OP_ECALL: case O.OP_EBREAK: case O.OP_MRET: case O.OP_SRET: case O.OP_WFI:
    case O.OP_SFENCE_VMA: case O.OP_CSRRW: case O.OP_CSRRS: case O.OP_CSRRC: case O.OP_CSRRWI:
    case O.OP_CSRRSI: case O.OP_CSRRCI: case O.OP_LR_W: case O.OP_SC_W: case O.OP_LR_D:
    case O.OP_SC_D: case O.OP_AMO_W: case O.OP_AMO_D: case O.OP_CBO: case O.OP_SFENCE_INVAL:
      return systemOp(op, rd, rs1, rs2, imm, insnPc, live, instretBefore);
  }
  if (op >= O.OP_FP_FIRST && op <= O.OP_FP_LAST && execFp(op, rd, rs1, rs2, <u32>imm)) return 0;
  if (op >= OP_B_FIRST && op <= OP_B_LAST) { xset(rd, execBitmanip(op, xget(rs1), xget(rs2), imm)); return 0; }
  // An illegal encoding (the decoder kept its bits), or an FP instruction the FPU refused.
  fault(EXC_ILLEGAL, op == O.OP_ILLEGAL ? <u64><u32>imm : rawInsn(insnPc, cur));
  return SYS_STOP;
}

/** Bytes a load reads. */
function loadSize(op: u32): u32 {
  switch (op) {
    case O.OP_LB: case O.OP_LBU: return 1;
    case O.OP_LH: case O.OP_LHU: case O.OP_FLH: return 2;
    case O.OP_LW: case O.OP_LWU: case O.OP_FLW: return 4;
    default: return 8;
  }
}

/** Bytes a store writes. */
function storeSize(op: u32): u32 {
  switch (op) {
    case O.OP_SB: return 1;
    case O.OP_SH: case O.OP_FSH: return 2;
    case O.OP_SW: case O.OP_FSW: return 4;
    default: return 8;
  }
}

/**
 * SYSTEM and atomic instructions, out of the interpreter loop: they are rare, and the loop's
 * registers do better without their code. `insnPc` is the instruction's pc, `live` the steps
 * before it, `instretBefore` minstret before it.
 */
function systemOp(op: u32, rd: u32, rs1: u32, rs2: u32, imm: u64, insnPc: u64, live: u64, instretBefore: u64): u32 {
  let r: u32 = 0;
  switch (op) {
    case O.OP_ECALL: {
      r |= SYS_EVENT;
      const para = load<u64>(S_PARA);
      if (para != PARA_OFF && load<u64>(S_PRIV) == PRIV_S) { // a hypercall (SBI calling convention)
        store<u64>(ST_HYPERCALLS, load<u64>(ST_HYPERCALLS) + 1);
        if (para == PARA_EXIT) { exitReason = EXIT_SBI; sysTarget = insnPc; r |= SYS_TARGET; break; } // pc stays at the ECALL
        store<u64>(S_PC, insnPc);
        store<u64>(S_STEPS, live + 1); // the host's clock may count steps
        const f = sbiCall();
        if ((f & SBI_JUMP) != 0) { sysTarget = load<u64>(S_PC); r |= SYS_TARGET; }
        if ((f & SBI_EXIT) != 0) { exitReason = EXIT_HOST; break; }
        // A new deadline may raise or drop STIP: recompute it; interrupts are checked
        // before the next instruction, as after a CSR write.
        if ((f & SBI_TIMER) != 0) updateTimerLine();
        // Without SBI_END_BLOCK or SBI_TIMER the stretch could go on; ending it is harmless.
        break;
      }
      fault(EXC_ECALL_U + load<u64>(S_PRIV), 0); break;
    }
    case O.OP_EBREAK: fault(EXC_BREAKPOINT, insnPc); break;
    case O.OP_MRET: {
      if (load<u64>(S_PRIV) != PRIV_M) { fault(EXC_ILLEGAL, <u64><u32>imm); break; }
      sysTarget = mret(); r |= SYS_TARGET | SYS_EVENT; break;
    }
    case O.OP_SRET: {
      const p = load<u64>(S_PRIV);
      if (p == PRIV_U || (p == PRIV_S && (load<u64>(S_MSTATUS) & MS_TSR) != 0)) {
        fault(EXC_ILLEGAL, <u64><u32>imm); break;
      }
      sysTarget = sret(); r |= SYS_TARGET | SYS_EVENT; break;
    }
    case O.OP_WFI: {
      const p = load<u64>(S_PRIV);
      if (p == PRIV_U || (p == PRIV_S && (load<u64>(S_MSTATUS) & MS_TW) != 0)) {
        fault(EXC_ILLEGAL, <u64><u32>imm); break;
      }
      if (pendingEnabled() == 0) { store<u64>(S_WFI, 1); exitReason = EXIT_IDLE; }
      r |= SYS_EVENT; break;
    }
    case O.OP_SFENCE_VMA: {
      const p = load<u64>(S_PRIV);
      if (p == PRIV_U || (p == PRIV_S && (load<u64>(S_MSTATUS) & MS_TVM) != 0)) {
        fault(EXC_ILLEGAL, <u64><u32>imm); break;
      }
      if (rs1 != 0) tlbFlushPage(xget(rs1)); else tlbFlushAll();
      r |= SYS_EVENT; break;
    }
    case O.OP_SFENCE_INVAL: // Svinval: illegal in U-mode only (mstatus.TVM does not apply)
      if (load<u64>(S_PRIV) == PRIV_U) fault(EXC_ILLEGAL, <u64><u32>imm);
      break;
    case O.OP_CBO:
      if (!execCbo(<u32>imm >> 20, xget(rs1))) fault(EXC_ILLEGAL, <u64><u32>imm);
      if (mmu.excCause >= 0) r |= SYS_STOP;
      r |= SYS_EVENT; break; // a CBO.ZERO may have dropped decoded code
    case O.OP_CSRRW: case O.OP_CSRRS: case O.OP_CSRRC:
    case O.OP_CSRRWI: case O.OP_CSRRSI: case O.OP_CSRRCI: {
      store<u64>(S_INSTRET, instretBefore);
      store<u64>(S_STEPS, live);
      if (!csrInstruction(op, <u32>imm & 0xfff, rd, rs1)) {
        fault(EXC_ILLEGAL, csrBits(op, <u32>imm & 0xfff, rd, rs1));
      }
      r |= SYS_EVENT; break;
    }
    case O.OP_LR_W: case O.OP_LR_D: {
      const d = op == O.OP_LR_D;
      const va = xget(rs1);
      const a = atomicHost(va, d ? 8 : 4, ACC_LOAD);
      if (a == 0) { r |= SYS_STOP; break; }
      xset(rd, d ? load<u64>(a) : <u64><i64>load<i32>(a));
      store<u64>(S_RES_ADDR, atomicPa);
      store<u64>(S_RES_VA, va);
      break;
    }
    case O.OP_SC_W: case O.OP_SC_D: {
      const d = op == O.OP_SC_D;
      const va = xget(rs1);
      const size: u32 = d ? 8 : 4;
      if ((va & (size - 1)) != 0) { fault(EXC_STORE_MISALIGNED, va); r |= SYS_STOP; break; }
      // Without a reservation the SC fails without touching memory; with one it must
      // translate, and succeeds only on the reserved physical address.
      let a: u32 = 0;
      if (load<u64>(S_RES_ADDR) != RES_NONE && load<u64>(S_RES_VA) == va) {
        a = atomicHost(va, size, ACC_STORE);
        if (a == 0) { r |= SYS_STOP; break; }
        if (atomicPa != load<u64>(S_RES_ADDR)) a = 0;
      }
      if (a == 0) {
        xset(rd, 1);
      } else {
        if (d) store<u64>(a, xget(rs2)); else store<u32>(a, <u32>xget(rs2));
        noteRamStore(a, size);
        xset(rd, 0);
        if (mmu.deviceWritten) { endAfterStore(); r |= SYS_EVENT | SYS_STOP; }
      }
      store<u64>(S_RES_ADDR, RES_NONE);
      break;
    }
    case O.OP_AMO_W: case O.OP_AMO_D: {
      const d = op == O.OP_AMO_D;
      const size: u32 = d ? 8 : 4;
      const va = xget(rs1);
      let a = storeHit(va, d ? M8 : M4);
      if (a == 0) {
        a = atomicHost(va, size, ACC_STORE);
        if (a == 0) { r |= SYS_STOP; break; }
        noteRamStore(a, size);
      }
      const old = d ? load<u64>(a) : <u64><i64>load<i32>(a);
      const nv = amoCompute(<u32>imm, old, xget(rs2), !d);
      if (d) store<u64>(a, nv); else store<u32>(a, <u32>nv);
      xset(rd, old);
      if (mmu.deviceWritten) { endAfterStore(); r |= SYS_EVENT | SYS_STOP; }
      break;
    }
  }
  return r;
}

/**
 * A store reached a device or HTIF tohost (or rewrote code, or faulted): the block ends so
 * interrupts are re-checked and the next instruction is fetched anew; leave run() if tohost
 * holds a command or the host asked for an exit.
 */
function endAfterStore(): void {
  mmu.deviceWritten = false;
  if (mmu.excCause >= 0) return;
  if (mmu.htifPending) exitReason = EXIT_HTIF;
  else if (mmu.hostExitRequested) exitReason = EXIT_HOST;
}

/**
 * The bits of the instruction at `pc` (entry `cur`) for mtval, read again (decoded entries do
 * not keep them). Its fetch just succeeded, so the translation cannot fail.
 */
function rawInsn(pc: u64, cur: u32): u64 {
  const v = peekVirtual(pc, <u32>load<u8>(cur, 9), true);
  return v < 0 ? 0 : <u64>v;
}

// The slow paths may reach a device or the clock; a virtual clock counts instructions, so the
// step counter is brought up to date first (`live` = steps before this instruction).

/** Store slow path (check mmu.excCause afterwards). */
// @ts-ignore: decorator
@inline function storeMiss(va: u64, size: u32, v: u64, live: u64): void {
  store<u64>(S_STEPS, live);
  storeSlow(va, size, v);
}

/** Load slow path (check mmu.excCause afterwards). */
// @ts-ignore: decorator
@inline function loadMiss(va: u64, size: u32, live: u64): u64 {
  store<u64>(S_STEPS, live);
  return loadSlow(va, size);
}

/** Executes a Zicsr instruction; false if it is illegal. */
function csrInstruction(op: u32, num: u32, rd: u32, rs1: u32): bool {
  const imm = op >= O.OP_CSRRWI;
  const src: u64 = imm ? <u64>rs1 : xget(rs1);
  const kind = imm ? op - O.OP_CSRRWI : op - O.OP_CSRRW; // 0 write, 1 set, 2 clear
  csr.csrIllegal = false;
  const old = csrRead(num);
  if (csr.csrIllegal) return false;
  // CSRRS/CSRRC with x0 / zero immediate do not write (and so may target read-only CSRs).
  if (kind == 0 || rs1 != 0) {
    const next = kind == 0 ? src : kind == 1 ? old | src : old & ~src;
    csrWrite(num, next);
    if (csr.csrIllegal) return false;
  }
  if (rd != 0) xset(rd, old);
  return true;
}

/** Re-encodes a Zicsr instruction for mtval on an illegal-instruction trap. */
function csrBits(op: u32, num: u32, rd: u32, rs1: u32): u64 {
  const f3: u32 = op >= O.OP_CSRRWI ? op - O.OP_CSRRWI + 5 : op - O.OP_CSRRW + 1;
  return <u64>((num << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73);
}


// The interpreter: executes the block cache's decoded blocks (blocks.ts), one straight-line
// block per lookup. Budget, fetch translation and the block's decode tag are checked once per
// block; inside a block the next entry is the next 16 bytes and pc is only materialised by the
// instructions that need it (block pc + the offset the entry carries).
import {
  RES_NONE, S_FCSR, S_INSTRET, S_STEPS, S_MSTATUS, S_PC, S_PRIV, S_RES_ADDR, S_WFI, TLB_INVALID, S_RES_VA,
  S_PARA, STATS_BASE, ST_HYPERCALLS, JIT_NEXT_PC, JIT_THRESHOLD, JIT_STEPS, JIT_CALLS, JIT_DECLINED,
} from "./layout";
import * as O from "./ops";
import {
  EXC_BREAKPOINT, EXC_ECALL_U, EXC_ILLEGAL, EXC_LOAD_MISALIGNED, EXC_STORE_MISALIGNED,
  EXC_STORE_ACCESS, EXC_LOAD_ACCESS, EXIT_BUDGET, EXIT_HTIF, EXIT_HOST, EXIT_IDLE, EXIT_TRAP,
  MS_FS, MS_TSR, MS_TVM, MS_TW, PRIV_M, PRIV_S, PRIV_U, pendingEnabled, updateTimerLine, xget, xset,
  EXIT_SBI, EXIT_FATAL, PARA_EXIT, PARA_OFF, SBI_TIMER, SBI_END_BLOCK, SBI_EXIT, SBI_JUMP, sbiCall,
} from "./state";
import {
  ACC_LOAD, ACC_STORE, dataPriv, fetchHost, fetchTlb, pmpCheck, loadSlow, noteRamStore, ramHost,
  storeSlow, tlbFlushAll, tlbFlushPage, tlbLoad, tlbStore, translate, peekVirtual,
} from "./mmu";
import { buildBlock, cachedBlock, ENTRY, noteHot } from "./blocks";
import { csrRead, csrWrite } from "./csr";
import { mret, pendingInterrupt, sret, takeTrap } from "./trap";
import * as trap from "./trap";
import { execFp, fget, fpDirty, fpOff, fset } from "./fpu";
import { execBitmanip } from "./bitmanip";
import { execCbo } from "./cbo";
import { OP_B_FIRST, OP_B_LAST } from "./bitmanip.gen";
import * as mmu from "./mmu";
import * as csr from "./csr";

// TLB hit test masks: the page tag plus the low bits that must be zero for an aligned access.
const M1: u64 = ~(<u64>0xfff);
const M2: u64 = ~(<u64>0xffe);
const M4: u64 = ~(<u64>0xffc);
const M8: u64 = ~(<u64>0xff8);

// @ts-ignore: decorator
@inline function loadHost(va: u64, mask: u64): u32 {
  const e = tlbLoad + ((<u32>(va >> 12) & 255) << 4);
  return (va & mask) == load<u64>(e) ? <u32>(va + load<u64>(e, 8)) : 0;
}

// @ts-ignore: decorator
@inline function storeHost(va: u64, mask: u64): u32 {
  const e = tlbStore + ((<u32>(va >> 12) & 255) << 4);
  return (va & mask) == load<u64>(e) ? <u32>(va + load<u64>(e, 8)) : 0;
}

const ABS64: u64 = 0x7fffffffffffffff;
const EXP64: u64 = 0x7ff0000000000000; // |x| below this: finite
const NOT_TINY64: u64 = 0x0020000000000000; // |x| >= 2^-1021: not tiny whatever the rounding

/**
 * Whether a double-precision operation with rounding field `imm` may take the native fast path:
 * FS is Dirty (nothing to update), NX is already raised, the rounding mode is RNE.
 */
// @ts-ignore: decorator
@inline function fastD(imm: u64): bool {
  const fcsr = load<u64>(S_FCSR);
  return (load<u64>(S_MSTATUS) & MS_FS) == MS_FS && (fcsr & 1) != 0 &&
    ((imm & 7) == 0 || ((imm & 7) == 7 && (fcsr & 0xe0) == 0));
}

/** Takes the exception left by a slow path (or an instruction) and clears it; returns the handler's pc. */
function raise(pc: u64): u64 {
  const c = <u64>mmu.excCause;
  mmu.excCause = -1;
  return takeTrap(c, mmu.excTval, pc, false);
}

/** Leaves the exception `cause` (with `tval`) for the block's exit to take. */
// @ts-ignore: decorator
@inline function fault(cause: u64, tval: u64): void {
  mmu.excCause = <i64>cause;
  mmu.excTval = tval;
}

// ---------------------------------------------------------------------------------------------
// M extension helpers (no 128-bit multiply in Wasm: build the high half from 32-bit parts).

function mulhu(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

function mulh(a: u64, b: u64): u64 {
  let h = mulhu(a, b);
  if (<i64>a < 0) h -= b;
  if (<i64>b < 0) h -= a;
  return h;
}

function mulhsu(a: u64, b: u64): u64 {
  let h = mulhu(a, b);
  if (<i64>a < 0) h -= b;
  return h;
}

// @ts-ignore: decorator
@inline function sext32(v: u64): u64 { return <u64><i64><i32>v; }

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

// ---------------------------------------------------------------------------------------------
// The interpreter loop

/**
 * Whether a branch back to the start of the running block may run it again at once, without a
 * lookup or the per-block checks it has passed: the budget covers another `count` after the
 * entries done so far (up to `e`), and the JIT is not counting entries into blocks (`threshold`
 * 0; it must see the loop's).
 */
// @ts-ignore: decorator
@inline function again(threshold: u32, budget: u32, n: u32, e: u32, first: u32, count: u32): bool {
  return threshold == 0 && budget - n - ((e - first) >> 4) >= count;
}

let exitReason: u32 = EXIT_BUDGET;

// Inside a block: the pc of entry `cur`, the pc after it, and the steps taken before it.
// @ts-ignore: decorator
@inline function pcOf(bpc: u64, cur: u32): u64 { return bpc + <u64>load<u16>(cur, 2); }
// @ts-ignore: decorator
@inline function pcAfter(bpc: u64, cur: u32): u64 { return bpc + <u64>load<u16>(cur); }
// @ts-ignore: decorator
@inline function stepsBefore(steps0: u64, n: u32, first: u32, cur: u32): u64 {
  return steps0 + <u64>(n + ((cur - first) >> 4));
}

/**
 * Executes up to `budget` instructions. Returns EXIT_BUDGET, EXIT_IDLE (WFI: wait for an
 * interrupt, the deadline is mtimecmp), EXIT_HTIF (a tohost command) or EXIT_FATAL.
 * Interrupts are checked when the run starts and after every event: a trap, an xRET, a CSR
 * write, WFI, SFENCE.VMA or a store that reached a device, i.e. whenever enables or
 * translation may change.
 */
export function interpret(budget: u32): u32 {
  exitReason = EXIT_BUDGET;
  mmu.htifPending = false;
  mmu.deviceWritten = false;
  mmu.hostExitRequested = false;
  updateTimerLine();
  if (load<u64>(S_WFI) != 0) {
    if (pendingEnabled() == 0) return EXIT_IDLE;
    store<u64>(S_WFI, 0);
  }
  const base = load<u64>(S_INSTRET);
  const exc0 = trap.exceptionsTaken;
  const steps0 = load<u64>(S_STEPS);
  let pc = load<u64>(S_PC);
  let n: u32 = 0;
  const threshold = load<u32>(JIT_THRESHOLD); // 0: the JIT is off (or counts nothing)
  while (n < budget) {
    const irq = pendingInterrupt();
    if (irq >= 0) pc = takeTrap(<u64>irq, 0, pc, true);
    // Steps are counted by privilege per stretch between events (a stretch runs in one
    // privilege; the instruction that traps out of it counts where it ran).
    const stretchStart = n;
    const stretchStat = STATS_BASE + (<u32>load<u64>(S_PRIV) << 3);
    let fetchPage: u64 = TLB_INVALID;
    let fetchDelta: u64 = 0;
    // The fetch page is not in the TLB (PMP covers only part of it): check every instruction.
    let fetchOne = false;
    let event = false;
    do {
      if ((pc & M1) != fetchPage) {
        let d = fetchTlb(pc);
        fetchOne = false;
        if (d == 1) {
          const fh = fetchHost(pc);
          if (mmu.excCause >= 0) { n++; pc = raise(pc); break; }
          d = <u64>(fh & ~0xfff) - (pc & M1);
          fetchOne = fetchTlb(pc) == 1;
        }
        fetchPage = fetchOne ? TLB_INVALID : pc & M1;
        fetchDelta = d;
      }
      const h = <u32>(pc + fetchDelta);
      let b = cachedBlock(h);
      if (b == 0) {
        b = buildBlock(h, pc);
        if (b == 0) { n++; pc = raise(pc); break; }
      }
      const avail = budget - n;
      // Compiled code (src/jit/) runs whole blocks, chaining within the page while the budget
      // lasts; it returns the instructions it ran (0: it could not start here, interpret).
      const jf = load<u32>(b, 12);
      if (jf != 0) {
        if (!fetchOne) {
          const k = call_indirect<u32>(jf, pc, avail, mmu.tlbLoad, mmu.tlbStore, load<u32>(b, 8), 0, mmu.tlbFetch);
          if (k != 0) {
            n += k;
            pc = load<u64>(JIT_NEXT_PC);
            store<u64>(JIT_STEPS, load<u64>(JIT_STEPS) + <u64>k);
            store<u32>(JIT_CALLS, load<u32>(JIT_CALLS) + 1);
            continue;
          }
          store<u32>(JIT_DECLINED, load<u32>(JIT_DECLINED) + 1);
        }
      } else if (threshold != 0) {
        noteHot(b, threshold);
      }
      const first = b + ENTRY;
      let count: u32 = fetchOne ? 1 : <u32>load<u16>(b, 4);
      if (count > avail) count = avail;
      let stop = first + (count << 4);
      let e = first;
      let target: u64 = 1; // set by an instruction that leaves the straight line (pcs are even)
      // A taken branch leaves the block (stop = 0); one back to the block's own start (imm 0: a
      // tight loop) runs it again at once while the budget covers it (again()).
      do {
        const cur = e;
        e += ENTRY;
        const w = load<u32>(cur, 4);
        const rd = (w >> 16) & 0xff;
        const rs1 = w >> 24;
        const rs2 = <u32>load<u8>(cur, 8);
        const imm = <u64><i64>load<i32>(cur, 12);
        switch (w & 0xffff) {
          case O.OP_ILLEGAL: fault(EXC_ILLEGAL, <u64><u32>imm); stop = 0; break;
          case O.OP_LUI: xset(rd, imm); break;
          case O.OP_AUIPC: xset(rd, pc + imm); break;
          case O.OP_JAL: xset(rd, pcAfter(pc, cur)); target = pc + imm; break;
          case O.OP_JALR: {
            const t = (xget(rs1) + imm) & ~(<u64>1);
            xset(rd, pcAfter(pc, cur));
            target = t;
            break;
          }
          case O.OP_BEQ: if (xget(rs1) == xget(rs2)) { if (imm == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + imm; stop = 0; } } break;
          case O.OP_BNE: if (xget(rs1) != xget(rs2)) { if (imm == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + imm; stop = 0; } } break;
          case O.OP_BLT: if (<i64>xget(rs1) < <i64>xget(rs2)) { if (imm == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + imm; stop = 0; } } break;
          case O.OP_BGE: if (<i64>xget(rs1) >= <i64>xget(rs2)) { if (imm == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + imm; stop = 0; } } break;
          case O.OP_BLTU: if (xget(rs1) < xget(rs2)) { if (imm == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + imm; stop = 0; } } break;
          case O.OP_BGEU: if (xget(rs1) >= xget(rs2)) { if (imm == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + imm; stop = 0; } } break;
          case O.OP_LB: {
            const va = xget(rs1) + imm;
            const a = loadHost(va, M1);
            if (a != 0) { xset(rd, <u64><i64>load<i8>(a)); break; }
            const v = <u64><i64><i8>loadMiss(va, 1, stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0) { stop = 0; break; }
            xset(rd, v); break;
          }
          case O.OP_LH: {
            const va = xget(rs1) + imm;
            const a = loadHost(va, M2);
            if (a != 0) { xset(rd, <u64><i64>load<i16>(a)); break; }
            const v = <u64><i64><i16>loadMiss(va, 2, stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0) { stop = 0; break; }
            xset(rd, v); break;
          }
          case O.OP_LW: {
            const va = xget(rs1) + imm;
            const a = loadHost(va, M4);
            if (a != 0) { xset(rd, <u64><i64>load<i32>(a)); break; }
            const v = <u64><i64><i32>loadMiss(va, 4, stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0) { stop = 0; break; }
            xset(rd, v); break;
          }
          case O.OP_LD: {
            const va = xget(rs1) + imm;
            const a = loadHost(va, M8);
            if (a != 0) { xset(rd, load<u64>(a)); break; }
            const v = loadMiss(va, 8, stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0) { stop = 0; break; }
            xset(rd, v); break;
          }
          case O.OP_LBU: {
            const va = xget(rs1) + imm;
            const a = loadHost(va, M1);
            if (a != 0) { xset(rd, <u64>load<u8>(a)); break; }
            const v = loadMiss(va, 1, stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0) { stop = 0; break; }
            xset(rd, v); break;
          }
          case O.OP_LHU: {
            const va = xget(rs1) + imm;
            const a = loadHost(va, M2);
            if (a != 0) { xset(rd, <u64>load<u16>(a)); break; }
            const v = loadMiss(va, 2, stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0) { stop = 0; break; }
            xset(rd, v); break;
          }
          case O.OP_LWU: {
            const va = xget(rs1) + imm;
            const a = loadHost(va, M4);
            if (a != 0) { xset(rd, <u64>load<u32>(a)); break; }
            const v = loadMiss(va, 4, stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0) { stop = 0; break; }
            xset(rd, v); break;
          }
          case O.OP_SB: {
            const va = xget(rs1) + imm;
            const a = storeHost(va, M1);
            if (a != 0) { store<u8>(a, <u8>xget(rs2)); break; }
            storeMiss(va, 1, xget(rs2), stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0 || mmu.deviceWritten) { endAfterStore(); event = true; stop = 0; }
            break;
          }
          case O.OP_SH: {
            const va = xget(rs1) + imm;
            const a = storeHost(va, M2);
            if (a != 0) { store<u16>(a, <u16>xget(rs2)); break; }
            storeMiss(va, 2, xget(rs2), stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0 || mmu.deviceWritten) { endAfterStore(); event = true; stop = 0; }
            break;
          }
          case O.OP_SW: {
            const va = xget(rs1) + imm;
            const a = storeHost(va, M4);
            if (a != 0) { store<u32>(a, <u32>xget(rs2)); break; }
            storeMiss(va, 4, xget(rs2), stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0 || mmu.deviceWritten) { endAfterStore(); event = true; stop = 0; }
            break;
          }
          case O.OP_SD: {
            const va = xget(rs1) + imm;
            const a = storeHost(va, M8);
            if (a != 0) { store<u64>(a, xget(rs2)); break; }
            storeMiss(va, 8, xget(rs2), stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0 || mmu.deviceWritten) { endAfterStore(); event = true; stop = 0; }
            break;
          }
          case O.OP_ADDI: xset(rd, xget(rs1) + imm); break;
          case O.OP_SLTI: xset(rd, <i64>xget(rs1) < <i64>imm ? 1 : 0); break;
          case O.OP_SLTIU: xset(rd, xget(rs1) < imm ? 1 : 0); break;
          case O.OP_XORI: xset(rd, xget(rs1) ^ imm); break;
          case O.OP_ORI: xset(rd, xget(rs1) | imm); break;
          case O.OP_ANDI: xset(rd, xget(rs1) & imm); break;
          case O.OP_SLLI: xset(rd, xget(rs1) << imm); break;
          case O.OP_SRLI: xset(rd, xget(rs1) >> imm); break;
          case O.OP_SRAI: xset(rd, <u64>(<i64>xget(rs1) >> <i64>imm)); break;
          case O.OP_ADD: xset(rd, xget(rs1) + xget(rs2)); break;
          case O.OP_SUB: xset(rd, xget(rs1) - xget(rs2)); break;
          case O.OP_SLL: xset(rd, xget(rs1) << (xget(rs2) & 63)); break;
          case O.OP_SLT: xset(rd, <i64>xget(rs1) < <i64>xget(rs2) ? 1 : 0); break;
          case O.OP_SLTU: xset(rd, xget(rs1) < xget(rs2) ? 1 : 0); break;
          case O.OP_XOR: xset(rd, xget(rs1) ^ xget(rs2)); break;
          case O.OP_SRL: xset(rd, xget(rs1) >> (xget(rs2) & 63)); break;
          case O.OP_SRA: xset(rd, <u64>(<i64>xget(rs1) >> <i64>(xget(rs2) & 63))); break;
          case O.OP_OR: xset(rd, xget(rs1) | xget(rs2)); break;
          case O.OP_AND: xset(rd, xget(rs1) & xget(rs2)); break;
          case O.OP_ADDIW: xset(rd, sext32(xget(rs1) + imm)); break;
          case O.OP_SLLIW: xset(rd, sext32(xget(rs1) << imm)); break;
          case O.OP_SRLIW: xset(rd, <u64><i64><i32>(<u32>xget(rs1) >> <u32>imm)); break;
          case O.OP_SRAIW: xset(rd, <u64><i64>(<i32>xget(rs1) >> <i32>imm)); break;
          case O.OP_ADDW: xset(rd, sext32(xget(rs1) + xget(rs2))); break;
          case O.OP_SUBW: xset(rd, sext32(xget(rs1) - xget(rs2))); break;
          case O.OP_SLLW: xset(rd, <u64><i64>(<i32>xget(rs1) << (<i32>xget(rs2) & 31))); break;
          case O.OP_SRLW: xset(rd, <u64><i64><i32>(<u32>xget(rs1) >> (<u32>xget(rs2) & 31))); break;
          case O.OP_SRAW: xset(rd, <u64><i64>(<i32>xget(rs1) >> (<i32>xget(rs2) & 31))); break;
          case O.OP_MUL: xset(rd, xget(rs1) * xget(rs2)); break;
          case O.OP_MULH: xset(rd, mulh(xget(rs1), xget(rs2))); break;
          case O.OP_MULHSU: xset(rd, mulhsu(xget(rs1), xget(rs2))); break;
          case O.OP_MULHU: xset(rd, mulhu(xget(rs1), xget(rs2))); break;
          case O.OP_DIV: {
            const a = <i64>xget(rs1), b = <i64>xget(rs2);
            // Division by zero gives -1; MIN / -1 overflows to MIN (unprivileged spec 7.2).
            xset(rd, b == 0 ? <u64>-1 : (b == -1 ? <u64>(0 - a) : <u64>(a / b)));
            break;
          }
          case O.OP_DIVU: {
            const a = xget(rs1), b = xget(rs2);
            xset(rd, b == 0 ? <u64>-1 : a / b); break;
          }
          case O.OP_REM: {
            const a = <i64>xget(rs1), b = <i64>xget(rs2);
            xset(rd, b == 0 ? <u64>a : (b == -1 ? 0 : <u64>(a % b))); break;
          }
          case O.OP_REMU: {
            const a = xget(rs1), b = xget(rs2);
            xset(rd, b == 0 ? a : a % b); break;
          }
          case O.OP_MULW: xset(rd, sext32(xget(rs1) * xget(rs2))); break;
          // W divisions in 64-bit arithmetic: a 32-bit quotient cannot overflow there (MIN / -1
          // is +2^31, whose low word sign-extends back to MIN as the spec's overflow row requires).
          case O.OP_DIVW: {
            const a = <i64><i32>xget(rs1), b = <i64><i32>xget(rs2);
            xset(rd, b == 0 ? <u64>-1 : sext32(<u64>(a / b))); break;
          }
          case O.OP_DIVUW: {
            const a = xget(rs1) & 0xffffffff, b = xget(rs2) & 0xffffffff;
            xset(rd, b == 0 ? <u64>-1 : sext32(a / b)); break;
          }
          case O.OP_REMW: {
            const a = <i64><i32>xget(rs1), b = <i64><i32>xget(rs2);
            xset(rd, b == 0 ? <u64>a : sext32(<u64>(a % b))); break;
          }
          case O.OP_REMUW: {
            const a = xget(rs1) & 0xffffffff, b = xget(rs2) & 0xffffffff;
            xset(rd, sext32(b == 0 ? a : a % b)); break;
          }
          case O.OP_FENCE: break;
          // SYSTEM and atomic instructions: rare, so executed out of the loop (systemOp).
          case O.OP_ECALL: case O.OP_EBREAK: case O.OP_MRET: case O.OP_SRET: case O.OP_WFI:
          case O.OP_SFENCE_VMA: case O.OP_CSRRW: case O.OP_CSRRS: case O.OP_CSRRC: case O.OP_CSRRWI:
          case O.OP_CSRRSI: case O.OP_CSRRCI: case O.OP_LR_W: case O.OP_SC_W: case O.OP_LR_D:
          case O.OP_SC_D: case O.OP_AMO_W: case O.OP_AMO_D: case O.OP_CBO: case O.OP_SFENCE_INVAL: {
            const live = stepsBefore(steps0, n, first, cur);
            const r = systemOp(w & 0xffff, rd, rs1, rs2, imm, pcOf(pc, cur), live,
              base + (live - steps0) - <u64>(trap.exceptionsTaken - exc0));
            if ((r & SYS_TARGET) != 0) target = sysTarget;
            if ((r & SYS_EVENT) != 0) event = true;
            if ((r & SYS_STOP) != 0) stop = 0;
            break;
          }
          case O.OP_NOP: break;
          case O.OP_FLW: case O.OP_FLD: {
            if (fpOff()) { fault(EXC_ILLEGAL, rawInsn(pcOf(pc, cur), cur)); stop = 0; break; }
            const d = (w & 0xffff) == O.OP_FLD;
            const va = xget(rs1) + imm;
            const a = loadHost(va, d ? M8 : M4);
            let v: u64;
            if (a != 0) v = d ? load<u64>(a) : <u64>load<u32>(a);
            else {
              v = loadMiss(va, d ? 8 : 4, stepsBefore(steps0, n, first, cur));
              if (mmu.excCause >= 0) { stop = 0; break; }
            }
            fset(rd, d ? v : v | 0xffffffff00000000); // FLW NaN-boxes
            fpDirty();
            break;
          }
          case O.OP_FSW: case O.OP_FSD: {
            if (fpOff()) { fault(EXC_ILLEGAL, rawInsn(pcOf(pc, cur), cur)); stop = 0; break; }
            const d = (w & 0xffff) == O.OP_FSD;
            const va = xget(rs1) + imm;
            const v = fget(rs2); // FSW stores the low 32 bits whatever the boxing
            const a = storeHost(va, d ? M8 : M4);
            if (a != 0) { if (d) store<u64>(a, v); else store<u32>(a, <u32>v); break; }
            storeMiss(va, d ? 8 : 4, v, stepsBefore(steps0, n, first, cur));
            if (mmu.excCause >= 0 || mmu.deviceWritten) { endAfterStore(); event = true; stop = 0; }
            break;
          }
          // Double-precision arithmetic on the native operations when only NX could be raised
          // and it already is (FS Dirty, round to nearest-even, a finite result that cannot be
          // tiny): the exact path in fpu.ts handles everything else. One case per operation: a
          // shared body choosing the operation inside measured ~10 % slower on n-body.
          case O.OP_FADD_D: {
            if (fastD(imm)) {
              const r = reinterpret<u64>(reinterpret<f64>(fget(rs1)) + reinterpret<f64>(fget(rs2)));
              if ((r & ABS64) < EXP64) { fset(rd, r); break; } // a finite sum is never tiny and inexact
            }
            if (!execFp(w & 0xffff, rd, rs1, rs2, <u32>imm)) { fault(EXC_ILLEGAL, rawInsn(pcOf(pc, cur), cur)); stop = 0; }
            break;
          }
          case O.OP_FSUB_D: {
            if (fastD(imm)) {
              const r = reinterpret<u64>(reinterpret<f64>(fget(rs1)) - reinterpret<f64>(fget(rs2)));
              if ((r & ABS64) < EXP64) { fset(rd, r); break; }
            }
            if (!execFp(w & 0xffff, rd, rs1, rs2, <u32>imm)) { fault(EXC_ILLEGAL, rawInsn(pcOf(pc, cur), cur)); stop = 0; }
            break;
          }
          case O.OP_FMUL_D: {
            if (fastD(imm)) {
              const r = reinterpret<u64>(reinterpret<f64>(fget(rs1)) * reinterpret<f64>(fget(rs2)));
              if ((r & ABS64) - NOT_TINY64 < EXP64 - NOT_TINY64) { fset(rd, r); break; }
            }
            if (!execFp(w & 0xffff, rd, rs1, rs2, <u32>imm)) { fault(EXC_ILLEGAL, rawInsn(pcOf(pc, cur), cur)); stop = 0; }
            break;
          }
          case O.OP_FDIV_D: {
            if (fastD(imm)) {
              const r = reinterpret<u64>(reinterpret<f64>(fget(rs1)) / reinterpret<f64>(fget(rs2)));
              if ((r & ABS64) - NOT_TINY64 < EXP64 - NOT_TINY64) { fset(rd, r); break; }
            }
            if (!execFp(w & 0xffff, rd, rs1, rs2, <u32>imm)) { fault(EXC_ILLEGAL, rawInsn(pcOf(pc, cur), cur)); stop = 0; }
            break;
          }
          case O.OP_FSQRT_D: {
            if (fastD(imm)) {
              const r = reinterpret<u64>(sqrt<f64>(reinterpret<f64>(fget(rs1))));
              if (r - 1 < EXP64 - 1) { fset(rd, r); break; } // positive and finite: never tiny
            }
            if (!execFp(w & 0xffff, rd, rs1, rs2, <u32>imm)) { fault(EXC_ILLEGAL, rawInsn(pcOf(pc, cur), cur)); stop = 0; }
            break;
          }
          default: {
            const op = w & 0xffff;
            if (op >= O.OP_FP_FIRST && op <= O.OP_FP_LAST && execFp(op, rd, rs1, rs2, <u32>imm)) break;
            // Zfh's FLH and FSH (rare: out of the hot cases, the same paths as LH and SH).
            if (op == O.OP_FLH && !fpOff()) {
              const va = xget(rs1) + imm;
              const a = loadHost(va, M2);
              let v: u64;
              if (a != 0) v = <u64>load<u16>(a);
              else {
                v = loadMiss(va, 2, stepsBefore(steps0, n, first, cur));
                if (mmu.excCause >= 0) { stop = 0; break; }
              }
              fset(rd, (v & 0xffff) | 0xffffffffffff0000); // FLH NaN-boxes
              fpDirty();
              break;
            }
            if (op == O.OP_FSH && !fpOff()) {
              const va = xget(rs1) + imm;
              const v = fget(rs2); // the low 16 bits whatever the boxing
              const a = storeHost(va, M2);
              if (a != 0) { store<u16>(a, <u16>v); break; }
              storeMiss(va, 2, v, stepsBefore(steps0, n, first, cur));
              if (mmu.excCause >= 0 || mmu.deviceWritten) { endAfterStore(); event = true; stop = 0; }
              break;
            }
            // Bit manipulation, out of the loop (one call site: the loop's registers stay put).
            if (op >= OP_B_FIRST && op <= OP_B_LAST) { xset(rd, execBitmanip(op, xget(rs1), xget(rs2), imm)); break; }
            fault(EXC_ILLEGAL, rawInsn(pcOf(pc, cur), cur)); stop = 0; break;
          }
        }
      } while (e < stop);
      n += (e - first) >> 4;
      if (mmu.excCause >= 0) { pc = raise(pcOf(pc, e - ENTRY)); event = true; }
      else if (target != 1) pc = target;
      else pc = pcAfter(pc, e - ENTRY);
    } while (!event && n < budget);
    store<u64>(stretchStat, load<u64>(stretchStat) + <u64>(n - stretchStart));
    if (trap.fatalTrap) { trap.clearFatalTrap(); exitReason = EXIT_FATAL; }
    if (trap.userTrap) { trap.clearUserTrap(); exitReason = EXIT_TRAP; }
    if (exitReason != EXIT_BUDGET) break;
  }
  store<u64>(S_PC, pc);
  store<u64>(S_INSTRET, base + n - (trap.exceptionsTaken - exc0));
  store<u64>(S_STEPS, steps0 + n);
  return exitReason;
}

// systemOp() results: the instruction set sysTarget (the next pc), is an event (interrupts and
// translation are looked at again), or ends the block at once (a fault, a device write).
const SYS_TARGET: u32 = 1;
const SYS_EVENT: u32 = 2;
const SYS_STOP: u32 = 4;
let sysTarget: u64 = 0;

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
      let a = storeHost(va, d ? M8 : M4);
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


// The interpreter: executes the block cache's decoded blocks (blocks.ts), one straight-line
// block per lookup. Budget, fetch translation and the block's decode tag are checked once per
// block; inside a block the next entry is the next 16 bytes and pc is only materialised by the
// instructions that need it (block pc + the offset the entry carries).
// The loop over a block's entries makes no calls: V8 keeps a Wasm function's values in
// registers only where no call clobbers them, so every instruction it has no call-free fast
// path for (a TLB miss, a SYSTEM or atomic instruction, most of F and D, bit manipulation)
// leaves the loop for slowOp (interp-slow.ts) and the block goes on after it. Each case reads
// the decoded fields it uses where it uses them, for the same reason.
import {
  S_INSTRET, S_STEPS, S_MSTATUS, S_PC, S_PRIV, S_FCSR, S_WFI, SCRATCH_BLOCK, FP_MODE, F_BASE, TLB_INVALID, STATS_BASE, JIT_NEXT_PC, JIT_THRESHOLD,
  JIT_STEPS, JIT_CALLS, JIT_DECLINED, JIT_NO_RETURN,
} from "./layout";
import * as O from "./ops";
import {
  EXIT_BUDGET, EXIT_TRAP, EXIT_IDLE, EXIT_FATAL, MS_FS, pendingEnabled, updateTimerLine, xget, xset,
} from "./state";
import { M1, M2, M4, M8, fetchHost, fetchTlb, loadHit, storeHit } from "./mmu";
import { buildBlock, ENTRY, HEADER, nextBlock, noteHot } from "./blocks";
import { pendingInterrupt, takeTrap } from "./trap";
import * as trap from "./trap";
import { fget, fset } from "./fpu";
import * as mmu from "./mmu";
import * as slow from "./interp-slow";
import { fault, slowOp, SYS_EVENT, SYS_STOP, SYS_TARGET } from "./interp-slow";

// |x| >= 2^-1021: not tiny whatever the rounding. The fast paths test results as doubles: their
// bits stay in the FP registers of the host, where the next operation reads them.
const NOT_TINY: f64 = reinterpret<f64>(<u64>0x0020000000000000);

// @ts-ignore: decorator
@inline function fgetD(r: u32): f64 { return load<f64>(F_BASE + (r << 3)); }
// @ts-ignore: decorator
@inline function fsetD(r: u32, v: f64): void { store<f64>(F_BASE + (r << 3), v); }

// The FP state the loop's fast paths rely on (FP_MODE), read at the start of a stretch and after
// each slow path (fpModeNow): it changes only through CSR writes and traps, which end the stretch,
// and through the FP instructions slowOp runs.
const FP_ON: u32 = 1; // FS is not Off: FP stores may run
const FP_DIRTY: u32 = 2; // FS is Dirty: FP loads have nothing to update
const FP_NX: u32 = 4; // FS is Dirty and NX raised: a native result needs no flag update
const FP_RNE: u32 = 8; // frm is round to nearest, ties to even

// @ts-ignore: decorator
@inline function fpModeNow(): u32 {
  const fs = load<u64>(S_MSTATUS) & MS_FS;
  if (fs == 0) return 0;
  if (fs != MS_FS) return FP_ON;
  const fcsr = load<u64>(S_FCSR);
  return FP_ON | FP_DIRTY | ((fcsr & 1) != 0 ? FP_NX : 0) | ((fcsr & 0xe0) == 0 ? FP_RNE : 0);
}

/**
 * Whether a double-precision operation with rounding field `imm` may take the native fast path:
 * FS is Dirty (nothing to update), NX is already raised, the rounding mode is RNE.
 */
// @ts-ignore: decorator
@inline function fastD(imm: u64): bool {
  const fpMode = load<u32>(FP_MODE);
  const rm = <u32>imm & 7;
  return rm == 0 ? (fpMode & FP_NX) != 0 : rm == 7 && (fpMode & (FP_NX | FP_RNE)) == (FP_NX | FP_RNE);
}

/** Takes the exception left by a slow path (or an instruction) and clears it; returns the handler's pc. */
function raise(pc: u64): u64 {
  const c = <u64>mmu.excCause;
  mmu.excCause = -1;
  return takeTrap(c, mmu.excTval, pc, false);
}

// ---------------------------------------------------------------------------------------------
// M extension helpers (no 128-bit multiply in Wasm: build the high half from 32-bit parts),
// inlined: the loop makes no calls but to its slow path.

// @ts-ignore: decorator
@inline function mulhu(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

// @ts-ignore: decorator
@inline function mulh(a: u64, b: u64): u64 {
  let h = mulhu(a, b);
  if (<i64>a < 0) h -= b;
  if (<i64>b < 0) h -= a;
  return h;
}

// @ts-ignore: decorator
@inline function mulhsu(a: u64, b: u64): u64 {
  let h = mulhu(a, b);
  if (<i64>a < 0) h -= b;
  return h;
}

// @ts-ignore: decorator
@inline function sext32(v: u64): u64 { return <u64><i64><i32>v; }

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

// Inside a block: the pc of entry `cur`, the pc after it, and the steps taken before it.
// The decoded fields of entry `cur`, each read where an instruction uses it: read before the
// dispatch, they would be live across every case and V8 keeps them on the stack.
// @ts-ignore: decorator
@inline function rdAt(cur: u32): u32 { return <u32>load<u8>(cur, 6); }
// @ts-ignore: decorator
@inline function rs1At(cur: u32): u32 { return <u32>load<u8>(cur, 7); }
// @ts-ignore: decorator
@inline function rs2At(cur: u32): u32 { return <u32>load<u8>(cur, 8); }
// @ts-ignore: decorator
@inline function immAt(cur: u32): u64 { return <u64><i64>load<i32>(cur, 12); }
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
  slow.exitReason = EXIT_BUDGET;
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
  let prev = SCRATCH_BLOCK; // the block that ran last, whose successor hints come first
  while (n < budget) {
    const irq = pendingInterrupt();
    if (irq >= 0) pc = takeTrap(<u64>irq, 0, pc, true);
    // Steps are counted by privilege per stretch between events (a stretch runs in one
    // privilege; the instruction that traps out of it counts where it ran).
    const stretchStart = n;
    const stretchStat = STATS_BASE + (<u32>load<u64>(S_PRIV) << 3);
    store<u32>(FP_MODE, fpModeNow());
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
      let b = nextBlock(prev, h);
      if (b == 0) {
        b = buildBlock(h, pc); // may drop every block: not a hint of `prev`, whose memory may be reused
        if (b == 0) { n++; pc = raise(pc); break; }
      }
      prev = b;
      const avail = budget - n;
      // Compiled code (src/jit/) runs whole blocks, chaining within the page while the budget
      // lasts; it returns the instructions it ran (0: it could not start here, interpret).
      const jf = load<u32>(b, 12);
      if (jf != 0) {
        if (!fetchOne) {
          // (no compiled caller waits for its return: JIT_NO_RETURN, call depth 0)
          const k = call_indirect<u32>(jf, pc, avail, mmu.tlbLoad, mmu.tlbStore, load<u32>(b, 8), 0, mmu.tlbFetch, JIT_NO_RETURN, <u32>0);
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
      const first = b + HEADER;
      let count: u32 = fetchOne ? 1 : <u32>load<u16>(b, 4);
      if (count > avail) count = avail;
      const end = first + (count << 4);
      let stop = end;
      let e = first;
      let target: u64 = 1; // set by an instruction that leaves the straight line (pcs are even)
      // The loop below makes no calls: an instruction it has no fast path for leaves it (stop =
      // 0, `slowAt` set) for slowOp, and the block goes on after it unless that stopped it.
      let slowAt: u32 = 0;
      while (true) {
        // A taken branch leaves the block (stop = 0); one back to the block's own start (imm 0: a
        // tight loop) runs it again at once while the budget covers it (again()). The loop body
        // dispatches twice, from two places: each indirect jump is predicted from its own history
        // (measured 1.15x over one dispatch on the bench programs, and no gain from four).
        do {
          // dispatch: one instruction
          {
          const cur = e;
          e += ENTRY;
          switch (<u32>load<u16>(cur, 4)) {
            case O.OP_LUI: xset(rdAt(cur), immAt(cur)); break;
            case O.OP_AUIPC: xset(rdAt(cur), pc + immAt(cur)); break;
            case O.OP_JAL: xset(rdAt(cur), pcAfter(pc, cur)); target = pc + immAt(cur); break;
            case O.OP_JALR: {
              const t = (xget(rs1At(cur)) + immAt(cur)) & ~(<u64>1);
              xset(rdAt(cur), pcAfter(pc, cur));
              target = t;
              break;
            }
            case O.OP_BEQ: if (xget(rs1At(cur)) == xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BNE: if (xget(rs1At(cur)) != xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BLT: if (<i64>xget(rs1At(cur)) < <i64>xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BGE: if (<i64>xget(rs1At(cur)) >= <i64>xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BLTU: if (xget(rs1At(cur)) < xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BGEU: if (xget(rs1At(cur)) >= xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            // Loads and stores on a TLB hit; a miss (a fault, MMIO, a code page) goes to slowOp.
            case O.OP_LB: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M1); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64><i64>load<i8>(a)); break; }
            case O.OP_LH: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M2); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64><i64>load<i16>(a)); break; }
            case O.OP_LW: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M4); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64><i64>load<i32>(a)); break; }
            case O.OP_LD: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M8); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), load<u64>(a)); break; }
            case O.OP_LBU: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M1); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64>load<u8>(a)); break; }
            case O.OP_LHU: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M2); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64>load<u16>(a)); break; }
            case O.OP_LWU: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M4); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64>load<u32>(a)); break; }
            case O.OP_SB: { const a = storeHit(xget(rs1At(cur)) + immAt(cur), M1); if (a == 0) { slowAt = cur; stop = 0; break; } store<u8>(a, <u8>xget(rs2At(cur))); break; }
            case O.OP_SH: { const a = storeHit(xget(rs1At(cur)) + immAt(cur), M2); if (a == 0) { slowAt = cur; stop = 0; break; } store<u16>(a, <u16>xget(rs2At(cur))); break; }
            case O.OP_SW: { const a = storeHit(xget(rs1At(cur)) + immAt(cur), M4); if (a == 0) { slowAt = cur; stop = 0; break; } store<u32>(a, <u32>xget(rs2At(cur))); break; }
            case O.OP_SD: { const a = storeHit(xget(rs1At(cur)) + immAt(cur), M8); if (a == 0) { slowAt = cur; stop = 0; break; } store<u64>(a, xget(rs2At(cur))); break; }
            case O.OP_ADDI: xset(rdAt(cur), xget(rs1At(cur)) + immAt(cur)); break;
            case O.OP_SLTI: xset(rdAt(cur), <i64>xget(rs1At(cur)) < <i64>immAt(cur) ? 1 : 0); break;
            case O.OP_SLTIU: xset(rdAt(cur), xget(rs1At(cur)) < immAt(cur) ? 1 : 0); break;
            case O.OP_XORI: xset(rdAt(cur), xget(rs1At(cur)) ^ immAt(cur)); break;
            case O.OP_ORI: xset(rdAt(cur), xget(rs1At(cur)) | immAt(cur)); break;
            case O.OP_ANDI: xset(rdAt(cur), xget(rs1At(cur)) & immAt(cur)); break;
            case O.OP_SLLI: xset(rdAt(cur), xget(rs1At(cur)) << immAt(cur)); break;
            case O.OP_SRLI: xset(rdAt(cur), xget(rs1At(cur)) >> immAt(cur)); break;
            case O.OP_SRAI: xset(rdAt(cur), <u64>(<i64>xget(rs1At(cur)) >> <i64>immAt(cur))); break;
            case O.OP_ADD: xset(rdAt(cur), xget(rs1At(cur)) + xget(rs2At(cur))); break;
            case O.OP_SUB: xset(rdAt(cur), xget(rs1At(cur)) - xget(rs2At(cur))); break;
            case O.OP_SLL: xset(rdAt(cur), xget(rs1At(cur)) << (xget(rs2At(cur)) & 63)); break;
            case O.OP_SLT: xset(rdAt(cur), <i64>xget(rs1At(cur)) < <i64>xget(rs2At(cur)) ? 1 : 0); break;
            case O.OP_SLTU: xset(rdAt(cur), xget(rs1At(cur)) < xget(rs2At(cur)) ? 1 : 0); break;
            case O.OP_XOR: xset(rdAt(cur), xget(rs1At(cur)) ^ xget(rs2At(cur))); break;
            case O.OP_SRL: xset(rdAt(cur), xget(rs1At(cur)) >> (xget(rs2At(cur)) & 63)); break;
            case O.OP_SRA: xset(rdAt(cur), <u64>(<i64>xget(rs1At(cur)) >> <i64>(xget(rs2At(cur)) & 63))); break;
            case O.OP_OR: xset(rdAt(cur), xget(rs1At(cur)) | xget(rs2At(cur))); break;
            case O.OP_AND: xset(rdAt(cur), xget(rs1At(cur)) & xget(rs2At(cur))); break;
            case O.OP_ADDIW: xset(rdAt(cur), sext32(xget(rs1At(cur)) + immAt(cur))); break;
            case O.OP_SLLIW: xset(rdAt(cur), sext32(xget(rs1At(cur)) << immAt(cur))); break;
            case O.OP_SRLIW: xset(rdAt(cur), <u64><i64><i32>(<u32>xget(rs1At(cur)) >> <u32>immAt(cur))); break;
            case O.OP_SRAIW: xset(rdAt(cur), <u64><i64>(<i32>xget(rs1At(cur)) >> <i32>immAt(cur))); break;
            case O.OP_ADDW: xset(rdAt(cur), sext32(xget(rs1At(cur)) + xget(rs2At(cur)))); break;
            case O.OP_SUBW: xset(rdAt(cur), sext32(xget(rs1At(cur)) - xget(rs2At(cur)))); break;
            case O.OP_SLLW: xset(rdAt(cur), <u64><i64>(<i32>xget(rs1At(cur)) << (<i32>xget(rs2At(cur)) & 31))); break;
            case O.OP_SRLW: xset(rdAt(cur), <u64><i64><i32>(<u32>xget(rs1At(cur)) >> (<u32>xget(rs2At(cur)) & 31))); break;
            case O.OP_SRAW: xset(rdAt(cur), <u64><i64>(<i32>xget(rs1At(cur)) >> (<i32>xget(rs2At(cur)) & 31))); break;
            case O.OP_MUL: xset(rdAt(cur), xget(rs1At(cur)) * xget(rs2At(cur))); break;
            case O.OP_MULH: xset(rdAt(cur), mulh(xget(rs1At(cur)), xget(rs2At(cur)))); break;
            case O.OP_MULHSU: xset(rdAt(cur), mulhsu(xget(rs1At(cur)), xget(rs2At(cur)))); break;
            case O.OP_MULHU: xset(rdAt(cur), mulhu(xget(rs1At(cur)), xget(rs2At(cur)))); break;
            case O.OP_DIV: {
              const a = <i64>xget(rs1At(cur)), b = <i64>xget(rs2At(cur));
              // Division by zero gives -1; MIN / -1 overflows to MIN (unprivileged spec 7.2).
              xset(rdAt(cur), b == 0 ? <u64>-1 : (b == -1 ? <u64>(0 - a) : <u64>(a / b)));
              break;
            }
            case O.OP_DIVU: {
              const a = xget(rs1At(cur)), b = xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? <u64>-1 : a / b); break;
            }
            case O.OP_REM: {
              const a = <i64>xget(rs1At(cur)), b = <i64>xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? <u64>a : (b == -1 ? 0 : <u64>(a % b))); break;
            }
            case O.OP_REMU: {
              const a = xget(rs1At(cur)), b = xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? a : a % b); break;
            }
            case O.OP_MULW: xset(rdAt(cur), sext32(xget(rs1At(cur)) * xget(rs2At(cur)))); break;
            // W divisions in 64-bit arithmetic: a 32-bit quotient cannot overflow there (MIN / -1
            // is +2^31, whose low word sign-extends back to MIN as the spec's overflow row requires).
            case O.OP_DIVW: {
              const a = <i64><i32>xget(rs1At(cur)), b = <i64><i32>xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? <u64>-1 : sext32(<u64>(a / b))); break;
            }
            case O.OP_DIVUW: {
              const a = xget(rs1At(cur)) & 0xffffffff, b = xget(rs2At(cur)) & 0xffffffff;
              xset(rdAt(cur), b == 0 ? <u64>-1 : sext32(a / b)); break;
            }
            case O.OP_REMW: {
              const a = <i64><i32>xget(rs1At(cur)), b = <i64><i32>xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? <u64>a : sext32(<u64>(a % b))); break;
            }
            case O.OP_REMUW: {
              const a = xget(rs1At(cur)) & 0xffffffff, b = xget(rs2At(cur)) & 0xffffffff;
              xset(rdAt(cur), sext32(b == 0 ? a : a % b)); break;
            }
            case O.OP_FENCE: case O.OP_NOP: break;
            case O.OP_FLD: {
              const a = loadHit(xget(rs1At(cur)) + immAt(cur), M8);
              if (a == 0 || (load<u32>(FP_MODE) & FP_DIRTY) == 0) { slowAt = cur; stop = 0; break; }
              fset(rdAt(cur), load<u64>(a)); break;
            }
            case O.OP_FLW: {
              const a = loadHit(xget(rs1At(cur)) + immAt(cur), M4);
              if (a == 0 || (load<u32>(FP_MODE) & FP_DIRTY) == 0) { slowAt = cur; stop = 0; break; }
              fset(rdAt(cur), <u64>load<u32>(a) | 0xffffffff00000000); break; // NaN-boxed
            }
            case O.OP_FSD: {
              const a = storeHit(xget(rs1At(cur)) + immAt(cur), M8);
              if (a == 0 || (load<u32>(FP_MODE) & FP_ON) == 0) { slowAt = cur; stop = 0; break; }
              store<u64>(a, fget(rs2At(cur))); break;
            }
            case O.OP_FSW: {
              const a = storeHit(xget(rs1At(cur)) + immAt(cur), M4);
              if (a == 0 || (load<u32>(FP_MODE) & FP_ON) == 0) { slowAt = cur; stop = 0; break; }
              store<u32>(a, <u32>fget(rs2At(cur))); break; // the low 32 bits whatever the boxing
            }
            // Double-precision arithmetic on the native operations when only NX could be raised
            // and it already is (FS Dirty, round to nearest-even, a finite result that cannot be
            // tiny); slowOp's exact path (fpu.ts) does everything else. One case per operation: a
            // shared body choosing the operation inside measured ~10 % slower on n-body.
            case O.OP_FADD_D: {
              if (fastD(immAt(cur))) {
                const r = fgetD(rs1At(cur)) + fgetD(rs2At(cur));
                if (abs<f64>(r) < Infinity) { fsetD(rdAt(cur), r); break; } // a finite sum is never tiny and inexact
              }
              slowAt = cur; stop = 0; break;
            }
            case O.OP_FSUB_D: {
              if (fastD(immAt(cur))) {
                const r = fgetD(rs1At(cur)) - fgetD(rs2At(cur));
                if (abs<f64>(r) < Infinity) { fsetD(rdAt(cur), r); break; }
              }
              slowAt = cur; stop = 0; break;
            }
            case O.OP_FMUL_D: {
              if (fastD(immAt(cur))) {
                const r = fgetD(rs1At(cur)) * fgetD(rs2At(cur));
                if (abs<f64>(r) >= NOT_TINY && abs<f64>(r) < Infinity) { fsetD(rdAt(cur), r); break; }
              }
              slowAt = cur; stop = 0; break;
            }
            case O.OP_FDIV_D: {
              if (fastD(immAt(cur))) {
                const r = fgetD(rs1At(cur)) / fgetD(rs2At(cur));
                if (abs<f64>(r) >= NOT_TINY && abs<f64>(r) < Infinity) { fsetD(rdAt(cur), r); break; }
              }
              slowAt = cur; stop = 0; break;
            }
            case O.OP_FSQRT_D: {
              if (fastD(immAt(cur))) {
                const r = sqrt<f64>(fgetD(rs1At(cur)));
                if (r > 0 && r < Infinity) { fsetD(rdAt(cur), r); break; } // positive and finite: never tiny
              }
              slowAt = cur; stop = 0; break;
            }
            // SYSTEM and atomic instructions, the rest of F, D and Zfh, bit manipulation, CBO and
            // illegal encodings: slowOp.
            default: slowAt = cur; stop = 0; break;
          }
          }
          // end dispatch
          if (e >= stop) break;
          // dispatch copy, written by scripts/gen-core-abi.mjs from the one above: do not edit
          {
          const cur = e;
          e += ENTRY;
          switch (<u32>load<u16>(cur, 4)) {
            case O.OP_LUI: xset(rdAt(cur), immAt(cur)); break;
            case O.OP_AUIPC: xset(rdAt(cur), pc + immAt(cur)); break;
            case O.OP_JAL: xset(rdAt(cur), pcAfter(pc, cur)); target = pc + immAt(cur); break;
            case O.OP_JALR: {
              const t = (xget(rs1At(cur)) + immAt(cur)) & ~(<u64>1);
              xset(rdAt(cur), pcAfter(pc, cur));
              target = t;
              break;
            }
            case O.OP_BEQ: if (xget(rs1At(cur)) == xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BNE: if (xget(rs1At(cur)) != xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BLT: if (<i64>xget(rs1At(cur)) < <i64>xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BGE: if (<i64>xget(rs1At(cur)) >= <i64>xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BLTU: if (xget(rs1At(cur)) < xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            case O.OP_BGEU: if (xget(rs1At(cur)) >= xget(rs2At(cur))) { if (immAt(cur) == 0 && again(threshold, budget, n, e, first, count)) { n += (e - first) >> 4; e = first; } else { target = pc + immAt(cur); stop = 0; } } break;
            // Loads and stores on a TLB hit; a miss (a fault, MMIO, a code page) goes to slowOp.
            case O.OP_LB: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M1); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64><i64>load<i8>(a)); break; }
            case O.OP_LH: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M2); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64><i64>load<i16>(a)); break; }
            case O.OP_LW: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M4); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64><i64>load<i32>(a)); break; }
            case O.OP_LD: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M8); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), load<u64>(a)); break; }
            case O.OP_LBU: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M1); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64>load<u8>(a)); break; }
            case O.OP_LHU: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M2); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64>load<u16>(a)); break; }
            case O.OP_LWU: { const a = loadHit(xget(rs1At(cur)) + immAt(cur), M4); if (a == 0) { slowAt = cur; stop = 0; break; } xset(rdAt(cur), <u64>load<u32>(a)); break; }
            case O.OP_SB: { const a = storeHit(xget(rs1At(cur)) + immAt(cur), M1); if (a == 0) { slowAt = cur; stop = 0; break; } store<u8>(a, <u8>xget(rs2At(cur))); break; }
            case O.OP_SH: { const a = storeHit(xget(rs1At(cur)) + immAt(cur), M2); if (a == 0) { slowAt = cur; stop = 0; break; } store<u16>(a, <u16>xget(rs2At(cur))); break; }
            case O.OP_SW: { const a = storeHit(xget(rs1At(cur)) + immAt(cur), M4); if (a == 0) { slowAt = cur; stop = 0; break; } store<u32>(a, <u32>xget(rs2At(cur))); break; }
            case O.OP_SD: { const a = storeHit(xget(rs1At(cur)) + immAt(cur), M8); if (a == 0) { slowAt = cur; stop = 0; break; } store<u64>(a, xget(rs2At(cur))); break; }
            case O.OP_ADDI: xset(rdAt(cur), xget(rs1At(cur)) + immAt(cur)); break;
            case O.OP_SLTI: xset(rdAt(cur), <i64>xget(rs1At(cur)) < <i64>immAt(cur) ? 1 : 0); break;
            case O.OP_SLTIU: xset(rdAt(cur), xget(rs1At(cur)) < immAt(cur) ? 1 : 0); break;
            case O.OP_XORI: xset(rdAt(cur), xget(rs1At(cur)) ^ immAt(cur)); break;
            case O.OP_ORI: xset(rdAt(cur), xget(rs1At(cur)) | immAt(cur)); break;
            case O.OP_ANDI: xset(rdAt(cur), xget(rs1At(cur)) & immAt(cur)); break;
            case O.OP_SLLI: xset(rdAt(cur), xget(rs1At(cur)) << immAt(cur)); break;
            case O.OP_SRLI: xset(rdAt(cur), xget(rs1At(cur)) >> immAt(cur)); break;
            case O.OP_SRAI: xset(rdAt(cur), <u64>(<i64>xget(rs1At(cur)) >> <i64>immAt(cur))); break;
            case O.OP_ADD: xset(rdAt(cur), xget(rs1At(cur)) + xget(rs2At(cur))); break;
            case O.OP_SUB: xset(rdAt(cur), xget(rs1At(cur)) - xget(rs2At(cur))); break;
            case O.OP_SLL: xset(rdAt(cur), xget(rs1At(cur)) << (xget(rs2At(cur)) & 63)); break;
            case O.OP_SLT: xset(rdAt(cur), <i64>xget(rs1At(cur)) < <i64>xget(rs2At(cur)) ? 1 : 0); break;
            case O.OP_SLTU: xset(rdAt(cur), xget(rs1At(cur)) < xget(rs2At(cur)) ? 1 : 0); break;
            case O.OP_XOR: xset(rdAt(cur), xget(rs1At(cur)) ^ xget(rs2At(cur))); break;
            case O.OP_SRL: xset(rdAt(cur), xget(rs1At(cur)) >> (xget(rs2At(cur)) & 63)); break;
            case O.OP_SRA: xset(rdAt(cur), <u64>(<i64>xget(rs1At(cur)) >> <i64>(xget(rs2At(cur)) & 63))); break;
            case O.OP_OR: xset(rdAt(cur), xget(rs1At(cur)) | xget(rs2At(cur))); break;
            case O.OP_AND: xset(rdAt(cur), xget(rs1At(cur)) & xget(rs2At(cur))); break;
            case O.OP_ADDIW: xset(rdAt(cur), sext32(xget(rs1At(cur)) + immAt(cur))); break;
            case O.OP_SLLIW: xset(rdAt(cur), sext32(xget(rs1At(cur)) << immAt(cur))); break;
            case O.OP_SRLIW: xset(rdAt(cur), <u64><i64><i32>(<u32>xget(rs1At(cur)) >> <u32>immAt(cur))); break;
            case O.OP_SRAIW: xset(rdAt(cur), <u64><i64>(<i32>xget(rs1At(cur)) >> <i32>immAt(cur))); break;
            case O.OP_ADDW: xset(rdAt(cur), sext32(xget(rs1At(cur)) + xget(rs2At(cur)))); break;
            case O.OP_SUBW: xset(rdAt(cur), sext32(xget(rs1At(cur)) - xget(rs2At(cur)))); break;
            case O.OP_SLLW: xset(rdAt(cur), <u64><i64>(<i32>xget(rs1At(cur)) << (<i32>xget(rs2At(cur)) & 31))); break;
            case O.OP_SRLW: xset(rdAt(cur), <u64><i64><i32>(<u32>xget(rs1At(cur)) >> (<u32>xget(rs2At(cur)) & 31))); break;
            case O.OP_SRAW: xset(rdAt(cur), <u64><i64>(<i32>xget(rs1At(cur)) >> (<i32>xget(rs2At(cur)) & 31))); break;
            case O.OP_MUL: xset(rdAt(cur), xget(rs1At(cur)) * xget(rs2At(cur))); break;
            case O.OP_MULH: xset(rdAt(cur), mulh(xget(rs1At(cur)), xget(rs2At(cur)))); break;
            case O.OP_MULHSU: xset(rdAt(cur), mulhsu(xget(rs1At(cur)), xget(rs2At(cur)))); break;
            case O.OP_MULHU: xset(rdAt(cur), mulhu(xget(rs1At(cur)), xget(rs2At(cur)))); break;
            case O.OP_DIV: {
              const a = <i64>xget(rs1At(cur)), b = <i64>xget(rs2At(cur));
              // Division by zero gives -1; MIN / -1 overflows to MIN (unprivileged spec 7.2).
              xset(rdAt(cur), b == 0 ? <u64>-1 : (b == -1 ? <u64>(0 - a) : <u64>(a / b)));
              break;
            }
            case O.OP_DIVU: {
              const a = xget(rs1At(cur)), b = xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? <u64>-1 : a / b); break;
            }
            case O.OP_REM: {
              const a = <i64>xget(rs1At(cur)), b = <i64>xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? <u64>a : (b == -1 ? 0 : <u64>(a % b))); break;
            }
            case O.OP_REMU: {
              const a = xget(rs1At(cur)), b = xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? a : a % b); break;
            }
            case O.OP_MULW: xset(rdAt(cur), sext32(xget(rs1At(cur)) * xget(rs2At(cur)))); break;
            // W divisions in 64-bit arithmetic: a 32-bit quotient cannot overflow there (MIN / -1
            // is +2^31, whose low word sign-extends back to MIN as the spec's overflow row requires).
            case O.OP_DIVW: {
              const a = <i64><i32>xget(rs1At(cur)), b = <i64><i32>xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? <u64>-1 : sext32(<u64>(a / b))); break;
            }
            case O.OP_DIVUW: {
              const a = xget(rs1At(cur)) & 0xffffffff, b = xget(rs2At(cur)) & 0xffffffff;
              xset(rdAt(cur), b == 0 ? <u64>-1 : sext32(a / b)); break;
            }
            case O.OP_REMW: {
              const a = <i64><i32>xget(rs1At(cur)), b = <i64><i32>xget(rs2At(cur));
              xset(rdAt(cur), b == 0 ? <u64>a : sext32(<u64>(a % b))); break;
            }
            case O.OP_REMUW: {
              const a = xget(rs1At(cur)) & 0xffffffff, b = xget(rs2At(cur)) & 0xffffffff;
              xset(rdAt(cur), sext32(b == 0 ? a : a % b)); break;
            }
            case O.OP_FENCE: case O.OP_NOP: break;
            case O.OP_FLD: {
              const a = loadHit(xget(rs1At(cur)) + immAt(cur), M8);
              if (a == 0 || (load<u32>(FP_MODE) & FP_DIRTY) == 0) { slowAt = cur; stop = 0; break; }
              fset(rdAt(cur), load<u64>(a)); break;
            }
            case O.OP_FLW: {
              const a = loadHit(xget(rs1At(cur)) + immAt(cur), M4);
              if (a == 0 || (load<u32>(FP_MODE) & FP_DIRTY) == 0) { slowAt = cur; stop = 0; break; }
              fset(rdAt(cur), <u64>load<u32>(a) | 0xffffffff00000000); break; // NaN-boxed
            }
            case O.OP_FSD: {
              const a = storeHit(xget(rs1At(cur)) + immAt(cur), M8);
              if (a == 0 || (load<u32>(FP_MODE) & FP_ON) == 0) { slowAt = cur; stop = 0; break; }
              store<u64>(a, fget(rs2At(cur))); break;
            }
            case O.OP_FSW: {
              const a = storeHit(xget(rs1At(cur)) + immAt(cur), M4);
              if (a == 0 || (load<u32>(FP_MODE) & FP_ON) == 0) { slowAt = cur; stop = 0; break; }
              store<u32>(a, <u32>fget(rs2At(cur))); break; // the low 32 bits whatever the boxing
            }
            // Double-precision arithmetic on the native operations when only NX could be raised
            // and it already is (FS Dirty, round to nearest-even, a finite result that cannot be
            // tiny); slowOp's exact path (fpu.ts) does everything else. One case per operation: a
            // shared body choosing the operation inside measured ~10 % slower on n-body.
            case O.OP_FADD_D: {
              if (fastD(immAt(cur))) {
                const r = fgetD(rs1At(cur)) + fgetD(rs2At(cur));
                if (abs<f64>(r) < Infinity) { fsetD(rdAt(cur), r); break; } // a finite sum is never tiny and inexact
              }
              slowAt = cur; stop = 0; break;
            }
            case O.OP_FSUB_D: {
              if (fastD(immAt(cur))) {
                const r = fgetD(rs1At(cur)) - fgetD(rs2At(cur));
                if (abs<f64>(r) < Infinity) { fsetD(rdAt(cur), r); break; }
              }
              slowAt = cur; stop = 0; break;
            }
            case O.OP_FMUL_D: {
              if (fastD(immAt(cur))) {
                const r = fgetD(rs1At(cur)) * fgetD(rs2At(cur));
                if (abs<f64>(r) >= NOT_TINY && abs<f64>(r) < Infinity) { fsetD(rdAt(cur), r); break; }
              }
              slowAt = cur; stop = 0; break;
            }
            case O.OP_FDIV_D: {
              if (fastD(immAt(cur))) {
                const r = fgetD(rs1At(cur)) / fgetD(rs2At(cur));
                if (abs<f64>(r) >= NOT_TINY && abs<f64>(r) < Infinity) { fsetD(rdAt(cur), r); break; }
              }
              slowAt = cur; stop = 0; break;
            }
            case O.OP_FSQRT_D: {
              if (fastD(immAt(cur))) {
                const r = sqrt<f64>(fgetD(rs1At(cur)));
                if (r > 0 && r < Infinity) { fsetD(rdAt(cur), r); break; } // positive and finite: never tiny
              }
              slowAt = cur; stop = 0; break;
            }
            // SYSTEM and atomic instructions, the rest of F, D and Zfh, bit manipulation, CBO and
            // illegal encodings: slowOp.
            default: slowAt = cur; stop = 0; break;
          }
          }
          // end dispatch copy
        } while (e < stop);
        if (slowAt == 0) break;
        const live = stepsBefore(steps0, n, first, slowAt);
        const r = slowOp(slowAt, pcOf(pc, slowAt), live, base + (live - steps0) - <u64>(trap.exceptionsTaken - exc0));
        slowAt = 0;
        store<u32>(FP_MODE, fpModeNow());
        if ((r & SYS_TARGET) != 0) target = slow.sysTarget;
        if ((r & SYS_EVENT) != 0) event = true;
        if ((r & SYS_STOP) != 0 || mmu.excCause >= 0 || e >= end) break;
        stop = end;
      }
      n += (e - first) >> 4;
      if (mmu.excCause >= 0) { pc = raise(pcOf(pc, e - ENTRY)); event = true; }
      else if (target != 1) pc = target;
      else pc = pcAfter(pc, e - ENTRY);
    } while (!event && n < budget);
    store<u64>(stretchStat, load<u64>(stretchStat) + <u64>(n - stretchStart));
    if (trap.fatalTrap) { trap.clearFatalTrap(); slow.exitReason = EXIT_FATAL; }
    if (trap.userTrap) { trap.clearUserTrap(); slow.exitReason = EXIT_TRAP; }
    if (slow.exitReason != EXIT_BUDGET) break;
  }
  store<u64>(S_PC, pc);
  store<u64>(S_INSTRET, base + n - (trap.exceptionsTaken - exc0));
  store<u64>(S_STEPS, steps0 + n);
  return slow.exitReason;
}


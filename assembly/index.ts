// The hart: fetch through a page cache, decode through a decoded-instruction cache, execute.
// Exports are the host's whole interface to one core instance (see src/core/hart.ts).
import {
  DC_BASE, DC_END, DC_ENTRIES, DECODE_SCRATCH, PAGE_FLAGS, PAGE_WATCH, RAM_OFF, RES_NONE,
  STATE_END, S_INSTRET, S_STEPS, S_MHARTID, S_MIP_HW, S_MSTATUS, S_MTIMECMP, S_PC, S_PRIV,
  S_RAM_SIZE, S_RES_ADDR, S_TOHOST, S_FROMHOST, S_WFI, TLB_INVALID, S_MTIME_ADJ, S_STIMECMP, S_RES_VA,
  S_PARA, S_SBI_TIMECMP, STATS_BASE, STATS_END, ST_HYPERCALLS, S_MEDELEG, S_MIDELEG, S_MCOUNTEREN, S_MIP,
  S_SCOUNTEREN,
} from "./layout";
import { pmpRecompute, pmpWriteAddr, pmpWriteCfg } from "./pmp";
import * as O from "./ops";
import {
  EXC_BREAKPOINT, EXC_ECALL_U, EXC_ILLEGAL, EXC_LOAD_MISALIGNED, EXC_STORE_MISALIGNED,
  EXC_STORE_ACCESS, EXC_LOAD_ACCESS, EXIT_BUDGET, EXIT_HTIF, EXIT_HOST, EXIT_IDLE, MIP_MEIP, MIP_SEIP,
  MS_TSR, MS_TVM, MS_TW, PRIV_M, PRIV_S, PRIV_U, pendingEnabled, updateTimerLine, xget, xset,
  hostClock, mtimeNow, EXIT_SBI, EXIT_FATAL, PARA_EXIT, PARA_OFF, SBI_TIMER, SBI_END_BLOCK, SBI_EXIT, SBI_JUMP, sbiCall,
} from "./state";
import {
  ACC_FETCH, ACC_LOAD, ACC_STORE, dataPriv, fetchHost, fetchTlb, pmpCheck,
  loadSlow, markCodePage, noteRamStore, ramHost, ramLoad, selectTlbSets, setMmioFaulted, storeSlow,
  tlbFlushAll, tlbLoad, tlbStore, translate,
} from "./mmu";
import { decode16, decode32 } from "./decode";
import { csrRead, csrWrite, MSTATUS_FIXED } from "./csr";
import { mret, pendingInterrupt, sret, takeTrap } from "./trap";
import * as trap from "./trap";
import { execFp, fget, fpDirty, fpOff, fset } from "./fpu";
import * as mmu from "./mmu";
import * as csr from "./csr";

// The host reads the layout, exit codes and flags from src/core/abi.gen.ts (generated from
// these sources); the core exports only the hash that ties the two together.
export { SOURCE_HASH } from "./abi.gen";

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

/** Takes the exception left by a slow path and clears it; returns the handler's pc. */
function raise(pc: u64): u64 {
  const c = <u64>mmu.excCause;
  mmu.excCause = -1;
  return takeTrap(c, mmu.excTval, pc, false);
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
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Decoded-instruction cache fill

/**
 * Decodes the instruction at `pc` (host address `h` of its first halfword) into cache entry
 * `e`. Instructions that cross a page are decoded into the scratch entry, uncached. Returns
 * the entry to execute, or 0 with excCause set when the second half cannot be fetched.
 */
function fill(e: u32, h: u32, pc: u64): u32 {
  const lo = <u32>load<u16>(h);
  if ((lo & 3) != 3) {
    decode16(e, lo);
  } else if ((pc & 0xfff) != 0xffe) {
    decode32(e, load<u32>(h));
  } else {
    const pc2 = pc + 2;
    let d = fetchTlb(pc2);
    let h2: u32;
    if (d == 1) {
      h2 = fetchHost(pc2);
      if (mmu.excCause >= 0) return 0;
    } else {
      h2 = <u32>(pc2 + d);
    }
    decode32(DECODE_SCRATCH, lo | (<u32>load<u16>(h2) << 16));
    return DECODE_SCRATCH;
  }
  store<u32>(e, h);
  markCodePage(h);
  decodeCacheUsed = true;
  return e;
}

// Whether the decoded-instruction cache and the page flags hold anything. A new instance's
// memory is all zeros, which is already "empty" for both: reset() then need not touch them, so
// an idle VM costs only the pages it uses (the cache alone is 1 MiB).
let decodeCacheUsed = false;

// ---------------------------------------------------------------------------------------------
// The interpreter loop

let exitReason: u32 = EXIT_BUDGET;

/**
 * Executes up to `budget` instructions. Returns EXIT_BUDGET, EXIT_IDLE (WFI: wait for an
 * interrupt, the deadline is mtimecmp), EXIT_HTIF (a tohost command) or EXIT_FATAL.
 * Interrupts are checked when the run starts and at every block boundary: after a trap, an
 * xRET, a CSR write, WFI or SFENCE.VMA, i.e. whenever enables or translation may change.
 */
export function run(budget: u32): u32 {
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
  while (n < budget) {
    const irq = pendingInterrupt();
    if (irq >= 0) pc = takeTrap(<u64>irq, 0, pc, true);
    // Steps are counted by privilege per block (a block runs in one privilege; the instruction
    // that traps out of it counts where it ran).
    const blockStart = n;
    const blockStat = STATS_BASE + (<u32>load<u64>(S_PRIV) << 3);
    let limit = budget;
    let fetchPage: u64 = TLB_INVALID;
    let fetchDelta: u64 = 0;
    while (n < limit) {
      n++;
      if ((pc & M1) != fetchPage) {
        let d = fetchTlb(pc);
        if (d == 1) {
          const fh = fetchHost(pc);
          if (mmu.excCause >= 0) { pc = raise(pc); limit = n; continue; }
          d = <u64>(fh & ~0xfff) - (pc & M1);
        }
        fetchPage = pc & M1;
        fetchDelta = d;
      }
      const h = <u32>(pc + fetchDelta);
      let e = DC_BASE + (((h >> 1) & (DC_ENTRIES - 1)) << 4);
      if (load<u32>(e) != h) {
        e = fill(e, h, pc);
        if (e == 0) { pc = raise(pc); limit = n; continue; }
      }
      const w = load<u32>(e, 4);
      const rd = (w >> 16) & 0xff;
      const rs1 = w >> 24;
      const w2 = load<u32>(e, 8);
      const rs2 = w2 & 0xff;
      const len = <u64>((w2 >> 8) & 0xff);
      const imm = <u64><i64>load<i32>(e, 12);
      switch (w & 0xffff) {
        case O.OP_ILLEGAL: {
          pc = takeTrap(EXC_ILLEGAL, <u64><u32>imm, pc, false); limit = n; continue;
        }
        case O.OP_LUI: xset(rd, imm); pc += len; break;
        case O.OP_AUIPC: xset(rd, pc + imm); pc += len; break;
        case O.OP_JAL: xset(rd, pc + len); pc += imm; break;
        case O.OP_JALR: {
          const t = (xget(rs1) + imm) & ~(<u64>1);
          xset(rd, pc + len);
          pc = t;
          break;
        }
        case O.OP_BEQ: pc = xget(rs1) == xget(rs2) ? pc + imm : pc + len; break;
        case O.OP_BNE: pc = xget(rs1) != xget(rs2) ? pc + imm : pc + len; break;
        case O.OP_BLT: pc = <i64>xget(rs1) < <i64>xget(rs2) ? pc + imm : pc + len; break;
        case O.OP_BGE: pc = <i64>xget(rs1) >= <i64>xget(rs2) ? pc + imm : pc + len; break;
        case O.OP_BLTU: pc = xget(rs1) < xget(rs2) ? pc + imm : pc + len; break;
        case O.OP_BGEU: pc = xget(rs1) >= xget(rs2) ? pc + imm : pc + len; break;
        case O.OP_LB: {
          const va = xget(rs1) + imm;
          const a = loadHost(va, M1);
          let v: u64;
          if (a != 0) v = <u64><i64>load<i8>(a);
          else { v = <u64><i64><i8>loadMiss(va, 1, steps0 + n - 1); if (mmu.excCause >= 0) { pc = raise(pc); limit = n; continue; } }
          xset(rd, v); pc += len; break;
        }
        case O.OP_LH: {
          const va = xget(rs1) + imm;
          const a = loadHost(va, M2);
          let v: u64;
          if (a != 0) v = <u64><i64>load<i16>(a);
          else { v = <u64><i64><i16>loadMiss(va, 2, steps0 + n - 1); if (mmu.excCause >= 0) { pc = raise(pc); limit = n; continue; } }
          xset(rd, v); pc += len; break;
        }
        case O.OP_LW: {
          const va = xget(rs1) + imm;
          const a = loadHost(va, M4);
          let v: u64;
          if (a != 0) v = <u64><i64>load<i32>(a);
          else { v = <u64><i64><i32>loadMiss(va, 4, steps0 + n - 1); if (mmu.excCause >= 0) { pc = raise(pc); limit = n; continue; } }
          xset(rd, v); pc += len; break;
        }
        case O.OP_LD: {
          const va = xget(rs1) + imm;
          const a = loadHost(va, M8);
          let v: u64;
          if (a != 0) v = load<u64>(a);
          else { v = loadMiss(va, 8, steps0 + n - 1); if (mmu.excCause >= 0) { pc = raise(pc); limit = n; continue; } }
          xset(rd, v); pc += len; break;
        }
        case O.OP_LBU: {
          const va = xget(rs1) + imm;
          const a = loadHost(va, M1);
          let v: u64;
          if (a != 0) v = <u64>load<u8>(a);
          else { v = loadMiss(va, 1, steps0 + n - 1); if (mmu.excCause >= 0) { pc = raise(pc); limit = n; continue; } }
          xset(rd, v); pc += len; break;
        }
        case O.OP_LHU: {
          const va = xget(rs1) + imm;
          const a = loadHost(va, M2);
          let v: u64;
          if (a != 0) v = <u64>load<u16>(a);
          else { v = loadMiss(va, 2, steps0 + n - 1); if (mmu.excCause >= 0) { pc = raise(pc); limit = n; continue; } }
          xset(rd, v); pc += len; break;
        }
        case O.OP_LWU: {
          const va = xget(rs1) + imm;
          const a = loadHost(va, M4);
          let v: u64;
          if (a != 0) v = <u64>load<u32>(a);
          else { v = loadMiss(va, 4, steps0 + n - 1); if (mmu.excCause >= 0) { pc = raise(pc); limit = n; continue; } }
          xset(rd, v); pc += len; break;
        }
        case O.OP_SB: {
          const va = xget(rs1) + imm;
          const a = storeHost(va, M1);
          if (a != 0) store<u8>(a, <u8>xget(rs2));
          else if (storeMiss(va, 1, xget(rs2), steps0 + n - 1)) { pc = raise(pc); limit = n; continue; }
          else if (mmu.deviceWritten) limit = endBlockAfterStore(n);
          pc += len; break;
        }
        case O.OP_SH: {
          const va = xget(rs1) + imm;
          const a = storeHost(va, M2);
          if (a != 0) store<u16>(a, <u16>xget(rs2));
          else if (storeMiss(va, 2, xget(rs2), steps0 + n - 1)) { pc = raise(pc); limit = n; continue; }
          else if (mmu.deviceWritten) limit = endBlockAfterStore(n);
          pc += len; break;
        }
        case O.OP_SW: {
          const va = xget(rs1) + imm;
          const a = storeHost(va, M4);
          if (a != 0) store<u32>(a, <u32>xget(rs2));
          else if (storeMiss(va, 4, xget(rs2), steps0 + n - 1)) { pc = raise(pc); limit = n; continue; }
          else if (mmu.deviceWritten) limit = endBlockAfterStore(n);
          pc += len; break;
        }
        case O.OP_SD: {
          const va = xget(rs1) + imm;
          const a = storeHost(va, M8);
          if (a != 0) store<u64>(a, xget(rs2));
          else if (storeMiss(va, 8, xget(rs2), steps0 + n - 1)) { pc = raise(pc); limit = n; continue; }
          else if (mmu.deviceWritten) limit = endBlockAfterStore(n);
          pc += len; break;
        }
        case O.OP_ADDI: xset(rd, xget(rs1) + imm); pc += len; break;
        case O.OP_SLTI: xset(rd, <i64>xget(rs1) < <i64>imm ? 1 : 0); pc += len; break;
        case O.OP_SLTIU: xset(rd, xget(rs1) < imm ? 1 : 0); pc += len; break;
        case O.OP_XORI: xset(rd, xget(rs1) ^ imm); pc += len; break;
        case O.OP_ORI: xset(rd, xget(rs1) | imm); pc += len; break;
        case O.OP_ANDI: xset(rd, xget(rs1) & imm); pc += len; break;
        case O.OP_SLLI: xset(rd, xget(rs1) << imm); pc += len; break;
        case O.OP_SRLI: xset(rd, xget(rs1) >> imm); pc += len; break;
        case O.OP_SRAI: xset(rd, <u64>(<i64>xget(rs1) >> <i64>imm)); pc += len; break;
        case O.OP_ADD: xset(rd, xget(rs1) + xget(rs2)); pc += len; break;
        case O.OP_SUB: xset(rd, xget(rs1) - xget(rs2)); pc += len; break;
        case O.OP_SLL: xset(rd, xget(rs1) << (xget(rs2) & 63)); pc += len; break;
        case O.OP_SLT: xset(rd, <i64>xget(rs1) < <i64>xget(rs2) ? 1 : 0); pc += len; break;
        case O.OP_SLTU: xset(rd, xget(rs1) < xget(rs2) ? 1 : 0); pc += len; break;
        case O.OP_XOR: xset(rd, xget(rs1) ^ xget(rs2)); pc += len; break;
        case O.OP_SRL: xset(rd, xget(rs1) >> (xget(rs2) & 63)); pc += len; break;
        case O.OP_SRA: xset(rd, <u64>(<i64>xget(rs1) >> <i64>(xget(rs2) & 63))); pc += len; break;
        case O.OP_OR: xset(rd, xget(rs1) | xget(rs2)); pc += len; break;
        case O.OP_AND: xset(rd, xget(rs1) & xget(rs2)); pc += len; break;
        case O.OP_ADDIW: xset(rd, sext32(xget(rs1) + imm)); pc += len; break;
        case O.OP_SLLIW: xset(rd, sext32(xget(rs1) << imm)); pc += len; break;
        case O.OP_SRLIW: xset(rd, <u64><i64><i32>(<u32>xget(rs1) >> <u32>imm)); pc += len; break;
        case O.OP_SRAIW: xset(rd, <u64><i64>(<i32>xget(rs1) >> <i32>imm)); pc += len; break;
        case O.OP_ADDW: xset(rd, sext32(xget(rs1) + xget(rs2))); pc += len; break;
        case O.OP_SUBW: xset(rd, sext32(xget(rs1) - xget(rs2))); pc += len; break;
        case O.OP_SLLW: xset(rd, <u64><i64>(<i32>xget(rs1) << (<i32>xget(rs2) & 31))); pc += len; break;
        case O.OP_SRLW: xset(rd, <u64><i64><i32>(<u32>xget(rs1) >> (<u32>xget(rs2) & 31))); pc += len; break;
        case O.OP_SRAW: xset(rd, <u64><i64>(<i32>xget(rs1) >> (<i32>xget(rs2) & 31))); pc += len; break;
        case O.OP_MUL: xset(rd, xget(rs1) * xget(rs2)); pc += len; break;
        case O.OP_MULH: xset(rd, mulh(xget(rs1), xget(rs2))); pc += len; break;
        case O.OP_MULHSU: xset(rd, mulhsu(xget(rs1), xget(rs2))); pc += len; break;
        case O.OP_MULHU: xset(rd, mulhu(xget(rs1), xget(rs2))); pc += len; break;
        case O.OP_DIV: {
          const a = <i64>xget(rs1), b = <i64>xget(rs2);
          // Division by zero gives -1; MIN / -1 overflows to MIN (unprivileged spec 7.2).
          xset(rd, b == 0 ? <u64>-1 : (b == -1 ? <u64>(0 - a) : <u64>(a / b)));
          pc += len; break;
        }
        case O.OP_DIVU: {
          const a = xget(rs1), b = xget(rs2);
          xset(rd, b == 0 ? <u64>-1 : a / b); pc += len; break;
        }
        case O.OP_REM: {
          const a = <i64>xget(rs1), b = <i64>xget(rs2);
          xset(rd, b == 0 ? <u64>a : (b == -1 ? 0 : <u64>(a % b))); pc += len; break;
        }
        case O.OP_REMU: {
          const a = xget(rs1), b = xget(rs2);
          xset(rd, b == 0 ? a : a % b); pc += len; break;
        }
        case O.OP_MULW: xset(rd, sext32(xget(rs1) * xget(rs2))); pc += len; break;
        // W divisions in 64-bit arithmetic: a 32-bit quotient cannot overflow there (MIN / -1 is
        // +2^31, whose low word sign-extends back to MIN as the spec's overflow row requires).
        case O.OP_DIVW: {
          const a = <i64><i32>xget(rs1), b = <i64><i32>xget(rs2);
          xset(rd, b == 0 ? <u64>-1 : sext32(<u64>(a / b))); pc += len; break;
        }
        case O.OP_DIVUW: {
          const a = xget(rs1) & 0xffffffff, b = xget(rs2) & 0xffffffff;
          xset(rd, b == 0 ? <u64>-1 : sext32(a / b)); pc += len; break;
        }
        case O.OP_REMW: {
          const a = <i64><i32>xget(rs1), b = <i64><i32>xget(rs2);
          xset(rd, b == 0 ? <u64>a : sext32(<u64>(a % b))); pc += len; break;
        }
        case O.OP_REMUW: {
          const a = xget(rs1) & 0xffffffff, b = xget(rs2) & 0xffffffff;
          xset(rd, sext32(b == 0 ? a : a % b)); pc += len; break;
        }
        case O.OP_FENCE: pc += len; break;
        case O.OP_ECALL: {
          const para = load<u64>(S_PARA);
          if (para != PARA_OFF && load<u64>(S_PRIV) == PRIV_S) { // a hypercall (SBI calling convention)
            store<u64>(ST_HYPERCALLS, load<u64>(ST_HYPERCALLS) + 1);
            if (para == PARA_EXIT) { exitReason = EXIT_SBI; limit = n; break; } // pc stays at the ECALL
            store<u64>(S_PC, pc);
            store<u64>(S_STEPS, steps0 + n); // the host's clock may count steps
            const f = sbiCall();
            pc = (f & SBI_JUMP) != 0 ? load<u64>(S_PC) : pc + len;
            if ((f & SBI_EXIT) != 0) { exitReason = EXIT_HOST; limit = n; break; }
            // A new deadline may raise or drop STIP: recompute it, and check interrupts before
            // the next instruction, as after a CSR write.
            if ((f & SBI_TIMER) != 0) { updateTimerLine(); limit = n; }
            if ((f & SBI_END_BLOCK) != 0) limit = n;
            break;
          }
          pc = takeTrap(EXC_ECALL_U + load<u64>(S_PRIV), 0, pc, false); limit = n; continue;
        }
        case O.OP_EBREAK: {
          pc = takeTrap(EXC_BREAKPOINT, pc, pc, false); limit = n; continue;
        }
        case O.OP_MRET: {
          if (load<u64>(S_PRIV) != PRIV_M) { pc = takeTrap(EXC_ILLEGAL, <u64><u32>imm, pc, false); limit = n; continue; }
          pc = mret(); limit = n; break;
        }
        case O.OP_SRET: {
          const p = load<u64>(S_PRIV);
          if (p == PRIV_U || (p == PRIV_S && (load<u64>(S_MSTATUS) & MS_TSR) != 0)) {
            pc = takeTrap(EXC_ILLEGAL, <u64><u32>imm, pc, false); limit = n; continue;
          }
          pc = sret(); limit = n; break;
        }
        case O.OP_WFI: {
          const p = load<u64>(S_PRIV);
          if (p == PRIV_U || (p == PRIV_S && (load<u64>(S_MSTATUS) & MS_TW) != 0)) {
            pc = takeTrap(EXC_ILLEGAL, <u64><u32>imm, pc, false); limit = n; continue;
          }
          pc += len;
          if (pendingEnabled() == 0) { store<u64>(S_WFI, 1); exitReason = EXIT_IDLE; }
          limit = n; break;
        }
        case O.OP_SFENCE_VMA: {
          const p = load<u64>(S_PRIV);
          if (p == PRIV_U || (p == PRIV_S && (load<u64>(S_MSTATUS) & MS_TVM) != 0)) {
            pc = takeTrap(EXC_ILLEGAL, <u64><u32>imm, pc, false); limit = n; continue;
          }
          tlbFlushAll();
          pc += len; limit = n; break;
        }
        case O.OP_CSRRW: case O.OP_CSRRS: case O.OP_CSRRC:
        case O.OP_CSRRWI: case O.OP_CSRRSI: case O.OP_CSRRCI: {
          store<u64>(S_INSTRET, base + n - 1 - (trap.exceptionsTaken - exc0));
          store<u64>(S_STEPS, steps0 + n - 1);
          if (!csrInstruction(w & 0xffff, <u32>imm & 0xfff, rd, rs1)) {
            pc = takeTrap(EXC_ILLEGAL, csrBits(w & 0xffff, <u32>imm & 0xfff, rd, rs1), pc, false);
            limit = n; continue;
          }
          pc += len; limit = n; break;
        }
        case O.OP_LR_W: case O.OP_LR_D: {
          const d = (w & 0xffff) == O.OP_LR_D;
          const va = xget(rs1);
          const a = atomicHost(va, d ? 8 : 4, ACC_LOAD);
          if (a == 0) { pc = raise(pc); limit = n; continue; }
          xset(rd, d ? load<u64>(a) : <u64><i64>load<i32>(a));
          store<u64>(S_RES_ADDR, atomicPa);
          store<u64>(S_RES_VA, va);
          pc += len; break;
        }
        case O.OP_SC_W: case O.OP_SC_D: {
          const d = (w & 0xffff) == O.OP_SC_D;
          const va = xget(rs1);
          const size: u32 = d ? 8 : 4;
          if ((va & (size - 1)) != 0) {
            pc = takeTrap(EXC_STORE_MISALIGNED, va, pc, false); limit = n; continue;
          }
          // Without a reservation the SC fails without touching memory; with one it must
          // translate, and succeeds only on the reserved physical address.
          let a: u32 = 0;
          if (load<u64>(S_RES_ADDR) != RES_NONE && load<u64>(S_RES_VA) == va) {
            a = atomicHost(va, size, ACC_STORE);
            if (a == 0) { pc = raise(pc); limit = n; continue; }
            if (atomicPa != load<u64>(S_RES_ADDR)) a = 0;
          }
          if (a == 0) {
            xset(rd, 1);
          } else {
            if (d) store<u64>(a, xget(rs2)); else store<u32>(a, <u32>xget(rs2));
            noteRamStore(a, size);
            xset(rd, 0);
            if (mmu.deviceWritten) limit = endBlockAfterStore(n);
          }
          store<u64>(S_RES_ADDR, RES_NONE);
          pc += len; break;
        }
        case O.OP_AMO_W: case O.OP_AMO_D: {
          const d = (w & 0xffff) == O.OP_AMO_D;
          const size: u32 = d ? 8 : 4;
          const va = xget(rs1);
          let a = storeHost(va, d ? M8 : M4);
          if (a == 0) {
            a = atomicHost(va, size, ACC_STORE);
            if (a == 0) { pc = raise(pc); limit = n; continue; }
            noteRamStore(a, size);
          }
          const old = d ? load<u64>(a) : <u64><i64>load<i32>(a);
          const nv = amoCompute(<u32>imm, old, xget(rs2), !d);
          if (d) store<u64>(a, nv); else store<u32>(a, <u32>nv);
          xset(rd, old);
          if (mmu.deviceWritten) limit = endBlockAfterStore(n);
          pc += len; break;
        }
        case O.OP_NOP: pc += len; break;
        case O.OP_FLW: case O.OP_FLD: {
          if (fpOff()) { pc = takeTrap(EXC_ILLEGAL, rawInsn(pc, len), pc, false); limit = n; continue; }
          const d = (w & 0xffff) == O.OP_FLD;
          const va = xget(rs1) + imm;
          const a = loadHost(va, d ? M8 : M4);
          let v: u64;
          if (a != 0) v = d ? load<u64>(a) : <u64>load<u32>(a);
          else { v = loadMiss(va, d ? 8 : 4, steps0 + n - 1); if (mmu.excCause >= 0) { pc = raise(pc); limit = n; continue; } }
          fset(rd, d ? v : v | 0xffffffff00000000); // FLW NaN-boxes
          fpDirty();
          pc += len; break;
        }
        case O.OP_FSW: case O.OP_FSD: {
          if (fpOff()) { pc = takeTrap(EXC_ILLEGAL, rawInsn(pc, len), pc, false); limit = n; continue; }
          const d = (w & 0xffff) == O.OP_FSD;
          const va = xget(rs1) + imm;
          const v = fget(rs2); // FSW stores the low 32 bits whatever the boxing
          const a = storeHost(va, d ? M8 : M4);
          if (a != 0) { if (d) store<u64>(a, v); else store<u32>(a, <u32>v); }
          else if (storeMiss(va, d ? 8 : 4, v, steps0 + n - 1)) { pc = raise(pc); limit = n; continue; }
          else if (mmu.deviceWritten) limit = endBlockAfterStore(n);
          pc += len; break;
        }
        default: {
          const op = w & 0xffff;
          if (op >= O.OP_FP_FIRST && op <= O.OP_FP_LAST && execFp(op, rd, rs1, rs2, <u32>imm)) {
            pc += len; break;
          }
          pc = takeTrap(EXC_ILLEGAL, rawInsn(pc, len), pc, false); limit = n; continue;
        }
      }
    }
    store<u64>(blockStat, load<u64>(blockStat) + <u64>(n - blockStart));
    if (trap.fatalTrap) { trap.clearFatalTrap(); exitReason = EXIT_FATAL; }
    if (exitReason != EXIT_BUDGET) break;
  }
  store<u64>(S_PC, pc);
  store<u64>(S_INSTRET, base + n - (trap.exceptionsTaken - exc0));
  store<u64>(S_STEPS, steps0 + n);
  return exitReason;
}

/**
 * A store reached a device or HTIF tohost: end the block (returns the new loop limit) so
 * interrupts are re-checked, and leave run() if tohost holds a command.
 */
function endBlockAfterStore(n: u32): u32 {
  mmu.deviceWritten = false;
  if (mmu.htifPending) exitReason = EXIT_HTIF;
  else if (mmu.hostExitRequested) exitReason = EXIT_HOST;
  return n;
}

/**
 * The bits of the instruction at `pc` for mtval, read again (decoded entries do not keep
 * them). Its fetch just succeeded, so the translation cannot fail.
 */
function rawInsn(pc: u64, len: u64): u64 {
  const v = peek(pc, <u32>len, true);
  return v < 0 ? 0 : <u64>v;
}

// The slow paths may reach a device or the clock; a virtual clock counts instructions, so the
// step counter is brought up to date first (`live` = steps before this instruction).

/** Store slow path; true if it faulted. */
// @ts-ignore: decorator
@inline function storeMiss(va: u64, size: u32, v: u64, live: u64): bool {
  store<u64>(S_STEPS, live);
  storeSlow(va, size, v);
  return mmu.excCause >= 0;
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
 * RAM wholesale: TLBs, the decoded-instruction cache, the TLB set selection.
 */
export function afterRestore(): void {
  pmpRecompute();
  tlbFlushAll();
  if (decodeCacheUsed) { memory.fill(DC_BASE, 0, DC_END - DC_BASE); decodeCacheUsed = false; }
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
 * Paravirtual mode: `mode` PARA_OFF, PARA_IMPORT or PARA_EXIT. On, the hart runs without
 * M-mode software: every exception but ECALL from S and every S interrupt is delegated to S,
 * S may read all counters, and an S-mode ECALL is a hypercall.
 */
export function setPara(mode: u32): void {
  store<u64>(S_PARA, <u64>mode);
  store<u64>(S_SBI_TIMECMP, <u64>-1);
  if (mode != 0) {
    store<u64>(S_MEDELEG, 0xb1ff);
    store<u64>(S_MIDELEG, 0x222);
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

/** Forgets every cached translation (SBI remote SFENCE.VMA on this hart). */
export function flushTlb(): void { tlbFlushAll(); }

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
export function peek(va: u64, size: u32, fetch: bool): i64 {
  mmu.excCause = -1;
  const pa = translate(va, fetch ? ACC_FETCH : ACC_LOAD, fetch ? load<u64>(S_PRIV) : dataPriv(), false);
  if (mmu.excCause >= 0) { mmu.excCause = -1; return -1; }
  const h = ramHost(pa, size);
  if (h == 0) return -1;
  return <i64>ramLoad(h, size);
}

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

// Compiled code for the FP instructions the JIT runs itself: double-precision arithmetic on
// Wasm's native operations where the exact result raises nothing new, conversions from integers,
// FP loads and stores, sign injection and bit moves (semantics as assembly/fpu.ts and interp.ts).
// The rest (other rounding modes, single-precision arithmetic, compares, conversions to
// integers) are left to the interpreter: a compiled run ends there.
import { L, OP } from "../core/abi.gen.js";
import type { Insn } from "./codegen.js";
import { Op, type Body } from "./wasm.js";

// Double-precision arithmetic on Wasm's native operations, taken when only NX could be raised
// and it already is (the block checks FS = Dirty, fflags.NX set, frm = RNE at its entry; the
// op needs rm RNE or DYN) and the result lands where the exact path would raise nothing else
// (assembly/interp.ts fastD): [wasm op, result check].
type FpCheck = "finite" | "notTiny" | "positive";
const FP_ARITH = new Map<number, [number, FpCheck]>([
  [OP.FADD_D, [Op.f64Add, "finite"]], [OP.FSUB_D, [Op.f64Sub, "finite"]], [OP.FMUL_D, [Op.f64Mul, "notTiny"]],
  [OP.FDIV_D, [Op.f64Div, "notTiny"]], [OP.FSQRT_D, [Op.f64Sqrt, "positive"]],
]);
const FP_CVT = new Map<number, number>([[OP.FCVT_D_W, Op.f64ConvertI32S], [OP.FCVT_D_L, Op.f64ConvertI64S]]);
// FP loads/stores and bit moves: no flags, only FS = Dirty needed.
export const FP_PLAIN = new Set<number>([OP.FLW, OP.FLD, OP.FSW, OP.FSD, OP.FSGNJ_D, OP.FSGNJN_D, OP.FSGNJX_D, OP.FMV_X_D, OP.FMV_D_X]);
// The FP instructions that read an integer register (rs1: an address or a source value).
export const FP_FROM_X = new Set<number>([OP.FLW, OP.FLD, OP.FSW, OP.FSD, OP.FMV_D_X, OP.FCVT_D_W, OP.FCVT_D_L]);
// The FP instructions that only read FP state (an F register): FS must not be Off, and need not
// be Dirty (setjmp stores the callee-saved F registers of processes that never wrote them).
export const FP_READS_ONLY = new Set<number>([OP.FSW, OP.FSD, OP.FMV_X_D]);
export const usesFflags = (op: number) => FP_ARITH.has(op) || FP_CVT.has(op);
export const isFp = (op: number) => usesFflags(op) || FP_PLAIN.has(op);

/** What emitFp needs of the block being emitted (codegen.ts emitBlock): its emitters and locals. */
export interface Emit {
  reg(r: number): void;
  setReg(r: number): void;
  tlbHost(k: number, tlb: number, size: number): void;
  leaveAt(k: number): void;
  /** Locals: the access's virtual address, a scratch i64, and the load and store TLB parameters. */
  va: number;
  t: number;
  tlbLoad: number;
  tlbStore: number;
}

const fAddr = (r: number) => L.F_BASE + r * 8;
const SIGN = -(2n ** 63n);

/** Emits FP instruction `i` (the k-th of its block), which compiles (codegen.ts compiles). */
export function emitFp(f: Body, i: Insn, k: number, e: Emit): void {
  const { op } = i;
  const imm = i.imm;
  switch (op) {
    case OP.FLD: case OP.FLW: {
      const size = op === OP.FLD ? 8 : 4;
      f.i32(0); // the F register's address, under the loaded value
      e.reg(i.rs1); f.i64(imm).op(Op.i64Add).set(e.va);
      e.tlbHost(k, e.tlbLoad, size);
      if (size === 8) f.mem(Op.i64Load, 3);
      else f.mem(Op.i64Load32U, 2).i64(-(2n ** 32n)).op(Op.i64Or); // NaN-boxed
      f.mem(Op.i64Store, 3, fAddr(i.rd));
      return;
    }
    case OP.FSD: case OP.FSW: {
      e.reg(i.rs1); f.i64(imm).op(Op.i64Add).set(e.va);
      e.tlbHost(k, e.tlbStore, op === OP.FSD ? 8 : 4);
      f.i32(0).mem(Op.i64Load, 3, fAddr(i.rs2));
      f.mem(op === OP.FSD ? Op.i64Store : Op.i64Store32, op === OP.FSD ? 3 : 2);
      return;
    }
    case OP.FSGNJ_D: case OP.FSGNJN_D: case OP.FSGNJX_D:
      f.i32(0);
      f.i32(0).mem(Op.i64Load, 3, fAddr(i.rs1));
      if (op !== OP.FSGNJX_D) f.i64(~SIGN).op(Op.i64And);
      f.i32(0).mem(Op.i64Load, 3, fAddr(i.rs2));
      if (op === OP.FSGNJN_D) f.i64(-1).op(Op.i64Xor);
      f.i64(SIGN).op(Op.i64And);
      f.op(op === OP.FSGNJX_D ? Op.i64Xor : Op.i64Or);
      f.mem(Op.i64Store, 3, fAddr(i.rd));
      return;
    case OP.FMV_X_D: f.i32(0).mem(Op.i64Load, 3, fAddr(i.rs1)); e.setReg(i.rd); return;
    case OP.FMV_D_X: f.i32(0); e.reg(i.rs1); f.mem(Op.i64Store, 3, fAddr(i.rd)); return;
  }
  const cvt = FP_CVT.get(op);
  if (cvt !== undefined) { // exact but for NX, already set
    f.i32(0);
    e.reg(i.rs1);
    if (op === OP.FCVT_D_W) f.op(Op.i32WrapI64);
    f.op(cvt).op(Op.i64ReinterpretF64).mem(Op.i64Store, 3, fAddr(i.rd));
    return;
  }
  const [wop, check] = FP_ARITH.get(op)!;
  f.i32(0).mem(Op.f64Load, 3, fAddr(i.rs1));
  if (op !== OP.FSQRT_D) f.i32(0).mem(Op.f64Load, 3, fAddr(i.rs2));
  f.op(wop).op(Op.i64ReinterpretF64).set(e.t);
  const EXP = 0x7ff0000000000000n, ABS = 0x7fffffffffffffffn, NOT_TINY = 0x0020000000000000n;
  if (check === "finite") f.get(e.t).i64(ABS).op(Op.i64And).i64(EXP).op(Op.i64GeU);
  else if (check === "notTiny") f.get(e.t).i64(ABS).op(Op.i64And).i64(NOT_TINY).op(Op.i64Sub).i64(EXP - NOT_TINY).op(Op.i64GeU);
  else f.get(e.t).i64(1).op(Op.i64Sub).i64(EXP - 1n).op(Op.i64GeU);
  f.if(); e.leaveAt(k); f.end();
  f.i32(0).get(e.t).mem(Op.i64Store, 3, fAddr(i.rd));
}

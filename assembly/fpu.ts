// F, D and Zfh execution (unprivileged spec, "F", "D" and "Zfh" chapters): register file with NaN-boxing,
// fcsr (frm + accrued fflags), mstatus.FS gating. The IEEE arithmetic itself is in ./fp.
import { F_BASE, S_FCSR, S_MSTATUS } from "./layout";
import { MS_FS, xget, xset } from "./state";
import * as O from "./ops";
import * as fp from "./fp/index";
import * as h from "./fp/half";

const BOX: u64 = 0xffffffff00000000;
const F32_QNAN: u32 = 0x7fc00000;
const BOX16: u64 = 0xffffffffffff0000;
const F16_QNAN: u32 = 0x7e00;

/** True if the FP unit is off (mstatus.FS = Off): every FP instruction and CSR is illegal. */
// @ts-ignore: decorator
@inline export function fpOff(): bool { return (load<u64>(S_MSTATUS) & MS_FS) == 0; }

/** Marks the FP state dirty (mstatus.FS = Dirty; SD is derived from it on read). */
// @ts-ignore: decorator
@inline export function fpDirty(): void {
  const m = load<u64>(S_MSTATUS);
  if ((m & MS_FS) != MS_FS) store<u64>(S_MSTATUS, m | MS_FS);
}

// @ts-ignore: decorator
@inline export function fget(r: u32): u64 { return load<u64>(F_BASE + (r << 3)); }
// @ts-ignore: decorator
@inline export function fset(r: u32, v: u64): void { store<u64>(F_BASE + (r << 3), v); }

/** A single-precision operand: an improperly NaN-boxed value reads as the canonical NaN. */
// @ts-ignore: decorator
@inline export function fget32(r: u32): u32 {
  const v = fget(r);
  return (v & BOX) == BOX ? <u32>v : F32_QNAN;
}
// @ts-ignore: decorator
@inline export function fset32(r: u32, v: u32): void { fset(r, BOX | <u64>v); }

/** A half-precision operand: unless the upper 48 bits are all ones it reads as the canonical NaN. */
// @ts-ignore: decorator
@inline export function fget16(r: u32): u32 {
  const v = fget(r);
  return (v & BOX16) == BOX16 ? <u32>v & 0xffff : F16_QNAN;
}
// @ts-ignore: decorator
@inline export function fset16(r: u32, v: u32): void { fset(r, BOX16 | <u64>(v & 0xffff)); }

/**
 * Executes an FP computational instruction (everything but loads and stores). Returns false
 * if it is illegal: FS is Off, or a dynamic rounding mode finds an invalid frm.
 */
export function execFp(op: u32, rd: u32, rs1: u32, rs2: u32, imm: u32): bool {
  if (fpOff()) return false;
  const fcsr = load<u64>(S_FCSR);
  let rm = imm & 7;
  if (rm == 7) {
    rm = <u32>(fcsr >> 5) & 7;
    if (rm > 4) return false;
  }
  // Seeded with the raised flags (they are sticky): fast paths then skip exactness tests for NX.
  fp.fpFlags = <u32>fcsr & 0x1f;
  let wroteF = true;
  switch (op) {
    // Fused multiply-add family: FMSUB = a*b-c, FNMSUB = -(a*b)+c, FNMADD = -(a*b)-c.
    case O.OP_FMADD_S: fset32(rd, fp.f32_fma(fget32(rs1), fget32(rs2), fget32((imm >> 8) & 31), rm)); break;
    case O.OP_FMSUB_S: fset32(rd, fp.f32_fma(fget32(rs1), fget32(rs2), neg32(fget32((imm >> 8) & 31)), rm)); break;
    case O.OP_FNMSUB_S: fset32(rd, fp.f32_fma(neg32(fget32(rs1)), fget32(rs2), fget32((imm >> 8) & 31), rm)); break;
    case O.OP_FNMADD_S: fset32(rd, fp.f32_fma(neg32(fget32(rs1)), fget32(rs2), neg32(fget32((imm >> 8) & 31)), rm)); break;
    case O.OP_FADD_S: fset32(rd, fp.f32_add(fget32(rs1), fget32(rs2), rm)); break;
    case O.OP_FSUB_S: fset32(rd, fp.f32_sub(fget32(rs1), fget32(rs2), rm)); break;
    case O.OP_FMUL_S: fset32(rd, fp.f32_mul(fget32(rs1), fget32(rs2), rm)); break;
    case O.OP_FDIV_S: fset32(rd, fp.f32_div(fget32(rs1), fget32(rs2), rm)); break;
    case O.OP_FSQRT_S: fset32(rd, fp.f32_sqrt(fget32(rs1), rm)); break;
    case O.OP_FSGNJ_S: fset32(rd, (fget32(rs1) & 0x7fffffff) | (fget32(rs2) & 0x80000000)); break;
    case O.OP_FSGNJN_S: fset32(rd, (fget32(rs1) & 0x7fffffff) | (~fget32(rs2) & 0x80000000)); break;
    case O.OP_FSGNJX_S: fset32(rd, fget32(rs1) ^ (fget32(rs2) & 0x80000000)); break;
    case O.OP_FMIN_S: fset32(rd, fp.f32_min(fget32(rs1), fget32(rs2))); break;
    case O.OP_FMAX_S: fset32(rd, fp.f32_max(fget32(rs1), fget32(rs2))); break;
    case O.OP_FCVT_W_S: xset(rd, fp.f32_to_i32(fget32(rs1), rm)); wroteF = false; break;
    case O.OP_FCVT_WU_S: xset(rd, fp.f32_to_u32(fget32(rs1), rm)); wroteF = false; break;
    case O.OP_FCVT_L_S: xset(rd, fp.f32_to_i64(fget32(rs1), rm)); wroteF = false; break;
    case O.OP_FCVT_LU_S: xset(rd, fp.f32_to_u64(fget32(rs1), rm)); wroteF = false; break;
    case O.OP_FMV_X_W: xset(rd, <u64><i64><i32>fget(rs1)); wroteF = false; break; // raw bits, no unboxing
    case O.OP_FEQ_S: xset(rd, fp.f32_eq(fget32(rs1), fget32(rs2))); wroteF = false; break;
    case O.OP_FLT_S: xset(rd, fp.f32_lt(fget32(rs1), fget32(rs2))); wroteF = false; break;
    case O.OP_FLE_S: xset(rd, fp.f32_le(fget32(rs1), fget32(rs2))); wroteF = false; break;
    case O.OP_FCLASS_S: xset(rd, fp.f32_classify(fget32(rs1))); wroteF = false; break;
    case O.OP_FCVT_S_W: fset32(rd, fp.i32_to_f32(xget(rs1), rm)); break;
    case O.OP_FCVT_S_WU: fset32(rd, fp.u32_to_f32(xget(rs1), rm)); break;
    case O.OP_FCVT_S_L: fset32(rd, fp.i64_to_f32(xget(rs1), rm)); break;
    case O.OP_FCVT_S_LU: fset32(rd, fp.u64_to_f32(xget(rs1), rm)); break;
    case O.OP_FMV_W_X: fset32(rd, <u32>xget(rs1)); break;

    case O.OP_FMADD_D: fset(rd, fp.f64_fma(fget(rs1), fget(rs2), fget((imm >> 8) & 31), rm)); break;
    case O.OP_FMSUB_D: fset(rd, fp.f64_fma(fget(rs1), fget(rs2), neg64(fget((imm >> 8) & 31)), rm)); break;
    case O.OP_FNMSUB_D: fset(rd, fp.f64_fma(neg64(fget(rs1)), fget(rs2), fget((imm >> 8) & 31), rm)); break;
    case O.OP_FNMADD_D: fset(rd, fp.f64_fma(neg64(fget(rs1)), fget(rs2), neg64(fget((imm >> 8) & 31)), rm)); break;
    case O.OP_FADD_D: fset(rd, fp.f64_add(fget(rs1), fget(rs2), rm)); break;
    case O.OP_FSUB_D: fset(rd, fp.f64_sub(fget(rs1), fget(rs2), rm)); break;
    case O.OP_FMUL_D: fset(rd, fp.f64_mul(fget(rs1), fget(rs2), rm)); break;
    case O.OP_FDIV_D: fset(rd, fp.f64_div(fget(rs1), fget(rs2), rm)); break;
    case O.OP_FSQRT_D: fset(rd, fp.f64_sqrt(fget(rs1), rm)); break;
    case O.OP_FSGNJ_D: fset(rd, (fget(rs1) & ~SIGN64) | (fget(rs2) & SIGN64)); break;
    case O.OP_FSGNJN_D: fset(rd, (fget(rs1) & ~SIGN64) | (~fget(rs2) & SIGN64)); break;
    case O.OP_FSGNJX_D: fset(rd, fget(rs1) ^ (fget(rs2) & SIGN64)); break;
    case O.OP_FMIN_D: fset(rd, fp.f64_min(fget(rs1), fget(rs2))); break;
    case O.OP_FMAX_D: fset(rd, fp.f64_max(fget(rs1), fget(rs2))); break;
    case O.OP_FCVT_W_D: xset(rd, fp.f64_to_i32(fget(rs1), rm)); wroteF = false; break;
    case O.OP_FCVT_WU_D: xset(rd, fp.f64_to_u32(fget(rs1), rm)); wroteF = false; break;
    case O.OP_FCVT_L_D: xset(rd, fp.f64_to_i64(fget(rs1), rm)); wroteF = false; break;
    case O.OP_FCVT_LU_D: xset(rd, fp.f64_to_u64(fget(rs1), rm)); wroteF = false; break;
    case O.OP_FMV_X_D: xset(rd, fget(rs1)); wroteF = false; break;
    case O.OP_FEQ_D: xset(rd, fp.f64_eq(fget(rs1), fget(rs2))); wroteF = false; break;
    case O.OP_FLT_D: xset(rd, fp.f64_lt(fget(rs1), fget(rs2))); wroteF = false; break;
    case O.OP_FLE_D: xset(rd, fp.f64_le(fget(rs1), fget(rs2))); wroteF = false; break;
    case O.OP_FCLASS_D: xset(rd, fp.f64_classify(fget(rs1))); wroteF = false; break;
    case O.OP_FCVT_D_W: fset(rd, fp.i32_to_f64(xget(rs1), rm)); break;
    case O.OP_FCVT_D_WU: fset(rd, fp.u32_to_f64(xget(rs1), rm)); break;
    case O.OP_FCVT_D_L: fset(rd, fp.i64_to_f64(xget(rs1), rm)); break;
    case O.OP_FCVT_D_LU: fset(rd, fp.u64_to_f64(xget(rs1), rm)); break;
    case O.OP_FMV_D_X: fset(rd, xget(rs1)); break;
    case O.OP_FCVT_S_D: fset32(rd, fp.f64_to_f32(fget(rs1), rm)); break;
    case O.OP_FCVT_D_S: fset(rd, fp.f32_to_f64(fget32(rs1))); break;

    case O.OP_FMADD_H: fset16(rd, h.f16_fma(fget16(rs1), fget16(rs2), fget16((imm >> 8) & 31), rm)); break;
    case O.OP_FMSUB_H: fset16(rd, h.f16_fma(fget16(rs1), fget16(rs2), neg16(fget16((imm >> 8) & 31)), rm)); break;
    case O.OP_FNMSUB_H: fset16(rd, h.f16_fma(neg16(fget16(rs1)), fget16(rs2), fget16((imm >> 8) & 31), rm)); break;
    case O.OP_FNMADD_H: fset16(rd, h.f16_fma(neg16(fget16(rs1)), fget16(rs2), neg16(fget16((imm >> 8) & 31)), rm)); break;
    case O.OP_FADD_H: fset16(rd, h.f16_add(fget16(rs1), fget16(rs2), rm)); break;
    case O.OP_FSUB_H: fset16(rd, h.f16_sub(fget16(rs1), fget16(rs2), rm)); break;
    case O.OP_FMUL_H: fset16(rd, h.f16_mul(fget16(rs1), fget16(rs2), rm)); break;
    case O.OP_FDIV_H: fset16(rd, h.f16_div(fget16(rs1), fget16(rs2), rm)); break;
    case O.OP_FSQRT_H: fset16(rd, h.f16_sqrt(fget16(rs1), rm)); break;
    case O.OP_FSGNJ_H: fset16(rd, (fget16(rs1) & 0x7fff) | (fget16(rs2) & 0x8000)); break;
    case O.OP_FSGNJN_H: fset16(rd, (fget16(rs1) & 0x7fff) | (~fget16(rs2) & 0x8000)); break;
    case O.OP_FSGNJX_H: fset16(rd, fget16(rs1) ^ (fget16(rs2) & 0x8000)); break;
    case O.OP_FMIN_H: fset16(rd, h.f16_min(fget16(rs1), fget16(rs2))); break;
    case O.OP_FMAX_H: fset16(rd, h.f16_max(fget16(rs1), fget16(rs2))); break;
    case O.OP_FCVT_W_H: xset(rd, h.f16_to_i32(fget16(rs1), rm)); wroteF = false; break;
    case O.OP_FCVT_WU_H: xset(rd, h.f16_to_u32(fget16(rs1), rm)); wroteF = false; break;
    case O.OP_FCVT_L_H: xset(rd, h.f16_to_i64(fget16(rs1), rm)); wroteF = false; break;
    case O.OP_FCVT_LU_H: xset(rd, h.f16_to_u64(fget16(rs1), rm)); wroteF = false; break;
    case O.OP_FMV_X_H: xset(rd, <u64><i64><i16>fget(rs1)); wroteF = false; break; // raw bits, sign-extended
    case O.OP_FEQ_H: xset(rd, h.f16_eq(fget16(rs1), fget16(rs2))); wroteF = false; break;
    case O.OP_FLT_H: xset(rd, h.f16_lt(fget16(rs1), fget16(rs2))); wroteF = false; break;
    case O.OP_FLE_H: xset(rd, h.f16_le(fget16(rs1), fget16(rs2))); wroteF = false; break;
    case O.OP_FCLASS_H: xset(rd, h.f16_classify(fget16(rs1))); wroteF = false; break;
    case O.OP_FCVT_H_W: fset16(rd, h.i32_to_f16(xget(rs1), rm)); break;
    case O.OP_FCVT_H_WU: fset16(rd, h.u32_to_f16(xget(rs1), rm)); break;
    case O.OP_FCVT_H_L: fset16(rd, h.i64_to_f16(xget(rs1), rm)); break;
    case O.OP_FCVT_H_LU: fset16(rd, h.u64_to_f16(xget(rs1), rm)); break;
    case O.OP_FMV_H_X: fset16(rd, <u32>xget(rs1)); break;
    case O.OP_FCVT_S_H: fset32(rd, h.f16_to_f32(fget16(rs1))); break;
    case O.OP_FCVT_H_S: fset16(rd, h.f32_to_f16(fget32(rs1), rm)); break;
    case O.OP_FCVT_D_H: fset(rd, h.f16_to_f64(fget16(rs1))); break;
    case O.OP_FCVT_H_D: fset16(rd, h.f64_to_f16(fget(rs1), rm)); break;
    default: return false;
  }
  const flags = <u64>fp.fpFlags;
  if ((flags & ~fcsr) != 0) {
    store<u64>(S_FCSR, fcsr | flags);
    wroteF = true;
  }
  if (wroteF) fpDirty();
  return true;
}

const SIGN64: u64 = 0x8000000000000000;

// Negation for the fused forms is a sign flip of the operand bits; a NaN operand stays a NaN
// (its result is the canonical NaN whatever its sign) and sNaN-ness is unchanged.
// @ts-ignore: decorator
@inline function neg32(v: u32): u32 { return v ^ 0x80000000; }
// @ts-ignore: decorator
@inline function neg16(v: u32): u32 { return v ^ 0x8000; }
// @ts-ignore: decorator
@inline function neg64(v: u64): u64 { return v ^ SIGN64; }

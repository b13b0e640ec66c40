// IEEE 754 binary16 for the RISC-V Zfh extension (unprivileged spec, "Zfh" chapter): the public
// API, on the same software implementation as binary32/binary64 (soft.ts with T = u16), so
// every rounding mode and flag is exact by the same code. Half values travel as u32 bit
// patterns (the low 16 bits). Conversions to integers widen exactly to binary64 first (every
// binary16 is a binary64, so the rounding and the flags are those of the binary16 value).
import { F64_NAN, isNaNBits } from "./common";
import {
  CVT_L, CVT_LU, CVT_W, CVT_WU, addSW, classifySW, convertSW, divSW, eqSW, f64ToIntSW, fmaSW,
  intToFloatSW, leSW, ltSW, minMaxSW, mulSW, sqrtSW,
} from "./soft";

const SIGN16: u32 = 0x8000;

export function f16_add(a: u32, b: u32, rm: u32): u32 { return <u32>addSW<u16>(a, b, rm); }
export function f16_sub(a: u32, b: u32, rm: u32): u32 { return <u32>addSW<u16>(a, b ^ SIGN16, rm); }
export function f16_mul(a: u32, b: u32, rm: u32): u32 { return <u32>mulSW<u16>(a, b, rm); }
export function f16_div(a: u32, b: u32, rm: u32): u32 { return <u32>divSW<u16>(a, b, rm); }
export function f16_sqrt(a: u32, rm: u32): u32 { return <u32>sqrtSW<u16>(a, rm); }
export function f16_fma(a: u32, b: u32, c: u32, rm: u32): u32 { return <u32>fmaSW<u16>(a, b, c, rm); }
export function f16_eq(a: u32, b: u32): u32 { return eqSW<u16>(a, b); }
export function f16_lt(a: u32, b: u32): u32 { return ltSW<u16>(a, b); }
export function f16_le(a: u32, b: u32): u32 { return leSW<u16>(a, b); }
export function f16_min(a: u32, b: u32): u32 { return <u32>minMaxSW<u16>(a, b, false); }
export function f16_max(a: u32, b: u32): u32 { return <u32>minMaxSW<u16>(a, b, true); }
export function f16_classify(a: u32): u64 { return classifySW<u16>(a); }

/** binary16 widened to binary64 without flags (a NaN becomes the canonical NaN). */
// @ts-ignore: decorator
@inline function widen(a: u32): u64 {
  return isNaNBits<u16>(a) ? F64_NAN : convertSW<u16, u64>(a, 0);
}

export function f16_to_i32(a: u32, rm: u32): u64 { return f64ToIntSW(widen(a), rm, CVT_W); }
export function f16_to_u32(a: u32, rm: u32): u64 { return f64ToIntSW(widen(a), rm, CVT_WU); }
export function f16_to_i64(a: u32, rm: u32): u64 { return f64ToIntSW(widen(a), rm, CVT_L); }
export function f16_to_u64(a: u32, rm: u32): u64 { return f64ToIntSW(widen(a), rm, CVT_LU); }
export function i32_to_f16(a: u64, rm: u32): u32 { return <u32>intToFloatSW<u16>(a, rm, CVT_W); }
export function u32_to_f16(a: u64, rm: u32): u32 { return <u32>intToFloatSW<u16>(a, rm, CVT_WU); }
export function i64_to_f16(a: u64, rm: u32): u32 { return <u32>intToFloatSW<u16>(a, rm, CVT_L); }
export function u64_to_f16(a: u64, rm: u32): u32 { return <u32>intToFloatSW<u16>(a, rm, CVT_LU); }

export function f16_to_f32(a: u32): u32 { return <u32>convertSW<u16, u32>(a, 0); }
export function f16_to_f64(a: u32): u64 { return convertSW<u16, u64>(a, 0); }
export function f32_to_f16(a: u32, rm: u32): u32 { return <u32>convertSW<u32, u16>(a, rm); }
export function f64_to_f16(a: u64, rm: u32): u32 { return <u32>convertSW<u64, u16>(a, rm); }

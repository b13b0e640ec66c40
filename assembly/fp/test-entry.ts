// Test entry for the FP module (build/fp-test.wasm, `npm run build:fptest`): one dispatcher so
// TypeScript can call every operation by opcode, through the public API (impl 0, fast paths
// included) or the pure software reference (impl 1), one call at a time or over a batch of
// records in memory laid out like the QEMU reference program's (guests/fpref/fpref.S):
//   in  {u32 op, u32 rm, u64 a, u64 b, u64 c}  32 bytes
//   out {u64 result, u64 fflags}               16 bytes
// Opcode numbers are the same as fpref.S and test/fp/ops.ts.
import * as F from "./index";
import {
  addSW, classifySW, CVT_L, CVT_LU, CVT_W, CVT_WU, divSW, eqSW, f32ToF64SW, f64ToF32SW,
  f64ToIntSW, fmaSW, intToFloatSW, leSW, ltSW, minMaxSW, mulSW, sqrtSW, widenQuiet,
} from "./soft";
import { fpFlags } from "./common";
import * as H from "./half";

const S64: u64 = 0x8000000000000000;
const S32: u64 = 0x80000000;

// @ts-ignore: decorator
@inline function lo32(x: u64): u32 {
  return <u32>x;
}

const BOX16: u64 = 0xffffffffffff0000;

/** A binary16 operand from a whole register value: improperly NaN-boxed reads as the canonical NaN. */
// @ts-ignore: decorator
@inline function unbox16(x: u64): u32 {
  return (x & BOX16) == BOX16 ? <u32>x & 0xffff : 0x7e00;
}
// @ts-ignore: decorator
@inline function box16(x: u32): u64 {
  return BOX16 | <u64>(x & 0xffff);
}

/** Zfh (ops 54-83): one implementation (the software path), so public and soft are the same. */
function callHalf(op: u32, rm: u32, a: u64, b: u64, c: u64): u64 {
  const x = unbox16(a), y = unbox16(b), z = unbox16(c);
  switch (op) {
    case 54: return box16(H.f16_add(x, y, rm));
    case 55: return box16(H.f16_sub(x, y, rm));
    case 56: return box16(H.f16_mul(x, y, rm));
    case 57: return box16(H.f16_div(x, y, rm));
    case 58: return box16(H.f16_sqrt(x, rm));
    case 59: return box16(H.f16_fma(x, y, z, rm));
    case 60: return box16(H.f16_fma(x, y, z ^ 0x8000, rm));
    case 61: return box16(H.f16_fma(x ^ 0x8000, y, z, rm));
    case 62: return box16(H.f16_fma(x ^ 0x8000, y, z ^ 0x8000, rm));
    case 63: return box16(H.f16_min(x, y));
    case 64: return box16(H.f16_max(x, y));
    case 65: return H.f16_eq(x, y);
    case 66: return H.f16_lt(x, y);
    case 67: return H.f16_le(x, y);
    case 68: return H.f16_classify(x);
    case 69: return box16((x & 0x7fff) | (y & 0x8000));
    case 70: return box16((x & 0x7fff) | (~y & 0x8000));
    case 71: return box16(x ^ (y & 0x8000));
    case 72: return H.f16_to_i32(x, rm);
    case 73: return H.f16_to_u32(x, rm);
    case 74: return H.f16_to_i64(x, rm);
    case 75: return H.f16_to_u64(x, rm);
    case 76: return box16(H.i32_to_f16(a, rm));
    case 77: return box16(H.u32_to_f16(a, rm));
    case 78: return box16(H.i64_to_f16(a, rm));
    case 79: return box16(H.u64_to_f16(a, rm));
    case 80: return <u64>H.f16_to_f32(x);
    case 81: return box16(H.f32_to_f16(lo32(a), rm));
    case 82: return H.f16_to_f64(x);
    case 83: return box16(H.f64_to_f16(a, rm));
  }
  return 0xdeadbeef;
}

function callPublic(op: u32, rm: u32, a: u64, b: u64, c: u64): u64 {
  if (op >= 54) return callHalf(op, rm, a, b, c);
  switch (op) {
    case 0: return F.f64_add(a, b, rm);
    case 1: return F.f64_sub(a, b, rm);
    case 2: return F.f64_mul(a, b, rm);
    case 3: return F.f64_div(a, b, rm);
    case 4: return F.f64_sqrt(a, rm);
    case 5: return F.f64_fma(a, b, c, rm);
    case 6: return F.f64_fma(a, b, c ^ S64, rm);
    case 7: return F.f64_fma(a ^ S64, b, c, rm);
    case 8: return F.f64_fma(a ^ S64, b, c ^ S64, rm);
    case 9: return F.f64_min(a, b);
    case 10: return F.f64_max(a, b);
    case 11: return F.f64_eq(a, b);
    case 12: return F.f64_lt(a, b);
    case 13: return F.f64_le(a, b);
    case 14: return F.f64_classify(a);
    case 15: return F.f64_sgnj(a, b);
    case 16: return F.f64_sgnjn(a, b);
    case 17: return F.f64_sgnjx(a, b);
    case 18: return F.f64_to_i32(a, rm);
    case 19: return F.f64_to_u32(a, rm);
    case 20: return F.f64_to_i64(a, rm);
    case 21: return F.f64_to_u64(a, rm);
    case 22: return F.i32_to_f64(a, rm);
    case 23: return F.u32_to_f64(a, rm);
    case 24: return F.i64_to_f64(a, rm);
    case 25: return F.u64_to_f64(a, rm);
    case 26: return F.f64_to_f32(a, rm);
    case 27: return F.f32_to_f64(lo32(a));
    case 28: return F.f32_add(lo32(a), lo32(b), rm);
    case 29: return F.f32_sub(lo32(a), lo32(b), rm);
    case 30: return F.f32_mul(lo32(a), lo32(b), rm);
    case 31: return F.f32_div(lo32(a), lo32(b), rm);
    case 32: return F.f32_sqrt(lo32(a), rm);
    case 33: return F.f32_fma(lo32(a), lo32(b), lo32(c), rm);
    case 34: return F.f32_fma(lo32(a), lo32(b), lo32(c ^ S32), rm);
    case 35: return F.f32_fma(lo32(a ^ S32), lo32(b), lo32(c), rm);
    case 36: return F.f32_fma(lo32(a ^ S32), lo32(b), lo32(c ^ S32), rm);
    case 37: return F.f32_min(lo32(a), lo32(b));
    case 38: return F.f32_max(lo32(a), lo32(b));
    case 39: return F.f32_eq(lo32(a), lo32(b));
    case 40: return F.f32_lt(lo32(a), lo32(b));
    case 41: return F.f32_le(lo32(a), lo32(b));
    case 42: return F.f32_classify(lo32(a));
    case 43: return F.f32_sgnj(lo32(a), lo32(b));
    case 44: return F.f32_sgnjn(lo32(a), lo32(b));
    case 45: return F.f32_sgnjx(lo32(a), lo32(b));
    case 46: return F.f32_to_i32(lo32(a), rm);
    case 47: return F.f32_to_u32(lo32(a), rm);
    case 48: return F.f32_to_i64(lo32(a), rm);
    case 49: return F.f32_to_u64(lo32(a), rm);
    case 50: return F.i32_to_f32(a, rm);
    case 51: return F.u32_to_f32(a, rm);
    case 52: return F.i64_to_f32(a, rm);
    case 53: return F.u64_to_f32(a, rm);
  }
  return 0xdeadbeef;
}

function callSoft(op: u32, rm: u32, a: u64, b: u64, c: u64): u64 {
  if (op >= 54) return callHalf(op, rm, a, b, c);
  const a32 = a & 0xffffffff, b32 = b & 0xffffffff, c32 = c & 0xffffffff;
  switch (op) {
    case 0: return addSW<u64>(a, b, rm);
    case 1: return addSW<u64>(a, b ^ S64, rm);
    case 2: return mulSW<u64>(a, b, rm);
    case 3: return divSW<u64>(a, b, rm);
    case 4: return sqrtSW<u64>(a, rm);
    case 5: return fmaSW<u64>(a, b, c, rm);
    case 6: return fmaSW<u64>(a, b, c ^ S64, rm);
    case 7: return fmaSW<u64>(a ^ S64, b, c, rm);
    case 8: return fmaSW<u64>(a ^ S64, b, c ^ S64, rm);
    case 9: return minMaxSW<u64>(a, b, false);
    case 10: return minMaxSW<u64>(a, b, true);
    case 11: return eqSW<u64>(a, b);
    case 12: return ltSW<u64>(a, b);
    case 13: return leSW<u64>(a, b);
    case 14: return classifySW<u64>(a);
    case 15: return F.f64_sgnj(a, b);
    case 16: return F.f64_sgnjn(a, b);
    case 17: return F.f64_sgnjx(a, b);
    case 18: return f64ToIntSW(a, rm, CVT_W);
    case 19: return f64ToIntSW(a, rm, CVT_WU);
    case 20: return f64ToIntSW(a, rm, CVT_L);
    case 21: return f64ToIntSW(a, rm, CVT_LU);
    case 22: return intToFloatSW<u64>(a, rm, CVT_W);
    case 23: return intToFloatSW<u64>(a, rm, CVT_WU);
    case 24: return intToFloatSW<u64>(a, rm, CVT_L);
    case 25: return intToFloatSW<u64>(a, rm, CVT_LU);
    case 26: return f64ToF32SW(a, rm);
    case 27: return f32ToF64SW(a32);
    case 28: return addSW<u32>(a32, b32, rm);
    case 29: return addSW<u32>(a32, b32 ^ S32, rm);
    case 30: return mulSW<u32>(a32, b32, rm);
    case 31: return divSW<u32>(a32, b32, rm);
    case 32: return sqrtSW<u32>(a32, rm);
    case 33: return fmaSW<u32>(a32, b32, c32, rm);
    case 34: return fmaSW<u32>(a32, b32, c32 ^ S32, rm);
    case 35: return fmaSW<u32>(a32 ^ S32, b32, c32, rm);
    case 36: return fmaSW<u32>(a32 ^ S32, b32, c32 ^ S32, rm);
    case 37: return minMaxSW<u32>(a32, b32, false);
    case 38: return minMaxSW<u32>(a32, b32, true);
    case 39: return eqSW<u32>(a32, b32);
    case 40: return ltSW<u32>(a32, b32);
    case 41: return leSW<u32>(a32, b32);
    case 42: return classifySW<u32>(a32);
    case 43: return F.f32_sgnj(lo32(a), lo32(b));
    case 44: return F.f32_sgnjn(lo32(a), lo32(b));
    case 45: return F.f32_sgnjx(lo32(a), lo32(b));
    case 46: return f64ToIntSW(widenQuiet(lo32(a)), rm, CVT_W);
    case 47: return f64ToIntSW(widenQuiet(lo32(a)), rm, CVT_WU);
    case 48: return f64ToIntSW(widenQuiet(lo32(a)), rm, CVT_L);
    case 49: return f64ToIntSW(widenQuiet(lo32(a)), rm, CVT_LU);
    case 50: return intToFloatSW<u32>(a, rm, CVT_W);
    case 51: return intToFloatSW<u32>(a, rm, CVT_WU);
    case 52: return intToFloatSW<u32>(a, rm, CVT_L);
    case 53: return intToFloatSW<u32>(a, rm, CVT_LU);
  }
  return 0xdeadbeef;
}

/** Calls one operation with fflags cleared; the flags are then in lastFlags(). */
export function call(op: u32, rm: u32, a: u64, b: u64, c: u64, impl: u32): u64 {
  fpFlags = 0;
  return impl ? callSoft(op, rm, a, b, c) : callPublic(op, rm, a, b, c);
}

export function lastFlags(): u32 {
  return fpFlags;
}

/** Where batch records start in memory (in: n * 32 bytes, then out: n * 16 bytes). */
export const IO_BASE: usize = 65536;

/** Grows memory to hold n records. */
export function reserve(n: u32): void {
  const need = <i32>((IO_BASE + <usize>n * 48 + 0xffff) >>> 16);
  const have = memory.size();
  if (need > have) memory.grow(need - have);
}

/** Runs n records at IO_BASE, writing results after them. */
export function runBatch(n: u32, impl: u32): void {
  let inp = IO_BASE;
  let out = IO_BASE + <usize>n * 32;
  for (let i: u32 = 0; i < n; i++) {
    const op = load<u32>(inp), rm = load<u32>(inp, 4);
    const a = load<u64>(inp, 8), b = load<u64>(inp, 16), c = load<u64>(inp, 24);
    fpFlags = 0;
    const r = impl ? callSoft(op, rm, a, b, c) : callPublic(op, rm, a, b, c);
    store<u64>(out, r);
    store<u64>(out, <u64>fpFlags, 8);
    inp += 32;
    out += 16;
  }
}

/** Benchmark loop: runs the n records `reps` times without writing results; returns a checksum. */
export function bench(n: u32, impl: u32, reps: u32): u64 {
  let sum: u64 = 0;
  for (let k: u32 = 0; k < reps; k++) {
    let inp = IO_BASE;
    for (let i: u32 = 0; i < n; i++) {
      const op = load<u32>(inp), rm = load<u32>(inp, 4);
      const a = load<u64>(inp, 8), b = load<u64>(inp, 16), c = load<u64>(inp, 24);
      sum += impl ? callSoft(op, rm, a, b, c) : callPublic(op, rm, a, b, c);
      inp += 32;
    }
  }
  return sum + fpFlags;
}

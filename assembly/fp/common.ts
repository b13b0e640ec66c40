// Shared pieces of the IEEE 754 binary16/binary32/binary64 implementation: the accrued flags,
// rounding mode numbers, format accessors (generic over T = u16 for binary16, u32 for binary32,
// u64 for binary64; raw values always travel as u64 bit patterns), sticky shifts, 128-bit helpers and the one
// rounding routine every operation ends in.
//
// Unpacked form used inside: a finite nonzero value is sign * sig * 2^(exp - 62) with
// sig in [2^62, 2^63) ("normalized at bit 62") and exp the unbiased exponent. Bits of sig
// below the target precision are round bits; a set bit 0 may stand for any nonzero tail
// ("jammed" sticky bit).

/** Accrued exception flags, fcsr.fflags layout. Operations OR into it; the caller clears. */
export let fpFlags: u32 = 0;

export const FLAG_NX: u32 = 1;
export const FLAG_UF: u32 = 2;
export const FLAG_OF: u32 = 4;
export const FLAG_DZ: u32 = 8;
export const FLAG_NV: u32 = 16;

export const RM_RNE: u32 = 0;
export const RM_RTZ: u32 = 1;
export const RM_RDN: u32 = 2;
export const RM_RUP: u32 = 3;
export const RM_RMM: u32 = 4;

export const F16_NAN: u32 = 0x7e00;
export const F32_NAN: u32 = 0x7fc00000;
export const F64_NAN: u64 = 0x7ff8000000000000;

// @ts-ignore: decorator
@inline export function raiseFlags(f: u32): void {
  fpFlags |= f;
}

// ---------------------------------------------------------------------------------------------
// Format parameters. T = u16: binary16, T = u32: binary32, T = u64: binary64. All compile-time
// constants (sizeof<T>() is).

// @ts-ignore: decorator
@inline export function fracBits<T>(): i32 {
  return sizeof<T>() == 2 ? 10 : sizeof<T>() == 4 ? 23 : 52;
}
// @ts-ignore: decorator
@inline export function expMax<T>(): u32 { // all-ones exponent field
  return sizeof<T>() == 2 ? 0x1f : sizeof<T>() == 4 ? 0xff : 0x7ff;
}
// @ts-ignore: decorator
@inline export function bias<T>(): i32 {
  return sizeof<T>() == 2 ? 15 : sizeof<T>() == 4 ? 127 : 1023;
}
// @ts-ignore: decorator
@inline export function signShift<T>(): u64 {
  return sizeof<T>() == 2 ? 15 : sizeof<T>() == 4 ? 31 : 63;
}
// @ts-ignore: decorator
@inline export function fracMask<T>(): u64 {
  return sizeof<T>() == 2 ? <u64>0x3ff : sizeof<T>() == 4 ? <u64>0x7fffff : <u64>0xfffffffffffff;
}
// @ts-ignore: decorator
@inline export function absMask<T>(): u64 {
  return sizeof<T>() == 2 ? <u64>0x7fff : sizeof<T>() == 4 ? <u64>0x7fffffff : <u64>0x7fffffffffffffff;
}
// @ts-ignore: decorator
@inline export function infBits<T>(): u64 {
  return sizeof<T>() == 2 ? <u64>0x7c00 : sizeof<T>() == 4 ? <u64>0x7f800000 : <u64>0x7ff0000000000000;
}
// @ts-ignore: decorator
@inline export function quietBit<T>(): u64 {
  return sizeof<T>() == 2 ? <u64>0x200 : sizeof<T>() == 4 ? <u64>0x400000 : <u64>0x8000000000000;
}
// @ts-ignore: decorator
@inline export function defaultNaN<T>(): u64 {
  return sizeof<T>() == 2 ? <u64>F16_NAN : sizeof<T>() == 4 ? <u64>F32_NAN : F64_NAN;
}

// @ts-ignore: decorator
@inline export function signOf<T>(x: u64): u32 {
  return <u32>(x >> signShift<T>()) & 1;
}
// @ts-ignore: decorator
@inline export function expField<T>(x: u64): u32 {
  return <u32>(x >> fracBits<T>()) & expMax<T>();
}
// @ts-ignore: decorator
@inline export function isNaNBits<T>(x: u64): bool {
  return (x & absMask<T>()) > infBits<T>();
}
// @ts-ignore: decorator
@inline export function isSNaNBits<T>(x: u64): bool {
  return isNaNBits<T>(x) && (x & quietBit<T>()) == 0;
}
// @ts-ignore: decorator
@inline export function isInfBits<T>(x: u64): bool {
  return (x & absMask<T>()) == infBits<T>();
}
// @ts-ignore: decorator
@inline export function isZeroBits<T>(x: u64): bool {
  return (x & absMask<T>()) == 0;
}
// @ts-ignore: decorator
@inline export function packZero<T>(sign: u32): u64 {
  return <u64>sign << signShift<T>();
}
// @ts-ignore: decorator
@inline export function packInf<T>(sign: u32): u64 {
  return (<u64>sign << signShift<T>()) | infBits<T>();
}

/** Significand of a finite nonzero value, normalized at bit 62. */
// @ts-ignore: decorator
@inline export function unpackSig<T>(x: u64): u64 {
  const f = x & fracMask<T>();
  if (expField<T>(x) != 0) return (f | (fracMask<T>() + 1)) << (62 - fracBits<T>());
  return f << (<u64>clz<u64>(f) - 1);
}

/** Unbiased exponent of a finite nonzero value, matching unpackSig. */
// @ts-ignore: decorator
@inline export function unpackExp<T>(x: u64): i32 {
  const e = <i32>expField<T>(x);
  if (e != 0) return e - bias<T>();
  // subnormal f * 2^(1 - bias - fracBits): leading bit of f at 63 - clz
  return (63 - <i32>clz<u64>(x & fracMask<T>())) + 1 - bias<T>() - fracBits<T>();
}

// ---------------------------------------------------------------------------------------------
// Sticky shifts and 128-bit helpers (a 128-bit result comes back as the return value = high
// half and the global w_lo = low half).

/** x >> n with every bit shifted out ORed into bit 0. Any n >= 0. */
// @ts-ignore: decorator
@inline export function shrJam64(x: u64, n: u32): u64 {
  if (n == 0) return x;
  if (n < 64) return (x >> n) | <u64>((x << (64 - n)) != 0);
  return <u64>(x != 0);
}

export let w_lo: u64 = 0;

/** Full 64x64 -> 128 product: returns the high half, low half in w_lo. */
// @ts-ignore: decorator
@inline export function mul64x64(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  w_lo = (mid << 32) | (p00 & 0xffffffff);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/** (hi:lo) >> n with sticky jam; returns the high half, low half in w_lo. Any n >= 0. */
export function shrJam128(hi: u64, lo: u64, n: u32): u64 {
  if (n == 0) {
    w_lo = lo;
    return hi;
  }
  if (n < 64) {
    w_lo = (lo >> n) | (hi << (64 - n)) | <u64>((lo << (64 - n)) != 0);
    return hi >> n;
  }
  if (n == 64) {
    w_lo = hi | <u64>(lo != 0);
    return 0;
  }
  if (n < 128) {
    w_lo = (hi >> (n - 64)) | <u64>(((hi << (128 - n)) | lo) != 0);
    return 0;
  }
  w_lo = <u64>((hi | lo) != 0);
  return 0;
}

/** (hi:lo) << n for 0 <= n < 128; returns the high half, low half in w_lo. */
// @ts-ignore: decorator
@inline export function shl128(hi: u64, lo: u64, n: u32): u64 {
  if (n == 0) {
    w_lo = lo;
    return hi;
  }
  if (n < 64) {
    w_lo = lo << n;
    return (hi << n) | (lo >> (64 - n));
  }
  w_lo = 0;
  return lo << (n - 64);
}

// ---------------------------------------------------------------------------------------------
// Rounding. value = (-1)^sign * sig * 2^(exp - 62), sig normalized at bit 62 (round bits and a
// jammed sticky bit below the target precision). Handles overflow, subnormal results, tininess
// after rounding (RISC-V), and raises NX/UF/OF. Returns the packed bits (binary32 in the low
// 32 bits for T = u32, the low 16 for T = u16).

export function roundPack<T>(sign: u32, exp: i32, sig: u64, rm: u32): u64 {
  // round bits below the kept significand: 10 for binary64, 39 for binary32, 52 for binary16
  const RB: u64 = <u64>(62 - fracBits<T>());
  const MASK: u64 = (<u64>1 << RB) - 1;
  const HALF: u64 = <u64>1 << (RB - 1);
  const EMAX: i32 = <i32>expMax<T>() - 1; // largest biased exponent of a finite value
  let inc: u64 = HALF;
  if (rm != RM_RNE && rm != RM_RMM) {
    if (rm == RM_RTZ) inc = 0;
    else if (rm == RM_RDN) inc = sign ? MASK : 0;
    else inc = sign ? 0 : MASK; // RUP
  }
  let e = exp + bias<T>(); // biased exponent if the value is normal
  if (<u32>(e - 1) >= <u32>(EMAX - 1)) {
    if (e < 1) {
      // Below the normal range before rounding. Tiny (after rounding) unless rounding at full
      // precision with unbounded exponent carries it up to the smallest normal.
      const tiny = e < 0 || sig + inc < 0x8000000000000000;
      sig = shrJam64(sig, <u32>(1 - e));
      e = 1;
      if (tiny && (sig & MASK) != 0) fpFlags |= FLAG_UF;
    } else if (e > EMAX || sig + inc >= 0x8000000000000000) {
      fpFlags |= FLAG_OF | FLAG_NX;
      const big: u64 = inc == 0 ? infBits<T>() - 1 : infBits<T>(); // largest finite or inf
      return (<u64>sign << signShift<T>()) | big;
    }
  }
  const rb = sig & MASK;
  if (rb != 0) fpFlags |= FLAG_NX;
  sig = (sig + inc) >> RB;
  if (rm == RM_RNE && rb == HALF) sig &= ~(<u64>1);
  // The hidden bit carries into the exponent field: (e - 1) plus the significand's leading 1.
  return (<u64>sign << signShift<T>()) + (<u64>(e - 1) << fracBits<T>()) + sig;
}

/** Normalizes a nonzero sig (any leading position) and rounds: value = sig * 2^(exp - 62). */
// @ts-ignore: decorator
@inline export function normRoundPack<T>(sign: u32, exp: i32, sig: u64, rm: u32): u64 {
  const lz = <i32>clz<u64>(sig);
  if (lz == 0) return roundPack<T>(sign, exp + 1, (sig >> 1) | (sig & 1), rm);
  return roundPack<T>(sign, exp - (lz - 1), sig << <u64>(lz - 1), rm);
}

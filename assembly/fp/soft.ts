// The software implementation: integer arithmetic only, every rounding mode, every flag.
// Generic over the format: T = u16 for binary16, u32 for binary32, u64 for binary64 (raw bits
// in a u64).
// These are the reference the native fast paths in index.ts must agree with bit for bit.
import {
  FLAG_DZ, FLAG_NV, FLAG_NX, RM_RDN, RM_RMM, RM_RNE, RM_RUP, absMask, defaultNaN, expField,
  expMax, fpFlags, fracMask, isInfBits, isNaNBits, isSNaNBits, isZeroBits, mul64x64,
  normRoundPack, packInf, packZero, quietBit, roundPack, shl128, shrJam128, shrJam64, signOf,
  unpackExp, unpackSig, w_lo,
} from "./common";

// @ts-ignore: decorator
@inline function nanResult<T>(a: u64, b: u64): u64 {
  if (isSNaNBits<T>(a) || isSNaNBits<T>(b)) fpFlags |= FLAG_NV;
  return defaultNaN<T>();
}

// @ts-ignore: decorator
@inline function invalid<T>(): u64 {
  fpFlags |= FLAG_NV;
  return defaultNaN<T>();
}

/** Sign of an exact zero sum of two nonzero values of opposite sign. */
// @ts-ignore: decorator
@inline function cancelZero<T>(rm: u32): u64 {
  return packZero<T>(rm == RM_RDN ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------

export function addSW<T>(a: u64, b: u64, rm: u32): u64 {
  if (isNaNBits<T>(a) || isNaNBits<T>(b)) return nanResult<T>(a, b);
  const sa = signOf<T>(a), sb = signOf<T>(b);
  if (isInfBits<T>(a)) {
    if (isInfBits<T>(b) && sa != sb) return invalid<T>();
    return a;
  }
  if (isInfBits<T>(b)) return b;
  if (isZeroBits<T>(a)) {
    if (isZeroBits<T>(b)) return sa == sb ? a : cancelZero<T>(rm);
    return b;
  }
  if (isZeroBits<T>(b)) return a;
  // Both finite nonzero. Significands at bit 61 leave bit 62 for the carry; shifting right by
  // one is exact (at least 10 zero bits below the significand).
  let ea = unpackExp<T>(a), eb = unpackExp<T>(b);
  let ma = unpackSig<T>(a) >> 1, mb = unpackSig<T>(b) >> 1;
  let e = ea;
  if (ea >= eb) mb = shrJam64(mb, <u32>(ea - eb));
  else {
    ma = shrJam64(ma, <u32>(eb - ea));
    e = eb;
  }
  // value = m * 2^(e - 61)
  if (sa == sb) {
    const s = ma + mb;
    if (s >= 0x4000000000000000) return roundPack<T>(sa, e + 1, s, rm);
    return roundPack<T>(sa, e, s << 1, rm);
  }
  let s: u64, sign: u32;
  if (ma >= mb) {
    s = ma - mb;
    sign = sa;
  } else {
    s = mb - ma;
    sign = sb;
  }
  if (s == 0) return cancelZero<T>(rm);
  // Either no bit was shifted out (exponents within 1: at most the 10 zero bits) or the
  // cancellation is at most one bit, so the jammed bit stays below the round bits.
  const k = <i32>clz<u64>(s) - 1;
  return roundPack<T>(sign, e + 1 - k, s << <u64>k, rm);
}

export function mulSW<T>(a: u64, b: u64, rm: u32): u64 {
  if (isNaNBits<T>(a) || isNaNBits<T>(b)) return nanResult<T>(a, b);
  const sign = signOf<T>(a) ^ signOf<T>(b);
  if (isInfBits<T>(a) || isInfBits<T>(b)) {
    if (isZeroBits<T>(a) || isZeroBits<T>(b)) return invalid<T>();
    return packInf<T>(sign);
  }
  if (isZeroBits<T>(a) || isZeroBits<T>(b)) return packZero<T>(sign);
  const e = unpackExp<T>(a) + unpackExp<T>(b);
  const ma = unpackSig<T>(a), mb = unpackSig<T>(b);
  if (sizeof<T>() <= 4) {
    // 24 x 24 bits fit in 64 (binary16's 11 bits sit at the top of the 24): P in [2^46, 2^48), value = P * 2^(e - 46)
    const p = (ma >> 39) * (mb >> 39);
    if (p >= 0x800000000000) return roundPack<T>(sign, e + 1, p << 15, rm);
    return roundPack<T>(sign, e, p << 16, rm);
  }
  // P = ma * mb in [2^124, 2^126), value = P * 2^(e - 124)
  const hi = mul64x64(ma, mb);
  const lo = w_lo;
  if (hi >= 0x2000000000000000) {
    return roundPack<T>(sign, e + 1, (hi << 1) | (lo >> 63) | <u64>((lo << 1) != 0), rm);
  }
  return roundPack<T>(sign, e, (hi << 2) | (lo >> 62) | <u64>((lo << 2) != 0), rm);
}

export function divSW<T>(a: u64, b: u64, rm: u32): u64 {
  if (isNaNBits<T>(a) || isNaNBits<T>(b)) return nanResult<T>(a, b);
  const sign = signOf<T>(a) ^ signOf<T>(b);
  if (isInfBits<T>(a)) {
    if (isInfBits<T>(b)) return invalid<T>();
    return packInf<T>(sign);
  }
  if (isInfBits<T>(b)) return packZero<T>(sign);
  if (isZeroBits<T>(b)) {
    if (isZeroBits<T>(a)) return invalid<T>();
    fpFlags |= FLAG_DZ;
    return packInf<T>(sign);
  }
  if (isZeroBits<T>(a)) return packZero<T>(sign);
  let e = unpackExp<T>(a) - unpackExp<T>(b);
  if (sizeof<T>() <= 4) {
    let x = unpackSig<T>(a) >> 39, y = unpackSig<T>(b) >> 39; // 24 bits (binary16: 11 + zeros)
    if (x < y) {
      x <<= 1;
      e--;
    }
    // x / y in [1, 2): Q = floor(x * 2^39 / y) in [2^39, 2^40)
    const n = x << 39;
    const q = n / y;
    const r = n - q * y;
    return roundPack<T>(sign, e, (q << 23) | <u64>(r != 0), rm);
  }
  let x = unpackSig<T>(a) >> 10, y = unpackSig<T>(b) >> 10; // 53 bits
  if (x < y) {
    x <<= 1;
    e--;
  }
  // x / y in [1, 2): long division, 11 quotient bits per step (remainder < y < 2^53).
  let q: u64 = 1;
  let r = x - y;
  for (let i = 0; i < 5; i++) {
    r <<= 11;
    const d = r / y;
    r -= d * y;
    q = (q << 11) | d;
  }
  r <<= 7;
  const d = r / y;
  r -= d * y;
  q = (q << 7) | d; // 63 bits: [2^62, 2^63)
  return roundPack<T>(sign, e, q | <u64>(r != 0), rm);
}

export function sqrtSW<T>(a: u64, rm: u32): u64 {
  if (isNaNBits<T>(a)) return nanResult<T>(a, a);
  if (isZeroBits<T>(a)) return a;
  if (signOf<T>(a)) return invalid<T>();
  if (isInfBits<T>(a)) return a;
  let e = unpackExp<T>(a);
  let x = unpackSig<T>(a) >> 10; // [2^52, 2^53)
  if (e & 1) {
    x <<= 1;
    e--;
  }
  // Digit-by-digit square root, two radicand bits per step (branch-free: the remainder stays
  // below 2 * root + 1 < 2^57). x has 54 bits = 27 pairs: root = floor(sqrt(x)), 27 bits.
  let root: u64 = 0, rem: u64 = 0;
  for (let i = 52; i >= 0; i -= 2) {
    rem = (rem << 2) | ((x >> <u64>i) & 3);
    const t = (root << 2) | 1;
    const ge = rem >= t;
    rem -= select<u64>(t, 0, ge);
    root = (root << 1) | <u64>ge;
  }
  if (sizeof<T>() <= 4) {
    // 27 root bits + sticky are plenty for 24 (and for binary16's 11): root in [2^26, 2^27)
    return roundPack<T>(0, e >> 1, (root << 36) | <u64>(rem != 0), rm);
  }
  // binary64: 28 more bits from zero pairs: root = floor(sqrt(x * 2^56)) in [2^54, 2^55)
  for (let i = 0; i < 28; i++) {
    rem <<= 2;
    const t = (root << 2) | 1;
    const ge = rem >= t;
    rem -= select<u64>(t, 0, ge);
    root = (root << 1) | <u64>ge;
  }
  return roundPack<T>(0, e >> 1, (root << 8) | <u64>(rem != 0), rm);
}

/** a * b + c with a single rounding. */
export function fmaSW<T>(a: u64, b: u64, c: u64, rm: u32): u64 {
  const infZero =
    (isInfBits<T>(a) && isZeroBits<T>(b)) || (isZeroBits<T>(a) && isInfBits<T>(b));
  if (isNaNBits<T>(a) || isNaNBits<T>(b) || isNaNBits<T>(c)) {
    if (infZero || isSNaNBits<T>(a) || isSNaNBits<T>(b) || isSNaNBits<T>(c)) {
      fpFlags |= FLAG_NV;
    }
    return defaultNaN<T>();
  }
  if (infZero) return invalid<T>();
  const sp = signOf<T>(a) ^ signOf<T>(b), sc = signOf<T>(c);
  if (isInfBits<T>(a) || isInfBits<T>(b)) {
    if (isInfBits<T>(c) && sc != sp) return invalid<T>();
    return packInf<T>(sp);
  }
  if (isInfBits<T>(c)) return c;
  if (isZeroBits<T>(a) || isZeroBits<T>(b)) {
    if (isZeroBits<T>(c)) return sp == sc ? c : cancelZero<T>(rm);
    return c;
  }
  if (isZeroBits<T>(c)) return mulSW<T>(a, b, rm); // x + (+-0) == x for nonzero x
  // Product P in [2^124, 2^126) and C = mc << 62 in [2^124, 2^125), each value = X * 2^(E - 124).
  const ep = unpackExp<T>(a) + unpackExp<T>(b), ec = unpackExp<T>(c);
  let ph = mul64x64(unpackSig<T>(a), unpackSig<T>(b));
  let pl = w_lo;
  const mc = unpackSig<T>(c);
  let ch = mc >> 2, cl = mc << 62;
  let e = ep;
  if (ep >= ec) {
    ch = shrJam128(ch, cl, <u32>(ep - ec));
    cl = w_lo;
  } else {
    ph = shrJam128(ph, pl, <u32>(ec - ep));
    pl = w_lo;
    e = ec;
  }
  let sh: u64, sl: u64, sign = sp;
  if (sp == sc) {
    sl = pl + cl;
    sh = ph + ch + <u64>(sl < pl);
  } else if (ph > ch || (ph == ch && pl >= cl)) {
    sl = pl - cl;
    sh = ph - ch - <u64>(pl < cl);
  } else {
    sl = cl - pl;
    sh = ch - ph - <u64>(cl < pl);
    sign = sc;
  }
  if ((sh | sl) == 0) return cancelZero<T>(rm);
  // Bits lost to the alignment shift imply a magnitude gap large enough that the cancellation
  // is at most one bit: the jammed bit stays far below the round bits after normalizing.
  const lz = sh != 0 ? <u32>clz<u64>(sh) : 64 + <u32>clz<u64>(sl);
  sh = shl128(sh, sl, lz);
  sl = w_lo;
  const sig = (sh >> 1) | <u64>(((sh & 1) | sl) != 0);
  return roundPack<T>(sign, e + 3 - <i32>lz, sig, rm);
}

// ---------------------------------------------------------------------------------------------
// Comparisons, min/max, classify, sign injection.

export function eqSW<T>(a: u64, b: u64): u32 {
  if (isNaNBits<T>(a) || isNaNBits<T>(b)) {
    if (isSNaNBits<T>(a) || isSNaNBits<T>(b)) fpFlags |= FLAG_NV;
    return 0;
  }
  return <u32>(a == b || ((a | b) & absMask<T>()) == 0);
}

export function ltSW<T>(a: u64, b: u64): u32 {
  if (isNaNBits<T>(a) || isNaNBits<T>(b)) {
    fpFlags |= FLAG_NV;
    return 0;
  }
  const sa = signOf<T>(a), sb = signOf<T>(b);
  if (sa != sb) return <u32>(sa != 0 && ((a | b) & absMask<T>()) != 0);
  return <u32>(a != b && ((a < b) != (sa != 0)));
}

export function leSW<T>(a: u64, b: u64): u32 {
  if (isNaNBits<T>(a) || isNaNBits<T>(b)) {
    fpFlags |= FLAG_NV;
    return 0;
  }
  const sa = signOf<T>(a), sb = signOf<T>(b);
  if (sa != sb) return <u32>(sa != 0 || ((a | b) & absMask<T>()) == 0);
  return <u32>(a == b || ((a < b) != (sa != 0)));
}

/** max = false: FMIN, true: FMAX (IEEE 754-2019 minimumNumber/maximumNumber, -0 < +0). */
export function minMaxSW<T>(a: u64, b: u64, max: bool): u64 {
  const an = isNaNBits<T>(a), bn = isNaNBits<T>(b);
  if (an || bn) {
    if (isSNaNBits<T>(a) || isSNaNBits<T>(b)) fpFlags |= FLAG_NV;
    if (an && bn) return defaultNaN<T>();
    return an ? b : a;
  }
  const sa = signOf<T>(a), sb = signOf<T>(b);
  let aLess: bool; // a < b in the total order where -0 < +0
  if (sa != sb) aLess = sa != 0;
  else aLess = (a < b) != (sa != 0);
  return aLess != max ? a : b;
}

export function classifySW<T>(a: u64): u64 {
  const s = signOf<T>(a);
  const e = expField<T>(a);
  const f = a & fracMask<T>();
  if (e == expMax<T>()) {
    if (f == 0) return s ? 1 : 128;
    return (f & quietBit<T>()) != 0 ? 512 : 256;
  }
  if (e == 0) {
    if (f == 0) return s ? 8 : 16;
    return s ? 4 : 32;
  }
  return s ? 2 : 64;
}

// ---------------------------------------------------------------------------------------------
// Conversions.

export const CVT_W: u32 = 0;
export const CVT_WU: u32 = 1;
export const CVT_L: u32 = 2;
export const CVT_LU: u32 = 3;

/** binary64 (raw bits) to integer; kind CVT_*; the value to write in an RV64 register. */
export function f64ToIntSW(a: u64, rm: u32, kind: u32): u64 {
  const sign = <u32>(a >> 63);
  const e = <i32>((a >> 52) & 0x7ff);
  const f = a & 0xfffffffffffff;
  let mag: u64 = 0;
  let inexact = false;
  let big = false; // magnitude >= 2^64
  if (e == 0x7ff) {
    fpFlags |= FLAG_NV;
    if (f != 0) return intMax(kind);
    return sign ? intMin(kind) : intMax(kind);
  }
  const sig = e != 0 ? f | 0x10000000000000 : f;
  if (e >= 1075) {
    const sh = e - 1075;
    if (sh > 11) big = true;
    else mag = sig << <u64>sh;
  } else {
    const n = 1075 - (e != 0 ? e : 1); // >= 1
    let ip: u64 = 0, fr: u64;
    if (n >= 64) fr = <u64>(sig != 0); // value < 2^-11: a tiny nonzero fraction
    else {
      ip = sig >> <u64>n;
      fr = sig << <u64>(64 - n); // fraction scaled to 2^64
    }
    let up = false;
    if (fr != 0) {
      inexact = true;
      if (rm == RM_RNE) up = fr > 0x8000000000000000 || (fr == 0x8000000000000000 && (ip & 1) != 0);
      else if (rm == RM_RMM) up = fr >= 0x8000000000000000;
      else if (rm == RM_RDN) up = sign != 0;
      else if (rm == RM_RUP) up = sign == 0;
    }
    mag = ip + <u64>up;
  }
  let ok: bool;
  let res: u64;
  if (kind == CVT_L) {
    ok = !big && (sign ? mag <= 0x8000000000000000 : mag <= 0x7fffffffffffffff);
    res = sign ? 0 - mag : mag;
  } else if (kind == CVT_LU) {
    ok = !big && (sign == 0 || mag == 0);
    res = mag;
  } else if (kind == CVT_W) {
    ok = !big && (sign ? mag <= 0x80000000 : mag <= 0x7fffffff);
    res = sign ? 0 - mag : mag;
  } else {
    ok = !big && (sign ? mag == 0 : mag <= 0xffffffff);
    res = <u64><i64><i32><u32>mag; // RV64 sign-extends the 32-bit result
  }
  if (!ok) {
    fpFlags |= FLAG_NV;
    return sign ? intMin(kind) : intMax(kind);
  }
  if (inexact) fpFlags |= FLAG_NX;
  return res;
}

// @ts-ignore: decorator
@inline function intMax(kind: u32): u64 {
  if (kind == CVT_W) return 0x7fffffff;
  if (kind == CVT_L) return 0x7fffffffffffffff;
  return 0xffffffffffffffff; // WU (2^32 - 1 sign-extended) and LU
}

// @ts-ignore: decorator
@inline function intMin(kind: u32): u64 {
  if (kind == CVT_W) return 0xffffffff80000000;
  if (kind == CVT_L) return 0x8000000000000000;
  return 0;
}

/** binary32 bits widened to binary64 bits without flags (NaN stays a NaN). */
// @ts-ignore: decorator
@inline export function widenQuiet(a: u32): u64 {
  if ((a & 0x7fffffff) > 0x7f800000) return 0x7ff8000000000000;
  const s = <u64>(a >> 31) << 63;
  const e = (a >> 23) & 0xff;
  const f = <u64>(a & 0x7fffff);
  if (e == 0xff) return s | 0x7ff0000000000000;
  if (e == 0) {
    if (f == 0) return s;
    const lz = <u64>clz<u64>(f); // >= 41
    // f * 2^-149, leading bit at 63 - lz: exponent 63 - lz - 149
    return s | (<u64>(63 - lz - 149 + 1023) << 52) | ((f << (lz - 11)) & 0xfffffffffffff);
  }
  return s | (<u64>(e + 896) << 52) | (f << 29);
}

/** Integer register value to float. kind CVT_*: W/WU use the low 32 bits. */
export function intToFloatSW<T>(a: u64, rm: u32, kind: u32): u64 {
  let sign: u32 = 0;
  let mag: u64;
  if (kind == CVT_W) mag = <u64><i64><i32><u32>a;
  else if (kind == CVT_WU) mag = a & 0xffffffff;
  else mag = a;
  if ((kind == CVT_W || kind == CVT_L) && <i64>mag < 0) {
    sign = 1;
    mag = 0 - mag;
  }
  if (mag == 0) return 0;
  return normRoundPack<T>(sign, 62, mag, rm);
}

/**
 * Conversion between formats TF -> TT (FCVT.S.D, FCVT.H.S, FCVT.H.D; the widening FCVT.S.H and
 * FCVT.D.H are exact): a signaling NaN raises NV, every NaN becomes TT's canonical NaN.
 */
export function convertSW<TF, TT>(a: u64, rm: u32): u64 {
  if (isNaNBits<TF>(a)) {
    if (isSNaNBits<TF>(a)) fpFlags |= FLAG_NV;
    return defaultNaN<TT>();
  }
  const s = signOf<TF>(a);
  if (isInfBits<TF>(a)) return packInf<TT>(s);
  if (isZeroBits<TF>(a)) return packZero<TT>(s);
  return roundPack<TT>(s, unpackExp<TF>(a), unpackSig<TF>(a), rm);
}

/** FCVT.S.D: binary64 -> binary32 (result in the low 32 bits). */
export function f64ToF32SW(a: u64, rm: u32): u64 {
  return convertSW<u64, u32>(a, rm);
}

/** FCVT.D.S: binary32 -> binary64, exact. */
export function f32ToF64SW(a: u64): u64 {
  if (isNaNBits<u32>(a)) {
    if (isSNaNBits<u32>(a)) fpFlags |= FLAG_NV;
    return defaultNaN<u64>();
  }
  return widenQuiet(<u32>a);
}

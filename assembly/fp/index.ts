// IEEE 754 binary32/binary64 arithmetic for the RISC-V F and D extensions: the public API.
//
// Values are raw bits (binary32 as u32, binary64 as u64). rm: 0 RNE, 1 RTZ, 2 RDN, 3 RUP,
// 4 RMM (the caller resolves DYN and rejects 5/6/7). Every operation ORs its exceptions into
// `fpFlags` (fflags layout: NX=1 UF=2 OF=4 DZ=8 NV=16); the caller clears it, or seeds it with
// the flags already raised (fast paths skip exactness tests when NX is already set). NaN results
// are the canonical NaN. Tininess is detected after rounding.
//
// Each operation has a software path (soft.ts: integers only, every rounding mode) and, where
// it pays, a fast path on Wasm's native IEEE operations (which round to nearest-even): taken
// only when the flags can be derived exactly and cheaply (error-free transforms, integer
// exactness tests, range checks); everything else falls back to the software path.
import { FLAG_NX, RM_RDN, RM_RNE, RM_RTZ, fpFlags, packZero } from "./common";
import {
  CVT_L, CVT_LU, CVT_W, CVT_WU, addSW, classifySW, divSW, eqSW, f32ToF64SW, f64ToF32SW,
  f64ToIntSW, fmaSW, intToFloatSW, leSW, ltSW, minMaxSW, mulSW, sqrtSW,
} from "./soft";

export {
  fpFlags, FLAG_NX, FLAG_UF, FLAG_OF, FLAG_DZ, FLAG_NV, RM_RNE, RM_RTZ, RM_RDN, RM_RUP, RM_RMM,
  F32_NAN, F64_NAN,
} from "./common";

// @ts-ignore: decorator
@inline function f64v(x: u64): f64 {
  return reinterpret<f64>(x);
}
// @ts-ignore: decorator
@inline function bits64(x: f64): u64 {
  return reinterpret<u64>(x);
}
// @ts-ignore: decorator
@inline function f32v(x: u32): f32 {
  return reinterpret<f32>(x);
}
// @ts-ignore: decorator
@inline function bits32(x: f32): u32 {
  return reinterpret<u32>(x);
}

/** Significand of a normal binary64 with its trailing zeros removed (odd). */
// @ts-ignore: decorator
@inline function oddSig64(x: u64): u64 {
  const m = (x & 0xfffffffffffff) | 0x10000000000000;
  return m >> ctz<u64>(m);
}

// @ts-ignore: decorator
@inline function bitLen(x: u64): u64 {
  return 64 - clz<u64>(x);
}

const SIGN64: u64 = 0x8000000000000000;
const ABS64: u64 = 0x7fffffffffffffff;

// =============================================================================================
// binary64

export function f64_add(a: u64, b: u64, rm: u32): u64 {
  if (rm == RM_RNE && ((a >> 52) & 0x7ff) != 0x7ff && ((b >> 52) & 0x7ff) != 0x7ff) {
    const x = f64v(a), y = f64v(b);
    const s = x + y;
    const sb = bits64(s);
    if ((sb & ABS64) < 0x7fe0000000000000) {
      // |s| < 2^1023: no overflow; a sum is never tiny and inexact. TwoSum: exact error.
      if ((fpFlags & FLAG_NX) == 0) { // NX is sticky: once set, exactness need not be known
        const bb = s - x;
        const err = (x - (s - bb)) + (y - bb);
        if (err != 0) fpFlags |= FLAG_NX;
      }
      return sb;
    }
  }
  return addSW<u64>(a, b, rm);
}

export function f64_sub(a: u64, b: u64, rm: u32): u64 {
  return f64_add(a, b ^ SIGN64, rm);
}

export function f64_mul(a: u64, b: u64, rm: u32): u64 {
  if (rm == RM_RNE) {
    const ea = <u32>(a >> 52) & 0x7ff, eb = <u32>(b >> 52) & 0x7ff;
    if (ea - 1 < 0x7fe && eb - 1 < 0x7fe) { // both normal
      const p = f64v(a) * f64v(b);
      const pb = bits64(p);
      if ((pb & ABS64) - 0x0020000000000000 < 0x7ff0000000000000 - 0x0020000000000000) {
        // 2^-1021 <= |p| < inf (rounded): no overflow, the exact product is not tiny.
        // Exact iff the product of the odd parts of the significands has at most 53 bits.
        if ((fpFlags & FLAG_NX) == 0) {
          const oa = oddSig64(a), ob = oddSig64(b);
          const l = bitLen(oa) + bitLen(ob);
          if (l > 54 || (l > 53 && oa * ob >= 0x20000000000000)) fpFlags |= FLAG_NX;
        }
        return pb;
      }
    }
  }
  return mulSW<u64>(a, b, rm);
}

export function f64_div(a: u64, b: u64, rm: u32): u64 {
  if (rm == RM_RNE) {
    const ea = <u32>(a >> 52) & 0x7ff, eb = <u32>(b >> 52) & 0x7ff;
    if (ea - 1 < 0x7fe && eb - 1 < 0x7fe) {
      const q = f64v(a) / f64v(b);
      const qb = bits64(q);
      if ((qb & ABS64) - 0x0020000000000000 < 0x7ff0000000000000 - 0x0020000000000000) {
        // a/b = (oa/ob) * 2^k for odd oa, ob: exact iff ob divides oa.
        if ((fpFlags & FLAG_NX) == 0) {
          const oa = oddSig64(a), ob = oddSig64(b);
          if (ob > oa || oa % ob != 0) fpFlags |= FLAG_NX;
        }
        return qb;
      }
    }
  }
  return divSW<u64>(a, b, rm);
}

export function f64_sqrt(a: u64, rm: u32): u64 {
  if (rm == RM_RNE && a - 0x0010000000000000 < 0x7ff0000000000000 - 0x0010000000000000) {
    // positive normal: the root is normal. Exact iff odd(sig r)^2 == odd(sig a).
    const r = bits64(sqrt<f64>(f64v(a)));
    if ((fpFlags & FLAG_NX) == 0) {
      const or = oddSig64(r);
      if (bitLen(or) > 27 || or * or != oddSig64(a)) fpFlags |= FLAG_NX;
    }
    return r;
  }
  return sqrtSW<u64>(a, rm);
}

/** a * b + c with one rounding. FMSUB/FNMSUB/FNMADD: flip the sign bits of c / a / a and c. */
export function f64_fma(a: u64, b: u64, c: u64, rm: u32): u64 {
  if (rm == RM_RNE) {
    const ea = <u32>(a >> 52) & 0x7ff, eb = <u32>(b >> 52) & 0x7ff;
    // a, b normal below 2^995 (splitting cannot overflow), exponent sum >= -960 (every partial
    // product of the splits is exact, so is the product's error term), c finite.
    if (ea - 1 < 2017 && eb - 1 < 2017 && ea + eb >= 1086 && ((c >> 52) & 0x7ff) != 0x7ff) {
      const x = f64v(a), y = f64v(b), z = f64v(c);
      const ph = x * y;
      const sh = ph + z;
      if ((bits64(ph) & ABS64) < 0x7fe0000000000000 && (bits64(sh) & ABS64) < 0x7fe0000000000000) {
        // Dekker: a*b = ph + pl exactly
        let t = SPLIT * x;
        const xh = t - (t - x), xl = x - xh;
        t = SPLIT * y;
        const yh = t - (t - y), yl = y - yh;
        const pl = ((xh * yh - ph) + xh * yl + xl * yh) + xl * yl;
        // TwoSum: ph + z = sh + sl; then sl + pl = th + tl; exact result = sh + th + tl
        let bb = sh - ph;
        const sl = (ph - (sh - bb)) + (z - bb);
        const th = sl + pl;
        bb = th - sl;
        const tl = (sl - (th - bb)) + (pl - bb);
        // v = th + tl rounded to odd: its sticky bit sits ~50 bits below the final rounding
        // position (when sl != 0 there is no cancellation in sh + v; when sl == 0, tl == 0).
        let vb = bits64(th);
        if (tl != 0 && (vb & 1) == 0) vb = (tl < 0) == (th < 0) ? vb + 1 : vb - 1;
        const v = f64v(vb);
        const r = sh + v;
        const rb = bits64(r);
        if ((rb & ABS64) - 0x0020000000000000 < 0x7fe0000000000000 - 0x0020000000000000) {
          // 2^-1021 <= |r| < 2^1023: not tiny, no overflow. Exact iff tl == 0 and sh + v is.
          bb = r - sh;
          const e2 = (sh - (r - bb)) + (v - bb);
          if (tl != 0 || e2 != 0) fpFlags |= FLAG_NX;
          return rb;
        }
      }
    }
  }
  return fmaSW<u64>(a, b, c, rm);
}

const SPLIT: f64 = 134217729.0; // 2^27 + 1

export function f64_eq(a: u64, b: u64): u32 {
  return eqSW<u64>(a, b);
}
export function f64_lt(a: u64, b: u64): u32 {
  return ltSW<u64>(a, b);
}
export function f64_le(a: u64, b: u64): u32 {
  return leSW<u64>(a, b);
}
export function f64_min(a: u64, b: u64): u64 {
  return minMaxSW<u64>(a, b, false);
}
export function f64_max(a: u64, b: u64): u64 {
  return minMaxSW<u64>(a, b, true);
}
export function f64_classify(a: u64): u64 {
  return classifySW<u64>(a);
}
export function f64_sgnj(a: u64, b: u64): u64 {
  return (a & ABS64) | (b & SIGN64);
}
export function f64_sgnjn(a: u64, b: u64): u64 {
  return (a & ABS64) | (~b & SIGN64);
}
export function f64_sgnjx(a: u64, b: u64): u64 {
  return a ^ (b & SIGN64);
}

// Truncating conversions (C casts) of in-range values: Wasm's truncation is exact for them.
export function f64_to_i32(a: u64, rm: u32): u64 {
  const x = f64v(a);
  if (rm == RM_RTZ && abs<f64>(x) < 2147483648.0) {
    const t = <i32>x;
    if (<f64>t != x) fpFlags |= FLAG_NX;
    return <u64><i64>t;
  }
  return f64ToIntSW(a, rm, CVT_W);
}
export function f64_to_u32(a: u64, rm: u32): u64 {
  const x = f64v(a);
  if (rm == RM_RTZ && x > -1.0 && x < 4294967296.0) {
    const t = <u32>x;
    if (<f64>t != x) fpFlags |= FLAG_NX;
    return <u64><i64><i32>t; // sign-extended
  }
  return f64ToIntSW(a, rm, CVT_WU);
}
export function f64_to_i64(a: u64, rm: u32): u64 {
  const x = f64v(a);
  if (rm == RM_RTZ && abs<f64>(x) < 9223372036854775808.0) {
    const t = <i64>x;
    if (<f64>t != x) fpFlags |= FLAG_NX;
    return <u64>t;
  }
  return f64ToIntSW(a, rm, CVT_L);
}
export function f64_to_u64(a: u64, rm: u32): u64 {
  const x = f64v(a);
  if (rm == RM_RTZ && x > -1.0 && x < 18446744073709551616.0) {
    const t = <u64>x;
    if (<f64>t != x) fpFlags |= FLAG_NX;
    return t;
  }
  return f64ToIntSW(a, rm, CVT_LU);
}

export function i32_to_f64(a: u64, rm: u32): u64 {
  return bits64(<f64><i32><u32>a); // always exact
}
export function u32_to_f64(a: u64, rm: u32): u64 {
  return bits64(<f64><u32>a); // always exact
}
export function i64_to_f64(a: u64, rm: u32): u64 {
  if (a + 0x20000000000000 <= 0x40000000000000) return bits64(<f64><i64>a); // |a| <= 2^53
  return intToFloatSW<u64>(a, rm, CVT_L);
}
export function u64_to_f64(a: u64, rm: u32): u64 {
  if (a <= 0x20000000000000) return bits64(<f64>a);
  return intToFloatSW<u64>(a, rm, CVT_LU);
}

export function f64_to_f32(a: u64, rm: u32): u32 {
  if (rm == RM_RNE) {
    const r = bits32(<f32>f64v(a));
    // 2^-126 < |r| < inf: neither tiny nor overflowed (NaN/inf inputs give r >= inf)
    if ((r & 0x7fffffff) - 0x00800001 < 0x7f800000 - 0x00800001) {
      if (<f64>f32v(r) != f64v(a)) fpFlags |= FLAG_NX;
      return r;
    }
  }
  return <u32>f64ToF32SW(a, rm);
}

export function f32_to_f64(a: u32): u64 {
  if ((a & 0x7fffffff) <= 0x7f800000) return bits64(<f64>f32v(a)); // not NaN: exact
  return f32ToF64SW(a);
}

/** binary32 bits to the binary64 bits of the same value, without flags (NaN: a quiet NaN). */
// @ts-ignore: decorator
@inline function widen(a: u32): u64 {
  if ((a & 0x7fffffff) <= 0x7f800000) return bits64(<f64>f32v(a));
  return 0x7ff8000000000000;
}

// =============================================================================================
// binary32. Products of two binary32 significands are exact in binary64; sums are made exact
// with TwoSum and rounded to odd, which a later rounding to binary32 (24 <= 53 - 2 bits) turns
// into the correct rounding in every mode.

/** Rounds x + err (exact, x = RN(x + err) in binary64) to binary32 in mode rm. */
// @ts-ignore: decorator
@inline function roundOddToF32(s: f64, err: f64, rm: u32): u32 {
  let sb = bits64(s);
  if (err != 0 && (sb & 1) == 0) {
    // round to odd: step one ulp toward the exact value (s is normal and nonzero here)
    sb = (err < 0) == (s < 0) ? sb + 1 : sb - 1;
  }
  if (rm == RM_RNE) {
    const r = bits32(<f32>f64v(sb));
    if ((r & 0x7fffffff) - 0x00800001 < 0x7f800000 - 0x00800001) {
      if (err != 0 || <f64>f32v(r) != f64v(sb)) fpFlags |= FLAG_NX;
      return r;
    }
  }
  return <u32>f64ToF32SW(sb, rm);
}

// @ts-ignore: decorator
@inline function finite32(a: u32): bool {
  return (a & 0x7f800000) != 0x7f800000;
}

// @ts-ignore: decorator
@inline function zeroSum32(p: f64, c: f64, rm: u32): u32 {
  // exact zero sum: same signs keep the sign; opposite signs give +0 (-0 when rounding down)
  const sp = <u32>(bits64(p) >> 63), sc = <u32>(bits64(c) >> 63);
  return <u32>packZero<u32>(sp == sc ? sp : <u32>(rm == RM_RDN));
}

export function f32_add(a: u32, b: u32, rm: u32): u32 {
  if (finite32(a) && finite32(b)) {
    if (rm == RM_RNE) {
      const r = bits32(f32v(a) + f32v(b));
      if (finite32(r)) {
        // a sum is never tiny and inexact; exactness from TwoSum in binary64
        const x = <f64>f32v(a), y = <f64>f32v(b);
        const s = x + y;
        const bb = s - x;
        const err = (x - (s - bb)) + (y - bb);
        if (err != 0 || <f64>f32v(r) != s) fpFlags |= FLAG_NX;
        return r;
      }
    } else {
      const x = <f64>f32v(a), y = <f64>f32v(b);
      const s = x + y;
      if (s == 0) return zeroSum32(x, y, rm);
      const bb = s - x;
      const err = (x - (s - bb)) + (y - bb);
      return roundOddToF32(s, err, rm);
    }
  }
  return <u32>addSW<u32>(a, b, rm);
}

export function f32_sub(a: u32, b: u32, rm: u32): u32 {
  return f32_add(a, b ^ 0x80000000, rm);
}

export function f32_mul(a: u32, b: u32, rm: u32): u32 {
  if (finite32(a) && finite32(b)) {
    const p = <f64>f32v(a) * <f64>f32v(b); // exact
    if (rm == RM_RNE) {
      const r = bits32(<f32>p);
      const pb = bits64(p) & ABS64;
      // p == 0, or |p| >= 2^-126 (not tiny) and no overflow
      if (pb == 0 || (pb >= 0x3810000000000000 && finite32(r))) {
        if (<f64>f32v(r) != p) fpFlags |= FLAG_NX;
        return r;
      }
    }
    return <u32>f64ToF32SW(bits64(p), rm);
  }
  return <u32>mulSW<u32>(a, b, rm);
}

export function f32_div(a: u32, b: u32, rm: u32): u32 {
  if (rm == RM_RNE && finite32(a) && finite32(b)) {
    const r = bits32(f32v(a) / f32v(b));
    if ((r & 0x7fffffff) - 0x00800001 < 0x7f800000 - 0x00800001) {
      // 2^-126 < |r| < inf (so b != 0 and a != 0). r * b is exact in binary64.
      if (<f64>f32v(r) * <f64>f32v(b) != <f64>f32v(a)) fpFlags |= FLAG_NX;
      return r;
    }
  }
  return <u32>divSW<u32>(a, b, rm);
}

export function f32_sqrt(a: u32, rm: u32): u32 {
  if (rm == RM_RNE && a - 1 < 0x7f7fffff) { // positive, finite, nonzero
    const r = sqrt<f32>(f32v(a));
    const rd = <f64>r;
    if (rd * rd != <f64>f32v(a)) fpFlags |= FLAG_NX;
    return bits32(r);
  }
  return <u32>sqrtSW<u32>(a, rm);
}

export function f32_fma(a: u32, b: u32, c: u32, rm: u32): u32 {
  if (finite32(a) && finite32(b) && finite32(c)) {
    const p = <f64>f32v(a) * <f64>f32v(b); // exact
    const z = <f64>f32v(c);
    const s = p + z;
    if (s == 0) return zeroSum32(p, z, rm); // exact cancellation (no underflow in binary64)
    const bb = s - p;
    const err = (p - (s - bb)) + (z - bb);
    return roundOddToF32(s, err, rm);
  }
  return <u32>fmaSW<u32>(a, b, c, rm);
}

export function f32_eq(a: u32, b: u32): u32 {
  return eqSW<u32>(a, b);
}
export function f32_lt(a: u32, b: u32): u32 {
  return ltSW<u32>(a, b);
}
export function f32_le(a: u32, b: u32): u32 {
  return leSW<u32>(a, b);
}
export function f32_min(a: u32, b: u32): u32 {
  return <u32>minMaxSW<u32>(a, b, false);
}
export function f32_max(a: u32, b: u32): u32 {
  return <u32>minMaxSW<u32>(a, b, true);
}
export function f32_classify(a: u32): u64 {
  return classifySW<u32>(a);
}
export function f32_sgnj(a: u32, b: u32): u32 {
  return (a & 0x7fffffff) | (b & 0x80000000);
}
export function f32_sgnjn(a: u32, b: u32): u32 {
  return (a & 0x7fffffff) | (~b & 0x80000000);
}
export function f32_sgnjx(a: u32, b: u32): u32 {
  return a ^ (b & 0x80000000);
}

// binary32 -> integer: through the exact binary64 value (a NaN stays a NaN).
export function f32_to_i32(a: u32, rm: u32): u64 {
  return f64_to_i32(widen(a), rm);
}
export function f32_to_u32(a: u32, rm: u32): u64 {
  return f64_to_u32(widen(a), rm);
}
export function f32_to_i64(a: u32, rm: u32): u64 {
  return f64_to_i64(widen(a), rm);
}
export function f32_to_u64(a: u32, rm: u32): u64 {
  return f64_to_u64(widen(a), rm);
}

export function i32_to_f32(a: u64, rm: u32): u32 {
  const v = <i32><u32>a;
  if (<u32>(v + 0x1000000) <= 0x2000000) return bits32(<f32>v); // |v| <= 2^24: exact
  return <u32>intToFloatSW<u32>(a, rm, CVT_W);
}
export function u32_to_f32(a: u64, rm: u32): u32 {
  const v = <u32>a;
  if (v <= 0x1000000) return bits32(<f32>v);
  return <u32>intToFloatSW<u32>(a, rm, CVT_WU);
}
export function i64_to_f32(a: u64, rm: u32): u32 {
  if (a + 0x1000000 <= 0x2000000) return bits32(<f32><i64>a);
  return <u32>intToFloatSW<u32>(a, rm, CVT_L);
}
export function u64_to_f32(a: u64, rm: u32): u32 {
  if (a <= 0x1000000) return bits32(<f32>a);
  return <u32>intToFloatSW<u32>(a, rm, CVT_LU);
}

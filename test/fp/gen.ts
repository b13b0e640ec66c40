// Seeded operand generator for the FP differential tests, biased to the hard cases: signed
// zeros, subnormals, infinities, quiet and signalling NaNs, extreme normals, values near 1,
// operands whose exact result lands on or next to a rounding boundary (ties, one ulp either
// side), overflow/underflow edges, integer limits for conversions, and uniform random bits.
import { RM_DYN, type OpDef } from "./ops.js";

const M64 = (1n << 64n) - 1n;

/** xoshiro128** seeded through splitmix32. */
export class Rng {
  private s = new Uint32Array(4);
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }
  u32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }
  /** uniform integer in [0, n), n <= 2^32 */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  /** uniform in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
  /** random bigint of exactly `bits` random bits (bits <= 64) */
  bits(bits: number): bigint {
    if (bits <= 0) return 0n;
    return this.u64() & ((1n << BigInt(bits)) - 1n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.below(a.length)];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Formats

export interface Fmt {
  bits: 16 | 32 | 64;
  P: number; // fraction bits
  emax: number; // all-ones exponent field
  bias: number;
}
export const F32: Fmt = { bits: 32, P: 23, emax: 255, bias: 127 };
export const F64: Fmt = { bits: 64, P: 52, emax: 2047, bias: 1023 };
export const F16: Fmt = { bits: 16, P: 10, emax: 31, bias: 15 };
export const fmtOf = (b: 16 | 32 | 64): Fmt => (b === 16 ? F16 : b === 32 ? F32 : F64);

const dv = new DataView(new ArrayBuffer(8));

export function make(f: Fmt, sign: number, e: number, frac: bigint): bigint {
  return (BigInt(sign) << BigInt(f.bits - 1)) | (BigInt(e) << BigInt(f.P)) | (frac & fracMask(f));
}
export const fracMask = (f: Fmt): bigint => (1n << BigInt(f.P)) - 1n;
export const absMask = (f: Fmt): bigint => (1n << BigInt(f.bits - 1)) - 1n;
export const signBit = (f: Fmt): bigint => 1n << BigInt(f.bits - 1);
export const expOf = (f: Fmt, x: bigint): number => Number((x >> BigInt(f.P)) & BigInt(f.emax));

export function toNum(f: Fmt, x: bigint): number {
  if (f.bits === 64) {
    dv.setBigUint64(0, x & M64, true);
    return dv.getFloat64(0, true);
  }
  if (f.bits === 16) return half(Number(x & 0xffffn));
  dv.setUint32(0, Number(x & 0xffffffffn), true);
  return dv.getFloat32(0, true);
}

/** The value of binary16 bits (Node 20 has no Float16Array). */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 0x3ff;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (e === 0 ? m * 2 ** -24 : (1024 + m) * 2 ** (e - 25));
}

/** binary16 bits of v rounded to nearest (ties away: close enough for making operands). */
function toHalf(v: number): bigint {
  if (Number.isNaN(v)) return 0x7e00n;
  const s = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return BigInt(s | 0x7c00);
  if (a < 2 ** -14) return BigInt(s | Math.round(a * 2 ** 24)); // 1024 rounds up to the min normal
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let m = Math.round(a * 2 ** (10 - e));
  if (m === 2048) { m = 1024; e++; }
  if (e > 15) return BigInt(s | 0x7c00);
  return BigInt(s | ((e + 15) << 10) | (m - 1024));
}

export function fromNum(f: Fmt, v: number): bigint {
  if (f.bits === 16) return toHalf(v);
  if (f.bits === 64) {
    dv.setFloat64(0, v, true);
    return dv.getBigUint64(0, true);
  }
  dv.setFloat32(0, v, true);
  return BigInt(dv.getUint32(0, true));
}

/** Moves x by k ulps in magnitude (stays >= 0 in magnitude, keeps the sign). */
export function stepMag(f: Fmt, x: bigint, k: number): bigint {
  const s = x & signBit(f);
  let m = (x & absMask(f)) + BigInt(k);
  if (m < 0n) m = 0n;
  if (m > absMask(f)) m = absMask(f);
  return s | m;
}

// ---------------------------------------------------------------------------------------------
// Values

/** A significand fraction biased to interesting bit patterns. */
function fracPattern(r: Rng, f: Fmt): bigint {
  const P = f.P;
  switch (r.below(8)) {
    case 0:
    case 1:
      return r.bits(P);
    case 2: { // sparse: a few set bits anywhere
      let x = 0n;
      const n = r.below(4);
      for (let i = 0; i < n; i++) x |= 1n << BigInt(r.below(P));
      return x;
    }
    case 3: { // dense: all ones with a few holes
      let x = fracMask(f);
      const n = r.below(4);
      for (let i = 0; i < n; i++) x &= ~(1n << BigInt(r.below(P)));
      return x;
    }
    case 4: { // high bits random, low bits zero (few significant bits)
      const n = r.below(P + 1);
      return r.bits(n) << BigInt(P - n);
    }
    case 5: // random high part, low part a tie-ish pattern 100..0 / 011..1
      {
        const k = r.int(1, P);
        const hi = r.bits(P - k) << BigInt(k);
        const lo = r.chance(0.5) ? 1n << BigInt(k - 1) : (1n << BigInt(k - 1)) - 1n;
        return hi | lo;
      }
    case 6:
      return 0n;
    default:
      return fracMask(f) - BigInt(r.below(4));
  }
}

export function specialValue(r: Rng, f: Fmt): bigint {
  const s = r.below(2);
  const P = f.P;
  switch (r.below(20)) {
    case 0: return make(f, s, 0, 0n); // zero
    case 1: return make(f, s, f.emax, 0n); // inf
    case 2: return make(f, 0, f.emax, 1n << BigInt(P - 1)); // canonical NaN
    case 3: return make(f, s, f.emax, (1n << BigInt(P - 1)) | r.bits(P - 1)); // qNaN payload
    case 4: { // sNaN
      const p = r.bits(P - 1);
      return make(f, s, f.emax, p === 0n ? 1n : p);
    }
    case 5: return make(f, s, 0, 1n); // min subnormal
    case 6: return make(f, s, 0, fracMask(f)); // max subnormal
    case 7: return make(f, s, 1, 0n); // min normal
    case 8: return make(f, s, f.emax - 1, fracMask(f)); // max normal
    case 9: return make(f, s, f.bias, 0n); // 1
    case 10: return make(f, s, f.bias - 1, fracMask(f)); // 1 - ulp/2
    case 11: return make(f, s, f.bias, 1n); // 1 + ulp
    case 12: return make(f, s, f.bias + 1, 0n); // 2
    case 13: return make(f, s, f.bias - 1, 0n); // 0.5
    case 14: return make(f, s, f.bias + 1, 1n << BigInt(P - 1)); // 3
    case 15: return make(f, s, f.bias, 1n << BigInt(P - 1)); // 1.5
    case 16: return make(f, s, 0, r.bits(P)); // random subnormal
    case 17: return make(f, s, 1, r.bits(P)); // smallest binade
    case 18: return make(f, s, f.emax - 1, r.bits(P)); // largest binade
    default: return make(f, s, r.chance(0.5) ? 0 : f.emax, r.bits(P)); // exp field 0 / all-ones
  }
}

/** Finite nonzero value with exponent field in [lo, hi] and a patterned fraction. */
function finiteIn(r: Rng, f: Fmt, lo: number, hi: number): bigint {
  lo = Math.max(lo, 0);
  hi = Math.min(hi, f.emax - 1);
  const e = r.int(lo, hi);
  let frac = fracPattern(r, f);
  if (e === 0 && frac === 0n) frac = 1n;
  return make(f, r.below(2), e, frac);
}

/** A general operand. */
export function anyValue(r: Rng, f: Fmt): bigint {
  const k = r.below(100);
  if (k < 15) return specialValue(r, f);
  if (k < 25) return r.u64() & ((1n << BigInt(f.bits)) - 1n); // uniform bits
  if (k < 55) return finiteIn(r, f, f.bias - 20, f.bias + 20); // near 1
  if (k < 70) return finiteIn(r, f, 0, f.emax - 1); // anywhere
  if (k < 80) return finiteIn(r, f, 0, 40); // tiny: subnormal and low normals
  if (k < 88) return finiteIn(r, f, f.emax - 40, f.emax - 1); // huge
  return finiteIn(r, f, f.bias - 3, f.bias + 3);
}

function expShift(f: Fmt, x: bigint, d: number): bigint {
  // x with its exponent field moved by d (clamped to the finite range), keeping sign/fraction
  let e = expOf(f, x) + d;
  e = Math.max(1, Math.min(f.emax - 1, e));
  return (x & ~(BigInt(f.emax) << BigInt(f.P))) | (BigInt(e) << BigInt(f.P));
}

/** Rounds a JS number to the format (binary32: Math.fround) and returns its bits. */
function bitsOf(f: Fmt, v: number): bigint {
  return fromNum(f, f.bits === 32 ? Math.fround(v) : v);
}

function perturb(r: Rng, f: Fmt, x: bigint): bigint {
  if (r.chance(0.3)) return x;
  return stepMag(f, x, r.int(-3, 3));
}

const isFiniteBits = (f: Fmt, x: bigint) => expOf(f, x) !== f.emax;

// ---------------------------------------------------------------------------------------------
// Per-instruction operand sets

/** Boundary magnitudes of a format: results near these exercise overflow and underflow. */
function edgeTargets(f: Fmt): number[] {
  const emin = 1 - f.bias;
  return [
    2 ** (f.bias + 1), // overflow threshold
    toNum(f, make(f, 0, f.emax - 1, fracMask(f))), // max
    2 ** emin, // min normal
    2 ** emin * (1 - 2 ** -(f.P + 2)),
    2 ** (emin - f.P), // min subnormal
    2 ** (emin - f.P - 1), // half of it
    2 ** (emin - 1),
    1,
  ];
}

function addOperands(r: Rng, f: Fmt): [bigint, bigint] {
  const a = anyValue(r, f);
  const k = r.below(10);
  if (k < 4 || !isFiniteBits(f, a)) return [a, anyValue(r, f)];
  if (k < 6) { // exact or near cancellation
    const b = perturb(r, f, a ^ signBit(f));
    return [a, r.chance(0.5) ? b : b ^ signBit(f)];
  }
  // b a few binades below a: its bits straddle a's rounding position (ties, sticky)
  const d = r.chance(0.7) ? r.int(0, f.P + 3) : r.int(0, 2 * f.P + 10);
  let b = make(f, r.below(2), 0, fracPattern(r, f));
  b = (b & ~(BigInt(f.emax) << BigInt(f.P))) | (BigInt(Math.max(0, expOf(f, a) - d)) << BigInt(f.P));
  if (expOf(f, b) === 0 && r.chance(0.5)) b |= 1n;
  return r.chance(0.5) ? [a, b] : [b, a];
}

function mulOperands(r: Rng, f: Fmt): [bigint, bigint] {
  const k = r.below(10);
  if (k < 5) return [anyValue(r, f), anyValue(r, f)];
  if (k < 8) { // b = target / a near an overflow/underflow edge
    const a = finiteIn(r, f, f.bias - 30, f.bias + 30);
    const t = r.pick(edgeTargets(f)) * (r.chance(0.5) ? 1 : 1 + (r.u32() / 2 ** 32) * 2 ** -r.int(0, 30));
    const b = bitsOf(f, t / Math.abs(toNum(f, a)));
    return [a, perturb(r, f, b ^ (r.chance(0.5) ? signBit(f) : 0n))];
  }
  // few significant bits: products that are exact or exactly halfway
  const a = make(f, r.below(2), r.int(f.bias - 5, f.bias + 5), fracSparse(r, f));
  const b = make(f, r.below(2), r.int(f.bias - 5, f.bias + 5), fracSparse(r, f));
  return [k === 8 ? expShift(f, a, r.int(-f.bias, f.bias)) : a, b];
}

function fracSparse(r: Rng, f: Fmt): bigint {
  let x = 0n;
  const n = r.int(1, 3);
  for (let i = 0; i < n; i++) {
    // bits near the top or the bottom of the fraction
    const p = r.chance(0.5) ? r.below(8) : f.P - 1 - r.below(8);
    x |= 1n << BigInt(Math.max(0, Math.min(f.P - 1, p)));
  }
  return x;
}

function divOperands(r: Rng, f: Fmt): [bigint, bigint] {
  const k = r.below(10);
  if (k < 4) return [anyValue(r, f), anyValue(r, f)];
  if (k < 7) { // a = q * b rounded: the quotient lands next to q
    const q = finiteIn(r, f, f.bias - 10, f.bias + 10);
    const b = anyValue(r, f);
    if (!isFiniteBits(f, b) || (b & absMask(f)) === 0n) return [q, b];
    const a = bitsOf(f, toNum(f, q) * toNum(f, b));
    return [perturb(r, f, a), b];
  }
  // quotient near an overflow/underflow edge
  const b = finiteIn(r, f, f.bias - 30, f.bias + 30);
  const t = r.pick(edgeTargets(f)) * (1 + (r.u32() / 2 ** 32) * 2 ** -r.int(0, 30));
  const a = bitsOf(f, t * Math.abs(toNum(f, b)));
  return [perturb(r, f, a ^ (r.chance(0.5) ? signBit(f) : 0n)), b];
}

function sqrtOperand(r: Rng, f: Fmt): bigint {
  const k = r.below(10);
  if (k < 5) return anyValue(r, f);
  // squares and their neighbours
  const x = finiteIn(r, f, 1, f.emax - 1);
  const v = toNum(f, x & absMask(f));
  const s = bitsOf(f, Math.sqrt(v));
  const sq = bitsOf(f, toNum(f, s) * toNum(f, s));
  if (k < 7) return perturb(r, f, sq);
  const sp = make(f, 0, r.int(f.bias - 30, f.bias + 30), fracSparse(r, f));
  return perturb(r, f, bitsOf(f, toNum(f, sp) * toNum(f, sp)));
}

function fmaOperands(r: Rng, f: Fmt): [bigint, bigint, bigint] {
  let [a, b] = r.chance(0.5) ? mulOperands(r, f) : [anyValue(r, f), anyValue(r, f)];
  const k = r.below(10);
  if (k < 3) return [a, b, anyValue(r, f)];
  if (!isFiniteBits(f, a) || !isFiniteBits(f, b)) return [a, b, anyValue(r, f)];
  const p = toNum(f, a) * toNum(f, b);
  if (!Number.isFinite(p) || p === 0) return [a, b, anyValue(r, f)];
  if (k < 6) { // c ~ -a*b: heavy cancellation down to the product's low bits
    const c = bitsOf(f, -p);
    return [a, b, perturb(r, f, r.chance(0.8) ? c : c ^ signBit(f))];
  }
  // c a few binades from the product
  const pc = bitsOf(f, p);
  if (!isFiniteBits(f, pc) || (pc & absMask(f)) === 0n) return [a, b, anyValue(r, f)];
  // near: the addend's bits overlap the product's rounding position; far: the addend only
  // contributes a sticky bit (just above/below a tie of the product) or swallows the product
  const d = r.chance(0.6) ? r.int(-(f.P + 4), f.P + 4) : r.int(-(3 * f.P + 8), 3 * f.P + 8);
  let c = make(f, r.below(2), 0, fracPattern(r, f));
  const e = Math.max(0, Math.min(f.emax - 1, expOf(f, pc) + d));
  c |= BigInt(e) << BigInt(f.P);
  if (e === 0 && (c & fracMask(f)) === 0n) c |= 1n;
  return [a, b, c];
}

function minmaxOperands(r: Rng, f: Fmt): [bigint, bigint] {
  const a = anyValue(r, f);
  const k = r.below(10);
  if (k < 4) return [a, anyValue(r, f)];
  if (k < 6) return [a, a];
  if (k < 8) return [a, perturb(r, f, a ^ (r.chance(0.5) ? signBit(f) : 0n))];
  const z = make(f, 0, 0, 0n);
  return [r.chance(0.5) ? z : z | signBit(f), r.chance(0.5) ? a : z ^ signBit(f)];
}

/** Values around the integer limits and rounding boundaries of float -> int conversions. */
function f2iOperand(r: Rng, f: Fmt): bigint {
  const k = r.below(10);
  if (k < 2) return anyValue(r, f);
  if (k < 3) return specialValue(r, f);
  const targets = [
    0, 0.5, 1, 1.5, 2.5, 3.5, 0.25, 0.75, 2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64, 2 ** 31 - 1,
    2 ** 32 - 1, 2 ** 31 + 0.5, 2 ** 31 - 0.5, 2 ** 32 - 0.5, 2 ** 32 + 0.5, 2 ** 53, 2 ** 24,
    2 ** 52 + 0.5, 2 ** 23 + 0.5, 1e10, 2 ** 62, 2 ** 65,
  ];
  if (k < 7) {
    let t = r.pick(targets);
    if (r.chance(0.5)) t = -t;
    const x = bitsOf(f, t);
    return r.chance(0.3) ? x : stepMag(f, x, r.int(-4, 4));
  }
  if (k < 9) { // random integers and half-integers of random size
    const bits = r.int(0, 66);
    let v = Number(r.bits(Math.min(bits, 64))) * (bits > 64 ? 4 : 1);
    if (r.chance(0.4)) v += r.pick([0.5, 0.25, 0.75, -0.5]);
    if (r.chance(0.5)) v = -v;
    return bitsOf(f, v);
  }
  return finiteIn(r, f, f.bias - 3, f.bias + 66);
}

/** Integer register values for int -> float conversions. */
function i2iOperand(r: Rng, op: OpDef): bigint {
  const fP = fmtOf(op.fmt).P + 1;
  const w = op.intBits!;
  let v: bigint;
  const k = r.below(10);
  if (k < 2) v = r.u64();
  else if (k < 4) { // random magnitude of random width
    v = r.bits(r.int(0, w));
    if (op.signed && r.chance(0.5)) v = -v;
  } else if (k < 7) { // bits around the rounding position: ties and neighbours
    const width = r.int(fP, w);
    const base = (1n << BigInt(width - 1)) | r.bits(width - 1);
    const sh = BigInt(width - fP);
    let m = sh > 0n ? (base >> sh) << sh : base;
    if (sh > 0n) {
      const half = 1n << (sh - 1n);
      m += r.pick([0n, half, half - 1n, half + 1n, 1n, (1n << sh) - 1n]);
    }
    v = op.signed && r.chance(0.5) ? -m : m;
  } else if (k < 9) {
    const lims = [0n, 1n, -1n, 2n ** 31n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 63n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 24n + 1n, 2n ** 53n + 1n, 2n ** 25n - 1n, 2n ** 54n - 1n];
    v = r.pick(lims) + BigInt(r.int(-2, 2));
  } else v = BigInt(r.int(-1000, 1000));
  v &= M64;
  if (w === 32) {
    // the instruction reads the low 32 bits; keep random garbage above sometimes
    v &= 0xffffffffn;
    if (r.chance(0.3)) v |= r.u64() & 0xffffffff00000000n;
    else if (op.signed && v & 0x80000000n) v |= 0xffffffff00000000n;
  }
  return v;
}

/** Wider-format values for a narrowing FCVT (S.D, H.S, H.D): around the narrow format's range,
 * its subnormals and its rounding point. */
function narrowOperand(r: Rng, from: Fmt, to: Fmt): bigint {
  const k = r.below(10);
  if (k < 2) return anyValue(r, from);
  const s = r.below(2);
  // exponent: the narrow normal range, its subnormal range, just past overflow, around 1
  const b = from.bias, tb = to.bias;
  const e = r.pick([r.int(b - tb + 1, b + tb), r.int(b - tb - to.P - 2, b - tb + 2), r.int(b + tb - 1, b + tb + 2), r.int(b - 3, b + 3)]);
  const cut = BigInt(from.P - to.P); // bits below the narrow format's last fraction bit
  let frac: bigint;
  if (k < 6) {
    // the narrow format's fraction bits, then a tie pattern / neighbours at its rounding point
    const hi = r.bits(to.P) << cut;
    const half = 1n << (cut - 1n);
    const lo = r.pick([0n, half, half - 1n, half + 1n, r.bits(Number(cut)), 1n, (1n << cut) - 1n]);
    frac = hi | lo;
  } else frac = r.bits(from.P);
  if (r.chance(0.1)) frac = ((fracMask(from) >> cut) << cut) | r.bits(Number(cut)); // near a binade carry
  return make(from, s, e, frac);
}

/** A binary16 operand as a whole register: NaN-boxed, now and then improperly (canonical NaN). */
function box16(r: Rng, x: bigint): bigint {
  return r.chance(0.05) ? (r.u64() & 0xffffffffffff0000n) | x : 0xffffffffffff0000n | x;
}

export function genOperands(r: Rng, op: OpDef): [bigint, bigint, bigint] {
  const f = fmtOf(op.fmt);
  const garbage = () => (f.bits === 32 && r.chance(0.1) ? r.u64() & 0xffffffff00000000n : 0n);
  const narrow = op.kind === "f2f" && (op.res === "f16" || (op.res === "f32" && op.fmt === 64));
  let a = 0n, b = 0n, c = 0n;
  switch (op.kind) {
    case "add": [a, b] = addOperands(r, f); break;
    case "mul": [a, b] = mulOperands(r, f); break;
    case "div": [a, b] = divOperands(r, f); break;
    case "sqrt": a = sqrtOperand(r, f); break;
    case "fma": [a, b, c] = fmaOperands(r, f); break;
    case "minmax":
    case "cmp":
    case "sgnj": [a, b] = minmaxOperands(r, f); break;
    case "class": a = anyValue(r, f); break;
    case "f2i": a = f2iOperand(r, f); break;
    case "i2f": return [i2iOperand(r, op), 0n, 0n];
    case "f2f": a = narrow ? narrowOperand(r, f, op.res === "f16" ? F16 : F32) : anyValue(r, f); break;
  }
  if (op.nargs < 2) b = anyValue(r, f); // ignored by the instruction
  if (op.nargs < 3) c = anyValue(r, f);
  if (f.bits === 16) return [box16(r, a), box16(r, b), box16(r, c)];
  return [a | garbage(), b | garbage(), c | garbage()];
}

/** Record layout shared with fpref.S and test-entry.ts. */
export const IN_REC = 32;
export const OUT_REC = 16;

/** n records of one instruction and rounding mode, deterministic in (seed, op, rm). */
export function makeRecords(op: OpDef, rm: number, n: number, seed: number): Buffer {
  const r = new Rng((seed * 1000003) ^ (op.op * 7919) ^ (rm * 104729) ^ 0x5eed);
  const buf = Buffer.alloc(n * IN_REC);
  for (let i = 0; i < n; i++) {
    const [a, b, c] = genOperands(r, op);
    const o = i * IN_REC;
    buf.writeUInt32LE(op.op, o);
    buf.writeUInt32LE(rm, o + 4);
    buf.writeBigUInt64LE(a & M64, o + 8);
    buf.writeBigUInt64LE(b & M64, o + 16);
    buf.writeBigUInt64LE(c & M64, o + 24);
  }
  return buf;
}

/** The same records with each static rounding mode rm replaced by DYN with frm = rm. */
export function dynamicCopy(recs: Buffer): Buffer {
  const dyn = Buffer.from(recs);
  for (let o = 0; o < dyn.length; o += IN_REC) dyn.writeUInt32LE(RM_DYN + dyn.readUInt32LE(o + 4), o + 4);
  return dyn;
}

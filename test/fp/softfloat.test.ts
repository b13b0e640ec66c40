// The FP module (assembly/fp, built as build/fp-test.wasm): hand-picked edge cases whose
// expected values follow from IEEE 754-2019 and the RISC-V F, D and Zfh chapters, a seeded sample
// against real RISC-V instructions under qemu-riscv64, and fast paths against the software path.
import { beforeAll, describe, expect, it } from "vitest";
import { makeRecords } from "./gen.js";
import { type FpWasm, compareOutputs, describe as describeMismatch, haveQemu, loadFpWasm, runQemu, runWasm } from "./harness.js";
import { OPS, RM_NAMES, formatFlags, opByName } from "./ops.js";

const NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

const dv = new DataView(new ArrayBuffer(8));
/** bits of a binary64 (x must be exactly representable) */
function d(x: number): bigint {
  dv.setFloat64(0, x, true);
  return dv.getBigUint64(0, true);
}
/** bits of a binary32 (x must be exactly representable) */
function s(x: number): bigint {
  if (Math.fround(x) !== x && !Number.isNaN(x)) throw new Error(`${x} is not a binary32`);
  dv.setFloat32(0, x, true);
  return BigInt(dv.getUint32(0, true));
}

/** a binary16 as a NaN-boxed register value (x must be exactly representable) */
function h(x: number): bigint {
  if (Number.isNaN(x)) return QNAN16;
  const neg = x < 0 || Object.is(x, -0) ? 0x8000n : 0n;
  const a = Math.abs(x);
  let bits: bigint;
  if (a === Infinity) bits = 0x7c00n;
  else if (a < 2 ** -14) bits = BigInt(a * 2 ** 24);
  else {
    const e = Math.floor(Math.log2(a));
    bits = (BigInt(e + 15) << 10n) | BigInt(a * 2 ** (10 - e) - 1024);
  }
  if (h16(bits) !== a) throw new Error(`${x} is not a binary16`);
  return BOX16 | neg | bits;
}
function h16(b: bigint): number {
  const e = Number(b >> 10n) & 31, m = Number(b & 0x3ffn);
  return e === 31 ? Infinity : e === 0 ? m * 2 ** -24 : (1024 + m) * 2 ** (e - 25);
}
const BOX16 = 0xffffffffffff0000n;
const QNAN16 = BOX16 | 0x7e00n;

const QNAN64 = 0x7ff8000000000000n, SNAN64 = 0x7ff0000000000001n, QPAY64 = 0x7ff8000000000123n;
const QNAN32 = 0x7fc00000n, SNAN32 = 0x7f800001n;
const MAX64 = 0x7fefffffffffffffn, MINN64 = 0x0010000000000000n;
const NEG64 = 0x8000000000000000n;

type Case = [op: string, rm: number, args: bigint[], result: bigint, flags: number];

const cases: Case[] = [
  // addition: ties, signed zeros, infinities, NaNs, overflow in every rounding mode
  ["fadd.d", RNE, [d(1), d(2 ** -53)], d(1), NX], // tie to even (down)
  ["fadd.d", RMM, [d(1), d(2 ** -53)], d(1 + 2 ** -52), NX], // tie away from zero
  ["fadd.d", RUP, [d(1), d(2 ** -53)], d(1 + 2 ** -52), NX],
  ["fadd.d", RTZ, [d(1), d(2 ** -53)], d(1), NX],
  ["fadd.d", RNE, [d(1 + 2 ** -52), d(2 ** -53)], d(1 + 2 ** -51), NX], // tie to even (up)
  ["fadd.d", RNE, [d(1), d(-1)], d(0), 0],
  ["fadd.d", RDN, [d(1), d(-1)], NEG64, 0], // exact zero sum is -0 when rounding down
  ["fadd.d", RNE, [NEG64, NEG64], NEG64, 0],
  ["fadd.d", RNE, [d(0), NEG64], d(0), 0],
  ["fadd.d", RDN, [d(0), NEG64], NEG64, 0],
  ["fadd.d", RNE, [d(Infinity), d(-Infinity)], QNAN64, NV],
  ["fadd.d", RNE, [SNAN64, d(1)], QNAN64, NV],
  ["fadd.d", RNE, [QPAY64, d(1)], QNAN64, 0], // payload not propagated: canonical NaN
  ["fadd.d", RNE, [MAX64, MAX64], d(Infinity), OF | NX],
  ["fadd.d", RTZ, [MAX64, MAX64], MAX64, OF | NX],
  ["fadd.d", RDN, [MAX64, MAX64], MAX64, OF | NX],
  ["fadd.d", RUP, [MAX64, MAX64], d(Infinity), OF | NX],
  ["fadd.d", RDN, [MAX64 | NEG64, MAX64 | NEG64], d(-Infinity), OF | NX],
  ["fadd.d", RUP, [MAX64 | NEG64, MAX64 | NEG64], MAX64 | NEG64, OF | NX],
  ["fsub.d", RNE, [d(2 ** -1022), d(2 ** -1023)], d(2 ** -1023), 0], // subnormal result: exact, no UF
  ["fsub.s", RNE, [s(1), s(2 ** -25)], s(1), NX], // tie between 1 - 2^-24 (odd) and 1
  ["fsub.s", RNE, [s(1), s(2 ** -24)], s(1 - 2 ** -24), 0],
  ["fadd.s", RNE, [s(1), s(2 ** -24)], s(1), NX],
  ["fadd.s", RUP, [s(1), s(2 ** -24)], s(1 + 2 ** -23), NX],
  // multiplication: tininess is detected after rounding
  // (1 - 2^-53) * 2^-1022: tiny (unbounded rounding keeps it below 2^-1022) and rounds to 2^-1022
  ["fmul.d", RNE, [d(1 - 2 ** -53), MINN64], MINN64, UF | NX],
  // (1 - 2^-27)(1 + 2^-27) 2^-1022 = (1 - 2^-54) 2^-1022 rounds to 2^-1022 at any exponent range:
  // not tiny after rounding, no UF (tininess before rounding would say UF)
  ["fmul.d", RNE, [d(1 - 2 ** -27), d((1 + 2 ** -27) * 2 ** -1022)], MINN64, NX],
  ["fmul.d", RUP, [d(1 - 2 ** -27), d((1 + 2 ** -27) * 2 ** -1022)], MINN64, NX],
  ["fmul.d", RTZ, [d(1 - 2 ** -27), d((1 + 2 ** -27) * 2 ** -1022)], MINN64 - 1n, UF | NX],
  ["fmul.d", RNE, [d(2 ** -600), d(2 ** -600)], d(0), UF | NX],
  ["fmul.d", RUP, [d(2 ** -600), d(2 ** -600)], 1n, UF | NX],
  ["fmul.d", RNE, [d(2 ** -1074), d(0.5)], d(0), UF | NX], // tie between 0 and min subnormal
  ["fmul.d", RNE, [d(2 ** -1074), d(1.5)], d(2 ** -1073), UF | NX],
  ["fmul.d", RNE, [d(2 ** -1073), d(0.5)], d(2 ** -1074), 0], // exact subnormal: no UF
  ["fmul.d", RNE, [d(Infinity), d(0)], QNAN64, NV],
  ["fmul.d", RNE, [d(-0), d(5)], NEG64, 0],
  ["fmul.s", RNE, [s(2 ** 100), s(2 ** 100)], s(Infinity), OF | NX],
  ["fmul.s", RTZ, [s(-(2 ** 100)), s(2 ** 100)], 0xff7fffffn, OF | NX],
  ["fmul.s", RNE, [s(1 - 2 ** -24), s(2 ** -126)], s(2 ** -126), UF | NX],
  // division and square root
  ["fdiv.d", RNE, [d(1), d(0)], d(Infinity), DZ],
  ["fdiv.d", RNE, [d(-1), d(0)], d(-Infinity), DZ],
  ["fdiv.d", RNE, [d(0), d(0)], QNAN64, NV],
  ["fdiv.d", RNE, [d(Infinity), d(-Infinity)], QNAN64, NV],
  ["fdiv.d", RNE, [d(Infinity), d(0)], d(Infinity), 0], // no DZ: the dividend is not finite
  ["fdiv.d", RNE, [d(1), d(3)], 0x3fd5555555555555n, NX],
  ["fdiv.d", RUP, [d(1), d(3)], 0x3fd5555555555556n, NX],
  ["fdiv.d", RNE, [d(6), d(3)], d(2), 0],
  ["fdiv.s", RNE, [s(1), s(3)], 0x3eaaaaabn, NX],
  ["fdiv.s", RTZ, [s(1), s(3)], 0x3eaaaaaan, NX],
  ["fsqrt.d", RNE, [d(-1)], QNAN64, NV],
  ["fsqrt.d", RNE, [NEG64], NEG64, 0],
  ["fsqrt.d", RNE, [d(4)], d(2), 0],
  ["fsqrt.d", RNE, [d(2)], 0x3ff6a09e667f3bcdn, NX],
  ["fsqrt.d", RTZ, [d(2)], 0x3ff6a09e667f3bccn, NX], // RNE rounded up
  ["fsqrt.d", RNE, [d(Infinity)], d(Infinity), 0],
  ["fsqrt.d", RNE, [d(2 ** -1074)], d(2 ** -537), 0],
  ["fsqrt.s", RNE, [s(2)], 0x3fb504f3n, NX],
  ["fsqrt.s", RNE, [s(-Infinity)], QNAN32, NV],
  // fused multiply-add: one rounding; inf*0 is invalid even with a quiet NaN addend
  ["fmadd.d", RNE, [d(Infinity), d(0), QNAN64], QNAN64, NV],
  ["fmadd.d", RNE, [d(Infinity), d(0), d(1)], QNAN64, NV],
  ["fmadd.d", RNE, [d(Infinity), d(1), d(-Infinity)], QNAN64, NV],
  ["fmadd.d", RNE, [QNAN64, d(1), d(1)], QNAN64, 0],
  ["fmadd.d", RNE, [d(0), d(1), NEG64], d(0), 0],
  ["fmadd.d", RDN, [d(0), d(1), NEG64], NEG64, 0],
  ["fmadd.d", RNE, [d(1 + 2 ** -52), d(1 + 2 ** -52), d(-(1 + 2 ** -51))], d(2 ** -104), 0],
  ["fmsub.d", RNE, [d(1 + 2 ** -52), d(1 + 2 ** -52), d(1 + 2 ** -51)], d(2 ** -104), 0],
  ["fnmsub.d", RNE, [d(1 + 2 ** -52), d(1 + 2 ** -52), d(1 + 2 ** -51)], d(-(2 ** -104)), 0],
  ["fnmadd.d", RNE, [d(1 + 2 ** -52), d(1 + 2 ** -52), d(-(1 + 2 ** -51))], d(-(2 ** -104)), 0],
  ["fnmadd.d", RNE, [d(0), d(1), d(0)], NEG64, 0], // -(0*1) - 0 = -0
  ["fnmsub.d", RNE, [d(0), d(1), d(0)], d(0), 0], // -(0*1) + 0 = +0
  ["fmadd.d", RNE, [MAX64, d(2), d(-Infinity)], d(-Infinity), 0],
  // exact a*b = 1 + 2^-24 (24929 * 673 = 2^24 + 1) plus 2^-80 lies just above a binary32 tie:
  // rounding a*b+c to binary64 first would lose the 2^-80 and round down.
  ["fmadd.s", RNE, [s(24929 * 2 ** -15), s(673 * 2 ** -9), s(2 ** -80)], s(1 + 2 ** -23), NX],
  ["fmadd.s", RNE, [s(24929 * 2 ** -15), s(673 * 2 ** -9), s(0)], s(1), NX], // the tie itself
  ["fmadd.s", RNE, [s(Infinity), s(0), QNAN32], QNAN32, NV],
  // min/max (2.2: minimumNumber/maximumNumber), comparisons, classify
  ["fmin.d", RNE, [d(0), NEG64], NEG64, 0],
  ["fmax.d", RNE, [NEG64, d(0)], d(0), 0],
  ["fmin.d", RNE, [QNAN64, d(1)], d(1), 0],
  ["fmin.d", RNE, [SNAN64, d(1)], d(1), NV],
  ["fmax.d", RNE, [QPAY64, QNAN64], QNAN64, 0],
  ["fmax.d", RNE, [SNAN64, QNAN64], QNAN64, NV],
  ["fmin.s", RNE, [s(-1), s(-2)], s(-2), 0],
  ["fmax.s", RNE, [SNAN32, s(3)], s(3), NV],
  ["feq.d", RNE, [SNAN64, d(1)], 0n, NV],
  ["feq.d", RNE, [QNAN64, d(1)], 0n, 0],
  ["feq.d", RNE, [NEG64, d(0)], 1n, 0],
  ["flt.d", RNE, [QNAN64, d(1)], 0n, NV],
  ["flt.d", RNE, [NEG64, d(0)], 0n, 0],
  ["fle.d", RNE, [NEG64, d(0)], 1n, 0],
  ["flt.d", RNE, [d(-2), d(-1)], 1n, 0],
  ["fle.s", RNE, [QNAN32, s(1)], 0n, NV],
  ["fclass.d", RNE, [d(-Infinity)], 1n, 0],
  ["fclass.d", RNE, [d(-1)], 2n, 0],
  ["fclass.d", RNE, [NEG64 | 1n], 4n, 0],
  ["fclass.d", RNE, [NEG64], 8n, 0],
  ["fclass.d", RNE, [d(0)], 16n, 0],
  ["fclass.d", RNE, [1n], 32n, 0],
  ["fclass.d", RNE, [d(1)], 64n, 0],
  ["fclass.d", RNE, [d(Infinity)], 128n, 0],
  ["fclass.d", RNE, [SNAN64], 256n, 0],
  ["fclass.d", RNE, [QNAN64], 512n, 0],
  ["fclass.s", RNE, [SNAN32], 256n, 0],
  ["fclass.s", RNE, [0x80000001n], 4n, 0],
  ["fsgnjx.d", RNE, [SNAN64, NEG64], SNAN64 | NEG64, 0], // sign injection: no flags, no canonicalization
  ["fsgnjn.s", RNE, [s(1), s(1)], s(-1), 0],
  // float -> integer: saturation table, NV without NX, sign-extended 32-bit results
  ["fcvt.w.d", RNE, [d(2 ** 31 - 0.5)], 0x7fffffffn, NV], // rounds (tie to even) to 2^31: invalid
  ["fcvt.w.d", RTZ, [d(2 ** 31 - 0.5)], 0x7fffffffn, NX],
  ["fcvt.w.d", RNE, [d(-(2 ** 31) - 0.5)], 0xffffffff80000000n, NX],
  ["fcvt.w.d", RDN, [d(-(2 ** 31) - 0.5)], 0xffffffff80000000n, NV],
  ["fcvt.w.d", RNE, [QNAN64], 0x7fffffffn, NV],
  ["fcvt.w.d", RNE, [d(-Infinity)], 0xffffffff80000000n, NV],
  ["fcvt.w.d", RNE, [d(-1.5)], 0xfffffffffffffffen, NX],
  ["fcvt.wu.d", RNE, [d(-0.5)], 0n, NX], // rounds to -0: in range
  ["fcvt.wu.d", RDN, [d(-0.5)], 0n, NV], // rounds to -1: invalid
  ["fcvt.wu.d", RNE, [d(-1)], 0n, NV],
  ["fcvt.wu.d", RNE, [d(2 ** 32 - 1)], 0xffffffffffffffffn, 0],
  ["fcvt.wu.d", RNE, [d(3e9)], 0xffffffffb2d05e00n, 0],
  ["fcvt.wu.d", RNE, [d(2 ** 32 - 0.5)], 0xffffffffffffffffn, NV],
  ["fcvt.wu.d", RNE, [QNAN64], 0xffffffffffffffffn, NV],
  ["fcvt.l.d", RNE, [d(2 ** 63)], 0x7fffffffffffffffn, NV],
  ["fcvt.l.d", RNE, [d(-(2 ** 63))], 0x8000000000000000n, 0],
  ["fcvt.l.d", RUP, [d(-2.5)], 0xfffffffffffffffen, NX],
  ["fcvt.l.d", RNE, [d(2.5)], 2n, NX],
  ["fcvt.l.d", RMM, [d(2.5)], 3n, NX],
  ["fcvt.l.d", RNE, [d(2 ** -1074)], 0n, NX],
  ["fcvt.l.d", RUP, [d(2 ** -1074)], 1n, NX],
  ["fcvt.lu.d", RNE, [d(2 ** 64)], 0xffffffffffffffffn, NV],
  ["fcvt.lu.d", RNE, [NEG64], 0n, 0],
  ["fcvt.lu.d", RNE, [d(-Infinity)], 0n, NV],
  ["fcvt.lu.d", RNE, [d(2 ** 64 - 2048)], 0xfffffffffffff800n, 0],
  ["fcvt.w.s", RNE, [s(-(2 ** 31))], 0xffffffff80000000n, 0],
  ["fcvt.wu.s", RNE, [SNAN32], 0xffffffffffffffffn, NV],
  ["fcvt.lu.s", RMM, [s(0.5)], 1n, NX],
  // integer -> float (W forms read the low 32 bits)
  ["fcvt.d.l", RNE, [2n ** 53n + 1n], d(2 ** 53), NX],
  ["fcvt.d.l", RUP, [2n ** 53n + 1n], d(2 ** 53 + 2), NX],
  ["fcvt.d.l", RNE, [0x8000000000000000n], d(-(2 ** 63)), 0],
  ["fcvt.d.lu", RNE, [0xffffffffffffffffn], d(2 ** 64), NX],
  ["fcvt.d.lu", RTZ, [0xffffffffffffffffn], 0x43efffffffffffffn, NX],
  ["fcvt.d.w", RNE, [0x12345678ffffffffn], d(-1), 0],
  ["fcvt.d.wu", RNE, [0x12345678ffffffffn], d(2 ** 32 - 1), 0],
  ["fcvt.s.w", RNE, [0x01000001n], s(2 ** 24), NX],
  ["fcvt.s.w", RMM, [0x01000001n], s(2 ** 24 + 2), NX],
  ["fcvt.s.wu", RNE, [0xffffffffn], s(2 ** 32), NX],
  ["fcvt.s.l", RDN, [0xffffffffffffffffn], s(-1), 0],
  ["fcvt.s.lu", RTZ, [0xffffffffffffffffn], 0x5f7fffffn, NX],
  // binary64 <-> binary32
  ["fcvt.s.d", RNE, [d(1e39)], s(Infinity), OF | NX],
  ["fcvt.s.d", RTZ, [d(1e39)], 0x7f7fffffn, OF | NX],
  ["fcvt.s.d", RNE, [d(2 ** -150)], s(0), UF | NX], // tie between 0 and 2^-149
  ["fcvt.s.d", RNE, [d(2 ** -150 + 2 ** -200)], s(2 ** -149), UF | NX],
  ["fcvt.s.d", RNE, [d(2 ** -126 - 2 ** -151)], s(2 ** -126), NX], // not tiny after rounding
  ["fcvt.s.d", RNE, [d(2 ** -126 - 2 ** -150)], s(2 ** -126), UF | NX], // tiny, rounds up
  ["fcvt.s.d", RNE, [d(1 + 2 ** -24)], s(1), NX],
  ["fcvt.s.d", RMM, [d(1 + 2 ** -24)], s(1 + 2 ** -23), NX],
  ["fcvt.s.d", RNE, [SNAN64], QNAN32, NV],
  ["fcvt.s.d", RNE, [QPAY64 | NEG64], QNAN32, 0],
  ["fcvt.d.s", RNE, [SNAN32], QNAN64, NV],
  ["fcvt.d.s", RNE, [1n], d(2 ** -149), 0],
  ["fcvt.d.s", RNE, [0xff800000n], d(-Infinity), 0],
  // binary16 (Zfh): operands and results are whole registers, NaN-boxed (upper 48 bits ones)
  ["fadd.h", RNE, [h(1), h(2)], h(3), 0],
  ["fadd.h", RNE, [h(65504), h(16)], h(Infinity), OF | NX], // the tie at 65520 rounds to even: up
  ["fadd.h", RTZ, [h(65504), h(16)], h(65504), NX], // 65520 truncates to 65504: no overflow
  ["fadd.h", RNE, [h(1), h(2 ** -11)], h(1), NX], // tie to even (down)
  ["fadd.h", RMM, [h(1), h(2 ** -11)], h(1 + 2 ** -10), NX],
  ["fadd.h", RDN, [h(1), h(-1)], h(-0), 0],
  ["fmul.h", RNE, [h(2 ** -14), h(0.5)], h(2 ** -15), 0], // exact subnormal: no UF
  ["fmul.h", RNE, [h(2 ** -24), h(0.5)], h(0), UF | NX], // the tie between 0 and 2^-24 rounds to 0
  ["fmul.h", RUP, [h(2 ** -24), h(0.5)], h(2 ** -24), UF | NX],
  ["fdiv.h", RNE, [h(1), h(0)], h(Infinity), DZ],
  ["fsqrt.h", RNE, [h(-1)], QNAN16, NV],
  ["fsqrt.h", RNE, [h(4)], h(2), 0],
  ["fadd.h", RNE, [0x7c01n | BOX16, h(1)], QNAN16, NV], // signaling NaN
  ["fadd.h", RNE, [0x3c00n, h(1)], QNAN16, 0], // not NaN-boxed: reads as the canonical NaN
  ["fclass.h", RNE, [0x0000_ffff_ffff_3c00n], 512n, 0], // improperly boxed: a quiet NaN
  ["fclass.h", RNE, [h(2 ** -24)], 32n, 0], // positive subnormal
  ["fcvt.h.s", RNE, [s(65520)], h(Infinity), OF | NX],
  ["fcvt.h.s", RNE, [s(65519)], h(65504), NX],
  ["fcvt.h.d", RNE, [d(2 ** -25)], h(0), UF | NX],
  ["fcvt.h.d", RNE, [d(2 ** -25 + 2 ** -40)], h(2 ** -24), UF | NX],
  ["fcvt.s.h", RNE, [h(2 ** -24)], s(2 ** -24), 0],
  ["fcvt.d.h", RNE, [0x7d00n | BOX16], QNAN64, NV], // sNaN: quieted to the canonical NaN
  ["fcvt.w.h", RTZ, [h(-65504)], 0xffffffffffff0020n, 0],
  ["fcvt.wu.h", RNE, [h(-0.5)], 0n, NX], // rounds to -0: no NV
  ["fcvt.wu.h", RNE, [h(-1)], 0n, NV],
  ["fcvt.h.w", RNE, [65520n], h(Infinity), OF | NX],
  ["fcvt.h.l", RTZ, [0x7fffffffffffffffn], h(65504), OF | NX],
  ["fcvt.h.wu", RNE, [2049n], h(2048), NX],
  ["fmin.h", RNE, [h(-0), h(0)], h(-0), 0],
  ["fmax.h", RNE, [QNAN16, h(1)], h(1), 0],
];

let w: FpWasm;
beforeAll(() => {
  w = loadFpWasm();
});

describe("fp: hand-picked edge cases", () => {
  it.each(cases.map((c) => [`${c[0]} ${RM_NAMES[c[1]]} ${c[2].map((x) => x.toString(16)).join(" ")}`, c] as const))(
    "%s",
    (_, [name, rm, args, result, flags]) => {
      const op = opByName(name);
      if (!op) throw new Error(`unknown instruction ${name}`);
      const [a = 0n, b = 0n, c = 0n] = args;
      for (const impl of [0, 1]) {
        const got = w.call(op.op, rm, a, b, c, impl);
        const f = w.lastFlags();
        expect({ impl, result: "0x" + BigInt.asUintN(64, got).toString(16), flags: formatFlags(f) })
          .toEqual({ impl, result: "0x" + result.toString(16), flags: formatFlags(flags) });
      }
    },
  );
});

describe("fp: against real RISC-V instructions (qemu-riscv64)", () => {
  it("agrees on a seeded sample of every instruction and rounding mode", () => {
    if (!haveQemu()) {
      throw new Error("qemu-riscv64 is required for the FP reference tests: apt-get install -y qemu-user");
    }
    const parts: Buffer[] = [];
    for (const op of OPS) for (const rm of op.rounds ? [0, 1, 2, 3, 4] : [0]) parts.push(makeRecords(op, rm, 1500, 20240));
    const recs = Buffer.concat(parts);
    const ref = runQemu(recs);
    const fails: string[] = [];
    for (const impl of [0, 1]) {
      for (const m of compareOutputs(recs, ref, runWasm(w, recs, impl), 20)) {
        fails.push(describeMismatch(m, "qemu", impl ? "soft" : "wasm"));
      }
    }
    expect(fails).toEqual([]);
  });
});

describe("fp: fast paths", () => {
  it("agree bit for bit with the software path", { timeout: 60_000 }, () => { // (about 3 s on a fast core, 6 s on a slow one)
    const fails: string[] = [];
    for (const op of OPS) {
      for (const rm of op.rounds ? [0, 1, 2, 3, 4] : [0]) {
        const recs = makeRecords(op, rm, 6000, 777);
        const ms = compareOutputs(recs, runWasm(w, recs, 1), runWasm(w, recs, 0), 3);
        for (const m of ms) fails.push(describeMismatch(m, "soft", "fast"));
      }
    }
    expect(fails).toEqual([]);
  });
});

// Semantics of the bit-manipulation (Zba, Zbb, Zbc, Zbs, Zbkb) and conditional-zero (Zicond)
// instructions: pure functions of rs1, rs2 and the shift amount, no traps, no memory (their
// encodings and operation numbers: scripts/isa/bitmanip.mjs, assembly/bitmanip.gen.ts).
// Unprivileged spec, "B" standard extension chapter; scalar crypto Zbkb; Zicond.
import * as B from "./bitmanip.gen";

// @ts-ignore: decorator
@inline function sext32(v: u64): u64 { return <u64><i64><i32>v; }
// @ts-ignore: decorator
@inline function zext32(v: u64): u64 { return v & 0xffffffff; }

// Zkt: these run in a time independent of the operand values (masks, not branches, select the
// partial products and bytes; the loops have fixed trip counts).
// @ts-ignore: decorator
@inline function bitMask(b: u64, i: u64): u64 { return 0 - ((b >> i) & 1); }

/** The low 64 bits of the carry-less product of a and b, and (high) the bits above them. */
function clmulLow(a: u64, b: u64): u64 {
  let r: u64 = 0;
  for (let i: u64 = 0; i < 64; i++) r ^= (a << i) & bitMask(b, i);
  return r;
}
function clmulHigh(a: u64, b: u64): u64 {
  let r: u64 = 0;
  for (let i: u64 = 1; i < 64; i++) r ^= (a >> (64 - i)) & bitMask(b, i);
  return r;
}
/** Bits 126:63 of the carry-less product (clmulr). */
function clmulRev(a: u64, b: u64): u64 {
  let r: u64 = 0;
  for (let i: u64 = 0; i < 64; i++) r ^= (a >> (63 - i)) & bitMask(b, i);
  return r;
}

/** Each byte all ones if it is non-zero, else zero (orc.b). */
function orcB(a: u64): u64 {
  // per byte: the top bit of (low 7 bits + 0x7f) | byte is set iff the byte is non-zero
  const L: u64 = 0x7f7f7f7f7f7f7f7f;
  const t = (((a & L) + L) | a) & ~L; // 0x80 in each non-zero byte
  return (t >> 7) * 0xff;
}

/** The bits of each byte in reverse order (brev8). */
function brev8(a: u64): u64 {
  let v = a;
  v = ((v >> 1) & 0x5555555555555555) | ((v & 0x5555555555555555) << 1);
  v = ((v >> 2) & 0x3333333333333333) | ((v & 0x3333333333333333) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0f) | ((v & 0x0f0f0f0f0f0f0f0f) << 4);
  return v;
}

/** The result of bit-manipulation operation `op` on rs1 = a, rs2 = b, shift amount `sh`. */
export function execBitmanip(op: u32, a: u64, b: u64, sh: u64): u64 {
  switch (op) {
    // Zba
    case B.OP_SH1ADD: return b + (a << 1);
    case B.OP_SH2ADD: return b + (a << 2);
    case B.OP_SH3ADD: return b + (a << 3);
    case B.OP_ADD_UW: return b + zext32(a);
    case B.OP_SH1ADD_UW: return b + (zext32(a) << 1);
    case B.OP_SH2ADD_UW: return b + (zext32(a) << 2);
    case B.OP_SH3ADD_UW: return b + (zext32(a) << 3);
    case B.OP_SLLI_UW: return zext32(a) << (sh & 63);
    // Zbb
    case B.OP_ANDN: return a & ~b;
    case B.OP_ORN: return a | ~b;
    case B.OP_XNOR: return ~(a ^ b);
    case B.OP_CLZ: return clz<u64>(a);
    case B.OP_CLZW: return <u64>clz<u32>(<u32>a);
    case B.OP_CTZ: return ctz<u64>(a);
    case B.OP_CTZW: return <u64>ctz<u32>(<u32>a);
    case B.OP_CPOP: return popcnt<u64>(a);
    case B.OP_CPOPW: return <u64>popcnt<u32>(<u32>a);
    case B.OP_MAX: return <i64>a > <i64>b ? a : b;
    case B.OP_MAXU: return a > b ? a : b;
    case B.OP_MIN: return <i64>a < <i64>b ? a : b;
    case B.OP_MINU: return a < b ? a : b;
    case B.OP_SEXT_B: return <u64><i64><i8>a;
    case B.OP_SEXT_H: return <u64><i64><i16>a;
    case B.OP_ZEXT_H: return a & 0xffff;
    case B.OP_ROL: return rotl<u64>(a, b & 63);
    case B.OP_ROLW: return sext32(<u64>rotl<u32>(<u32>a, <u32>(b & 31)));
    case B.OP_ROR: return rotr<u64>(a, b & 63);
    case B.OP_RORW: return sext32(<u64>rotr<u32>(<u32>a, <u32>(b & 31)));
    case B.OP_RORI: return rotr<u64>(a, sh & 63);
    case B.OP_RORIW: return sext32(<u64>rotr<u32>(<u32>a, <u32>(sh & 31)));
    case B.OP_ORC_B: return orcB(a);
    case B.OP_REV8: return bswap<u64>(a);
    // Zbc
    case B.OP_CLMUL: return clmulLow(a, b);
    case B.OP_CLMULH: return clmulHigh(a, b);
    case B.OP_CLMULR: return clmulRev(a, b);
    // Zbs
    case B.OP_BCLR: return a & ~(<u64>1 << (b & 63));
    case B.OP_BCLRI: return a & ~(<u64>1 << (sh & 63));
    case B.OP_BEXT: return (a >> (b & 63)) & 1;
    case B.OP_BEXTI: return (a >> (sh & 63)) & 1;
    case B.OP_BINV: return a ^ (<u64>1 << (b & 63));
    case B.OP_BINVI: return a ^ (<u64>1 << (sh & 63));
    case B.OP_BSET: return a | (<u64>1 << (b & 63));
    case B.OP_BSETI: return a | (<u64>1 << (sh & 63));
    // Zbkb
    case B.OP_PACK: return zext32(a) | (b << 32);
    case B.OP_PACKH: return (a & 0xff) | ((b & 0xff) << 8);
    case B.OP_PACKW: return sext32((a & 0xffff) | ((b & 0xffff) << 16));
    case B.OP_BREV8: return brev8(a);
    // Zicond
    case B.OP_CZERO_EQZ: return b == 0 ? 0 : a;
    case B.OP_CZERO_NEZ: return b != 0 ? 0 : a;
  }
  return 0; // not reached: the decoder produces only the operations above
}

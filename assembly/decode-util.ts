// The decoded entry and its fillers, used by the decoders generated from the instruction tables
// (decode.gen.ts, scripts/isa/). An entry is 16 bytes:
//   +0 u32 tag (host address of the instruction), +4 u16 op, +6 u8 rd, +7 u8 rs1, +8 u8 rs2,
//   +9 u8 length in bytes, +12 i32 immediate (CSR number for CSR ops, raw bits for OP_ILLEGAL).
// rd = x0 is redirected to the sink register so execution never tests for it.
import { X_SINK } from "./layout";
import * as O from "./ops";

// @ts-ignore: decorator
@inline export function put(e: u32, op: u16, rd: u32, rs1: u32, rs2: u32, imm: i32, len: u32): void {
  store<u16>(e, op, 4);
  store<u8>(e, <u8>(rd == 0 ? X_SINK : rd), 6);
  store<u8>(e, <u8>rs1, 7);
  store<u8>(e, <u8>rs2, 8);
  store<u8>(e, <u8>len, 9);
  store<i32>(e, imm, 12);
}

/** Like put, for a destination in the FP register file (f0 is a real register). */
// @ts-ignore: decorator
@inline export function putF(e: u32, op: u16, rd: u32, rs1: u32, rs2: u32, imm: i32, len: u32): void {
  store<u16>(e, op, 4);
  store<u8>(e, <u8>rd, 6);
  store<u8>(e, <u8>rs1, 7);
  store<u8>(e, <u8>rs2, 8);
  store<u8>(e, <u8>len, 9);
  store<i32>(e, imm, 12);
}

// @ts-ignore: decorator
@inline export function illegal(e: u32, insn: u32, len: u32): void {
  put(e, O.OP_ILLEGAL, 0, 0, 0, <i32>insn, len);
}

// ALU results written to x0 have no effect: decode them to a NOP (covers the HINT space).
// @ts-ignore: decorator
@inline export function alu(e: u32, op: u16, rd: u32, rs1: u32, rs2: u32, imm: i32, len: u32): void {
  if (rd == 0) put(e, O.OP_NOP, 0, 0, 0, 0, len);
  else put(e, op, rd, rs1, rs2, imm, len);
}

// @ts-ignore: decorator
@inline export function immI(i: u32): i32 { return (<i32>i) >> 20; }
// @ts-ignore: decorator
@inline export function immS(i: u32): i32 { return (((<i32>i) >> 20) & ~31) | <i32>((i >> 7) & 31); }
// @ts-ignore: decorator
@inline export function immB(i: u32): i32 {
  return (((<i32>i) >> 19) & ~0xfff) | <i32>(((i << 4) & 0x800) | ((i >> 20) & 0x7e0) | ((i >> 7) & 0x1e));
}
// @ts-ignore: decorator
@inline export function immJ(i: u32): i32 {
  return (((<i32>i) >> 11) & ~0xfffff) | <i32>((i & 0xff000) | ((i >> 9) & 0x800) | ((i >> 20) & 0x7fe));
}

/** A CSR instruction: rd raw (the CSR path must know rd = x0: no read side effects), rs1 the
 * register number or the 5-bit immediate, imm the CSR number. */
// @ts-ignore: decorator
@inline export function putCsr(e: u32, op: u16, rd: u32, rs1: u32, i: u32): void {
  store<u16>(e, op, 4);
  store<u8>(e, <u8>rd, 6);
  store<u8>(e, <u8>rs1, 7);
  store<u8>(e, 0, 8);
  store<u8>(e, 4, 9);
  store<i32>(e, <i32>(i >> 20), 12);
}

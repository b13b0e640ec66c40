// Instruction decoder: turns a 16- or 32-bit instruction into a 16-byte decoded entry
//   +0 u32 tag (host address of the instruction), +4 u16 op, +6 u8 rd, +7 u8 rs1, +8 u8 rs2,
//   +9 u8 length in bytes, +12 i32 immediate (CSR number for CSR ops, raw bits for OP_ILLEGAL).
// rd = x0 is redirected to the sink register so execution never tests for it.
import { X_SINK } from "./layout";
import * as O from "./ops";
import { bitmanipOp } from "./bitmanip.gen";

// @ts-ignore: decorator
@inline function put(e: u32, op: u16, rd: u32, rs1: u32, rs2: u32, imm: i32, len: u32): void {
  store<u16>(e, op, 4);
  store<u8>(e, <u8>(rd == 0 ? X_SINK : rd), 6);
  store<u8>(e, <u8>rs1, 7);
  store<u8>(e, <u8>rs2, 8);
  store<u8>(e, <u8>len, 9);
  store<i32>(e, imm, 12);
}

/** Like put, for a destination in the FP register file (f0 is a real register). */
// @ts-ignore: decorator
@inline function putF(e: u32, op: u16, rd: u32, rs1: u32, rs2: u32, imm: i32, len: u32): void {
  store<u16>(e, op, 4);
  store<u8>(e, <u8>rd, 6);
  store<u8>(e, <u8>rs1, 7);
  store<u8>(e, <u8>rs2, 8);
  store<u8>(e, <u8>len, 9);
  store<i32>(e, imm, 12);
}

// @ts-ignore: decorator
@inline function illegal(e: u32, insn: u32, len: u32): void {
  put(e, O.OP_ILLEGAL, 0, 0, 0, <i32>insn, len);
}

// ALU results written to x0 have no effect: decode them to a NOP (covers the HINT space).
// @ts-ignore: decorator
@inline function alu(e: u32, op: u16, rd: u32, rs1: u32, rs2: u32, imm: i32, len: u32): void {
  if (rd == 0) put(e, O.OP_NOP, 0, 0, 0, 0, len);
  else put(e, op, rd, rs1, rs2, imm, len);
}

// @ts-ignore: decorator
@inline function immI(i: u32): i32 { return (<i32>i) >> 20; }
// @ts-ignore: decorator
@inline function immS(i: u32): i32 { return (((<i32>i) >> 20) & ~31) | <i32>((i >> 7) & 31); }
// @ts-ignore: decorator
@inline function immB(i: u32): i32 {
  return (((<i32>i) >> 19) & ~0xfff) | <i32>(((i << 4) & 0x800) | ((i >> 20) & 0x7e0) | ((i >> 7) & 0x1e));
}
// @ts-ignore: decorator
@inline function immJ(i: u32): i32 {
  return (((<i32>i) >> 11) & ~0xfffff) | <i32>((i & 0xff000) | ((i >> 9) & 0x800) | ((i >> 20) & 0x7fe));
}

/** Decodes the 32-bit instruction `i` into entry `e` (unprivileged spec ch. 24 opcode map). */
export function decode32(e: u32, i: u32): void {
  const rd = (i >> 7) & 31;
  const rs1 = (i >> 15) & 31;
  const rs2 = (i >> 20) & 31;
  const f3 = (i >> 12) & 7;
  const f7 = i >> 25;
  switch ((i >> 2) & 31) {
    case 0x0d: alu(e, O.OP_LUI, rd, 0, 0, <i32>(i & 0xfffff000), 4); return;
    case 0x05: alu(e, O.OP_AUIPC, rd, 0, 0, <i32>(i & 0xfffff000), 4); return;
    case 0x1b: put(e, O.OP_JAL, rd, 0, 0, immJ(i), 4); return;
    case 0x19:
      if (f3 != 0) break;
      put(e, O.OP_JALR, rd, rs1, 0, immI(i), 4); return;
    case 0x18: {
      if (f3 == 2 || f3 == 3) break;
      const ops: u16 = f3 == 0 ? O.OP_BEQ : f3 == 1 ? O.OP_BNE : f3 == 4 ? O.OP_BLT
        : f3 == 5 ? O.OP_BGE : f3 == 6 ? O.OP_BLTU : O.OP_BGEU;
      put(e, ops, 0, rs1, rs2, immB(i), 4); return;
    }
    case 0x00: { // loads: a load to x0 still accesses memory (it may fault or touch a device)
      if (f3 == 7) break;
      const op: u16 = f3 == 0 ? O.OP_LB : f3 == 1 ? O.OP_LH : f3 == 2 ? O.OP_LW : f3 == 3 ? O.OP_LD
        : f3 == 4 ? O.OP_LBU : f3 == 5 ? O.OP_LHU : O.OP_LWU;
      put(e, op, rd, rs1, 0, immI(i), 4); return;
    }
    case 0x08: {
      if (f3 > 3) break;
      put(e, O.OP_SB + <u16>f3, 0, rs1, rs2, immS(i), 4); return;
    }
    case 0x04: {
      const imm = immI(i);
      switch (f3) {
        case 0: alu(e, O.OP_ADDI, rd, rs1, 0, imm, 4); return;
        case 2: alu(e, O.OP_SLTI, rd, rs1, 0, imm, 4); return;
        case 3: alu(e, O.OP_SLTIU, rd, rs1, 0, imm, 4); return;
        case 4: alu(e, O.OP_XORI, rd, rs1, 0, imm, 4); return;
        case 6: alu(e, O.OP_ORI, rd, rs1, 0, imm, 4); return;
        case 7: alu(e, O.OP_ANDI, rd, rs1, 0, imm, 4); return;
        case 1:
          if ((i >> 26) != 0) break;
          alu(e, O.OP_SLLI, rd, rs1, 0, imm & 63, 4); return;
        case 5:
          if ((i >> 26) == 0) { alu(e, O.OP_SRLI, rd, rs1, 0, imm & 63, 4); return; }
          if ((i >> 26) == 0x10) { alu(e, O.OP_SRAI, rd, rs1, 0, imm & 63, 4); return; }
          break;
      }
      break;
    }
    case 0x06: {
      const imm = immI(i);
      if (f3 == 0) { alu(e, O.OP_ADDIW, rd, rs1, 0, imm, 4); return; }
      if (f3 == 1 && f7 == 0) { alu(e, O.OP_SLLIW, rd, rs1, 0, imm & 31, 4); return; }
      if (f3 == 5 && f7 == 0) { alu(e, O.OP_SRLIW, rd, rs1, 0, imm & 31, 4); return; }
      if (f3 == 5 && f7 == 0x20) { alu(e, O.OP_SRAIW, rd, rs1, 0, imm & 31, 4); return; }
      break;
    }
    case 0x0c: {
      let op: u16 = O.OP_ILLEGAL;
      if (f7 == 0) {
        op = f3 == 0 ? O.OP_ADD : f3 == 1 ? O.OP_SLL : f3 == 2 ? O.OP_SLT : f3 == 3 ? O.OP_SLTU
          : f3 == 4 ? O.OP_XOR : f3 == 5 ? O.OP_SRL : f3 == 6 ? O.OP_OR : O.OP_AND;
      } else if (f7 == 0x20) {
        if (f3 == 0) op = O.OP_SUB;
        else if (f3 == 5) op = O.OP_SRA;
      } else if (f7 == 1) {
        op = O.OP_MUL + <u16>f3;
      }
      if (op == O.OP_ILLEGAL) break;
      alu(e, op, rd, rs1, rs2, 0, 4); return;
    }
    case 0x0e: {
      let op: u16 = O.OP_ILLEGAL;
      if (f7 == 0) {
        op = f3 == 0 ? O.OP_ADDW : f3 == 1 ? O.OP_SLLW : f3 == 5 ? O.OP_SRLW : O.OP_ILLEGAL;
      } else if (f7 == 0x20) {
        op = f3 == 0 ? O.OP_SUBW : f3 == 5 ? O.OP_SRAW : O.OP_ILLEGAL;
      } else if (f7 == 1) {
        op = f3 == 0 ? O.OP_MULW : f3 == 4 ? O.OP_DIVW : f3 == 5 ? O.OP_DIVUW
          : f3 == 6 ? O.OP_REMW : f3 == 7 ? O.OP_REMUW : O.OP_ILLEGAL;
      }
      if (op == O.OP_ILLEGAL) break;
      alu(e, op, rd, rs1, rs2, 0, 4); return;
    }
    case 0x03: // MISC-MEM: FENCE (f3 0) and FENCE.I (f3 1); other fields are ignored hints
      if (f3 > 1) break;
      put(e, O.OP_FENCE, 0, 0, 0, 0, 4); return;
    case 0x1c: { // SYSTEM
      if (f3 == 0) {
        if (i == 0x00000073) { put(e, O.OP_ECALL, 0, 0, 0, 0, 4); return; }
        if (i == 0x00100073) { put(e, O.OP_EBREAK, 0, 0, 0, 0, 4); return; }
        if (i == 0x30200073) { put(e, O.OP_MRET, 0, 0, 0, <i32>i, 4); return; }
        if (i == 0x10200073) { put(e, O.OP_SRET, 0, 0, 0, <i32>i, 4); return; }
        if (i == 0x10500073) { put(e, O.OP_WFI, 0, 0, 0, <i32>i, 4); return; }
        if (f7 == 0x09 && rd == 0) { put(e, O.OP_SFENCE_VMA, 0, rs1, rs2, <i32>i, 4); return; }
        break;
      }
      if (f3 == 4) break;
      // CSR ops: rs1 carries the register number or the 5-bit zero-extended immediate.
      const op: u16 = O.OP_CSRRW + <u16>((f3 & 3) - 1) + (f3 >= 5 ? 3 : 0);
      store<u16>(e, op, 4);
      store<u8>(e, <u8>rd, 6); // the CSR path needs to know rd = x0 (no read side effects)
      store<u8>(e, <u8>rs1, 7);
      store<u8>(e, 0, 8);
      store<u8>(e, 4, 9);
      store<i32>(e, <i32>(i >> 20), 12);
      return;
    }
    case 0x01: // LOAD-FP
      if (f3 == 2) { putF(e, O.OP_FLW, rd, rs1, 0, immI(i), 4); return; }
      if (f3 == 3) { putF(e, O.OP_FLD, rd, rs1, 0, immI(i), 4); return; }
      break;
    case 0x09: // STORE-FP
      if (f3 == 2) { put(e, O.OP_FSW, 0, rs1, rs2, immS(i), 4); return; }
      if (f3 == 3) { put(e, O.OP_FSD, 0, rs1, rs2, immS(i), 4); return; }
      break;
    case 0x10: case 0x11: case 0x12: case 0x13: { // FMADD, FMSUB, FNMSUB, FNMADD
      const fmt = (i >> 25) & 3;
      if (fmt > 1 || f3 == 5 || f3 == 6) break;
      const op = (fmt == 1 ? O.OP_FMADD_D : O.OP_FMADD_S) + <u16>(((i >> 2) & 31) - 0x10);
      putF(e, op, rd, rs1, rs2, <i32>(f3 | ((i >> 27) << 8)), 4);
      return;
    }
    case 0x14: // OP-FP
      if (decodeOpFp(e, i, rd, rs1, rs2, f3)) return;
      break;
    case 0x0b: { // AMO
      if (f3 != 2 && f3 != 3) break;
      const f5 = i >> 27;
      const d = f3 == 3;
      if (f5 == 0x02) {
        if (rs2 != 0) break;
        put(e, d ? O.OP_LR_D : O.OP_LR_W, rd, rs1, 0, 0, 4); return;
      }
      if (f5 == 0x03) { put(e, d ? O.OP_SC_D : O.OP_SC_W, rd, rs1, rs2, 0, 4); return; }
      if (f5 == O.AMO_ADD || f5 == O.AMO_SWAP || f5 == O.AMO_XOR || f5 == O.AMO_OR ||
          f5 == O.AMO_AND || f5 == O.AMO_MIN || f5 == O.AMO_MAX || f5 == O.AMO_MINU ||
          f5 == O.AMO_MAXU) {
        put(e, d ? O.OP_AMO_D : O.OP_AMO_W, rd, rs1, rs2, <i32>f5, 4); return;
      }
      break;
    }
  }
  // Zba, Zbb, Zbc, Zbs, Zbkb, Zicond: encodings the base ISA leaves reserved (bitmanip.gen.ts).
  const b = bitmanipOp(i);
  if (b != 0) { alu(e, b, rd, rs1, rs2, <i32>((i >> 20) & 63), 4); return; }
  illegal(e, i, 4);
}

/** OP-FP (unprivileged spec, F and D chapters); false if the encoding is reserved. */
function decodeOpFp(e: u32, i: u32, rd: u32, rs1: u32, rs2: u32, f3: u32): bool {
  const f7 = i >> 25;
  const fmt = f7 & 3;
  if (fmt > 1) return false; // H and Q are not implemented
  const d: u16 = fmt == 1 ? O.FP_D_OFFSET : 0;
  const rmOk = f3 != 5 && f3 != 6; // static rounding modes 5 and 6 are reserved
  switch (f7 >> 2) {
    case 0x00: case 0x01: case 0x02: case 0x03: // FADD FSUB FMUL FDIV
      if (!rmOk) return false;
      putF(e, O.OP_FADD_S + d + <u16>(f7 >> 2), rd, rs1, rs2, <i32>f3, 4); return true;
    case 0x0b: // FSQRT
      if (!rmOk || rs2 != 0) return false;
      putF(e, O.OP_FSQRT_S + d, rd, rs1, 0, <i32>f3, 4); return true;
    case 0x04: // FSGNJ FSGNJN FSGNJX
      if (f3 > 2) return false;
      putF(e, O.OP_FSGNJ_S + d + <u16>f3, rd, rs1, rs2, 0, 4); return true;
    case 0x05: // FMIN FMAX
      if (f3 > 1) return false;
      putF(e, O.OP_FMIN_S + d + <u16>f3, rd, rs1, rs2, 0, 4); return true;
    case 0x08: // FCVT.S.D (fmt S, rs2 1) and FCVT.D.S (fmt D, rs2 0)
      if (!rmOk) return false;
      if (fmt == 0 && rs2 == 1) { putF(e, O.OP_FCVT_S_D, rd, rs1, 0, <i32>f3, 4); return true; }
      if (fmt == 1 && rs2 == 0) { putF(e, O.OP_FCVT_D_S, rd, rs1, 0, <i32>f3, 4); return true; }
      return false;
    case 0x14: // FLE FLT FEQ (integer destination)
      if (f3 > 2) return false;
      put(e, (f3 == 2 ? O.OP_FEQ_S : f3 == 1 ? O.OP_FLT_S : O.OP_FLE_S) + d, rd, rs1, rs2, 0, 4);
      return true;
    case 0x18: // FCVT.W/WU/L/LU from floating point (integer destination)
      if (!rmOk || rs2 > 3) return false;
      put(e, O.OP_FCVT_W_S + d + <u16>rs2, rd, rs1, 0, <i32>f3, 4); return true;
    case 0x1a: // FCVT to floating point from W/WU/L/LU
      if (!rmOk || rs2 > 3) return false;
      putF(e, O.OP_FCVT_S_W + d + <u16>rs2, rd, rs1, 0, <i32>f3, 4); return true;
    case 0x1c: // FMV.X.W/D (f3 0) and FCLASS (f3 1), integer destination
      if (rs2 != 0 || f3 > 1) return false;
      put(e, (f3 == 0 ? O.OP_FMV_X_W : O.OP_FCLASS_S) + d, rd, rs1, 0, 0, 4); return true;
    case 0x1e: // FMV.W.X / FMV.D.X
      if (rs2 != 0 || f3 != 0) return false;
      putF(e, O.OP_FMV_W_X + d, rd, rs1, 0, 0, 4); return true;
  }
  return false;
}

// Compressed register fields name x8..x15 (unprivileged spec 16.2, "RVC" register numbers).
// @ts-ignore: decorator
@inline function cr(v: u32): u32 { return 8 + (v & 7); }

/** Decodes the 16-bit compressed instruction `i` into entry `e` (unprivileged spec ch. 16). */
export function decode16(e: u32, i: u32): void {
  const f3 = (i >> 13) & 7;
  const rdFull = (i >> 7) & 31;
  const rs2Full = (i >> 2) & 31;
  switch ((i & 3) | (f3 << 2)) {
    case 0x00: { // C.ADDI4SPN
      const imm = ((i >> 7) & 0x30) | ((i >> 1) & 0x3c0) | ((i >> 4) & 4) | ((i >> 2) & 8);
      if (imm == 0) break; // includes the all-zero illegal instruction
      put(e, O.OP_ADDI, cr(i >> 2), 2, 0, <i32>imm, 2); return;
    }
    case 0x04: { // C.FLD
      const imm = ((i >> 7) & 0x38) | ((i << 1) & 0xc0);
      putF(e, O.OP_FLD, cr(i >> 2), cr(i >> 7), 0, <i32>imm, 2); return;
    }
    case 0x08: { // C.LW
      const imm = ((i >> 7) & 0x38) | ((i >> 4) & 4) | ((i << 1) & 0x40);
      put(e, O.OP_LW, cr(i >> 2), cr(i >> 7), 0, <i32>imm, 2); return;
    }
    case 0x0c: { // C.LD
      const imm = ((i >> 7) & 0x38) | ((i << 1) & 0xc0);
      put(e, O.OP_LD, cr(i >> 2), cr(i >> 7), 0, <i32>imm, 2); return;
    }
    case 0x10: break; // reserved
    case 0x14: { // C.FSD
      const imm = ((i >> 7) & 0x38) | ((i << 1) & 0xc0);
      put(e, O.OP_FSD, 0, cr(i >> 7), cr(i >> 2), <i32>imm, 2); return;
    }
    case 0x18: { // C.SW
      const imm = ((i >> 7) & 0x38) | ((i >> 4) & 4) | ((i << 1) & 0x40);
      put(e, O.OP_SW, 0, cr(i >> 7), cr(i >> 2), <i32>imm, 2); return;
    }
    case 0x1c: { // C.SD
      const imm = ((i >> 7) & 0x38) | ((i << 1) & 0xc0);
      put(e, O.OP_SD, 0, cr(i >> 7), cr(i >> 2), <i32>imm, 2); return;
    }
    case 0x01: { // C.ADDI (C.NOP when rd = 0)
      const imm = ciImm(i);
      alu(e, O.OP_ADDI, rdFull, rdFull, 0, imm, 2); return;
    }
    case 0x05: { // C.ADDIW (RV64)
      if (rdFull == 0) break;
      put(e, O.OP_ADDIW, rdFull, rdFull, 0, ciImm(i), 2); return;
    }
    case 0x09: // C.LI
      alu(e, O.OP_ADDI, rdFull, 0, 0, ciImm(i), 2); return;
    case 0x0d: { // C.ADDI16SP / C.LUI
      if (rdFull == 2) {
        let imm = ((i >> 3) & 0x200) | ((i >> 2) & 0x10) | ((i << 1) & 0x40) | ((i << 4) & 0x180) |
          ((i << 3) & 0x20);
        const simm = (<i32>(imm << 22)) >> 22;
        if (simm == 0) break;
        put(e, O.OP_ADDI, 2, 2, 0, simm, 2); return;
      }
      const imm = ciImm(i) << 12;
      if (imm == 0) break;
      alu(e, O.OP_LUI, rdFull, 0, 0, imm, 2); return;
    }
    case 0x11: { // MISC-ALU
      const rd = cr(i >> 7);
      const f2 = (i >> 10) & 3;
      if (f2 == 0 || f2 == 1) { // C.SRLI / C.SRAI (shamt[5] in bit 12)
        const sh = ((i >> 7) & 0x20) | ((i >> 2) & 31);
        put(e, f2 == 0 ? O.OP_SRLI : O.OP_SRAI, rd, rd, 0, <i32>sh, 2); return;
      }
      if (f2 == 2) { put(e, O.OP_ANDI, rd, rd, 0, ciImm(i), 2); return; }
      const rs2 = cr(i >> 2);
      const sel = ((i >> 10) & 4) | ((i >> 5) & 3);
      const ops: u16 = sel == 0 ? O.OP_SUB : sel == 1 ? O.OP_XOR : sel == 2 ? O.OP_OR : sel == 3 ? O.OP_AND
        : sel == 4 ? O.OP_SUBW : sel == 5 ? O.OP_ADDW : O.OP_ILLEGAL;
      if (ops == O.OP_ILLEGAL) break;
      put(e, ops, rd, rd, rs2, 0, 2); return;
    }
    case 0x15: { // C.J
      const imm = cjImm(i);
      put(e, O.OP_JAL, 0, 0, 0, imm, 2); return;
    }
    case 0x19: // C.BEQZ
      put(e, O.OP_BEQ, 0, cr(i >> 7), 0, cbImm(i), 2); return;
    case 0x1d: // C.BNEZ
      put(e, O.OP_BNE, 0, cr(i >> 7), 0, cbImm(i), 2); return;
    case 0x02: { // C.SLLI
      const sh = ((i >> 7) & 0x20) | rs2Full;
      alu(e, O.OP_SLLI, rdFull, rdFull, 0, <i32>sh, 2); return;
    }
    case 0x06: { // C.FLDSP (f0 is a valid destination)
      const imm = ((i >> 7) & 0x20) | ((i >> 2) & 0x18) | ((i << 4) & 0x1c0);
      putF(e, O.OP_FLD, rdFull, 2, 0, <i32>imm, 2); return;
    }
    case 0x0a: { // C.LWSP
      if (rdFull == 0) break;
      const imm = ((i >> 7) & 0x20) | ((i >> 2) & 0x1c) | ((i << 4) & 0xc0);
      put(e, O.OP_LW, rdFull, 2, 0, <i32>imm, 2); return;
    }
    case 0x0e: { // C.LDSP
      if (rdFull == 0) break;
      const imm = ((i >> 7) & 0x20) | ((i >> 2) & 0x18) | ((i << 4) & 0x1c0);
      put(e, O.OP_LD, rdFull, 2, 0, <i32>imm, 2); return;
    }
    case 0x12: {
      if ((i & 0x1000) == 0) {
        if (rs2Full == 0) { // C.JR
          if (rdFull == 0) break;
          put(e, O.OP_JALR, 0, rdFull, 0, 0, 2); return;
        }
        alu(e, O.OP_ADD, rdFull, 0, rs2Full, 0, 2); return; // C.MV
      }
      if (rs2Full == 0) {
        if (rdFull == 0) { put(e, O.OP_EBREAK, 0, 0, 0, 0, 2); return; }
        put(e, O.OP_JALR, 1, rdFull, 0, 0, 2); return; // C.JALR
      }
      alu(e, O.OP_ADD, rdFull, rdFull, rs2Full, 0, 2); return; // C.ADD
    }
    case 0x16: { // C.FSDSP
      const imm = ((i >> 7) & 0x38) | ((i >> 1) & 0x1c0);
      put(e, O.OP_FSD, 0, 2, rs2Full, <i32>imm, 2); return;
    }
    case 0x1a: { // C.SWSP
      const imm = ((i >> 7) & 0x3c) | ((i >> 1) & 0xc0);
      put(e, O.OP_SW, 0, 2, rs2Full, <i32>imm, 2); return;
    }
    case 0x1e: { // C.SDSP
      const imm = ((i >> 7) & 0x38) | ((i >> 1) & 0x1c0);
      put(e, O.OP_SD, 0, 2, rs2Full, <i32>imm, 2); return;
    }
  }
  illegal(e, i, 2);
}

// CI-format 6-bit signed immediate: imm[5] = bit 12, imm[4:0] = bits 6:2.
// @ts-ignore: decorator
@inline function ciImm(i: u32): i32 {
  return (<i32>((((i >> 7) & 0x20) | ((i >> 2) & 31)) << 26)) >> 26;
}

// CJ-format jump offset: imm[11|4|9:8|10|6|7|3:1|5] in bits 12:2.
// @ts-ignore: decorator
@inline function cjImm(i: u32): i32 {
  const v = ((i >> 1) & 0x800) | ((i >> 7) & 0x10) | ((i >> 1) & 0x300) | ((i << 2) & 0x400) |
    ((i >> 1) & 0x40) | ((i << 1) & 0x80) | ((i >> 2) & 0xe) | ((i << 3) & 0x20);
  return (<i32>(v << 20)) >> 20;
}

// CB-format branch offset: imm[8|4:3] in bits 12:10, imm[7:6|2:1|5] in bits 6:2.
// @ts-ignore: decorator
@inline function cbImm(i: u32): i32 {
  const v = ((i >> 4) & 0x100) | ((i >> 7) & 0x18) | ((i << 1) & 0xc0) | ((i >> 2) & 6) |
    ((i << 3) & 0x20);
  return (<i32>(v << 23)) >> 23;
}

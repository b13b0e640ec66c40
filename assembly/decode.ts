// Instruction decoder: a 16- or 32-bit instruction into a 16-byte decoded entry (its layout:
// decode-util.ts). The 32-bit decoder is generated from the instruction table (decode.gen.ts,
// scripts/isa/); the compressed instructions expand to the same operations here.
import * as O from "./ops";
import { alu, illegal, put, putF } from "./decode-util";
export { decode32 } from "./decode.gen";

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

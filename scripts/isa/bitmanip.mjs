// The bit-manipulation and conditional-zero instructions the hart implements: one table for
// the core's decoder and operation numbers (scripts/gen-core-abi.mjs writes
// assembly/bitmanip.gen.ts from it), the disassembler and the fuzzer (both read it from
// src/core/abi.gen.ts). Encodings from the unprivileged spec's "B" chapter (Zba, Zbb, Zbc, Zbs)
// and the scalar crypto chapter (Zbkb), and the Zicond extension: `match` is the instruction
// with every variable field zero, `mask` the bits that must equal it.
//   form  r:     rd, rs1, rs2           unary: rd, rs1 (rs2 is part of the encoding)
//         sh6:   rd, rs1, shamt[5:0]    sh5:   rd, rs1, shamt[4:0] (a W form)
// The operation numbers follow the base ISA's (assembly/ops.ts), in this order.

const OP = 0x33, OP32 = 0x3b, IMM = 0x13, IMM32 = 0x1b;
const R = 0xfe00707f;            // funct7, funct3, opcode
const UNARY = 0xfff0707f;        // imm[11:0], funct3, opcode
const SH6 = 0xfc00707f;          // imm[11:6], funct3, opcode
const r = (f7, f3, opc) => ((f7 << 25) | (f3 << 12) | opc) >>> 0;
const u = (imm12, f3, opc) => ((imm12 << 20) | (f3 << 12) | opc) >>> 0;
const s6 = (f6, f3, opc) => ((f6 << 26) | (f3 << 12) | opc) >>> 0;

export const BITMANIP = [
  // Zba: address generation
  { name: "sh1add", ext: "zba", form: "r", mask: R, match: r(0x10, 2, OP) },
  { name: "sh2add", ext: "zba", form: "r", mask: R, match: r(0x10, 4, OP) },
  { name: "sh3add", ext: "zba", form: "r", mask: R, match: r(0x10, 6, OP) },
  { name: "add.uw", ext: "zba", form: "r", mask: R, match: r(0x04, 0, OP32) },
  { name: "sh1add.uw", ext: "zba", form: "r", mask: R, match: r(0x10, 2, OP32) },
  { name: "sh2add.uw", ext: "zba", form: "r", mask: R, match: r(0x10, 4, OP32) },
  { name: "sh3add.uw", ext: "zba", form: "r", mask: R, match: r(0x10, 6, OP32) },
  { name: "slli.uw", ext: "zba", form: "sh6", mask: SH6, match: s6(0x02, 1, IMM32) },
  // Zbb: basic bit manipulation
  { name: "andn", ext: "zbb", form: "r", mask: R, match: r(0x20, 7, OP) },
  { name: "orn", ext: "zbb", form: "r", mask: R, match: r(0x20, 6, OP) },
  { name: "xnor", ext: "zbb", form: "r", mask: R, match: r(0x20, 4, OP) },
  { name: "clz", ext: "zbb", form: "unary", mask: UNARY, match: u(0x600, 1, IMM) },
  { name: "clzw", ext: "zbb", form: "unary", mask: UNARY, match: u(0x600, 1, IMM32) },
  { name: "ctz", ext: "zbb", form: "unary", mask: UNARY, match: u(0x601, 1, IMM) },
  { name: "ctzw", ext: "zbb", form: "unary", mask: UNARY, match: u(0x601, 1, IMM32) },
  { name: "cpop", ext: "zbb", form: "unary", mask: UNARY, match: u(0x602, 1, IMM) },
  { name: "cpopw", ext: "zbb", form: "unary", mask: UNARY, match: u(0x602, 1, IMM32) },
  { name: "max", ext: "zbb", form: "r", mask: R, match: r(0x05, 6, OP) },
  { name: "maxu", ext: "zbb", form: "r", mask: R, match: r(0x05, 7, OP) },
  { name: "min", ext: "zbb", form: "r", mask: R, match: r(0x05, 4, OP) },
  { name: "minu", ext: "zbb", form: "r", mask: R, match: r(0x05, 5, OP) },
  { name: "sext.b", ext: "zbb", form: "unary", mask: UNARY, match: u(0x604, 1, IMM) },
  { name: "sext.h", ext: "zbb", form: "unary", mask: UNARY, match: u(0x605, 1, IMM) },
  { name: "zext.h", ext: "zbb", form: "unary", mask: UNARY, match: u(0x080, 4, OP32) },
  { name: "rol", ext: "zbb", form: "r", mask: R, match: r(0x30, 1, OP) },
  { name: "rolw", ext: "zbb", form: "r", mask: R, match: r(0x30, 1, OP32) },
  { name: "ror", ext: "zbb", form: "r", mask: R, match: r(0x30, 5, OP) },
  { name: "rorw", ext: "zbb", form: "r", mask: R, match: r(0x30, 5, OP32) },
  { name: "rori", ext: "zbb", form: "sh6", mask: SH6, match: s6(0x18, 5, IMM) },
  { name: "roriw", ext: "zbb", form: "sh5", mask: R, match: r(0x30, 5, IMM32) },
  { name: "orc.b", ext: "zbb", form: "unary", mask: UNARY, match: u(0x287, 5, IMM) },
  { name: "rev8", ext: "zbb", form: "unary", mask: UNARY, match: u(0x6b8, 5, IMM) },
  // Zbc: carry-less multiplication
  { name: "clmul", ext: "zbc", form: "r", mask: R, match: r(0x05, 1, OP) },
  { name: "clmulh", ext: "zbc", form: "r", mask: R, match: r(0x05, 3, OP) },
  { name: "clmulr", ext: "zbc", form: "r", mask: R, match: r(0x05, 2, OP) },
  // Zbs: single-bit operations
  { name: "bclr", ext: "zbs", form: "r", mask: R, match: r(0x24, 1, OP) },
  { name: "bclri", ext: "zbs", form: "sh6", mask: SH6, match: s6(0x12, 1, IMM) },
  { name: "bext", ext: "zbs", form: "r", mask: R, match: r(0x24, 5, OP) },
  { name: "bexti", ext: "zbs", form: "sh6", mask: SH6, match: s6(0x12, 5, IMM) },
  { name: "binv", ext: "zbs", form: "r", mask: R, match: r(0x34, 1, OP) },
  { name: "binvi", ext: "zbs", form: "sh6", mask: SH6, match: s6(0x1a, 1, IMM) },
  { name: "bset", ext: "zbs", form: "r", mask: R, match: r(0x14, 1, OP) },
  { name: "bseti", ext: "zbs", form: "sh6", mask: SH6, match: s6(0x0a, 1, IMM) },
  // Zbkb: bit manipulation for cryptography (rev8, rol, ror, andn, orn, xnor are Zbb's)
  { name: "pack", ext: "zbkb", form: "r", mask: R, match: r(0x04, 4, OP) },
  { name: "packh", ext: "zbkb", form: "r", mask: R, match: r(0x04, 7, OP) },
  { name: "packw", ext: "zbkb", form: "r", mask: R, match: r(0x04, 4, OP32) },
  { name: "brev8", ext: "zbkb", form: "unary", mask: UNARY, match: u(0x687, 5, IMM) },
  // Zicond: integer conditional operations
  { name: "czero.eqz", ext: "zicond", form: "r", mask: R, match: r(0x07, 5, OP) },
  { name: "czero.nez", ext: "zicond", form: "r", mask: R, match: r(0x07, 7, OP) },
];

/** The operation constant's name for an instruction ("sh1add.uw" -> OP_SH1ADD_UW). */
export const opName = (name) => "OP_" + name.toUpperCase().replace(/\./g, "_");

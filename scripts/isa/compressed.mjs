// The compressed instructions of RV64C (with D): what each expands to, from the unprivileged
// spec's "C" chapter (its instruction listings and encoding tables). One table for the core's
// decoder (scripts/gen-core-abi.mjs writes decode16 into assembly/decode.gen.ts), the
// disassembler and the fuzzer's encoder (both read CINSNS from src/core/abi.gen.ts).
//
// `match`/`mask`: 16-bit encoding. `op`: the operation the instruction expands to (assembly/
// ops.ts), null for an encoding that is illegal. `fill`: put (an integer destination; x0 is the
// sink), alu (a HINT when rd = x0: a no-op), putF (an FP destination). Register fields:
//   r  bits 11:7 (rd/rs1)   r2  bits 6:2 (rs2)   c1  bits 9:7 (x8-x15)   c2  bits 4:2 (x8-x15)
// or a fixed register number. `imm`: the immediate's bits as [instruction hi, lo, immediate hi,
// lo] segments, `signed` if its top bit is a sign. `nz`: "imm" or a field ("r") must not be zero (the
// encoding is reserved then). `asm`: the operands as objdump prints them: x:/f: a register by
// field, imm (decimal), hex (the immediate in hex), lui (imm[17:12] in hex), target (pc-relative).

const Q0 = 0, Q1 = 1, Q2 = 2;
const m = (f3, q) => ((f3 << 13) | q) >>> 0;
const F3Q = 0xe003;

const CI = [[12, 12, 5, 5], [6, 2, 4, 0]]; // imm[5], imm[4:0]
const CL_W = [[12, 10, 5, 3], [6, 6, 2, 2], [5, 5, 6, 6]];
const CL_D = [[12, 10, 5, 3], [6, 5, 7, 6]];
const CB = [[12, 12, 8, 8], [11, 10, 4, 3], [6, 5, 7, 6], [4, 3, 2, 1], [2, 2, 5, 5]];
const CJ = [[12, 12, 11, 11], [11, 11, 4, 4], [10, 9, 9, 8], [8, 8, 10, 10], [7, 7, 6, 6], [6, 6, 7, 7], [5, 3, 3, 1], [2, 2, 5, 5]];
const LWSP = [[12, 12, 5, 5], [6, 4, 4, 2], [3, 2, 7, 6]];
const LDSP = [[12, 12, 5, 5], [6, 5, 4, 3], [4, 2, 8, 6]];
const SWSP = [[12, 9, 5, 2], [8, 7, 7, 6]];
const SDSP = [[12, 10, 5, 3], [9, 7, 8, 6]];
const ADDI4SPN = [[12, 11, 5, 4], [10, 7, 9, 6], [6, 6, 2, 2], [5, 5, 3, 3]];
const ADDI16SP = [[12, 12, 9, 9], [6, 6, 4, 4], [5, 5, 6, 6], [4, 3, 8, 7], [2, 2, 5, 5]];
const LUI = [[12, 12, 17, 17], [6, 2, 16, 12]];

const row = (name, mask, match, op, fill, regs, imm, asm, extra = {}) =>
  ({ name, mask: mask >>> 0, match: match >>> 0, op, fill, ...regs, imm: imm ?? null, asm, ...extra });

export const COMPRESSED = [
  // quadrant 0
  row("c.unimp", 0xffff, 0x0000, null, "put", {}, null, ""), // all zeros: the defined illegal instruction
  row("c.addi4spn", F3Q, m(0, Q0), "ADDI", "put", { rd: "c2", rs1: 2 }, { segs: ADDI4SPN }, "x:c2,sp,imm", { nz: "imm" }),
  row("c.fld", F3Q, m(1, Q0), "FLD", "putF", { rd: "c2", rs1: "c1" }, { segs: CL_D }, "f:c2,imm(x:c1)"),
  row("c.lw", F3Q, m(2, Q0), "LW", "put", { rd: "c2", rs1: "c1" }, { segs: CL_W }, "x:c2,imm(x:c1)"),
  row("c.ld", F3Q, m(3, Q0), "LD", "put", { rd: "c2", rs1: "c1" }, { segs: CL_D }, "x:c2,imm(x:c1)"),
  row("c.fsd", F3Q, m(5, Q0), "FSD", "put", { rs1: "c1", rs2: "c2" }, { segs: CL_D }, "f:c2,imm(x:c1)"),
  row("c.sw", F3Q, m(6, Q0), "SW", "put", { rs1: "c1", rs2: "c2" }, { segs: CL_W }, "x:c2,imm(x:c1)"),
  row("c.sd", F3Q, m(7, Q0), "SD", "put", { rs1: "c1", rs2: "c2" }, { segs: CL_D }, "x:c2,imm(x:c1)"),
  // quadrant 1
  row("c.nop", 0xffff, 0x0001, "NOP", "put", {}, null, ""),
  row("c.addi", F3Q, m(0, Q1), "ADDI", "alu", { rd: "r", rs1: "r" }, { segs: CI, signed: true }, "x:r,imm"), // rd = 0: a HINT
  row("c.addiw", F3Q, m(1, Q1), "ADDIW", "put", { rd: "r", rs1: "r" }, { segs: CI, signed: true }, "x:r,imm", { nz: "r" }),
  row("c.li", F3Q, m(2, Q1), "ADDI", "alu", { rd: "r", rs1: 0 }, { segs: CI, signed: true }, "x:r,imm"),
  row("c.addi16sp", 0xef83, m(3, Q1) | (2 << 7), "ADDI", "put", { rd: 2, rs1: 2 }, { segs: ADDI16SP, signed: true }, "sp,imm", { nz: "imm" }),
  row("c.lui", F3Q, m(3, Q1), "LUI", "alu", { rd: "r" }, { segs: LUI, signed: true }, "x:r,lui", { nz: "imm" }),
  row("c.srli64", 0xfc7f, m(4, Q1), "SRLI", "put", { rd: "c1", rs1: "c1" }, null, "x:c1"), // shift by 0: a HINT
  row("c.srli", 0xec03, m(4, Q1), "SRLI", "put", { rd: "c1", rs1: "c1" }, { segs: CI }, "x:c1,hex"),
  row("c.srai64", 0xfc7f, m(4, Q1) | (1 << 10), "SRAI", "put", { rd: "c1", rs1: "c1" }, null, "x:c1"),
  row("c.srai", 0xec03, m(4, Q1) | (1 << 10), "SRAI", "put", { rd: "c1", rs1: "c1" }, { segs: CI }, "x:c1,hex"),
  row("c.andi", 0xec03, m(4, Q1) | (2 << 10), "ANDI", "put", { rd: "c1", rs1: "c1" }, { segs: CI, signed: true }, "x:c1,imm"),
  ...[["c.sub", 0, 0, "SUB"], ["c.xor", 0, 1, "XOR"], ["c.or", 0, 2, "OR"], ["c.and", 0, 3, "AND"], ["c.subw", 1, 0, "SUBW"], ["c.addw", 1, 1, "ADDW"]]
    .map(([n, w, k, op]) => row(n, 0xfc63, m(4, Q1) | (3 << 10) | (w << 12) | (k << 5), op, "put", { rd: "c1", rs1: "c1", rs2: "c2" }, null, "x:c1,x:c2")),
  row("c.j", F3Q, m(5, Q1), "JAL", "put", { rd: 0 }, { segs: CJ, signed: true }, "target"),
  row("c.beqz", F3Q, m(6, Q1), "BEQ", "put", { rs1: "c1", rs2: 0 }, { segs: CB, signed: true }, "x:c1,target"),
  row("c.bnez", F3Q, m(7, Q1), "BNE", "put", { rs1: "c1", rs2: 0 }, { segs: CB, signed: true }, "x:c1,target"),
  // quadrant 2
  row("c.slli64", 0xf07f, m(0, Q2), "SLLI", "alu", { rd: "r", rs1: "r" }, null, "x:r"),
  row("c.slli", F3Q, m(0, Q2), "SLLI", "alu", { rd: "r", rs1: "r" }, { segs: CI }, "x:r,hex"),
  row("c.fldsp", F3Q, m(1, Q2), "FLD", "putF", { rd: "r", rs1: 2 }, { segs: LDSP }, "f:r,imm(sp)"),
  row("c.lwsp", F3Q, m(2, Q2), "LW", "put", { rd: "r", rs1: 2 }, { segs: LWSP }, "x:r,imm(sp)", { nz: "r" }),
  row("c.ldsp", F3Q, m(3, Q2), "LD", "put", { rd: "r", rs1: 2 }, { segs: LDSP }, "x:r,imm(sp)", { nz: "r" }),
  row("c.jr", 0xf07f, m(4, Q2), "JALR", "put", { rd: 0, rs1: "r" }, null, "x:r", { nz: "r" }),
  row("c.mv", 0xf003, m(4, Q2), "ADD", "alu", { rd: "r", rs1: 0, rs2: "r2" }, null, "x:r,x:r2"), // rd = 0: a HINT
  row("c.ebreak", 0xffff, 0x9002, "EBREAK", "put", {}, null, ""),
  row("c.jalr", 0xf07f, m(4, Q2) | (1 << 12), "JALR", "put", { rd: 1, rs1: "r" }, null, "x:r"),
  row("c.add", 0xf003, m(4, Q2) | (1 << 12), "ADD", "alu", { rd: "r", rs1: "r", rs2: "r2" }, null, "x:r,x:r2"),
  row("c.fsdsp", F3Q, m(5, Q2), "FSD", "put", { rs1: 2, rs2: "r2" }, { segs: SDSP }, "f:r2,imm(sp)"),
  row("c.swsp", F3Q, m(6, Q2), "SW", "put", { rs1: 2, rs2: "r2" }, { segs: SWSP }, "x:r2,imm(sp)"),
  row("c.sdsp", F3Q, m(7, Q2), "SD", "put", { rs1: 2, rs2: "r2" }, { segs: SDSP }, "x:r2,imm(sp)"),
];

// The 32-bit instructions of the hart other than the bit-manipulation ones (./bitmanip.mjs):
// RV64I, M, A, F, D, Zfh, Zicsr, Zifencei, the privileged instructions, Zicbom/Zicboz, Svinval
// and Zawrs. One table for the core's decoder (scripts/gen-core-abi.mjs writes
// assembly/decode.gen.ts from it), the disassembler and the fuzzer's encoder (both read it from
// src/core/abi.gen.ts). Encodings from the unprivileged spec's instruction listings ("RV32/64G
// Instruction Set Listings", the Zfh, CMO and Zawrs chapters) and the privileged spec.
//
// `match` is the instruction with every variable field zero, `mask` the bits that must equal
// it; `op` is the core's operation (assembly/ops.ts) it decodes to. `form` names the operands,
// and with them how the decoder fills the entry and how the disassembler prints them:
//   R rd,rs1,rs2  I rd,rs1,imm  SH6/SH5 rd,rs1,shamt  U rd,imm20  J rd,target  JALR rd,imm(rs1)
//   B rs1,rs2,target  LOAD rd,imm(rs1)  STORE rs2,imm(rs1)  FENCE pred,succ  NONE (no operands)
//   SFENCE rs1,rs2  CSR rd,csr,rs1  CSRI rd,csr,uimm  AMO/SC rd,rs2,(rs1)  LR rd,(rs1)  CBO (rs1)
//   FR fd,fs1,fs2,rm  FR4 fd,fs1,fs2,fs3,rm  FR1 fd,fs1,rm  FRN fd,fs1,fs2  FX1 rd,fs1
//   FCMP rd,fs1,fs2  F2X rd,fs1,rm  X2F fd,rs1,rm  MVF fd,rs1  FLOAD fd,imm(rs1)  FSTORE fs2,imm(rs1)
// `exact` marks the conversions that never round: the assembler takes no rounding mode for them.

const LOAD = 0x03, LOAD_FP = 0x07, MISC_MEM = 0x0f, OP_IMM = 0x13, AUIPC = 0x17, OP_IMM_32 = 0x1b;
const STORE = 0x23, STORE_FP = 0x27, AMO = 0x2f, OP = 0x33, LUI = 0x37, OP_32 = 0x3b;
const MADD = 0x43, MSUB = 0x47, NMSUB = 0x4b, NMADD = 0x4f, OP_FP = 0x53;
const BRANCH = 0x63, JALR = 0x67, JAL = 0x6f, SYSTEM = 0x73;

const M_OPC = 0x7f, M_F3 = 0x707f, M_R = 0xfe00707f, M_SH6 = 0xfc00707f, M_ALL = 0xffffffff;
const M_AMO = 0xf800707f, M_LR = 0xf9f0707f, M_SFENCE = 0xfe007fff, M_CBO = 0xfff07fff;
const M_FR = 0xfe00007f, M_FR1 = 0xfff0007f, M_FX1 = 0xfff0707f, M_FR4 = 0x0600007f;

const f3 = (v, opc) => ((v << 12) | opc) >>> 0;
const r = (f7, v, opc) => ((f7 << 25) | (v << 12) | opc) >>> 0;
const sh6 = (f6, v, opc) => ((f6 << 26) | (v << 12) | opc) >>> 0;
const rs2f = (f7, rs2, v, opc) => ((f7 << 25) | (rs2 << 20) | (v << 12) | opc) >>> 0;

const row = (name, ext, form, mask, match, op, extra = {}) => ({ name, ext, form, mask: mask >>> 0, match: match >>> 0, op, ...extra });

const rv64i = [
  row("lui", "i", "U", M_OPC, LUI, "LUI"),
  row("auipc", "i", "U", M_OPC, AUIPC, "AUIPC"),
  row("jal", "i", "J", M_OPC, JAL, "JAL"),
  row("jalr", "i", "JALR", M_F3, f3(0, JALR), "JALR"),
  ...[["beq", 0], ["bne", 1], ["blt", 4], ["bge", 5], ["bltu", 6], ["bgeu", 7]]
    .map(([n, v]) => row(n, "i", "B", M_F3, f3(v, BRANCH), n.toUpperCase())),
  ...[["lb", 0], ["lh", 1], ["lw", 2], ["ld", 3], ["lbu", 4], ["lhu", 5], ["lwu", 6]]
    .map(([n, v]) => row(n, "i", "LOAD", M_F3, f3(v, LOAD), n.toUpperCase())),
  ...[["sb", 0], ["sh", 1], ["sw", 2], ["sd", 3]].map(([n, v]) => row(n, "i", "STORE", M_F3, f3(v, STORE), n.toUpperCase())),
  ...[["addi", 0], ["slti", 2], ["sltiu", 3], ["xori", 4], ["ori", 6], ["andi", 7]]
    .map(([n, v]) => row(n, "i", "I", M_F3, f3(v, OP_IMM), n.toUpperCase())),
  row("slli", "i", "SH6", M_SH6, sh6(0x00, 1, OP_IMM), "SLLI"),
  row("srli", "i", "SH6", M_SH6, sh6(0x00, 5, OP_IMM), "SRLI"),
  row("srai", "i", "SH6", M_SH6, sh6(0x10, 5, OP_IMM), "SRAI"),
  ...[["add", 0, 0], ["sub", 0x20, 0], ["sll", 0, 1], ["slt", 0, 2], ["sltu", 0, 3], ["xor", 0, 4], ["srl", 0, 5],
    ["sra", 0x20, 5], ["or", 0, 6], ["and", 0, 7]].map(([n, f7, v]) => row(n, "i", "R", M_R, r(f7, v, OP), n.toUpperCase())),
  row("addiw", "i", "I", M_F3, f3(0, OP_IMM_32), "ADDIW"),
  row("slliw", "i", "SH5", M_R, r(0x00, 1, OP_IMM_32), "SLLIW"),
  row("srliw", "i", "SH5", M_R, r(0x00, 5, OP_IMM_32), "SRLIW"),
  row("sraiw", "i", "SH5", M_R, r(0x20, 5, OP_IMM_32), "SRAIW"),
  ...[["addw", 0, 0], ["subw", 0x20, 0], ["sllw", 0, 1], ["srlw", 0, 5], ["sraw", 0x20, 5]]
    .map(([n, f7, v]) => row(n, "i", "R", M_R, r(f7, v, OP_32), n.toUpperCase())),
  // FENCE's unused fields (fm other than TSO, rs1, rd) are ignored: the base ISA reserves them
  // for future use and requires them to execute as a FENCE
  row("fence", "i", "FENCE", M_F3, f3(0, MISC_MEM), "FENCE"),
  row("ecall", "i", "NONE", M_ALL, 0x00000073, "ECALL"),
  row("ebreak", "i", "NONE", M_ALL, 0x00100073, "EBREAK"),
];

const zifencei = [row("fence.i", "zifencei", "NONE", M_F3, f3(1, MISC_MEM), "FENCE")];

const zicsr = [["csrrw", 1], ["csrrs", 2], ["csrrc", 3], ["csrrwi", 5], ["csrrsi", 6], ["csrrci", 7]]
  .map(([n, v]) => row(n, "zicsr", v >= 5 ? "CSRI" : "CSR", M_F3, f3(v, SYSTEM), n.toUpperCase()));

const priv = [
  row("sret", "s", "NONE", M_ALL, 0x10200073, "SRET"),
  row("mret", "m", "NONE", M_ALL, 0x30200073, "MRET"),
  row("wfi", "m", "NONE", M_ALL, 0x10500073, "WFI"),
  row("sfence.vma", "s", "SFENCE", M_SFENCE, r(0x09, 0, SYSTEM), "SFENCE_VMA"),
  // Svinval: SINVAL.VMA is SFENCE.VMA here (invalidation is never deferred); the two fences order it
  row("sinval.vma", "svinval", "SFENCE", M_SFENCE, r(0x0b, 0, SYSTEM), "SFENCE_VMA"),
  row("sfence.w.inval", "svinval", "NONE", M_ALL, 0x18000073, "SFENCE_INVAL"),
  row("sfence.inval.ir", "svinval", "NONE", M_ALL, 0x18100073, "SFENCE_INVAL"),
  // Zawrs: the waits may complete at once (a hint), which they do
  row("wrs.nto", "zawrs", "NONE", M_ALL, 0x00d00073, "NOP"),
  row("wrs.sto", "zawrs", "NONE", M_ALL, 0x01d00073, "NOP"),
];

const rv64m = [
  ...["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"].map((n, v) => row(n, "m", "R", M_R, r(1, v, OP), n.toUpperCase())),
  ...[["mulw", 0], ["divw", 4], ["divuw", 5], ["remw", 6], ["remuw", 7]].map(([n, v]) => row(n, "m", "R", M_R, r(1, v, OP_32), n.toUpperCase())),
];

const AMO_F5 = [["amoadd", 0x00], ["amoswap", 0x01], ["amoxor", 0x04], ["amoor", 0x08], ["amoand", 0x0c],
  ["amomin", 0x10], ["amomax", 0x14], ["amominu", 0x18], ["amomaxu", 0x1c]];
const rv64a = [2, 3].flatMap((w) => {
  const s = w === 2 ? "w" : "d", op = w === 2 ? "W" : "D";
  return [
    row(`lr.${s}`, "a", "LR", M_LR, ((0x02 << 27) | (w << 12) | AMO) >>> 0, `LR_${op}`),
    row(`sc.${s}`, "a", "SC", M_AMO, ((0x03 << 27) | (w << 12) | AMO) >>> 0, `SC_${op}`),
    ...AMO_F5.map(([n, f5]) => row(`${n}.${s}`, "a", "AMO", M_AMO, ((f5 << 27) | (w << 12) | AMO) >>> 0, `AMO_${op}`)),
  ];
});

/** The F, D and Zfh instructions of format `fmt` (0 S, 1 D, 2 H): the same list in each. */
function fp(fmt) {
  const t = "sdh"[fmt], T = "SDH"[fmt], ext = ["f", "d", "zfh"][fmt];
  const rows = [];
  const add = (name, form, mask, match, op, extra) => rows.push(row(name, ext, form, mask, match, op, extra));
  [["fmadd", MADD], ["fmsub", MSUB], ["fnmsub", NMSUB], ["fnmadd", NMADD]]
    .forEach(([n, opc]) => add(`${n}.${t}`, "FR4", M_FR4, (fmt << 25) | opc, `${n.toUpperCase()}_${T}`));
  [["fadd", 0x00], ["fsub", 0x01], ["fmul", 0x02], ["fdiv", 0x03]]
    .forEach(([n, f5]) => add(`${n}.${t}`, "FR", M_FR, ((f5 << 2 | fmt) << 25) | OP_FP, `${n.toUpperCase()}_${T}`));
  add(`fsqrt.${t}`, "FR1", M_FR1, rs2f(0x0b << 2 | fmt, 0, 0, OP_FP), `FSQRT_${T}`);
  ["fsgnj", "fsgnjn", "fsgnjx"].forEach((n, v) => add(`${n}.${t}`, "FRN", M_R, r(0x04 << 2 | fmt, v, OP_FP), `${n.toUpperCase()}_${T}`));
  ["fmin", "fmax"].forEach((n, v) => add(`${n}.${t}`, "FRN", M_R, r(0x05 << 2 | fmt, v, OP_FP), `${n.toUpperCase()}_${T}`));
  ["w", "wu", "l", "lu"].forEach((k, v) => add(`fcvt.${k}.${t}`, "F2X", M_FR1, rs2f(0x18 << 2 | fmt, v, 0, OP_FP), `FCVT_${k.toUpperCase()}_${T}`));
  add(`fmv.x.${fmt === 0 ? "w" : t}`, "FX1", M_FX1, rs2f(0x1c << 2 | fmt, 0, 0, OP_FP), fmt === 0 ? "FMV_X_W" : `FMV_X_${T}`);
  [["feq", 2], ["flt", 1], ["fle", 0]].forEach(([n, v]) => add(`${n}.${t}`, "FCMP", M_R, r(0x14 << 2 | fmt, v, OP_FP), `${n.toUpperCase()}_${T}`));
  add(`fclass.${t}`, "FX1", M_FX1, rs2f(0x1c << 2 | fmt, 0, 1, OP_FP), `FCLASS_${T}`);
  // int -> binary64 is exact for the 32-bit integers
  ["w", "wu", "l", "lu"].forEach((k, v) => add(`fcvt.${t}.${k}`, "X2F", M_FR1, rs2f(0x1a << 2 | fmt, v, 0, OP_FP), `FCVT_${T}_${k.toUpperCase()}`,
    fmt === 1 && v < 2 ? { exact: true } : {}));
  add(`fmv.${fmt === 0 ? "w" : t}.x`, "MVF", M_FX1, rs2f(0x1e << 2 | fmt, 0, 0, OP_FP), fmt === 0 ? "FMV_W_X" : `FMV_${T}_X`);
  const width = [2, 3, 1][fmt];
  add(`fl${"wdh"[fmt]}`, "FLOAD", M_F3, f3(width, LOAD_FP), `FL${"WDH"[fmt]}`);
  add(`fs${"wdh"[fmt]}`, "FSTORE", M_F3, f3(width, STORE_FP), `FS${"WDH"[fmt]}`);
  return rows;
}

// Conversions between the formats: fmt (bits 26:25) is the destination's, rs2 the source's.
const cvt = (to, from, extra = {}) => row(`fcvt.${"sdh"[to]}.${"sdh"[from]}`, to === 2 || from === 2 ? "zfh" : "d", "FR1", M_FR1,
  rs2f(0x08 << 2 | to, from, 0, OP_FP), `FCVT_${"SDH"[to]}_${"SDH"[from]}`, extra);
const conversions = [cvt(0, 1), cvt(1, 0, { exact: true }), cvt(0, 2, { exact: true }), cvt(2, 0), cvt(1, 2, { exact: true }), cvt(2, 1)];

// Zicbom/Zicboz (rd = 0; imm[11:0] names the operation). Zicbop's prefetches are ORI hints.
const cmo = [["cbo.inval", 0, "zicbom"], ["cbo.clean", 1, "zicbom"], ["cbo.flush", 2, "zicbom"], ["cbo.zero", 4, "zicboz"]]
  .map(([n, v, ext]) => row(n, ext, "CBO", M_CBO, ((v << 20) | (2 << 12) | MISC_MEM) >>> 0, "CBO"));

export const BASE = [...rv64i, ...zifencei, ...zicsr, ...priv, ...rv64m, ...rv64a, ...fp(0), ...fp(1), ...fp(2), ...conversions, ...cmo];

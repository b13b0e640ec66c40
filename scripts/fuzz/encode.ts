// RV64GC instruction encoders (unprivileged spec chapters 2, 5, 7, 8, 11-13, 16 and 24; the
// privileged spec for the SYSTEM instructions). Each function returns the instruction word;
// 32-bit forms as an unsigned 32-bit number, compressed forms as a 16-bit number. Immediates
// are checked: an out-of-range value is a generator bug, so it throws.

import { INSNS } from "../../src/core/abi.gen.js";

export type Reg = number;

function check(cond: boolean, what: string): void {
  if (!cond) throw new RangeError(`encode: ${what}`);
}
function reg(r: Reg): number {
  check(Number.isInteger(r) && r >= 0 && r < 32, `register ${r}`);
  return r;
}
function simm(v: number, bits: number, what: string): number {
  check(Number.isInteger(v) && v >= -(2 ** (bits - 1)) && v < 2 ** (bits - 1), `${what} ${v} not in ${bits}-bit signed range`);
  return v;
}
function uimm(v: number, bits: number, what: string): number {
  check(Number.isInteger(v) && v >= 0 && v < 2 ** bits, `${what} ${v} not in ${bits}-bit unsigned range`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Base formats

export function rType(opcode: number, f3: number, f7: number, rd: Reg, rs1: Reg, rs2: Reg): number {
  return ((f7 << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | opcode) >>> 0;
}
export function r4Type(opcode: number, f3: number, f2: number, rd: Reg, rs1: Reg, rs2: Reg, rs3: Reg): number {
  return ((reg(rs3) << 27) | (f2 << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | opcode) >>> 0;
}
export function iType(opcode: number, f3: number, rd: Reg, rs1: Reg, imm: number): number {
  simm(imm, 12, "I-immediate");
  return (((imm & 0xfff) << 20) | (reg(rs1) << 15) | (f3 << 12) | (reg(rd) << 7) | opcode) >>> 0;
}
export function sType(opcode: number, f3: number, rs1: Reg, rs2: Reg, imm: number): number {
  simm(imm, 12, "S-immediate");
  return ((((imm >> 5) & 0x7f) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) | (f3 << 12) |
    ((imm & 31) << 7) | opcode) >>> 0;
}
export function bType(f3: number, rs1: Reg, rs2: Reg, off: number): number {
  simm(off, 13, "branch offset");
  check((off & 1) === 0, "odd branch offset");
  return ((((off >> 12) & 1) << 31) | (((off >> 5) & 0x3f) << 25) | (reg(rs2) << 20) | (reg(rs1) << 15) |
    (f3 << 12) | (((off >> 1) & 0xf) << 8) | (((off >> 11) & 1) << 7) | 0x63) >>> 0;
}
export function uType(opcode: number, rd: Reg, imm20: number): number {
  uimm(imm20, 20, "U-immediate");
  return ((imm20 << 12) | (reg(rd) << 7) | opcode) >>> 0;
}
export function jType(rd: Reg, off: number): number {
  simm(off, 21, "jump offset");
  check((off & 1) === 0, "odd jump offset");
  return ((((off >> 20) & 1) << 31) | (((off >> 1) & 0x3ff) << 21) | (((off >> 11) & 1) << 20) |
    (((off >> 12) & 0xff) << 12) | (reg(rd) << 7) | 0x6f) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// The 32-bit instructions, from the table the core's decoder is generated from (scripts/isa/,
// src/core/abi.gen.ts INSNS): the row's fixed bits, its operands placed by its form.

type Row = (typeof INSNS)[number];
export type InsnName = Row["name"];
type NameOf<F extends string> = Extract<Row, { form: F }>["name"];
const ROWS = new Map<string, Row>(INSNS.map((r) => [r.name, r]));

export interface Fields {
  rd?: Reg; rs1?: Reg; rs2?: Reg; rs3?: Reg;
  /** immediate, shift amount, branch/jump offset, 20-bit upper immediate, or CSR number */
  imm?: number;
  /** rounding mode (FP), CSR source (register or 5-bit immediate) goes in rs1 */
  rm?: number;
  aq?: boolean; rl?: boolean;
  pred?: number; succ?: number; fm?: number;
}

/** Encodes instruction `name` of the table with its operands. */
export function insn(name: InsnName, o: Fields = {}): number {
  const row = ROWS.get(name);
  if (!row) throw new RangeError(`encode: no instruction ${name}`);
  const { rd = 0, rs1 = 0, rs2 = 0, rs3 = 0, imm = 0, rm = 0 } = o;
  let v: number; // the operand bits, placed by the form
  switch (row.form) {
    case "R": case "FRN": case "FCMP": case "SC": v = rType(0, 0, 0, rd, rs1, rs2); break;
    case "R1": case "FX1": case "MVF": case "LR": case "FR1": case "F2X": case "X2F": v = rType(0, 0, 0, rd, rs1, 0); break;
    case "I": case "JALR": case "LOAD": case "FLOAD": v = iType(0, 0, rd, rs1, imm); break;
    case "SH6": v = iType(0, 0, rd, rs1, 0) | (uimm(imm, 6, "shift amount") << 20); break;
    case "SH5": v = iType(0, 0, rd, rs1, 0) | (uimm(imm, 5, "shift amount") << 20); break;
    case "U": v = uType(0, rd, imm); break;
    case "J": v = jType(rd, imm) & ~0x7f; break;
    case "B": v = bType(0, rs1, rs2, imm) & ~0x7f; break;
    case "STORE": case "FSTORE": v = sType(0, 0, rs1, rs2, imm); break;
    case "FENCE": v = ((uimm(o.fm ?? 0, 4, "fm") << 28) | (uimm(o.pred ?? 0xf, 4, "pred") << 24) | (uimm(o.succ ?? 0xf, 4, "succ") << 20)) >>> 0; break;
    case "NONE": v = 0; break;
    case "SFENCE": v = rType(0, 0, 0, 0, rs1, rs2); break;
    case "CSR": case "CSRI": v = ((uimm(imm, 12, "CSR number") << 20) | (uimm(rs1, 5, "CSR source") << 15) | (reg(rd) << 7)) >>> 0; break;
    case "AMO": v = rType(0, 0, 0, rd, rs1, rs2); break;
    case "CBO": v = rType(0, 0, 0, 0, rs1, 0); break;
    case "FR": v = rType(0, 0, 0, rd, rs1, rs2); break;
    case "FR4": v = r4Type(0, 0, 0, rd, rs1, rs2, rs3); break;
    default: throw new RangeError(`encode: form ${(row as Row).form}`);
  }
  if (row.form === "AMO" || row.form === "SC" || row.form === "LR") v |= ((o.aq ? 2 : 0) | (o.rl ? 1 : 0)) << 25;
  if (["FR", "FR4", "FR1", "F2X", "X2F"].includes(row.form)) v |= uimm(rm, 3, "rm") << 12;
  // operand fields never overlap the row's fixed bits (rs2 = 0 of unary rows is among them)
  check(((v & row.mask) >>> 0) === 0, `${name}: operands overlap its fixed bits`);
  return (row.match | v) >>> 0;
}

/** The names of the rows of `form` (optionally of one extension), with their funct3. */
function funct3s<F extends string>(form: F, ext?: string): Record<NameOf<F>, number> {
  return Object.fromEntries(INSNS.filter((r) => r.form === form && (!ext || r.ext === ext)).map((r) => [r.name, (r.match >> 12) & 7])) as Record<NameOf<F>, number>;
}

// ---- RV64I

export const lui = (rd: Reg, imm20: number) => insn("lui", { rd, imm: imm20 });
export const auipc = (rd: Reg, imm20: number) => insn("auipc", { rd, imm: imm20 });
export const jal = (rd: Reg, off: number) => insn("jal", { rd, imm: off });
export const jalr = (rd: Reg, rs1: Reg, imm: number) => insn("jalr", { rd, rs1, imm });

export const BRANCH_F3 = funct3s("B");
export type BranchOp = keyof typeof BRANCH_F3;
export const branch = (op: BranchOp, rs1: Reg, rs2: Reg, off: number) => insn(op, { rs1, rs2, imm: off });

export const LOAD_F3 = funct3s("LOAD");
export type LoadOp = keyof typeof LOAD_F3;
export const load = (op: LoadOp, rd: Reg, rs1: Reg, imm: number) => insn(op, { rd, rs1, imm });

export const STORE_F3 = funct3s("STORE");
export type StoreOp = keyof typeof STORE_F3;
export const store = (op: StoreOp, rs2: Reg, rs1: Reg, imm: number) => insn(op, { rs1, rs2, imm });

/** OP-IMM (0x13) operations with a 12-bit immediate. */
export const OP_IMM = ["addi", "slti", "sltiu", "xori", "ori", "andi"] as const satisfies readonly NameOf<"I">[];
export type OpImmOp = (typeof OP_IMM)[number];
export const opImm = (op: OpImmOp, rd: Reg, rs1: Reg, imm: number) => insn(op, { rd, rs1, imm });
export const addi = (rd: Reg, rs1: Reg, imm: number) => opImm("addi", rd, rs1, imm);

export type ShiftOp = "slli" | "srli" | "srai";
export const shiftImm = (op: ShiftOp, rd: Reg, rs1: Reg, sh: number) => insn(op, { rd, rs1, imm: sh });
export const slli = (rd: Reg, rs1: Reg, sh: number) => shiftImm("slli", rd, rs1, sh);

export type ShiftWOp = "slliw" | "srliw" | "sraiw";
export const shiftImmW = (op: ShiftWOp, rd: Reg, rs1: Reg, sh: number) => insn(op, { rd, rs1, imm: sh });
export const addiw = (rd: Reg, rs1: Reg, imm: number) => insn("addiw", { rd, rs1, imm });

/** OP (0x33) register-register operations of I and M. */
export const OP_RR = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
  "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"] as const satisfies readonly NameOf<"R">[];
export type RROp = (typeof OP_RR)[number];
export const rr = (op: RROp, rd: Reg, rs1: Reg, rs2: Reg) => insn(op, { rd, rs1, rs2 });

/** OP-32 (0x3b) word operations of I and M. */
export const OP_RRW = ["addw", "subw", "sllw", "srlw", "sraw", "mulw", "divw", "divuw", "remw", "remuw"] as const satisfies readonly NameOf<"R">[];
export type RRWOp = (typeof OP_RRW)[number];
export const rrw = (op: RRWOp, rd: Reg, rs1: Reg, rs2: Reg) => insn(op, { rd, rs1, rs2 });

/** FENCE with predecessor/successor sets (4 bits each: I O R W) and fm. */
export const fence = (pred = 0xf, succ = 0xf, fm = 0) => insn("fence", { pred, succ, fm });
export const FENCE_I = insn("fence.i");
export const ECALL = insn("ecall");
export const EBREAK = insn("ebreak");
export const MRET = insn("mret");
export const SRET = insn("sret");
export const WFI = insn("wfi");
export const sfenceVma = (rs1: Reg, rs2: Reg) => insn("sfence.vma", { rs1, rs2 });

// ---- Zicsr

export type CsrOp = NameOf<"CSR"> | NameOf<"CSRI">;
/** For the immediate forms, `src` is the 5-bit immediate. */
export const csr = (op: CsrOp, rd: Reg, num: number, src: number) => insn(op, { rd, imm: num, rs1: src });
export const csrr = (rd: Reg, num: number) => csr("csrrs", rd, num, 0);
export const csrw = (num: number, rs: Reg) => csr("csrrw", 0, num, rs);
export const csrs = (num: number, rs: Reg) => csr("csrrs", 0, num, rs);
export const csrc = (num: number, rs: Reg) => csr("csrrc", 0, num, rs);

// ---- A

export type AmoOp = "lr" | "sc" | "amoswap" | "amoadd" | "amoxor" | "amoand" | "amoor" | "amomin" | "amomax" | "amominu" | "amomaxu";
export const amo = (op: AmoOp, d: boolean, rd: Reg, rs1: Reg, rs2: Reg, aq = false, rl = false) =>
  insn(`${op}.${d ? "d" : "w"}` as InsnName, { rd, rs1, rs2: op === "lr" ? 0 : rs2, aq, rl });

// ---- F, D and Zfh

/** fmt field: 0 single, 1 double, 2 half (Zfh). */
export type Fmt = 0 | 1 | 2;
const T = ["s", "d", "h"] as const;
const fpName = (base: string, fmt: Fmt) => `${base}.${T[fmt]}` as InsnName;

export const flw = (rd: Reg, rs1: Reg, imm: number) => insn("flw", { rd, rs1, imm });
export const fld = (rd: Reg, rs1: Reg, imm: number) => insn("fld", { rd, rs1, imm });
export const flh = (rd: Reg, rs1: Reg, imm: number) => insn("flh", { rd, rs1, imm });
export const fsw = (rs2: Reg, rs1: Reg, imm: number) => insn("fsw", { rs1, rs2, imm });
export const fsd = (rs2: Reg, rs1: Reg, imm: number) => insn("fsd", { rs1, rs2, imm });
export const fsh = (rs2: Reg, rs1: Reg, imm: number) => insn("fsh", { rs1, rs2, imm });

export type FmaOp = "fmadd" | "fmsub" | "fnmsub" | "fnmadd";
export const fma = (op: FmaOp, fmt: Fmt, rd: Reg, rs1: Reg, rs2: Reg, rs3: Reg, rm: number) => insn(fpName(op, fmt), { rd, rs1, rs2, rs3, rm });

export const FP_ARITH = ["fadd", "fsub", "fmul", "fdiv"] as const;
export type FpArithOp = (typeof FP_ARITH)[number];
export const fpArith = (op: FpArithOp, fmt: Fmt, rd: Reg, rs1: Reg, rs2: Reg, rm: number) => insn(fpName(op, fmt), { rd, rs1, rs2, rm });
export const fsqrt = (fmt: Fmt, rd: Reg, rs1: Reg, rm: number) => insn(fpName("fsqrt", fmt), { rd, rs1, rm });
/** fsgnj (0), fsgnjn (1), fsgnjx (2). */
export const fsgnj = (kind: 0 | 1 | 2, fmt: Fmt, rd: Reg, rs1: Reg, rs2: Reg) => insn(fpName(["fsgnj", "fsgnjn", "fsgnjx"][kind], fmt), { rd, rs1, rs2 });
/** fmin (0), fmax (1). */
export const fminmax = (max: boolean, fmt: Fmt, rd: Reg, rs1: Reg, rs2: Reg) => insn(fpName(max ? "fmax" : "fmin", fmt), { rd, rs1, rs2 });
/** fle (0), flt (1), feq (2); rd is an integer register. */
export const fcmp = (kind: 0 | 1 | 2, fmt: Fmt, rd: Reg, rs1: Reg, rs2: Reg) => insn(fpName(["fle", "flt", "feq"][kind], fmt), { rd, rs1, rs2 });
const INT = ["w", "wu", "l", "lu"] as const;
/** fcvt.{w,wu,l,lu}.fmt: int kind 0 w, 1 wu, 2 l, 3 lu; rd is an integer register. */
export const fcvtToInt = (ik: 0 | 1 | 2 | 3, fmt: Fmt, rd: Reg, rs1: Reg, rm: number) => insn(`fcvt.${INT[ik]}.${T[fmt]}` as InsnName, { rd, rs1, rm });
/** fcvt.fmt.{w,wu,l,lu}: rs1 is an integer register. */
export const fcvtFromInt = (ik: 0 | 1 | 2 | 3, fmt: Fmt, rd: Reg, rs1: Reg, rm: number) => insn(`fcvt.${T[fmt]}.${INT[ik]}` as InsnName, { rd, rs1, rm });
/** fcvt.<to>.<from> between the formats (fcvt.s.d, fcvt.d.s, fcvt.h.s, ...). */
export const fcvtFF = (to: Fmt, from: Fmt, rd: Reg, rs1: Reg, rm: number) => insn(`fcvt.${T[to]}.${T[from]}` as InsnName, { rd, rs1, rm });
/** fmv.x.w / fmv.x.d / fmv.x.h, and fclass. */
export const fmvToInt = (fmt: Fmt, rd: Reg, rs1: Reg) => insn(`fmv.x.${fmt === 0 ? "w" : T[fmt]}` as InsnName, { rd, rs1 });
export const fclass = (fmt: Fmt, rd: Reg, rs1: Reg) => insn(fpName("fclass", fmt), { rd, rs1 });
/** fmv.w.x / fmv.d.x / fmv.h.x. */
export const fmvFromInt = (fmt: Fmt, rd: Reg, rs1: Reg) => insn(`fmv.${fmt === 0 ? "w" : T[fmt]}.x` as InsnName, { rd, rs1 });

// ---------------------------------------------------------------------------------------------
// C (chapter 16). `cr` registers are x8..x15.

function creg(r: Reg): number {
  check(r >= 8 && r <= 15, `compressed register x${r}`);
  return r - 8;
}
export const isCReg = (r: Reg) => r >= 8 && r <= 15;

export function cAddi4spn(rd: Reg, imm: number): number {
  check(imm > 0 && imm < 1024 && (imm & 3) === 0, `c.addi4spn imm ${imm}`);
  const f = (((imm >> 4) & 3) << 11) | (((imm >> 6) & 0xf) << 7) | (((imm >> 2) & 1) << 6) | (((imm >> 3) & 1) << 5);
  return f | (creg(rd) << 2) | 0x0;
}
function clsImm(size: 4 | 8, imm: number): number {
  if (size === 4) {
    check(imm >= 0 && imm < 128 && (imm & 3) === 0, `c.lw/sw offset ${imm}`);
    return (((imm >> 3) & 7) << 10) | (((imm >> 2) & 1) << 6) | (((imm >> 6) & 1) << 5);
  }
  check(imm >= 0 && imm < 256 && (imm & 7) === 0, `c.ld/sd offset ${imm}`);
  return (((imm >> 3) & 7) << 10) | (((imm >> 6) & 3) << 5);
}
export const cLw = (rd: Reg, rs1: Reg, imm: number) => (2 << 13) | clsImm(4, imm) | (creg(rs1) << 7) | (creg(rd) << 2);
export const cLd = (rd: Reg, rs1: Reg, imm: number) => (3 << 13) | clsImm(8, imm) | (creg(rs1) << 7) | (creg(rd) << 2);
export const cFld = (rd: Reg, rs1: Reg, imm: number) => (1 << 13) | clsImm(8, imm) | (creg(rs1) << 7) | (creg(rd) << 2);
export const cSw = (rs2: Reg, rs1: Reg, imm: number) => (6 << 13) | clsImm(4, imm) | (creg(rs1) << 7) | (creg(rs2) << 2);
export const cSd = (rs2: Reg, rs1: Reg, imm: number) => (7 << 13) | clsImm(8, imm) | (creg(rs1) << 7) | (creg(rs2) << 2);
export const cFsd = (rs2: Reg, rs1: Reg, imm: number) => (5 << 13) | clsImm(8, imm) | (creg(rs1) << 7) | (creg(rs2) << 2);

function ci(f3: number, op: number, rd: Reg, imm6: number): number {
  return (f3 << 13) | (((imm6 >> 5) & 1) << 12) | (reg(rd) << 7) | ((imm6 & 31) << 2) | op;
}
export const cNop = () => 0x0001;
/** c.addi (rd may be 0 only with imm 0 = c.nop; rd != 0 with imm 0 is a HINT). */
export const cAddi = (rd: Reg, imm: number) => ci(0, 1, rd, simm(imm, 6, "c.addi imm") & 63);
export function cAddiw(rd: Reg, imm: number): number {
  check(rd !== 0, "c.addiw rd = x0");
  return ci(1, 1, rd, simm(imm, 6, "c.addiw imm") & 63);
}
export const cLi = (rd: Reg, imm: number) => ci(2, 1, rd, simm(imm, 6, "c.li imm") & 63);
export function cLui(rd: Reg, imm6: number): number {
  check(rd !== 0 && rd !== 2 && imm6 !== 0, "c.lui operands");
  return ci(3, 1, rd, simm(imm6, 6, "c.lui imm") & 63);
}
export function cAddi16sp(imm: number): number {
  check(imm !== 0 && imm >= -512 && imm < 512 && (imm & 15) === 0, `c.addi16sp imm ${imm}`);
  return (3 << 13) | (((imm >> 9) & 1) << 12) | (2 << 7) | (((imm >> 4) & 1) << 6) | (((imm >> 6) & 1) << 5) |
    (((imm >> 7) & 3) << 3) | (((imm >> 5) & 1) << 2) | 1;
}
export function cShift(op: "c.srli" | "c.srai", rd: Reg, sh: number): number {
  uimm(sh, 6, "shift");
  return (4 << 13) | (((sh >> 5) & 1) << 12) | ((op === "c.srli" ? 0 : 1) << 10) | (creg(rd) << 7) | ((sh & 31) << 2) | 1;
}
export const cAndi = (rd: Reg, imm: number) =>
  (4 << 13) | (((imm >> 5) & 1) << 12) | (2 << 10) | (creg(rd) << 7) | ((simm(imm, 6, "c.andi imm") & 31) << 2) | 1;
export const C_ARITH = { "c.sub": [0, 0], "c.xor": [0, 1], "c.or": [0, 2], "c.and": [0, 3], "c.subw": [1, 0], "c.addw": [1, 1] } as const;
export type CArithOp = keyof typeof C_ARITH;
export const cArith = (op: CArithOp, rd: Reg, rs2: Reg) =>
  (4 << 13) | (C_ARITH[op][0] << 12) | (3 << 10) | (creg(rd) << 7) | (C_ARITH[op][1] << 5) | (creg(rs2) << 2) | 1;
export function cJ(off: number): number {
  simm(off, 12, "c.j offset");
  check((off & 1) === 0, "odd c.j offset");
  const b = (n: number) => (off >> n) & 1;
  return (5 << 13) | (b(11) << 12) | (b(4) << 11) | (((off >> 8) & 3) << 9) | (b(10) << 8) | (b(6) << 7) |
    (b(7) << 6) | (((off >> 1) & 7) << 3) | (b(5) << 2) | 1;
}
export function cBranch(op: "c.beqz" | "c.bnez", rs1: Reg, off: number): number {
  simm(off, 9, "c.b offset");
  check((off & 1) === 0, "odd c.b offset");
  const b = (n: number) => (off >> n) & 1;
  return ((op === "c.beqz" ? 6 : 7) << 13) | (b(8) << 12) | (((off >> 3) & 3) << 10) | (creg(rs1) << 7) |
    (((off >> 6) & 3) << 5) | (((off >> 1) & 3) << 3) | (b(5) << 2) | 1;
}
export const cSlli = (rd: Reg, sh: number) => ci(0, 2, rd, uimm(sh, 6, "shift"));
export function cLwsp(rd: Reg, imm: number): number {
  check(rd !== 0 && imm >= 0 && imm < 256 && (imm & 3) === 0, `c.lwsp ${rd} ${imm}`);
  return (2 << 13) | (((imm >> 5) & 1) << 12) | (rd << 7) | (((imm >> 2) & 7) << 4) | (((imm >> 6) & 3) << 2) | 2;
}
function ldspImm(imm: number): number {
  check(imm >= 0 && imm < 512 && (imm & 7) === 0, `c.ldsp offset ${imm}`);
  return (((imm >> 5) & 1) << 12) | (((imm >> 3) & 3) << 5) | (((imm >> 6) & 7) << 2);
}
export function cLdsp(rd: Reg, imm: number): number {
  check(rd !== 0, "c.ldsp rd = x0");
  return (3 << 13) | ldspImm(imm) | (rd << 7) | 2;
}
export const cFldsp = (rd: Reg, imm: number) => (1 << 13) | ldspImm(imm) | (reg(rd) << 7) | 2;
export function cJr(rs1: Reg): number { check(rs1 !== 0, "c.jr x0"); return (4 << 13) | (rs1 << 7) | 2; }
export function cMv(rd: Reg, rs2: Reg): number { check(rs2 !== 0, "c.mv rs2 = x0"); return (4 << 13) | (reg(rd) << 7) | (rs2 << 2) | 2; }
export const C_EBREAK = 0x9002;
export function cJalr(rs1: Reg): number { check(rs1 !== 0, "c.jalr x0"); return (4 << 13) | (1 << 12) | (rs1 << 7) | 2; }
export function cAdd(rd: Reg, rs2: Reg): number { check(rs2 !== 0, "c.add rs2 = x0"); return (4 << 13) | (1 << 12) | (reg(rd) << 7) | (rs2 << 2) | 2; }
export function cSwsp(rs2: Reg, imm: number): number {
  check(imm >= 0 && imm < 256 && (imm & 3) === 0, `c.swsp offset ${imm}`);
  return (6 << 13) | (((imm >> 2) & 0xf) << 9) | (((imm >> 6) & 3) << 7) | (reg(rs2) << 2) | 2;
}
function sdspImm(imm: number): number {
  check(imm >= 0 && imm < 512 && (imm & 7) === 0, `c.sdsp offset ${imm}`);
  return (((imm >> 3) & 7) << 10) | (((imm >> 6) & 7) << 7);
}
export const cSdsp = (rs2: Reg, imm: number) => (7 << 13) | sdspImm(imm) | (reg(rs2) << 2) | 2;
export const cFsdsp = (rs2: Reg, imm: number) => (5 << 13) | sdspImm(imm) | (reg(rs2) << 2) | 2;

// ---------------------------------------------------------------------------------------------
// Constants

/** Instructions that load the 64-bit constant `v` into rd (at most 8, usually fewer). */
export function liSeq(rd: Reg, v: bigint): number[] {
  v = BigInt.asIntN(64, v);
  if (v >= -(1n << 31n) && v < (1n << 31n)) {
    const n = Number(v);
    const lo = ((n << 20) >> 20);
    const hi = ((n - lo) >>> 12) & 0xfffff;
    if (hi === 0) return [addi(rd, 0, lo)];
    const out = [lui(rd, hi)];
    if (lo !== 0) out.push(addiw(rd, rd, lo));
    return out;
  }
  // Peel off the low 12 bits (sign-adjusted), build the rest, shift it into place.
  const lo = Number(BigInt.asIntN(12, v));
  let rest = (v - BigInt(lo)) >> 12n;
  let shift = 12;
  while ((rest & 1n) === 0n && shift < 63) { rest >>= 1n; shift++; }
  const out = liSeq(rd, rest);
  out.push(slli(rd, rd, shift));
  if (lo !== 0) out.push(addi(rd, rd, lo));
  return out;
}

/**
 * Exactly 8 instructions that load any 64-bit constant: lui, addiw, then three rounds of
 * slli + addi (11, 11 and 10 bits). Used where the value is only known after layout.
 */
export function liFixed(rd: Reg, v: bigint): number[] {
  v = BigInt.asIntN(64, v);
  const shifts = [10, 11, 11];
  const lows: number[] = [];
  let rest = v;
  for (const s of shifts) {
    const lo = Number(BigInt.asIntN(s, rest));
    lows.push(lo);
    rest = (rest - BigInt(lo)) >> BigInt(s);
  }
  const top = Number(BigInt.asIntN(32, rest));
  if (BigInt(top) !== rest) throw new Error("liFixed: internal range error");
  const lo12 = (top << 20) >> 20;
  const hi = ((top - lo12) >>> 12) & 0xfffff;
  const out = [lui(rd, hi), addiw(rd, rd, lo12)];
  for (let i = shifts.length - 1; i >= 0; i--) {
    out.push(slli(rd, rd, shifts[i]));
    out.push(addi(rd, rd, lows[i]));
  }
  return out;
}

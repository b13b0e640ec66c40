// RV64GC instruction encoders (unprivileged spec chapters 2, 5, 7, 8, 11-13, 16 and 24; the
// privileged spec for the SYSTEM instructions). Each function returns the instruction word;
// 32-bit forms as an unsigned 32-bit number, compressed forms as a 16-bit number. Immediates
// are checked: an out-of-range value is a generator bug, so it throws.

import { CINSNS, INSNS } from "../../src/core/abi.gen.js";
import { cImmediate, findCInsn } from "../../src/core/disasm.js";

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
// C (chapter 16), from the compressed table (scripts/isa/compressed.mjs, CINSNS). `cr`
// registers are x8..x15.

type CRow = (typeof CINSNS)[number];
const CROWS = new Map<string, CRow>(CINSNS.map((r) => [r.name, r]));
// Rows that take the encodings of another one's special operand values (shift by 0, c.nop).
const C_SPECIAL: Record<string, string[]> = { "c.addi": ["c.nop"], "c.slli": ["c.slli64"], "c.srli": ["c.srli64"], "c.srai": ["c.srai64"] };

function creg(r: Reg): number {
  check(r >= 8 && r <= 15, `compressed register x${r}`);
  return r - 8;
}
export const isCReg = (r: Reg) => r >= 8 && r <= 15;

/** Encodes compressed instruction `name` of the table; its register roles and immediate. */
export function cinsn(name: string, o: { rd?: Reg; rs1?: Reg; rs2?: Reg; imm?: number } = {}): number {
  const row = CROWS.get(name);
  if (!row) throw new RangeError(`encode: no compressed instruction ${name}`);
  let v: number = row.match;
  const placed = new Map<string, number>();
  for (const role of ["rd", "rs1", "rs2"] as const) {
    const spec = (row as Record<string, unknown>)[role];
    const val = o[role];
    if (typeof spec === "number") { check(val === undefined || val === spec, `${name}: ${role} is x${spec}`); continue; }
    if (typeof spec !== "string") continue;
    const r = val ?? placed.get(spec);
    check(r !== undefined, `${name}: ${role} missing`);
    check(!placed.has(spec) || placed.get(spec) === r, `${name}: rd and rs1 are one field`);
    placed.set(spec, r!);
    v |= spec === "r" ? reg(r!) << 7 : spec === "r2" ? reg(r!) << 2 : spec === "c1" ? creg(r!) << 7 : creg(r!) << 2;
  }
  const imm = o.imm ?? 0;
  if (row.imm) for (const [hi, lo, , ilo] of row.imm.segs) v |= ((imm >> ilo) & ((1 << (hi - lo + 1)) - 1)) << lo;
  check(cImmediate(row, v) === imm, `${name}: immediate ${imm} not encodable`);
  if ("nz" in row) check(row.nz === "imm" ? imm !== 0 : ((v >> 7) & 31) !== 0, `${name}: ${row.nz} must not be 0`);
  const taken = findCInsn(v)!;
  check(taken === row || (C_SPECIAL[name] ?? []).includes(taken.name), `${name}: these operands encode ${taken.name}`);
  return v;
}

export const cAddi4spn = (rd: Reg, imm: number) => cinsn("c.addi4spn", { rd, imm });
export const cLw = (rd: Reg, rs1: Reg, imm: number) => cinsn("c.lw", { rd, rs1, imm });
export const cLd = (rd: Reg, rs1: Reg, imm: number) => cinsn("c.ld", { rd, rs1, imm });
export const cFld = (rd: Reg, rs1: Reg, imm: number) => cinsn("c.fld", { rd, rs1, imm });
export const cSw = (rs2: Reg, rs1: Reg, imm: number) => cinsn("c.sw", { rs1, rs2, imm });
export const cSd = (rs2: Reg, rs1: Reg, imm: number) => cinsn("c.sd", { rs1, rs2, imm });
export const cFsd = (rs2: Reg, rs1: Reg, imm: number) => cinsn("c.fsd", { rs1, rs2, imm });
export const cNop = () => cinsn("c.nop");
/** c.addi (rd may be 0 only with imm 0 = c.nop; rd != 0 with imm 0 is a HINT). */
export const cAddi = (rd: Reg, imm: number) => cinsn("c.addi", { rd, imm });
export const cAddiw = (rd: Reg, imm: number) => cinsn("c.addiw", { rd, imm });
export const cLi = (rd: Reg, imm: number) => cinsn("c.li", { rd, imm });
/** c.lui with imm[17:12] = imm6 (rd = x0, a HINT, is not drawn). */
export function cLui(rd: Reg, imm6: number): number {
  check(rd !== 0, "c.lui rd = x0");
  return cinsn("c.lui", { rd, imm: imm6 * 4096 });
}
export const cAddi16sp = (imm: number) => cinsn("c.addi16sp", { imm });
export const cShift = (op: "c.srli" | "c.srai", rd: Reg, sh: number) => cinsn(op, { rd, imm: sh });
export const cAndi = (rd: Reg, imm: number) => cinsn("c.andi", { rd, imm });
export const C_ARITH = ["c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"] as const;
export type CArithOp = (typeof C_ARITH)[number];
export const cArith = (op: CArithOp, rd: Reg, rs2: Reg) => cinsn(op, { rd, rs2 });
export const cJ = (off: number) => cinsn("c.j", { imm: off });
export const cBranch = (op: "c.beqz" | "c.bnez", rs1: Reg, off: number) => cinsn(op, { rs1, imm: off });
export const cSlli = (rd: Reg, sh: number) => cinsn("c.slli", { rd, imm: sh });
export const cLwsp = (rd: Reg, imm: number) => cinsn("c.lwsp", { rd, imm });
export const cLdsp = (rd: Reg, imm: number) => cinsn("c.ldsp", { rd, imm });
export const cFldsp = (rd: Reg, imm: number) => cinsn("c.fldsp", { rd, imm });
export const cJr = (rs1: Reg) => cinsn("c.jr", { rs1 });
export const cMv = (rd: Reg, rs2: Reg) => cinsn("c.mv", { rd, rs2 });
export const C_EBREAK = cinsn("c.ebreak");
export const cJalr = (rs1: Reg) => cinsn("c.jalr", { rs1 });
export const cAdd = (rd: Reg, rs2: Reg) => cinsn("c.add", { rd, rs2 });
export const cSwsp = (rs2: Reg, imm: number) => cinsn("c.swsp", { rs2, imm });
export const cSdsp = (rs2: Reg, imm: number) => cinsn("c.sdsp", { rs2, imm });
export const cFsdsp = (rs2: Reg, imm: number) => cinsn("c.fsdsp", { rs2, imm });

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

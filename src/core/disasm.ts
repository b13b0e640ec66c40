// The disassembler of every instruction the hart implements, from the instruction tables the
// core's decoders are generated from (INSNS: scripts/isa/base.mjs and bitmanip.mjs; CINSNS:
// scripts/isa/compressed.mjs).
// It prints the canonical instruction, never a pseudo-instruction (like objdump -M no-aliases):
// registers by ABI name, immediates in decimal, lui/auipc/c.lui immediates and shift amounts in
// hex, branch and jump targets as absolute addresses, CSRs by name. Browser-safe.

import { CINSNS, INSNS } from "./abi.gen.js";

const XREG = [
  "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
  "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
];
const FREG = [
  "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
  "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

const CSR_NAMES = new Map<number, string>([
  [0x001, "fflags"], [0x002, "frm"], [0x003, "fcsr"],
  [0x100, "sstatus"], [0x104, "sie"], [0x105, "stvec"], [0x106, "scounteren"], [0x10a, "senvcfg"],
  [0x140, "sscratch"], [0x141, "sepc"], [0x142, "scause"], [0x143, "stval"], [0x144, "sip"], [0x180, "satp"],
  [0x300, "mstatus"], [0x301, "misa"], [0x302, "medeleg"], [0x303, "mideleg"], [0x304, "mie"], [0x305, "mtvec"],
  [0x306, "mcounteren"], [0x30a, "menvcfg"], [0x320, "mcountinhibit"], [0x340, "mscratch"], [0x341, "mepc"],
  [0x342, "mcause"], [0x343, "mtval"], [0x344, "mip"], [0x34a, "mtinst"], [0x34b, "mtval2"],
  [0x7a0, "tselect"], [0x7a1, "tdata1"], [0x7a2, "tdata2"], [0x7a3, "tdata3"],
  [0x7b0, "dcsr"], [0x7b1, "dpc"], [0x7b2, "dscratch0"], [0x7b3, "dscratch1"],
  [0xb00, "mcycle"], [0xb02, "minstret"], [0xc00, "cycle"], [0xc01, "time"], [0xc02, "instret"],
  [0xf11, "mvendorid"], [0xf12, "marchid"], [0xf13, "mimpid"], [0xf14, "mhartid"], [0xf15, "mconfigptr"],
]);
for (let i = 0; i < 16; i++) CSR_NAMES.set(0x3a0 + i, `pmpcfg${i}`);
for (let i = 0; i < 64; i++) CSR_NAMES.set(0x3b0 + i, `pmpaddr${i}`);
for (let i = 3; i < 32; i++) {
  CSR_NAMES.set(0xb00 + i, `mhpmcounter${i}`);
  CSR_NAMES.set(0xc00 + i, `hpmcounter${i}`);
  CSR_NAMES.set(0x320 + i, `mhpmevent${i}`);
}

/** Name of CSR `num`, or its number in hex. */
export function csrName(num: number): string {
  return CSR_NAMES.get(num) ?? "0x" + num.toString(16);
}

/** Length in bytes (2 or 4) of the instruction whose low 16 bits are `lo`. */
export function instructionLength(lo: number): 2 | 4 {
  return (lo & 3) === 3 ? 4 : 2;
}

const x = (r: number) => XREG[r & 31];
const f = (r: number) => FREG[r & 31];
const hex = (v: number) => "0x" + (v >>> 0).toString(16);
const bits = (v: number, hi: number, lo: number) => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
const sext = (v: number, width: number) => (v << (32 - width)) >> (32 - width);

function target(pc: bigint, off: number): string {
  return "0x" + BigInt.asUintN(64, pc + BigInt(off)).toString(16);
}

/**
 * Disassembles one instruction. `insn` holds its bits (a 16-bit compressed instruction in the
 * low half, or all 32 bits); `pc` makes branch and jump targets absolute. Encodings the hart
 * does not implement come out as `.2byte`/`.4byte`.
 */
export function disassemble(insn: number, pc: bigint = 0n): string {
  insn >>>= 0;
  if ((insn & 3) !== 3) return disassemble16(insn & 0xffff, pc) ?? `.2byte ${hex(insn & 0xffff)}`;
  return disassemble32(insn, pc) ?? `.4byte ${hex(insn)}`;
}

type Insn = (typeof INSNS)[number];
const popcount = (v: number) => { let n = 0; for (let b = v >>> 0; b; b >>>= 1) n += b & 1; return n; };
/** The table's rows by major opcode, most specific first (a special case before its general row). */
const BY_OPCODE = new Map<number, Insn[]>();
for (const r of INSNS) {
  const list = BY_OPCODE.get(r.match & 0x7f) ?? [];
  list.push(r);
  BY_OPCODE.set(r.match & 0x7f, list);
}
for (const list of BY_OPCODE.values()) list.sort((a, b) => popcount(b.mask) - popcount(a.mask));

/** The table row of a 32-bit instruction, if the hart implements it. */
export function findInsn(i: number): Insn | undefined {
  return BY_OPCODE.get(i & 0x7f)?.find((r) => ((i & r.mask) >>> 0) === r.match);
}

const RM = ["rne", "rtz", "rdn", "rup", "rmm", undefined, undefined, ""];
const ROUNDS = new Set(["FR", "FR4", "FR1", "F2X", "X2F"]);

function fenceSet(v: number): string {
  let s = "";
  if (v & 8) s += "i";
  if (v & 4) s += "o";
  if (v & 2) s += "r";
  if (v & 1) s += "w";
  return s || "0";
}

function disassemble32(i: number, pc: bigint): string | undefined {
  const r = findInsn(i);
  if (!r) return undefined;
  const rd = bits(i, 11, 7), rs1 = bits(i, 19, 15), rs2 = bits(i, 24, 20), rs3 = i >>> 27;
  const immI = i >> 20;
  const immS = ((i >> 25) << 5) | rd;
  const rmName = RM[bits(i, 14, 12)];
  if (rmName === undefined && ROUNDS.has(r.form)) return undefined; // a reserved rounding mode
  // the rounding mode unless dynamic, or the conversion is exact (as objdump prints them)
  const rm = rmName && !("exact" in r) ? `,${rmName}` : "";
  const n = r.name;
  switch (r.form) {
    case "R": return `${n} ${x(rd)},${x(rs1)},${x(rs2)}`;
    case "R1": return `${n} ${x(rd)},${x(rs1)}`;
    case "I": return `${n} ${x(rd)},${x(rs1)},${immI}`;
    case "SH6": return `${n} ${x(rd)},${x(rs1)},${hex(bits(i, 25, 20))}`;
    case "SH5": return `${n} ${x(rd)},${x(rs1)},${hex(rs2)}`;
    case "U": return `${n} ${x(rd)},${hex(i >>> 12)}`;
    case "J": {
      const imm = sext((bits(i, 31, 31) << 20) | (bits(i, 19, 12) << 12) | (bits(i, 20, 20) << 11) | (bits(i, 30, 21) << 1), 21);
      return `${n} ${x(rd)},${target(pc, imm)}`;
    }
    case "JALR": case "LOAD": return `${n} ${x(rd)},${immI}(${x(rs1)})`;
    case "B": {
      const imm = sext((bits(i, 31, 31) << 12) | (bits(i, 7, 7) << 11) | (bits(i, 30, 25) << 5) | (bits(i, 11, 8) << 1), 13);
      return `${n} ${x(rs1)},${x(rs2)},${target(pc, imm)}`;
    }
    case "STORE": return `${n} ${x(rs2)},${immS}(${x(rs1)})`;
    case "FENCE": {
      const fm = i >>> 28, pred = bits(i, 27, 24), succ = bits(i, 23, 20);
      if (fm === 8 && pred === 3 && succ === 3) return "fence.tso";
      return `fence ${fenceSet(pred)},${fenceSet(succ)}`;
    }
    case "NONE": return n;
    case "SFENCE": return `${n} ${x(rs1)},${x(rs2)}`;
    case "CSR": return `${n} ${x(rd)},${csrName(i >>> 20)},${x(rs1)}`;
    case "CSRI": return `${n} ${x(rd)},${csrName(i >>> 20)},${rs1}`;
    case "AMO": case "SC": case "LR": {
      const aq = (i >>> 26) & 1, rl = (i >>> 25) & 1;
      const name = n + (aq && rl ? ".aqrl" : aq ? ".aq" : rl ? ".rl" : "");
      return r.form === "LR" ? `${name} ${x(rd)},(${x(rs1)})` : `${name} ${x(rd)},${x(rs2)},(${x(rs1)})`;
    }
    case "CBO": return `${n} (${x(rs1)})`;
    case "FR": return `${n} ${f(rd)},${f(rs1)},${f(rs2)}${rm}`;
    case "FR4": return `${n} ${f(rd)},${f(rs1)},${f(rs2)},${f(rs3)}${rm}`;
    case "FR1": return `${n} ${f(rd)},${f(rs1)}${rm}`;
    case "FRN": return `${n} ${f(rd)},${f(rs1)},${f(rs2)}`;
    case "FCMP": return `${n} ${x(rd)},${f(rs1)},${f(rs2)}`;
    case "FX1": return `${n} ${x(rd)},${f(rs1)}`;
    case "F2X": return `${n} ${x(rd)},${f(rs1)}${rm}`;
    case "X2F": return `${n} ${f(rd)},${x(rs1)}${rm}`;
    case "MVF": return `${n} ${f(rd)},${x(rs1)}`;
    case "FLOAD": return `${n} ${f(rd)},${immI}(${x(rs1)})`;
    case "FSTORE": return `${n} ${f(rs2)},${immS}(${x(rs1)})`;
  }
  return undefined;
}

type CInsn = (typeof CINSNS)[number];
const C_ROWS = [...CINSNS].sort((a, b) => popcount(b.mask) - popcount(a.mask));
const C_FIELD: Record<string, (c: number) => number> = {
  r: (c) => bits(c, 11, 7), r2: (c) => bits(c, 6, 2), c1: (c) => 8 + bits(c, 9, 7), c2: (c) => 8 + bits(c, 4, 2),
};

/** The table row of a compressed instruction (a match, whatever its constraints say). */
export function findCInsn(c: number): CInsn | undefined {
  return C_ROWS.find((r) => (c & r.mask) === r.match);
}

/** The immediate of compressed instruction `c` under row `r`'s layout. */
export function cImmediate(r: CInsn, c: number): number {
  if (!r.imm) return 0;
  let v = 0, top = 0;
  for (const [hi, lo, ihi, ilo] of r.imm.segs) {
    v |= bits(c, hi, lo) << ilo;
    top = Math.max(top, ihi);
  }
  return "signed" in r.imm ? sext(v, top + 1) : v;
}

function disassemble16(c: number, pc: bigint): string | undefined {
  const r = findCInsn(c);
  if (!r) return undefined;
  const imm = cImmediate(r, c);
  if ("nz" in r && (r.nz === "imm" ? imm === 0 : C_FIELD[r.nz](c) === 0)) return undefined; // reserved
  const ops = r.asm
    .replace(/([xf]):(r2|r|c1|c2)/g, (_, kind: string, field: string) => (kind === "x" ? x : f)(C_FIELD[field](c)))
    .replace(/\b(imm|hex|lui|target)\b/g, (t) => t === "imm" ? String(imm) : t === "hex" ? hex(imm)
      : t === "lui" ? hex((imm >> 12) & 0xfffff) : target(pc, imm));
  return ops ? `${r.name} ${ops}` : r.name;
}

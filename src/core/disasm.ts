// The disassembler of every instruction the hart implements: the 32-bit ones from the
// instruction table the core's decoder is generated from (INSNS: scripts/isa/base.mjs and
// bitmanip.mjs), the compressed ones from their encodings in the unprivileged spec (chapter 16).
// It prints the canonical instruction, never a pseudo-instruction (like objdump -M no-aliases):
// registers by ABI name, immediates in decimal, lui/auipc/c.lui immediates and shift amounts in
// hex, branch and jump targets as absolute addresses, CSRs by name. Browser-safe.

import { INSNS } from "./abi.gen.js";

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
const cx = (r: number) => XREG[8 + (r & 7)]; // compressed register field: x8..x15
const cf = (r: number) => FREG[8 + (r & 7)];
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

function disassemble16(c: number, pc: bigint): string | undefined {
  const op = c & 3;
  const f3 = c >>> 13;
  const rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
  const rdp = bits(c, 4, 2), rs1p = bits(c, 9, 7);
  const imm6 = sext((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6);
  const uimm6 = (bits(c, 12, 12) << 5) | bits(c, 6, 2);
  // Offsets of the compressed loads and stores (scaled, zero-extended).
  const offW = (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6);
  const offD = (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6);
  if (op === 0) {
    switch (f3) {
      case 0: {
        const imm = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 3);
        if (imm === 0) return c === 0 ? "c.unimp" : undefined; // all zeros: the defined illegal instruction
        return `c.addi4spn ${cx(rdp)},sp,${imm}`;
      }
      case 1: return `c.fld ${cf(rdp)},${offD}(${cx(rs1p)})`;
      case 2: return `c.lw ${cx(rdp)},${offW}(${cx(rs1p)})`;
      case 3: return `c.ld ${cx(rdp)},${offD}(${cx(rs1p)})`;
      case 5: return `c.fsd ${cf(rdp)},${offD}(${cx(rs1p)})`;
      case 6: return `c.sw ${cx(rdp)},${offW}(${cx(rs1p)})`;
      case 7: return `c.sd ${cx(rdp)},${offD}(${cx(rs1p)})`;
    }
    return undefined;
  }
  if (op === 1) {
    switch (f3) {
      case 0: return rd === 0 && imm6 === 0 ? "c.nop" : `c.addi ${x(rd)},${imm6}`; // rd = 0: a HINT
      case 1: return rd === 0 ? undefined : `c.addiw ${x(rd)},${imm6}`;
      case 2: return `c.li ${x(rd)},${imm6}`;
      case 3: {
        if (rd === 2) {
          const imm = sext((bits(c, 12, 12) << 9) | (bits(c, 6, 6) << 4) | (bits(c, 5, 5) << 6) |
            (bits(c, 4, 3) << 7) | (bits(c, 2, 2) << 5), 10);
          return imm === 0 ? undefined : `c.addi16sp sp,${imm}`;
        }
        if (imm6 === 0) return undefined; // reserved
        return `c.lui ${x(rd)},${hex(imm6 & 0xfffff)}`; // rd = 0: a HINT
      }
      case 4: {
        const sub = bits(c, 11, 10);
        // A shift amount of 0 is a HINT on RV64 (a shift by 64 on RV128): named as binutils does.
        if (sub === 0) return uimm6 === 0 ? `c.srli64 ${cx(rs1p)}` : `c.srli ${cx(rs1p)},${hex(uimm6)}`;
        if (sub === 1) return uimm6 === 0 ? `c.srai64 ${cx(rs1p)}` : `c.srai ${cx(rs1p)},${hex(uimm6)}`;
        if (sub === 2) return `c.andi ${cx(rs1p)},${imm6}`;
        const k = bits(c, 6, 5);
        const name = bits(c, 12, 12) === 0 ? ["c.sub", "c.xor", "c.or", "c.and"][k] : ["c.subw", "c.addw", undefined, undefined][k];
        return name && `${name} ${cx(rs1p)},${cx(rdp)}`;
      }
      case 5: return `c.j ${target(pc, cjOffset(c))}`;
      case 6: case 7: {
        const imm = sext((bits(c, 12, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) |
          (bits(c, 4, 3) << 1) | (bits(c, 2, 2) << 5), 9);
        return `${f3 === 6 ? "c.beqz" : "c.bnez"} ${cx(rs1p)},${target(pc, imm)}`;
      }
    }
    return undefined;
  }
  if (op === 2) {
    switch (f3) {
      case 0: return uimm6 === 0 ? `c.slli64 ${x(rd)}` : `c.slli ${x(rd)},${hex(uimm6)}`;
      case 1: return `c.fldsp ${f(rd)},${(bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6)}(sp)`;
      case 2: return rd === 0 ? undefined : `c.lwsp ${x(rd)},${(bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6)}(sp)`;
      case 3: return rd === 0 ? undefined : `c.ldsp ${x(rd)},${(bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6)}(sp)`;
      case 4: {
        if (bits(c, 12, 12) === 0) {
          if (rs2 === 0) return rd === 0 ? undefined : `c.jr ${x(rd)}`;
          return `c.mv ${x(rd)},${x(rs2)}`; // rd = 0: a HINT
        }
        if (rs2 === 0) return rd === 0 ? "c.ebreak" : `c.jalr ${x(rd)}`;
        return `c.add ${x(rd)},${x(rs2)}`; // rd = 0: a HINT
      }
      case 5: return `c.fsdsp ${f(rs2)},${(bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6)}(sp)`;
      case 6: return `c.swsp ${x(rs2)},${(bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6)}(sp)`;
      case 7: return `c.sdsp ${x(rs2)},${(bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6)}(sp)`;
    }
  }
  return undefined;
}

function cjOffset(c: number): number {
  return sext((bits(c, 12, 12) << 11) | (bits(c, 11, 11) << 4) | (bits(c, 10, 9) << 8) | (bits(c, 8, 8) << 10) |
    (bits(c, 7, 7) << 6) | (bits(c, 6, 6) << 7) | (bits(c, 5, 3) << 1) | (bits(c, 2, 2) << 5), 12);
}

// A small RV64IMAC + Zicsr + Zifencei disassembler (plus the privileged instructions, the
// F/D loads and stores, compressed ones included, and the bit-manipulation and Zicond
// instructions of scripts/isa/bitmanip.mjs), from the encodings in the unprivileged spec
// (20191213, chapters 2, 5, 7, 8, 9, 16 and 24) and the privileged spec (1.12).
// It prints the canonical instruction, never a pseudo-instruction (like objdump -M no-aliases):
// registers by ABI name, immediates in decimal, lui/auipc/c.lui immediates and shift amounts in
// hex, branch and jump targets as absolute addresses, CSRs by name. Browser-safe.

import { BITMANIP } from "./abi.gen.js";

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
 * low half, or all 32 bits); `pc` makes branch and jump targets absolute. Encodings that are
 * not RV64IMAC/Zicsr/Zifencei/privileged instructions come out as `.2byte`/`.4byte`.
 */
export function disassemble(insn: number, pc: bigint = 0n): string {
  insn >>>= 0;
  if ((insn & 3) !== 3) return disassemble16(insn & 0xffff, pc) ?? `.2byte ${hex(insn & 0xffff)}`;
  return disassemble32(insn, pc) ?? bitmanip(insn) ?? `.4byte ${hex(insn)}`;
}

/** Zba, Zbb, Zbc, Zbs, Zbkb and Zicond, from the table the core's decoder is generated from. */
function bitmanip(i: number): string | undefined {
  const b = BITMANIP.find((e) => ((i & e.mask) >>> 0) === e.match);
  if (!b) return undefined;
  const rd = x(bits(i, 11, 7)), rs1 = x(bits(i, 19, 15));
  switch (b.form) {
    case "r": return `${b.name} ${rd},${rs1},${x(bits(i, 24, 20))}`;
    case "unary": return `${b.name} ${rd},${rs1}`;
    case "sh6": return `${b.name} ${rd},${rs1},${hex(bits(i, 25, 20))}`;
    case "sh5": return `${b.name} ${rd},${rs1},${hex(bits(i, 24, 20))}`;
  }
}

const LOADS = ["lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"];
const STORES = ["sb", "sh", "sw", "sd"];
const BRANCHES: Record<number, string> = { 0: "beq", 1: "bne", 4: "blt", 5: "bge", 6: "bltu", 7: "bgeu" };
const OP_IMM: Record<number, string> = { 0: "addi", 2: "slti", 3: "sltiu", 4: "xori", 6: "ori", 7: "andi" };
const OP = ["add", "sll", "slt", "sltu", "xor", "srl", "or", "and"];
const MULDIV = ["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"];
const MULDIVW: Record<number, string> = { 0: "mulw", 4: "divw", 5: "divuw", 6: "remw", 7: "remuw" };
const CSR_OPS: Record<number, string> = { 1: "csrrw", 2: "csrrs", 3: "csrrc", 5: "csrrwi", 6: "csrrsi", 7: "csrrci" };
const AMO: Record<number, string> = {
  0x00: "amoadd", 0x01: "amoswap", 0x04: "amoxor", 0x08: "amoor", 0x0c: "amoand",
  0x10: "amomin", 0x14: "amomax", 0x18: "amominu", 0x1c: "amomaxu",
};

function fenceSet(v: number): string {
  let s = "";
  if (v & 8) s += "i";
  if (v & 4) s += "o";
  if (v & 2) s += "r";
  if (v & 1) s += "w";
  return s || "0";
}

function disassemble32(i: number, pc: bigint): string | undefined {
  const opcode = i & 0x7f;
  const rd = bits(i, 11, 7), rs1 = bits(i, 19, 15), rs2 = bits(i, 24, 20);
  const f3 = bits(i, 14, 12), f7 = i >>> 25;
  const immI = i >> 20;
  const immS = ((i >> 25) << 5) | rd;
  switch (opcode) {
    case 0x37: return `lui ${x(rd)},${hex(i >>> 12)}`;
    case 0x17: return `auipc ${x(rd)},${hex(i >>> 12)}`;
    case 0x6f: {
      const imm = sext((bits(i, 31, 31) << 20) | (bits(i, 19, 12) << 12) | (bits(i, 20, 20) << 11) | (bits(i, 30, 21) << 1), 21);
      return `jal ${x(rd)},${target(pc, imm)}`;
    }
    case 0x67: return f3 === 0 ? `jalr ${x(rd)},${immI}(${x(rs1)})` : undefined;
    case 0x63: {
      const name = BRANCHES[f3];
      if (!name) return undefined;
      const imm = sext((bits(i, 31, 31) << 12) | (bits(i, 7, 7) << 11) | (bits(i, 30, 25) << 5) | (bits(i, 11, 8) << 1), 13);
      return `${name} ${x(rs1)},${x(rs2)},${target(pc, imm)}`;
    }
    case 0x03: return f3 < 7 ? `${LOADS[f3]} ${x(rd)},${immI}(${x(rs1)})` : undefined;
    case 0x23: return f3 < 4 ? `${STORES[f3]} ${x(rs2)},${immS}(${x(rs1)})` : undefined;
    case 0x07:
      if (f3 === 2 || f3 === 3) return `${f3 === 2 ? "flw" : "fld"} ${f(rd)},${immI}(${x(rs1)})`;
      return undefined;
    case 0x27:
      if (f3 === 2 || f3 === 3) return `${f3 === 2 ? "fsw" : "fsd"} ${f(rs2)},${immS}(${x(rs1)})`;
      return undefined;
    case 0x13: {
      if (f3 === 1) return (i >>> 26) === 0 ? `slli ${x(rd)},${x(rs1)},${hex(bits(i, 25, 20))}` : undefined;
      if (f3 === 5) {
        const top = i >>> 26;
        if (top !== 0 && top !== 0x10) return undefined;
        return `${top ? "srai" : "srli"} ${x(rd)},${x(rs1)},${hex(bits(i, 25, 20))}`;
      }
      return `${OP_IMM[f3]} ${x(rd)},${x(rs1)},${immI}`;
    }
    case 0x1b: {
      if (f3 === 0) return `addiw ${x(rd)},${x(rs1)},${immI}`;
      if (f3 === 1 && f7 === 0) return `slliw ${x(rd)},${x(rs1)},${hex(rs2)}`;
      if (f3 === 5 && (f7 === 0 || f7 === 0x20)) return `${f7 ? "sraiw" : "srliw"} ${x(rd)},${x(rs1)},${hex(rs2)}`;
      return undefined;
    }
    case 0x33: {
      let name: string | undefined;
      if (f7 === 0) name = OP[f3];
      else if (f7 === 1) name = MULDIV[f3];
      else if (f7 === 0x20) name = f3 === 0 ? "sub" : f3 === 5 ? "sra" : undefined;
      return name && `${name} ${x(rd)},${x(rs1)},${x(rs2)}`;
    }
    case 0x3b: {
      let name: string | undefined;
      if (f7 === 0) name = f3 === 0 ? "addw" : f3 === 1 ? "sllw" : f3 === 5 ? "srlw" : undefined;
      else if (f7 === 1) name = MULDIVW[f3];
      else if (f7 === 0x20) name = f3 === 0 ? "subw" : f3 === 5 ? "sraw" : undefined;
      return name && `${name} ${x(rd)},${x(rs1)},${x(rs2)}`;
    }
    case 0x0f: {
      if (f3 === 1) return "fence.i";
      if (f3 !== 0) return undefined;
      const fm = i >>> 28, pred = bits(i, 27, 24), succ = bits(i, 23, 20);
      if (fm === 8 && pred === 3 && succ === 3) return "fence.tso";
      return `fence ${fenceSet(pred)},${fenceSet(succ)}`;
    }
    case 0x2f: {
      if (f3 !== 2 && f3 !== 3) return undefined;
      const w = f3 === 2 ? ".w" : ".d";
      const f5 = i >>> 27;
      const aq = (i >>> 26) & 1, rl = (i >>> 25) & 1;
      const suffix = w + (aq && rl ? ".aqrl" : aq ? ".aq" : rl ? ".rl" : "");
      if (f5 === 0x02) return rs2 === 0 ? `lr${suffix} ${x(rd)},(${x(rs1)})` : undefined;
      if (f5 === 0x03) return `sc${suffix} ${x(rd)},${x(rs2)},(${x(rs1)})`;
      const name = AMO[f5];
      return name && `${name}${suffix} ${x(rd)},${x(rs2)},(${x(rs1)})`;
    }
    case 0x73: {
      if (f3 === 0) {
        if (i === 0x00000073) return "ecall";
        if (i === 0x00100073) return "ebreak";
        if (i === 0x10200073) return "sret";
        if (i === 0x30200073) return "mret";
        if (i === 0x10500073) return "wfi";
        if (f7 === 0x09 && rd === 0) return `sfence.vma ${x(rs1)},${x(rs2)}`;
        return undefined;
      }
      const name = CSR_OPS[f3];
      if (!name) return undefined;
      const csr = i >>> 20;
      return f3 >= 5 ? `${name} ${x(rd)},${csrName(csr)},${rs1}` : `${name} ${x(rd)},${csrName(csr)},${x(rs1)}`;
    }
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

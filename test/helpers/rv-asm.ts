// A tiny RISC-V (RV64IMA + Zicsr + privileged) assembler for hand-written test guests: encodes
// instructions from the unprivileged spec's formats (R, I, S, B, U, J), with labels for
// branches, jumps and `la`. No cross compiler needed.

export const REG: Record<string, number> = {
  zero: 0, ra: 1, sp: 2, gp: 3, tp: 4, t0: 5, t1: 6, t2: 7, s0: 8, fp: 8, s1: 9,
  a0: 10, a1: 11, a2: 12, a3: 13, a4: 14, a5: 15, a6: 16, a7: 17,
  s2: 18, s3: 19, s4: 20, s5: 21, s6: 22, s7: 23, s8: 24, s9: 25, s10: 26, s11: 27,
  t3: 28, t4: 29, t5: 30, t6: 31,
};

export type Reg = number | keyof typeof REG;
type Target = string | number;

const r = (x: Reg): number => {
  const n = typeof x === "number" ? x : REG[x];
  if (n === undefined || n < 0 || n > 31) throw new Error(`bad register ${String(x)}`);
  return n;
};

function checkImm(v: number, bits: number, what: string): void {
  const lo = -(2 ** (bits - 1)), hi = 2 ** (bits - 1) - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${what} immediate ${v} does not fit ${bits} bits`);
}

export const encR = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number) =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const encI = (imm: number, rs1: number, f3: number, rd: number, op: number) =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const encS = (imm: number, rs2: number, rs1: number, f3: number, op: number) =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op) >>> 0;
export const encB = (imm: number, rs2: number, rs1: number, f3: number, op: number) =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | op) >>> 0;
export const encU = (imm20: number, rd: number, op: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | op) >>> 0;
export const encJ = (imm: number, rd: number, op: number) =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) | (rd << 7) | op) >>> 0;

interface Fixup { pos: number; kind: "b" | "j" | "la"; label: string; f3?: number; rs1?: number; rs2?: number; rd?: number }

/** Assembles into a byte image that will sit at physical/virtual address `base`. */
export class Asm {
  private buf: number[] = [];
  private labels = new Map<string, number>();
  private fixups: Fixup[] = [];

  constructor(readonly base = 0x8000_0000) {}

  /** Address of the next byte. */
  get pc(): number { return this.base + this.buf.length; }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.pc);
    return this;
  }

  /** Address of a label (after it is defined). */
  addr(name: string): number {
    const a = this.labels.get(name);
    if (a === undefined) throw new Error(`undefined label ${name}`);
    return a;
  }

  has(name: string): boolean { return this.labels.has(name); }

  // --- data
  byte(...bs: number[]): this { for (const b of bs) this.buf.push(b & 0xff); return this; }
  half(v: number): this { return this.byte(v, v >> 8); }
  word(v: number): this { return this.byte(v, v >> 8, v >> 16, v >>> 24); }
  dword(v: bigint | number): this {
    const x = BigInt.asUintN(64, BigInt(v));
    return this.word(Number(x & 0xffffffffn)).word(Number(x >> 32n));
  }
  ascii(s: string): this { return this.byte(...new TextEncoder().encode(s)); }
  asciz(s: string): this { return this.ascii(s).byte(0); }
  align(n: number): this { while (this.buf.length % n !== 0) this.byte(0); return this; }
  space(n: number): this { for (let i = 0; i < n; i++) this.byte(0); return this; }

  // --- base instructions
  insn(w: number): this { return this.word(w >>> 0); }
  lui(rd: Reg, imm20: number): this { return this.insn(encU(imm20, r(rd), 0x37)); }
  auipc(rd: Reg, imm20: number): this { return this.insn(encU(imm20, r(rd), 0x17)); }
  private opi(f3: number, rd: Reg, rs1: Reg, imm: number, op = 0x13): this {
    checkImm(imm, 12, "I-type");
    return this.insn(encI(imm, r(rs1), f3, r(rd), op));
  }
  addi(rd: Reg, rs1: Reg, imm: number): this { return this.opi(0, rd, rs1, imm); }
  slti(rd: Reg, rs1: Reg, imm: number): this { return this.opi(2, rd, rs1, imm); }
  sltiu(rd: Reg, rs1: Reg, imm: number): this { return this.opi(3, rd, rs1, imm); }
  xori(rd: Reg, rs1: Reg, imm: number): this { return this.opi(4, rd, rs1, imm); }
  ori(rd: Reg, rs1: Reg, imm: number): this { return this.opi(6, rd, rs1, imm); }
  andi(rd: Reg, rs1: Reg, imm: number): this { return this.opi(7, rd, rs1, imm); }
  addiw(rd: Reg, rs1: Reg, imm: number): this { return this.opi(0, rd, rs1, imm, 0x1b); }
  slli(rd: Reg, rs1: Reg, sh: number): this { return this.insn(encI(sh & 63, r(rs1), 1, r(rd), 0x13)); }
  srli(rd: Reg, rs1: Reg, sh: number): this { return this.insn(encI(sh & 63, r(rs1), 5, r(rd), 0x13)); }
  srai(rd: Reg, rs1: Reg, sh: number): this { return this.insn(encI(0x400 | (sh & 63), r(rs1), 5, r(rd), 0x13)); }
  private op(f7: number, f3: number, rd: Reg, rs1: Reg, rs2: Reg, opc = 0x33): this {
    return this.insn(encR(f7, r(rs2), r(rs1), f3, r(rd), opc));
  }
  add(rd: Reg, rs1: Reg, rs2: Reg): this { return this.op(0, 0, rd, rs1, rs2); }
  sub(rd: Reg, rs1: Reg, rs2: Reg): this { return this.op(0x20, 0, rd, rs1, rs2); }
  and(rd: Reg, rs1: Reg, rs2: Reg): this { return this.op(0, 7, rd, rs1, rs2); }
  or(rd: Reg, rs1: Reg, rs2: Reg): this { return this.op(0, 6, rd, rs1, rs2); }
  xor(rd: Reg, rs1: Reg, rs2: Reg): this { return this.op(0, 4, rd, rs1, rs2); }
  sltu(rd: Reg, rs1: Reg, rs2: Reg): this { return this.op(0, 3, rd, rs1, rs2); }
  mul(rd: Reg, rs1: Reg, rs2: Reg): this { return this.op(1, 0, rd, rs1, rs2); }
  /** LR.W/LR.D rd, (rs1) and SC.W/SC.D rd, rs2, (rs1). */
  lr(width: "w" | "d", rd: Reg, rs1: Reg): this { return this.op(0x02 << 2, width === "w" ? 2 : 3, rd, rs1, 0, 0x2f); }
  sc(width: "w" | "d", rd: Reg, rs2: Reg, rs1: Reg): this { return this.op(0x03 << 2, width === "w" ? 2 : 3, rd, rs1, rs2, 0x2f); }
  /** AMO<fn>.W or .D rd, rs2, (rs1): `funct5` as the A extension's table numbers it (8.4). */
  amo(funct5: number, width: "w" | "d", rd: Reg, rs2: Reg, rs1: Reg): this {
    return this.op(funct5 << 2, width === "w" ? 2 : 3, rd, rs1, rs2, 0x2f);
  }
  private load(f3: number, rd: Reg, imm: number, rs1: Reg): this { return this.opi(f3, rd, rs1, imm, 0x03); }
  lb(rd: Reg, imm: number, rs1: Reg): this { return this.load(0, rd, imm, rs1); }
  lw(rd: Reg, imm: number, rs1: Reg): this { return this.load(2, rd, imm, rs1); }
  ld(rd: Reg, imm: number, rs1: Reg): this { return this.load(3, rd, imm, rs1); }
  lbu(rd: Reg, imm: number, rs1: Reg): this { return this.load(4, rd, imm, rs1); }
  private store(f3: number, rs2: Reg, imm: number, rs1: Reg): this {
    checkImm(imm, 12, "S-type");
    return this.insn(encS(imm, r(rs2), r(rs1), f3, 0x23));
  }
  sb(rs2: Reg, imm: number, rs1: Reg): this { return this.store(0, rs2, imm, rs1); }
  sh(rs2: Reg, imm: number, rs1: Reg): this { return this.store(1, rs2, imm, rs1); }
  sw(rs2: Reg, imm: number, rs1: Reg): this { return this.store(2, rs2, imm, rs1); }
  sd(rs2: Reg, imm: number, rs1: Reg): this { return this.store(3, rs2, imm, rs1); }
  private branch(f3: number, rs1: Reg, rs2: Reg, t: Target): this {
    if (typeof t === "number") return this.insn(encB(t - this.pc, r(rs2), r(rs1), f3, 0x63));
    this.fixups.push({ pos: this.buf.length, kind: "b", label: t, f3, rs1: r(rs1), rs2: r(rs2) });
    return this.word(0);
  }
  beq(rs1: Reg, rs2: Reg, t: Target): this { return this.branch(0, rs1, rs2, t); }
  bne(rs1: Reg, rs2: Reg, t: Target): this { return this.branch(1, rs1, rs2, t); }
  blt(rs1: Reg, rs2: Reg, t: Target): this { return this.branch(4, rs1, rs2, t); }
  bge(rs1: Reg, rs2: Reg, t: Target): this { return this.branch(5, rs1, rs2, t); }
  bltu(rs1: Reg, rs2: Reg, t: Target): this { return this.branch(6, rs1, rs2, t); }
  bgeu(rs1: Reg, rs2: Reg, t: Target): this { return this.branch(7, rs1, rs2, t); }
  jal(rd: Reg, t: Target): this {
    if (typeof t === "number") return this.insn(encJ(t - this.pc, r(rd), 0x6f));
    this.fixups.push({ pos: this.buf.length, kind: "j", label: t, rd: r(rd) });
    return this.word(0);
  }
  jalr(rd: Reg, rs1: Reg, imm = 0): this { return this.opi(0, rd, rs1, imm, 0x67); }
  private csr(f3: number, rd: Reg, csr: number, rs1: number): this { return this.insn(encI(csr, rs1, f3, r(rd), 0x73)); }
  csrrw(rd: Reg, csr: number, rs1: Reg): this { return this.csr(1, rd, csr, r(rs1)); }
  csrrs(rd: Reg, csr: number, rs1: Reg): this { return this.csr(2, rd, csr, r(rs1)); }
  csrrc(rd: Reg, csr: number, rs1: Reg): this { return this.csr(3, rd, csr, r(rs1)); }
  csrrwi(rd: Reg, csr: number, uimm: number): this { return this.csr(5, rd, csr, uimm & 31); }
  csrrsi(rd: Reg, csr: number, uimm: number): this { return this.csr(6, rd, csr, uimm & 31); }
  csrrci(rd: Reg, csr: number, uimm: number): this { return this.csr(7, rd, csr, uimm & 31); }
  ecall(): this { return this.insn(0x00000073); }
  ebreak(): this { return this.insn(0x00100073); }
  mret(): this { return this.insn(0x30200073); }
  sret(): this { return this.insn(0x10200073); }
  wfi(): this { return this.insn(0x10500073); }
  fence(): this { return this.insn(0x0ff0000f); }

  // --- pseudo-instructions
  nop(): this { return this.addi(0, 0, 0); }
  mv(rd: Reg, rs: Reg): this { return this.addi(rd, rs, 0); }
  j(t: Target): this { return this.jal(0, t); }
  call(t: Target): this { return this.jal(1, t); }
  ret(): this { return this.jalr(0, 1, 0); }
  beqz(rs: Reg, t: Target): this { return this.beq(rs, 0, t); }
  bnez(rs: Reg, t: Target): this { return this.bne(rs, 0, t); }
  csrr(rd: Reg, csr: number): this { return this.csrrs(rd, csr, 0); }
  csrw(csr: number, rs: Reg): this { return this.csrrw(0, csr, rs); }
  csrs(csr: number, rs: Reg): this { return this.csrrs(0, csr, rs); }
  csrsi(csr: number, uimm: number): this { return this.csrrsi(0, csr, uimm); }
  csrci(csr: number, uimm: number): this { return this.csrrci(0, csr, uimm); }
  /** Loads any 64-bit constant (lui/addiw, then shifts and adds for wider values). */
  li(rd: Reg, value: bigint | number): this {
    const v = BigInt.asIntN(64, BigInt(value));
    if (v >= -2048n && v < 2048n) return this.addi(rd, 0, Number(v));
    if (v >= -(2n ** 31n) && v < 2n ** 31n) {
      const hi = Number(((v + 0x800n) >> 12n) & 0xfffffn);
      const lo = Number(BigInt.asIntN(12, v));
      this.lui(rd, hi);
      return lo !== 0 ? this.addiw(rd, rd, lo) : this;
    }
    const lo = BigInt.asIntN(12, v);
    let rest = (v - lo) >> 12n;
    let shift = 12;
    while ((rest & 1n) === 0n) { rest >>= 1n; shift++; }
    this.li(rd, rest);
    this.slli(rd, rd, shift);
    return lo !== 0n ? this.addi(rd, rd, Number(lo)) : this;
  }
  /** rd = address of label (auipc + addi, pc-relative). */
  la(rd: Reg, label: string): this {
    this.fixups.push({ pos: this.buf.length, kind: "la", label, rd: r(rd) });
    return this.word(0).word(0);
  }

  /** The assembled bytes, with every label reference resolved. */
  bytes(): Uint8Array {
    const out = Uint8Array.from(this.buf);
    const dv = new DataView(out.buffer);
    for (const f of this.fixups) {
      const target = this.addr(f.label);
      const at = this.base + f.pos;
      const off = target - at;
      if (f.kind === "b") {
        checkImm(off, 13, "branch");
        dv.setUint32(f.pos, encB(off, f.rs2!, f.rs1!, f.f3!, 0x63), true);
      } else if (f.kind === "j") {
        checkImm(off, 21, "jal");
        dv.setUint32(f.pos, encJ(off, f.rd!, 0x6f), true);
      } else {
        const hi = ((off + 0x800) >> 12) & 0xfffff;
        const lo = off - (((off + 0x800) >> 12) << 12);
        dv.setUint32(f.pos, encU(hi, f.rd!, 0x17), true);
        dv.setUint32(f.pos + 4, encI(lo, f.rd!, 0, f.rd!, 0x13), true);
      }
    }
    return out;
  }
}

// A tiny RISC-V instruction encoder for unit tests that must not need a cross toolchain.
// Encodings from the unprivileged spec's base formats (R, I, S, B, U, J) and opcode map.

const mask = (v: number, bits: number) => v & ((1 << bits) - 1);

export const rType = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number) =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const iType = (imm: number, rs1: number, f3: number, rd: number, op: number) =>
  ((mask(imm, 12) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const sType = (imm: number, rs2: number, rs1: number, f3: number, op: number) =>
  ((mask(imm >> 5, 7) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (mask(imm, 5) << 7) | op) >>> 0;
export const bType = (imm: number, rs2: number, rs1: number, f3: number) =>
  ((((imm >> 12) & 1) << 31) | (mask(imm >> 5, 6) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (mask(imm >> 1, 4) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;
export const uType = (imm: number, rd: number, op: number) => ((imm & 0xfffff000) | (rd << 7) | op) >>> 0;
export const jType = (imm: number, rd: number) =>
  ((((imm >> 20) & 1) << 31) | (mask(imm >> 1, 10) << 21) | (((imm >> 11) & 1) << 20) |
    (mask(imm >> 12, 8) << 12) | (rd << 7) | 0x6f) >>> 0;

export const addi = (rd: number, rs1: number, imm: number) => iType(imm, rs1, 0, rd, 0x13);
export const li = (rd: number, imm: number) => addi(rd, 0, imm);
export const lui = (rd: number, imm: number) => uType(imm, rd, 0x37);
export const add = (rd: number, rs1: number, rs2: number) => rType(0, rs2, rs1, 0, rd, 0x33);
export const ld = (rd: number, rs1: number, imm: number) => iType(imm, rs1, 3, rd, 0x03);
export const sd = (rs2: number, rs1: number, imm: number) => sType(imm, rs2, rs1, 3, 0x23);
export const sw = (rs2: number, rs1: number, imm: number) => sType(imm, rs2, rs1, 2, 0x23);
export const jal = (rd: number, imm: number) => jType(imm, rd);
export const beq = (rs1: number, rs2: number, imm: number) => bType(imm, rs2, rs1, 0);
export const csrrw = (rd: number, csr: number, rs1: number) => iType(csr, rs1, 1, rd, 0x73);
export const csrrs = (rd: number, csr: number, rs1: number) => iType(csr, rs1, 2, rd, 0x73);
export const csrrc = (rd: number, csr: number, rs1: number) => iType(csr, rs1, 3, rd, 0x73);
export const csrrwi = (rd: number, csr: number, uimm: number) => iType(csr, uimm, 5, rd, 0x73);
export const ecall = () => 0x00000073;
export const ebreak = () => 0x00100073;
export const mret = () => 0x30200073;
export const sret = () => 0x10200073;
export const wfi = () => 0x10500073;
/** `j .`: a self-loop, the landing pad unit tests park the hart on. */
export const spin = () => jal(0, 0);

/** Little-endian bytes of a mix of 32-bit words and 16-bit compressed parcels ({ c: bits }). */
export function assemble(code: Array<number | { c: number }>): Uint8Array {
  const out: number[] = [];
  for (const item of code) {
    if (typeof item === "number") {
      out.push(item & 0xff, (item >>> 8) & 0xff, (item >>> 16) & 0xff, (item >>> 24) & 0xff);
    } else {
      out.push(item.c & 0xff, (item.c >>> 8) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

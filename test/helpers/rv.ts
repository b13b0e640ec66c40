// Single instruction words for unit tests that poke at one instruction at a time (the Asm class
// in rv-asm.ts builds whole programs). Formats come from rv-asm.ts.
import { encI, encJ, encR, encS, encU } from "./rv-asm.js";

export { encI as iType, encR as rType, encS as sType };

export const addi = (rd: number, rs1: number, imm: number) => encI(imm, rs1, 0, rd, 0x13);
export const li = (rd: number, imm: number) => addi(rd, 0, imm);
export const lui = (rd: number, imm: number) => encU(imm >>> 12, rd, 0x37);
export const jal = (rd: number, imm: number) => encJ(imm, rd, 0x6f);
export const csrrw = (rd: number, csr: number, rs1: number) => encI(csr, rs1, 1, rd, 0x73);
export const csrrs = (rd: number, csr: number, rs1: number) => encI(csr, rs1, 2, rd, 0x73);
export const csrrwi = (rd: number, csr: number, uimm: number) => encI(csr, uimm, 5, rd, 0x73);
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

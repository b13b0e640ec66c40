// Decoder edge cases: reserved and illegal encodings trap with the instruction bits in mtval,
// HINT encodings execute as no-ops, and x0 stays zero.
import { describe, expect, it } from "vitest";
import { DRAM_BASE } from "../../src/core/hart.js";
import { hartWith, runToTrap } from "../helpers/hart-fixture.js";
import { addi, iType, li, lui, rType, jal, sType } from "../helpers/rv.js";

const ILLEGAL = 2n;

describe("illegal and reserved encodings", () => {
  const compressed: Array<[string, number]> = [
    ["all-zero parcel", 0x0000],
    ["C.ADDI4SPN with zero immediate", 0x0004],
    ["C.LUI with zero immediate", 0x6081],
    ["C.ADDI16SP with zero immediate", 0x6101],
    ["C.JR x0", 0x8002],
    ["C.LWSP to x0", 0x4002],
    ["C.LDSP to x0", 0x6002],
    ["C.ADDIW to x0", 0x2001],
    ["reserved C.SUBW/ADDW slot (funct2 10)", 0x9c41],
    ["reserved C.SUBW/ADDW slot (funct2 11)", 0x9c61],
    ["reserved quadrant-0 funct3 100", 0x8000],
  ];
  for (const [name, bits] of compressed) {
    it(`${name} (0x${bits.toString(16)}) raises illegal instruction`, () => {
      const hart = hartWith([{ c: bits }]);
      expect(runToTrap(hart)).toEqual({ cause: ILLEGAL, epc: BigInt(DRAM_BASE), tval: BigInt(bits) });
    });
  }

  const wide: Array<[string, number]> = [
    ["JALR with funct3 1", iType(0, 1, 1, 1, 0x67)],
    ["load with funct3 7", iType(0, 1, 7, 1, 0x03)],
    ["store with funct3 4", sType(0, 1, 2, 4, 0x23)],
    ["SLLI with shamt bit 6 set", iType(0x440, 1, 1, 1, 0x13)],
    ["SRLI with funct6 000001", iType(0x41, 1, 5, 1, 0x13)],
    ["SLLIW with shamt bit 5 set", iType(0x020, 1, 1, 1, 0x1b)],
    ["SRAIW with funct7 0x21", iType(0x421, 1, 5, 1, 0x1b)],
    ["OP with funct7 2", rType(2, 2, 1, 0, 3, 0x33)],
    ["SUB-class funct7 with funct3 1", rType(0x20, 2, 1, 1, 3, 0x33)],
    ["OP-32 MUL-class funct3 1", rType(1, 2, 1, 1, 3, 0x3b)],
    ["SYSTEM funct3 4", iType(0, 0, 4, 0, 0x73)],
    ["ECALL with rs1 set", iType(0, 1, 0, 0, 0x73)],
    ["MISC-MEM funct3 2 with a reserved CBO operation (3)", iType(3, 1, 2, 0, 0x0f)],
    ["CBO.ZERO with rd != 0", iType(4, 1, 2, 5, 0x0f)],
    ["MISC-MEM funct3 3", iType(0, 0, 3, 0, 0x0f)],
    ["AMO with funct3 1", rType(0, 2, 1, 1, 3, 0x2f)],
    ["LR.W with rs2 set", rType(0x02 << 2, 1, 1, 2, 3, 0x2f)],
    ["AMO funct5 0x1f", rType(0x1f << 2, 2, 1, 2, 3, 0x2f)],
    ["custom-0 opcode", 0x0000000b],
    ["48-bit instruction prefix", 0x0000001f],
  ];
  for (const [name, bits] of wide) {
    it(`${name} raises illegal instruction with the bits in mtval`, () => {
      const hart = hartWith([bits]);
      expect(runToTrap(hart)).toEqual({ cause: ILLEGAL, epc: BigInt(DRAM_BASE), tval: BigInt(bits) });
    });
  }
});

describe("HINTs and x0", () => {
  it("HINT encodings execute as no-ops", () => {
    const hart = hartWith([
      li(5, 7),
      addi(0, 5, 3), // ADDI x0: HINT
      lui(0, 0x12345000), // LUI x0: HINT
      { c: 0x0001 }, // C.NOP
      { c: 0x0005 }, // C.NOP with nonzero immediate: HINT
      { c: 0x4001 }, // C.LI x0, 0: HINT
      { c: 0x0006 }, // C.SLLI x0: HINT
      { c: 0x8016 }, // C.MV x0, x5: HINT
      { c: 0x9016 }, // C.ADD x0, x5: HINT
      iType(0x8ff, 3, 0, 5, 0x0f), // FENCE with unused fields set
      jal(0, 0),
    ]);
    hart.run(10);
    expect(hart.pc).toBe(BigInt(DRAM_BASE + 28)); // parked on the final `j .`
    expect(hart.x(5)).toBe(7n);
    expect(hart.x(0)).toBe(0n);
  });

  it("a load into x0 still accesses memory and faults", () => {
    // ld x0, 0(x5) with x5 = 0x1000_0000, which is neither RAM nor a device here
    const hart = hartWith([lui(5, 0x10000000), iType(0, 5, 3, 0, 0x03)]);
    expect(runToTrap(hart)).toEqual({ cause: 5n, epc: BigInt(DRAM_BASE + 4), tval: 0x10000000n });
  });

  it("JALR computes its target before writing a link register that is also its base", () => {
    // auipc x1, 0; jalr x1, 12(x1): jumps to base+12, links base+8
    const hart = hartWith([0x00000097, iType(12, 1, 0, 1, 0x67), 0, jal(0, 0)]);
    hart.run(2);
    expect(hart.pc).toBe(BigInt(DRAM_BASE + 12));
    expect(hart.x(1)).toBe(BigInt(DRAM_BASE + 8));
  });

  it("JALR clears bit 0 of the target", () => {
    const hart = hartWith([0x00000097, iType(13, 1, 0, 2, 0x67), 0, jal(0, 0)]);
    hart.run(2);
    expect(hart.pc).toBe(BigInt(DRAM_BASE + 12));
  });
});

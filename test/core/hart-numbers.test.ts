// The Hart's allocation-free accessors for the system-call path of containers (xNumber,
// setXNumber, advancePc, exitCause) agree with the BigInt ones.
import { describe, expect, it } from "vitest";
import { Hart } from "../../src/core/hart.js";
import { loadCoreModule } from "../../src/node/core-module.js";

describe("Hart number accessors", () => {
  it("read and write registers as safe integers, two's complement, and step pc with its carry", () => {
    const h = new Hart(loadCoreModule(), { memSize: 1 << 20 });
    for (const v of [0, 1, -1, -38, 2 ** 31, -(2 ** 31), 2 ** 32 + 5, 2 ** 38 - 4096, -(2 ** 40) + 3, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      h.setXNumber(10, v);
      expect(h.x(10), String(v)).toBe(BigInt.asUintN(64, BigInt(v)));
      expect(h.xNumber(10), String(v)).toBe(v);
    }
    h.setX(11, 0xffff_ffff_ffff_ffd6n); // -42
    expect(h.xNumber(11)).toBe(-42);
    h.setXNumber(0, 5);
    expect(h.xNumber(0)).toBe(0);
    h.pc = 0x1_ffff_fffen;
    h.advancePc(4);
    expect(h.pc).toBe(0x2_0000_0002n);
    h.advancePc(4);
    expect(h.pc).toBe(0x2_0000_0006n);
  });
});

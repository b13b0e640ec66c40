// Hart.clearRam(): zeroes guest RAM once anything may have written it (run(), writePhys,
// writePhys64, the `ram` view), and skips the fill on a hart nothing has touched yet.
import { describe, expect, it } from "vitest";
import { Hart, DRAM_BASE } from "../../src/core/hart.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { Asm } from "../helpers/rv-asm.js";

const hart = () => new Hart(loadCoreModule(), { memSize: 1 << 20, clock: () => 0 });
const zero = (h: Hart) => h.readPhys(DRAM_BASE, 1 << 20).every((b) => b === 0);

describe("clearRam", () => {
  it("zeroes what writePhys, writePhys64 and the ram view wrote", () => {
    for (const write of [
      (h: Hart) => h.writePhys(DRAM_BASE + 4096, Uint8Array.of(1, 2, 3)),
      (h: Hart) => h.writePhys64(DRAM_BASE + 8192, 0x1234n),
      (h: Hart) => { h.ram[12345] = 7; },
    ]) {
      const h = hart();
      write(h);
      expect(zero(h)).toBe(false);
      h.clearRam();
      expect(zero(h)).toBe(true);
    }
  });

  it("zeroes what the guest stored, and what devices wrote through deviceRam while it ran", () => {
    const a = new Asm();
    a.li("t0", 0x80080000).li("t1", 0x55).sd("t1", 0, "t0").label("spin").j("spin");
    const h = hart();
    h.writePhys(DRAM_BASE, a.bytes());
    h.clearRam();
    expect(zero(h)).toBe(true); // the program is gone too: load it again
    h.writePhys(DRAM_BASE, a.bytes());
    h.clearRam(); // touched by writePhys, cleared
    h.writePhys(DRAM_BASE, a.bytes());
    h.run(100);
    h.deviceRam()[100] = 9; // as a device would, while the guest runs
    expect(h.readPhys64(0x80080000)).toBe(0x55n);
    h.clearRam();
    expect(zero(h)).toBe(true);
  });
});

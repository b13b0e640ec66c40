// The dirty-page log live migration copies from (assembly/mmu.ts): every page a store, an AMO
// or a host write reaches is logged, again in every round (stores that hit the store TLB
// included), with and without compiled code, and nothing is logged while it is off.
import { describe, expect, it } from "vitest";
import { Hart, DRAM_BASE } from "../../src/core/hart.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import type { JitOptions } from "../../src/jit/jit.js";
import { Asm } from "../helpers/rv-asm.js";

/** Loops forever: stores to pages 5, 6 and 9 (a halfword at 6's last two bytes), an AMO on page 32. */
function writer(): Asm {
  const a = new Asm();
  a.li("s0", DRAM_BASE + 5 * 4096).li("s1", DRAM_BASE + 6 * 4096 + 4095 - 1).li("s2", DRAM_BASE + 9 * 4096 + 8)
    .li("s3", DRAM_BASE + 32 * 4096).li("t1", 1);
  a.label("loop").addi("t0", "t0", 1).sd("t0", 0, "s0").sh("t0", 0, "s1").sw("t0", 0, "s2")
    .amo(0b00000, "d", "zero", "t1", "s3") // amoadd.d zero, t1, (s3)
    .j("loop");
  return a;
}

function hart(jit: JitOptions | false): Hart {
  const h = new Hart(loadCoreModule(), { memSize: 1 << 20, clock: () => 0, jit });
  h.writePhys(DRAM_BASE, writer().bytes());
  return h;
}

describe("dirty-page log", () => {
  for (const [name, jit] of [["interpreted", false], ["compiled", { threshold: 0 }]] as const) {
    it(`${name}: logs exactly the pages written, every round, and nothing when off`, () => {
      const h = hart(jit);
      h.run(1000); // warm: the store TLB holds every page the loop writes
      h.dirtyLog(true);
      expect([...h.takeDirtyPages()]).toEqual([]);
      for (let round = 0; round < 3; round++) {
        h.run(5000);
        expect([...h.takeDirtyPages()], `round ${round}`).toEqual([5, 6, 9, 32]);
      }
      // A host write (a device's DMA goes through invalidate too) is logged with them.
      h.writePhys(DRAM_BASE + 100 * 4096 + 4090, new Uint8Array(12)); // pages 100 and 101
      h.run(5000);
      expect([...h.takeDirtyPages()]).toEqual([5, 6, 9, 32, 100, 101]);
      h.dirtyLog(false);
      h.run(5000);
      expect([...h.takeDirtyPages()]).toEqual([]);
      if (jit) expect(Number(h.jit!.stats().steps)).toBeGreaterThan(10_000);
    });
  }

  it("a misaligned store across a page end logs both pages", () => {
    const a = new Asm();
    a.li("s0", DRAM_BASE + 7 * 4096 + 4095).li("t0", 0x1234).sh("t0", 0, "s0").label("spin").j("spin");
    const h = new Hart(loadCoreModule(), { memSize: 1 << 20, clock: () => 0, jit: false });
    h.writePhys(DRAM_BASE, a.bytes());
    h.dirtyLog(true);
    h.run(100);
    expect([...h.takeDirtyPages()]).toEqual([7, 8]);
  });
});

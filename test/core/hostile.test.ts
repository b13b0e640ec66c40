// Guests are untrusted: whatever bytes they run, the core must neither trap in Wasm (an
// out-of-bounds access or a bad conversion would throw here) nor run past its budget, and
// it must leave a second VM in the same process untouched.
import { describe, expect, it } from "vitest";
import { DRAM_BASE, Exit, Hart } from "../../src/core/hart.js";
import { loadCoreModule } from "../../src/node/core-module.js";

/** xorshift32: a deterministic byte source. */
function bytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

describe("hostile guests", () => {
  it("random bytes as code, page tables and vectors: only orderly exits, budgets respected", () => {
    const mem = 256 << 10;
    const bystander = new Hart(loadCoreModule(), { memSize: mem, clock: () => 0 });
    const pattern = bytes(99, mem);
    bystander.writePhys(DRAM_BASE, pattern);
    let total = 0;
    for (let seed = 1; seed <= 40; seed++) {
      let t = 0;
      const hart = new Hart(loadCoreModule(), { memSize: mem, clock: () => (t += 7) });
      hart.writePhys(DRAM_BASE, bytes(seed, mem));
      const r = bytes(seed ^ 0x5a5a, 64);
      const dv = new DataView(r.buffer);
      // Random trap vectors and a random (possibly paged) satp pointing into RAM or beyond.
      hart.writeCsr(0x305, BigInt(DRAM_BASE + (dv.getUint32(0, true) % mem)) & ~3n | BigInt(r[4] & 1));
      hart.writeCsr(0x105, BigInt(DRAM_BASE + (dv.getUint32(8, true) % mem)));
      hart.writeCsr(0x302, BigInt(dv.getUint16(12, true)));
      hart.writeCsr(0x303, BigInt(dv.getUint16(14, true)));
      const mode = [0n, 8n, 9n][r[16] % 3];
      hart.writeCsr(0x180, (mode << 60n) | BigInt((DRAM_BASE >>> 12) + (dv.getUint32(20, true) % 80)));
      hart.writeCsr(0x300, BigInt(dv.getUint32(24, true)) | (BigInt(r[28] & 3) << 11n));
      hart.priv = [0, 1, 3][r[29] % 3];
      for (let slice = 0; slice < 20; slice++) {
        const before = hart.steps;
        const exit = hart.run(5_000);
        expect(hart.steps - before).toBeLessThanOrEqual(5_000);
        total += hart.steps - before;
        expect([Exit.Budget, Exit.Idle, Exit.Htif, Exit.Host]).toContain(exit);
      }
    }
    expect(total).toBeGreaterThan(40 * 10_000); // most of them really ran
    expect(bystander.readPhys(DRAM_BASE, mem)).toEqual(pattern);
  });
});

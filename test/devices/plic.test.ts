import { describe, expect, it } from "vitest";
import { Plic } from "../../src/devices/plic.js";

const CLAIM_S = 0x201004, THRESH_S = 0x201000, ENABLE_S = 0x2080;

describe("PLIC", () => {
  it("claims the highest-priority source, masks by threshold, re-pends a level still high after complete", () => {
    const lines: boolean[][] = [[], []];
    const p = new Plic((ctx, lv) => lines[ctx].push(lv));
    p.write(4 * 10, 4, 1, 0); p.write(4 * 11, 4, 5, 0);
    p.write(ENABLE_S, 4, (1 << 10) | (1 << 11), 0);
    p.setLevel(10, true); p.setLevel(11, true);
    expect(p.output(1)).toBe(true);
    expect(p.output(0)).toBe(false); // context 0 (M) enables nothing
    expect(p.read(0x1000, 4)).toBe((1 << 10) | (1 << 11)); // pending
    expect(p.read(CLAIM_S, 4)).toBe(11);
    expect(p.read(CLAIM_S, 4)).toBe(10);
    expect(p.read(CLAIM_S, 4)).toBe(0);
    expect(p.output(1)).toBe(false);
    p.write(CLAIM_S, 4, 11, 0); // complete 11: its line is still high, so it is pending again
    expect(p.output(1)).toBe(true);
    p.write(THRESH_S, 4, 5, 0); // priority 5 is not above threshold 5
    expect(p.output(1)).toBe(false);
    expect(lines[1]).toEqual([true, false, true, false]);
  });

  it("survives random register traffic without throwing, and restores what it saved", () => {
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed; };
    const p = new Plic(() => {});
    for (let i = 0; i < 100_000; i++) {
      const off = rnd() % 0x600000 & ~3;
      if (rnd() & 1) p.read(off, 4); else p.write(off, 4, rnd(), 0);
      if ((i & 63) === 0) p.setLevel(1 + (rnd() % 95), (rnd() & 1) === 1);
    }
    expect(p.read(0, 4)).toBe(0); // source 0 has no priority
    const q = new Plic(() => {});
    q.restore(p.save());
    expect(q.save()).toEqual(p.save());
    expect(() => q.restore(new TextEncoder().encode('{"device":"plic","v":1,"priority":[9]}'))).toThrow(/priority/);
  });
});

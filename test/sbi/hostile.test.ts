// A hostile S-mode guest in para mode: thousands of hypercalls with every EID/FID this SBI
// knows (and random ones), with random arguments (addresses at the edges of RAM, outside it,
// huge sizes). The host never throws, every run ends in an orderly way, and a neighbour VM
// computes exactly what it computes alone.
import { describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/machine.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { SBI_EXTENSIONS } from "../../src/sbi/sbi.js";
import { guestElf } from "../helpers/elf-builder.js";
import { sumGuest } from "../helpers/guests.js";
import { Asm } from "../helpers/rv-asm.js";

const MEM = 1 << 20, RAM = 0x8000_0000;

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
}

function hostileGuest(seed: number): Uint8Array {
  const rnd = lcg(seed);
  const eids = [...SBI_EXTENSIONS.keys()];
  const big = () => (BigInt(rnd()) << 32n) | BigInt(rnd());
  const arg = (): bigint => {
    switch (rnd() % 8) {
      case 0: return BigInt(RAM + (rnd() % MEM));
      case 1: return BigInt(RAM + MEM - (rnd() % 64));
      case 2: return BigInt(rnd() % 16);
      case 3: return -1n;
      case 4: return big();
      case 5: return BigInt(0x8000_0000 + 0x100000 * (rnd() % 4096));
      default: return BigInt(rnd());
    }
  };
  const a = new Asm();
  a.label("top");
  for (let i = 0; i < 400; i++) {
    const eid = rnd() % 10 === 0 ? rnd() : eids[rnd() % eids.length];
    a.li("a7", BigInt(eid)).li("a6", BigInt(rnd() % 12));
    for (let r = 0; r < 6; r++) a.li(`a${r}`, arg());
    a.ecall();
  }
  a.j("top");
  return guestElf(a);
}


function runHostile(seed: number, hypercalls: "import" | "exit") {
  const m = new Machine(loadCoreModule(), { memSize: MEM, mode: "para", hypercalls, clock: "virtual" });
  m.load(hostileGuest(seed)); // a para board starts it in S-mode
  return { m, result: m.runSync({ maxInstructions: 300_000 }) };
}

describe("a hostile paravirtual guest", () => {
  it("random hypercalls never fault the host and end in an orderly way (both hypercall paths)", () => {
    const reasons = new Map<string, number>();
    let calls = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { m, result } = runHostile(seed, seed % 2 ? "import" : "exit");
      expect(["limit", "exit", "reset", "deadlock"]).toContain(result.reason);
      reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
      calls += m.hart.stats().hypercalls;
    }
    expect(calls).toBeGreaterThan(5_000);
    expect(reasons.get("limit") ?? 0).toBeGreaterThan(0);
  }, 30_000); // 60 guests of their own code: ~5 s with every block compiled (WASMVISOR_JIT=0)

  it("leaves a neighbour VM untouched", () => {
    const alone = new Machine(loadCoreModule(), { memSize: MEM, clock: "virtual" });
    alone.load(sumGuest(50_000));
    const want = alone.runSync();
    const neighbour = new Machine(loadCoreModule(), { memSize: MEM, clock: "virtual" });
    neighbour.load(sumGuest(50_000));
    for (let seed = 100; seed < 110; seed++) {
      runHostile(seed, "import");
      neighbour.runSync({ maxInstructions: 10_000 });
    }
    const got = neighbour.runSync();
    expect(want).toMatchObject({ reason: "exit", exitCode: (50_000 * 50_001 / 2) & 0xff });
    expect(got.reason).toBe(want.reason);
    expect(got.exitCode).toBe(want.exitCode);
  });
});

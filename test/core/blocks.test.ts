// The block cache (assembly/blocks.ts): straight-line blocks must not change what the hart
// does. Budgets stop exactly inside a block, a store that rewrites the next instruction of the
// running block is seen, an instruction across a page boundary runs, and a jump into the middle
// of a cached block runs from there.
import { describe, expect, it } from "vitest";
import { Hart, DRAM_BASE } from "../../src/core/hart.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { Asm } from "../helpers/rv-asm.js";

const C_NOP = 0x0001;
const C_ADDI_T0_1 = 0x0285; // c.addi t0, 1
const ADDI_A0_A0_1 = 0x00150513;
const ADDI_A0_A0_100 = 0x06450513;

function hartWith(a: Asm, jit?: false): Hart {
  const hart = new Hart(loadCoreModule(), { memSize: 1 << 20, clock: () => 0, jit });
  hart.writePhys(DRAM_BASE, a.bytes());
  return hart;
}

function state(h: Hart): string {
  const xs = Array.from({ length: 32 }, (_, i) => h.x(i).toString(16));
  return `${h.pc.toString(16)} ${h.instret} ${h.steps} ${xs.join(",")}`;
}

/** Mixed straight-line code (compressed and not, memory, AUIPC) in a loop with a mid-block entry. */
function mixedLoop(): Asm {
  const a = new Asm();
  a.la("s0", "data").li("s1", 5);
  a.label("top").addi("t1", "t1", 3).half(C_ADDI_T0_1).ld("t2", 0, "s0").add("t2", "t2", "t0");
  a.sd("t2", 0, "s0").auipc("t3", 1).half(C_NOP).xori("t4", "t2", 0x55);
  a.label("mid").slli("t5", "t4", 3).sw("t5", 8, "s0").lw("t6", 8, "s0").addi("s1", "s1", -1);
  a.bnez("s1", "top");
  a.li("s1", 3).addi("s2", "s2", 1).li("t0", 2).bltu("s2", "t0", "mid");
  a.label("spin").j("spin");
  a.align(8).label("data").dword(0x1234).dword(0);
  return a;
}

/**
 * A loop whose block branches back to its own start (the interpreter runs it again without a
 * lookup), loading through a pointer that walks out of RAM: an access fault in its 17th pass.
 */
function tightLoop(): Asm {
  const a = new Asm();
  a.la("t0", "trap").csrw(0x305, "t0"); // mtvec
  a.la("s3", "data").li("s4", 0x10000).li("s1", 40);
  a.label("top").addi("t1", "t1", 3).half(C_ADDI_T0_1).ld("t3", 0, "s3").xor("t2", "t1", "t3").add("s3", "s3", "s4");
  a.addi("s1", "s1", -1).bnez("s1", "top");
  a.label("spin").j("spin");
  a.align(4).label("trap").csrr("a1", 0x342).label("spin2").j("spin2");
  a.align(4096).label("data").dword(0x55);
  return a;
}

describe("block cache", () => {
  it("a block that loops to its own start stops where single steps do, and faults precisely", () => {
    const reference = hartWith(tightLoop(), false);
    const seen: string[] = [state(reference)];
    for (let k = 1; k <= 160; k++) { reference.run(1); seen.push(state(reference)); }
    expect(reference.x(11)).toBe(5n); // load access fault
    for (const k of [1, 5, 7, 8, 12, 13, 40, 41, 99, 100, 101, 130, 160]) {
      const h = hartWith(tightLoop(), false);
      h.run(k);
      expect(state(h), `after run(${k})`).toBe(seen[k]);
    }
    const h = hartWith(tightLoop(), false);
    let done = 0;
    for (const k of [9, 1, 20, 3, 33, 14, 7, 50, 23]) { h.run(k); done += k; expect(state(h), `after ${done}`).toBe(seen[done]); }
    expect(h.csr(0x341)).toBe(reference.csr(0x341)); // mepc
    expect(h.csr(0x343)).toBe(reference.csr(0x343)); // mtval
  });

  it("run(k) stops exactly where k single steps do, at every k", () => {
    const reference = hartWith(mixedLoop());
    const seen: string[] = [state(reference)];
    for (let k = 1; k <= 120; k++) { reference.run(1); seen.push(state(reference)); }
    for (const k of [1, 2, 3, 5, 7, 8, 9, 13, 21, 34, 55, 89, 120]) {
      const h = hartWith(mixedLoop());
      h.run(k);
      expect(state(h), `after run(${k})`).toBe(seen[k]);
    }
    // Uneven slices through the same program land on the same states as well.
    const h = hartWith(mixedLoop());
    let done = 0;
    for (const k of [4, 1, 6, 11, 2, 17, 3, 30, 46]) { h.run(k); done += k; expect(state(h)).toBe(seen[done]); }
  });

  it("a store that rewrites the next instruction of the running block is seen", () => {
    const a = new Asm();
    a.la("t1", "patch").li("t2", ADDI_A0_A0_100).li("a0", 0).sw("t2", 0, "t1");
    a.label("patch").insn(ADDI_A0_A0_1).label("spin").j("spin");
    const h = hartWith(a);
    h.run(20);
    expect(h.x(10)).toBe(100n);
    expect(h.pc).toBe(BigInt(a.addr("spin")));
  });

  it("code the host rewrites is run as rewritten, also where the last block went straight to it", () => {
    // The interpreter goes from a block to the one it went on to last through the block's
    // successor hints, without the lookup: a host write must drop those blocks too.
    const a = new Asm();
    a.li("a0", 0).label("top").call("fn").j("top");
    a.align(4096).label("fn").insn(ADDI_A0_A0_1).ret();
    const h = hartWith(a, false);
    h.run(400); // 100 calls: the calls' blocks name fn's block as their successor
    const before = h.x(10);
    expect(before).toBeGreaterThan(90n);
    const patched = new Asm();
    patched.insn(ADDI_A0_A0_100).ret().insn(0x13).insn(0x13); // 16 bytes: a write that drops the page
    h.writePhys(a.addr("fn"), patched.bytes());
    expect(h.pc).toBe(BigInt(a.addr("top") + 4)); // at the `j top`
    h.run(400); // 100 more calls, each of the new code
    expect(h.x(10) - before).toBe(10000n);
  });

  it("a 32-bit instruction that straddles a page boundary runs", () => {
    const a = new Asm();
    a.li("a0", 0);
    while (a.pc < DRAM_BASE + 0xffe) a.half(C_NOP);
    a.insn(ADDI_A0_A0_1 | (6 << 20)).label("spin").j("spin"); // addi a0, a0, 7
    const h = hartWith(a);
    h.run(3000);
    expect(h.x(10)).toBe(7n);
    expect(h.pc).toBe(BigInt(a.addr("spin")));
  });
});

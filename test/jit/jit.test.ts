// The JIT (src/jit/): compiled code must do exactly what the interpreter does. The same guest
// programs end in the same state with and without it, exceptions stay precise in compiled
// blocks, stores that rewrite compiled code are seen, budgets hold, and the LEB128 writer
// encodes like the spec's examples.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BITMANIP, L } from "../../src/core/abi.gen.js";
import { compilesBitmanip } from "../../src/jit/bitmanip-codegen.js";
import { chainCounter } from "../../src/jit/codegen.js";
import { describe, expect, it } from "vitest";
import { Hart, DRAM_BASE } from "../../src/core/hart.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { Bytes } from "../../src/jit/wasm.js";
import { clearSharedCache, installedCodeBytes, PROCESS_CODE_BYTES, setProcessCodeLimit, type JitOptions } from "../../src/jit/jit.js";
import { Exit } from "../../src/core/hart.js";
import { prepareHart, runToExit } from "../../bench/guest.js";
import { Asm, encS } from "../helpers/rv-asm.js";

const ALL: JitOptions = { threshold: 0 };

function state(h: Hart): string {
  const xs = Array.from({ length: 32 }, (_, i) => h.x(i).toString(16));
  const fs = Array.from({ length: 32 }, (_, i) => h.f(i).toString(16));
  return `pc ${h.pc.toString(16)} instret ${h.instret} steps ${h.steps} x ${xs.join(",")} f ${fs.join(",")}`;
}

function hartWith(a: Asm, jit: JitOptions | false): Hart {
  const hart = new Hart(loadCoreModule(), { memSize: 1 << 20, clock: () => 0, jit });
  hart.writePhys(DRAM_BASE, a.bytes());
  return hart;
}

/**
 * Runs `a` compiled (every block at its first entry, and at threshold 20) in budgets of mixed
 * sizes, and expects the state after each budget to be `seen`'s after as many single steps; most
 * of the run compiled.
 */
function stepsAsInterpreted(a: Asm, seen: string[]): void {
  for (const jit of [ALL, { threshold: 20 }] as const) {
    const h = hartWith(a, jit);
    let done = 0;
    for (let i = 0; done + 700 < seen.length; i++) {
      const k = [1, 7, 40, 3, 250, 13, 99, 2, 600][i % 9];
      h.run(k); done += k;
      expect(state(h), `${JSON.stringify(jit)} after ${done}`).toBe(seen[done]);
    }
    expect(Number(h.jit!.stats().steps)).toBeGreaterThan(0.8 * done);
  }
}

describe("LEB128", () => {
  it("encodes unsigned and signed values as the spec's examples do", () => {
    const u = (v: number) => [...new Bytes().u32(v).view()];
    const s = (v: bigint) => [...new Bytes().s64(v).view()];
    const s32 = (v: number) => [...new Bytes().s32(v).view()];
    expect(u(0)).toEqual([0]);
    expect(u(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(u(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(s(-123456n)).toEqual([0xc0, 0xbb, 0x78]);
    expect(s(63n)).toEqual([0x3f]);
    expect(s(64n)).toEqual([0xc0, 0x00]);
    expect(s(-64n)).toEqual([0x40]);
    expect(s(-(2n ** 63n))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
    for (const v of [0, 1, -1, 63, 64, -64, -65, 2 ** 31 - 1, -(2 ** 31), 123456789]) expect(s32(v)).toEqual(s(BigInt(v)));
  });
});

describe("JIT", () => {
  const bin = join(import.meta.dirname, "../../guests/bench/bin");
  for (const name of ["arith", "memcpy", "sort", "crc32", "calls", "nbody"]) {
    it(`${name}: the same final state compiled as interpreted`, () => {
      const bytes = readFileSync(join(bin, `${name}-quick.elf`));
      const module = loadCoreModule();
      const plain = prepareHart(module, { name, bytes }, false);
      const compiled = prepareHart(module, { name, bytes }, ALL);
      expect(runToExit(plain).code).toBe(0);
      expect(runToExit(compiled).code).toBe(0);
      expect(state(compiled.hart)).toBe(state(plain.hart));
      const s = compiled.hart.jit!.stats();
      expect(Number(s.steps)).toBeGreaterThan(Number(compiled.hart.instret) / 2); // most of it ran compiled
      expect(s.compiledBytes).toBeGreaterThan(0);
    });
  }

  /** A hot loop of loads whose last iteration loads from outside RAM: an access fault mid-block. */
  function faultingLoop(): Asm {
    const a = new Asm();
    a.la("t0", "trap").csrw(0x305, "t0"); // mtvec
    a.la("s0", "data").li("s1", 3000).li("s2", 0);
    a.label("loop").ld("t1", 0, "s0").add("s2", "s2", "t1").addi("s1", "s1", -1);
    a.bnez("s1", "next").li("s0", 0x1000); // the last iteration points s0 outside RAM
    a.label("next").ld("t2", 8, "s0").add("s2", "s2", "t2").addi("s3", "s3", 1).j("loop");
    a.label("trap").label("spin").j("spin");
    a.align(8).label("data").dword(5).dword(7);
    return a;
  }

  it("a fault in the middle of a compiled block is precise (pc, mepc, mtval, instret)", () => {
    const plain = hartWith(faultingLoop(), false);
    const compiled = hartWith(faultingLoop(), ALL);
    for (const h of [plain, compiled]) for (let i = 0; i < 50; i++) h.run(1000);
    expect(compiled.jit!.stats().steps).toBeGreaterThan(10_000n);
    for (const h of [plain, compiled]) { h.priv = 3; }
    const trap = (h: Hart) => ({ mcause: h.csr(0x342), mepc: h.csr(0x341), mtval: h.csr(0x343), state: state(h) });
    expect(trap(compiled)).toEqual(trap(plain));
    expect(plain.csr(0x342)).toBe(5n); // load access fault
    expect(plain.csr(0x343)).toBe(0x1008n);
  });

  /**
   * Stores and loads through one base register (access groups, one TLB check for all) walking
   * up to the end of RAM in 8-byte steps: the group's range straddles page boundaries on the
   * way, and at the end its second store is outside RAM while its first is not.
   */
  function groupedWalk(memSize: number): Asm {
    const a = new Asm();
    a.la("t0", "trap").csrw(0x305, "t0"); // mtvec
    a.li("s0", DRAM_BASE + memSize - 3 * 4096 - 40).li("s1", 1).li("s2", 0x5555).li("s4", 0);
    a.label("loop").sd("s1", 0, "s0").sd("s2", 8, "s0").sw("s1", 16, "s0").sw("s2", 20, "s0");
    a.ld("t1", 0, "s0").lw("t2", 16, "s0").ld("t3", 8, "s0").lbu("t4", 1, "s0");
    a.add("s4", "s4", "t1").add("s4", "s4", "t2").add("s4", "s4", "t3").add("s4", "s4", "t4");
    a.addi("s0", "s0", 8).addi("s1", "s1", 3).j("loop");
    a.label("trap").label("spin").j("spin");
    return a;
  }

  it("loads and stores checked as a group stay exact: page-straddling ranges, a fault at the group's second access", () => {
    const memSize = 1 << 20;
    const plain = hartWith(groupedWalk(memSize), false);
    const compiled = hartWith(groupedWalk(memSize), ALL);
    // Step by step through the compiled run's budgets: every intermediate state matches.
    for (let i = 0; i < 800; i++) {
      plain.run(37);
      compiled.run(37);
      expect(state(compiled)).toBe(state(plain));
    }
    expect(compiled.jit!.stats().steps).toBeGreaterThan(5_000n);
    for (const h of [plain, compiled]) { h.priv = 3; }
    expect(plain.csr(0x342)).toBe(7n); // store access fault
    expect(plain.csr(0x343)).toBe(BigInt(DRAM_BASE + memSize)); // sd s2, 8(s0) with s0 = end - 8
    expect(compiled.csr(0x341)).toBe(plain.csr(0x341));
    expect(compiled.csr(0x343)).toBe(plain.csr(0x343));
    const tail = (h: Hart) => Buffer.from(h.readPhys(DRAM_BASE + memSize - 4 * 4096, 4 * 4096)).toString("hex");
    expect(tail(compiled)).toBe(tail(plain));
  });

  /**
   * A stack frame that straddles a page boundary (the same one on every pass, as a function
   * called at one depth in a loop stores and reloads it): the group's one check cannot cover it,
   * so each access checks its own page, and the block still runs compiled.
   */
  function straddlingFrame(): Asm {
    const a = new Asm();
    a.li("s0", DRAM_BASE + 0x3000 - 24).li("s1", 2000).li("s2", 0x1234).li("s3", -7).li("s5", 0);
    a.label("loop").sd("s1", 0, "s0").sd("s2", 8, "s0").sd("s3", 16, "s0").sd("s1", 24, "s0").sd("s2", 32, "s0");
    a.ld("t1", 0, "s0").ld("t2", 24, "s0").ld("t3", 32, "s0").add("s5", "s5", "t1").add("s5", "s5", "t2").add("s5", "s5", "t3");
    a.addi("s1", "s1", -1).bnez("s1", "loop");
    a.label("done").j("done");
    return a;
  }

  it("a group of accesses that straddles a page runs compiled, each access checked on its own", () => {
    const plain = hartWith(straddlingFrame(), false);
    const compiled = hartWith(straddlingFrame(), ALL);
    for (let i = 0; i < 60; i++) {
      plain.run(1000);
      compiled.run(1000);
      expect(state(compiled)).toBe(state(plain));
    }
    expect(plain.x(9)).toBe(0n); // the loop finished
    const frame = (h: Hart) => Buffer.from(h.readPhys(DRAM_BASE + 0x3000 - 24, 40)).toString("hex");
    expect(frame(compiled)).toBe(frame(plain));
    const s = compiled.jit!.stats();
    expect(Number(s.steps)).toBeGreaterThan(20_000);
    expect(s.bails).toBeLessThan(20); // leaving at the group's first store would be once a pass (2,000)
  });

  /**
   * The straddling frame under Sv39: the two virtual pages map to physical pages that are
   * adjacent (one base covers the frame) or not (each pass leaves for the interpreter, which
   * splits the accesses). `far`: two pairs of accesses 400 bytes apart, one pair in each page
   * (a frame's saved registers and an argument), which make a group each.
   */
  function straddlingPaged(adjacent: boolean, far = false): Asm {
    const ROOT = DRAM_BASE + 0x80000, L1 = ROOT + 0x1000, L0 = ROOT + 0x2000, DATA_PA = DRAM_BASE + 0x100000;
    const a = new Asm();
    a.li("t0", -1).csrw(0x3b0, "t0").li("t0", 0x1f).csrw(0x3a0, "t0"); // PMP: S may use all memory
    a.li("t0", (8n << 60n) | BigInt(ROOT >>> 12)).csrw(0x180, "t0"); // satp: Sv39
    a.li("t0", 1 << 11).csrw(0x300, "t0"); // mstatus.MPP = S
    a.la("t0", "smode").csrw(0x341, "t0").mret();
    a.label("smode").li("s0", 0x40001000 - (far ? 304 : 24)).li("s1", 2000).li("s2", 0x1234).li("s3", -7).li("s5", 0);
    if (far) {
      a.label("loop").sd("s1", 408, "s0").sd("s2", 400, "s0").sd("s3", 8, "s0").sd("s1", 0, "s0");
      a.ld("t1", 0, "s0").ld("t2", 400, "s0").add("s5", "s5", "t1").add("s5", "s5", "t2");
    } else {
      a.label("loop").sd("s1", 0, "s0").sd("s2", 8, "s0").sd("s3", 16, "s0").sd("s1", 24, "s0").sd("s2", 32, "s0");
      a.ld("t1", 0, "s0").ld("t2", 24, "s0").add("s5", "s5", "t1").add("s5", "s5", "t2");
    }
    a.addi("s1", "s1", -1).bnez("s1", "loop");
    a.label("done").j("done");
    const pte = (pa: number) => (BigInt(pa) >> 12n << 10n) | 0xc7n; // V R W A D
    const tables = new BigUint64Array(3 * 512);
    tables[2] = (BigInt(DRAM_BASE) >> 12n << 10n) | 0xcfn; // the code: a 1 GiB page, identity mapped (V R W X A D)
    tables[1] = (BigInt(L1) >> 12n << 10n) | 1n;
    tables[512] = (BigInt(L0) >> 12n << 10n) | 1n;
    tables[1024] = pte(DATA_PA);
    tables[1025] = pte(DATA_PA + (adjacent ? 0x1000 : 0x5000));
    a.space(ROOT - DRAM_BASE - a.bytes().length);
    for (const b of new Uint8Array(tables.buffer)) a.byte(b);
    return a;
  }

  for (const [adjacent, far] of [[true, false], [false, false], [false, true]]) {
    it(`a straddling ${far ? "pair of groups" : "group"} under Sv39 on ${adjacent ? "adjacent" : "scattered"} physical pages runs exactly as interpreted`, () => {
      const run = (jit: JitOptions | false) => {
        const h = new Hart(loadCoreModule(), { memSize: 4 << 20, clock: () => 0, jit });
        h.writePhys(DRAM_BASE, straddlingPaged(adjacent, far).bytes());
        for (let i = 0; i < 40; i++) h.run(1000);
        return h;
      };
      const plain = run(false), compiled = run(ALL);
      expect(plain.x(9)).toBe(0n); // the loop finished
      expect(state(compiled)).toBe(state(plain));
      const mem = (h: Hart) => Buffer.from(h.readPhys(DRAM_BASE + 0x100000, 0x6000)).toString("hex");
      expect(mem(compiled)).toBe(mem(plain));
      const s = compiled.jit!.stats();
      if (adjacent || far) expect(s.bails).toBeLessThan(20); // far: each page's pair is a group of its own
      else expect(s.bails).toBeGreaterThan(1500); // each pass leaves at the frame's first store
    });
  }

  it("blocks that only read FP registers run compiled while FS is Initial, and leave it so", () => {
    const build = () => {
      const a = new Asm();
      a.li("t0", 1 << 13).csrs(0x300, "t0"); // mstatus.FS = Initial
      a.la("s0", "data").li("s1", 2000);
      const fsd = (f: number, off: number) => a.insn(encS(off, f, 8 /* s0 */, 3, 0x27));
      a.label("loop"); fsd(8, 0); fsd(9, 8); a.addi("s1", "s1", -1).bnez("s1", "loop");
      a.label("done").j("done");
      a.align(4096).label("data").dword(-1).dword(-1); // a page of its own: not a code page
      return a;
    };
    const plain = hartWith(build(), false);
    const compiled = hartWith(build(), ALL);
    for (const h of [plain, compiled]) for (let i = 0; i < 20; i++) h.run(1000);
    expect(state(compiled)).toBe(state(plain));
    expect(plain.x(9)).toBe(0n);
    for (const h of [plain, compiled]) expect((h.csr(0x300)! >> 13n) & 3n).toBe(1n); // FS still Initial
    const data = (h: Hart) => Buffer.from(h.readPhys(build().addr("data"), 16)).toString("hex");
    expect(data(compiled)).toBe("0".repeat(32));
    expect(data(plain)).toBe("0".repeat(32));
    const s = compiled.jit!.stats();
    expect(Number(s.steps)).toBeGreaterThan(5_000);
    expect(s.declined).toBeLessThan(20); // requiring FS = Dirty declined every entry
  });

  /**
   * S-mode under Sv39 loads and stores across 512 data pages, twice the TLB's 256 entries, so
   * every access misses the TLB: compiled code refills it through the core (mmu.ts tlbRefill)
   * instead of leaving to the interpreter. Some pages lack A, some D: those walks must set the
   * bits, which only the interpreter does, and the page tables must end as it leaves them.
   */
  function pagedWalk(): { a: Asm; tables: number } {
    const ROOT = DRAM_BASE + 0x80000, L1 = ROOT + 0x1000, L0 = ROOT + 0x2000, DATA_PA = DRAM_BASE + 0x100000;
    const a = new Asm();
    a.la("t0", "trap").csrw(0x305, "t0"); // mtvec
    a.li("t0", -1).csrw(0x3b0, "t0").li("t0", 0x1f).csrw(0x3a0, "t0"); // PMP: S may use all memory
    a.li("t0", (8n << 60n) | BigInt(ROOT >>> 12)).csrw(0x180, "t0"); // satp: Sv39
    a.li("t0", 1 << 11).csrw(0x300, "t0"); // mstatus.MPP = S
    a.la("t0", "smode").csrw(0x341, "t0").mret();
    a.label("smode").li("s3", 3).li("s2", 0);
    a.label("round").li("s0", 0x40000000).li("s1", 512);
    a.label("page").ld("t1", 0, "s0").add("s2", "s2", "t1").sd("s2", 8, "s0").lw("t2", 16, "s0").add("s2", "s2", "t2");
    a.li("t3", 4096).add("s0", "s0", "t3").addi("s1", "s1", -1).bnez("s1", "page");
    a.addi("s3", "s3", -1).bnez("s3", "round");
    a.ecall();
    a.align(4).label("trap").label("spin").j("spin");
    const pte = (pa: number, flags: number) => (BigInt(pa) >> 12n << 10n) | BigInt(flags);
    const V = 1, R = 2, W = 4, X = 8, A = 64, D = 128;
    const tables = new BigUint64Array(3 * 512);
    tables[2] = pte(DRAM_BASE, V | R | W | X | A | D); // the code: a 1 GiB page, identity mapped
    tables[1] = pte(L1, V); // VA 0x40000000: the data
    tables[512] = pte(L0, V);
    for (let i = 0; i < 512; i++) tables[1024 + i] = pte(DATA_PA + i * 4096, V | R | W | (i % 7 ? A : 0) | (i % 5 ? D : 0));
    a.space(ROOT - DRAM_BASE - a.bytes().length);
    for (const b of new Uint8Array(tables.buffer)) a.byte(b);
    return { a, tables: ROOT };
  }

  it("TLB misses under Sv39 are refilled in compiled code; walks that must set A or D leave to the interpreter", () => {
    const { a, tables } = pagedWalk();
    const run = (jit: JitOptions | false) => {
      const h = new Hart(loadCoreModule(), { memSize: 4 << 20, clock: () => 0, jit });
      h.writePhys(DRAM_BASE, a.bytes());
      for (let i = 0; i < 100; i++) h.run(1000);
      return h;
    };
    const plain = run(false), compiled = run(ALL);
    expect(plain.priv).toBe(3);
    expect(plain.csr(0x342)).toBe(9n); // ecall from S: the walk ended
    expect(state(compiled)).toBe(state(plain));
    const mem = (h: Hart, pa: number, n: number) => Buffer.from(h.readPhys(pa, n)).toString("hex");
    expect(mem(compiled, tables, 3 * 4096)).toBe(mem(plain, tables, 3 * 4096)); // A and D bits
    expect(mem(compiled, DRAM_BASE + 0x100000, 2 << 20)).toBe(mem(plain, DRAM_BASE + 0x100000, 2 << 20));
    const s = compiled.jit!.stats();
    expect(Number(s.steps)).toBeGreaterThan(Number(compiled.instret) / 2);
    // 3 × 512 × 3 accesses, nearly all TLB misses; only the walks that set A or D (about 175) and
    // the ends of budgets leave compiled code.
    expect(s.bails).toBeLessThan(600);
  });

  it("a group of accesses through a misaligned base runs as the interpreter runs it (plain accesses within a page)", () => {
    const a = new Asm();
    a.la("t0", "trap").csrw(0x305, "t0");
    a.li("s1", 0x1111).li("s2", 0x2222).la("s0", "data").addi("s0", "s0", 4);
    a.sd("s1", 0, "s0").sd("s2", 8, "s0").ld("t1", 0, "s0").ld("t2", 8, "s0");
    a.label("trap").label("spin").j("spin");
    a.align(8).label("data").dword(0).dword(0).dword(0);
    const plain = hartWith(a, false);
    const compiled = hartWith(a, ALL);
    for (const h of [plain, compiled]) h.run(40);
    expect(state(compiled)).toBe(state(plain));
    for (const h of [plain, compiled]) { h.priv = 3; }
    expect([compiled.csr(0x342), compiled.csr(0x341), compiled.csr(0x343)]).toEqual([plain.csr(0x342), plain.csr(0x341), plain.csr(0x343)]);
    const data = (h: Hart) => Buffer.from(h.readPhys(DRAM_BASE, 256)).toString("hex");
    expect(data(compiled)).toBe(data(plain));
  });

  it("a store that rewrites compiled code is seen at once", () => {
    const a = new Asm();
    a.li("a0", 0).li("s1", 500);
    a.label("loop").call("body").addi("s1", "s1", -1).bnez("s1", "loop");
    a.la("t1", "body").li("t2", 0x06450513).sw("t2", 0, "t1"); // addi a0, a0, 100
    a.call("body").label("spin").j("spin");
    a.label("body").insn(0x00150513).ret(); // addi a0, a0, 1
    const h = hartWith(a, ALL);
    for (let i = 0; i < 20; i++) h.run(1000);
    expect(h.x(10)).toBe(600n);
    expect(h.jit!.stats().steps).toBeGreaterThan(1000n);
  });

  it("a block rebuilt after a patch is not mistaken for the compiled one (calls from compiled code)", () => {
    // The loop and `body` share a page and are compiled into one function; after the patch,
    // `body` is decoded again (a new block at the same address), and the loop keeps calling it.
    const a = new Asm();
    a.li("a0", 0).li("s1", 500).li("s2", 250);
    a.label("loop").call("body").addi("s1", "s1", -1).bne("s1", "s2", "skip");
    a.la("t1", "body").li("t2", 0x06450513).sw("t2", 0, "t1"); // halfway: addi a0, a0, 100
    a.label("skip").bnez("s1", "loop");
    a.label("spin").j("spin");
    a.label("body").insn(0x00150513).ret(); // addi a0, a0, 1
    for (const threshold of [0, 50]) {
      const h = hartWith(a, { threshold });
      for (let i = 0; i < 40; i++) h.run(500);
      expect(h.pc, `threshold ${threshold}`).toBe(BigInt(a.addr("spin")));
      expect(h.x(10), `threshold ${threshold}`).toBe(250n + 250n * 100n);
    }
  });

  /**
   * Runs `a` to its `spin` label interpreted, then compiled (every block at once, and hot ones):
   * the same state and `dataBytes` at `data`, nearly all of it in compiled code, which the
   * atomics do not leave.
   */
  function runsCompiledAsInterpreted(a: Asm, dataBytes: number): void {
    const spin = BigInt(a.addr("spin"));
    const toSpin = (h: Hart) => { for (let i = 0; i < 1000 && h.pc !== spin; i++) h.run(500); expect(h.pc).toBe(spin); };
    const plain = hartWith(a, false);
    toSpin(plain);
    for (const jit of [ALL, { threshold: 50 }]) {
      const h = hartWith(a, jit);
      toSpin(h);
      expect(state(h)).toBe(state(plain));
      expect(h.readPhys(a.addr("data"), dataBytes)).toEqual(plain.readPhys(a.addr("data"), dataBytes));
      const s = h.jit!.stats();
      // All but the first passes (before the blocks are hot) and slice ends.
      expect(Number(s.steps)).toBeGreaterThan(0.6 * Number(h.steps));
      expect(s.bails).toBeLessThan(10);
    }
  }

  it("atomic memory operations run compiled, as the interpreter runs them", () => {
    // Every AMO function, .W and .D, on values that change sign and width every pass; the old
    // values are folded into s2.
    const a = new Asm();
    a.la("s0", "data").li("s1", 400).li("t0", 0x7ffffff1).li("s2", 0);
    a.label("loop").mul("t0", "t0", "t0").addi("t0", "t0", -77).xor("t1", "t0", "s1");
    for (const fn of [0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c]) {
      for (const [w, off] of [["w", 0], ["d", 8]] as const) {
        a.addi("t2", "s0", off).amo(fn, w, "t3", fn & 1 ? "t1" : "t0", "t2").add("s2", "s2", "t3").slli("s2", "s2", 1);
      }
    }
    a.addi("s1", "s1", -1).bnez("s1", "loop").label("spin").j("spin");
    a.align(4096).label("data").dword(-5).dword(0x123456789);
    runsCompiledAsInterpreted(a, 16);
  });

  it("bit-manipulation instructions run compiled, as the interpreter runs them", () => {
    // Every instruction the code generator compiles (from the decoder's table), on values that
    // change every pass, with shift amounts at and past 31; the results fold into s2.
    const a = new Asm();
    a.la("s0", "data").li("s1", 300).li("t0", 0x7ffffff1).li("s2", 0).li("t4", 0x9e3779b97f4a7c15n);
    a.label("loop").mul("t0", "t0", "t0").addi("t0", "t0", -77).xor("t1", "t0", "s1");
    let n = 0;
    for (const b of BITMANIP.filter((e) => compilesBitmanip(e.op))) {
      const sh = [0, 1, 31, 32, 45, 63][n++ % 6];
      let w = b.match | (28 << 7) | (5 << 15); // rd t3, rs1 t0
      if (b.form === "r") w |= 6 << 20; // rs2 t1
      else if (b.form === "sh6") w |= sh << 20;
      else if (b.form === "sh5") w |= (sh & 31) << 20;
      a.insn(w >>> 0).add("s2", "s2", "t3").mul("s2", "s2", "t4");
    }
    a.addi("s1", "s1", -1).bnez("s1", "loop").label("spin").j("spin");
    a.align(4096).label("data").dword(0);
    expect(n).toBeGreaterThan(40);
    runsCompiledAsInterpreted(a, 8);
  });

  it("LR/SC run compiled, as the interpreter runs them (reservation kept, lost, on another address)", () => {
    // Each pass: an LR/SC increment that succeeds; an SC after an SC (no reservation: fails);
    // an SC to another address than the LR's (fails); .W and .D. The SC results fold into s2.
    const a = new Asm();
    a.la("s0", "data").li("s1", 300).li("s2", 0).li("t4", 7);
    a.label("loop");
    for (const [w, off] of [["w", 0], ["d", 8]] as const) {
      a.addi("t2", "s0", off).lr(w, "t0", "t2").add("t0", "t0", "t4").sc(w, "t1", "t0", "t2").add("s2", "s2", "t1").slli("s2", "s2", 1);
      a.sc(w, "t1", "t0", "t2").add("s2", "s2", "t1").slli("s2", "s2", 1);
      a.lr(w, "t0", "t2").addi("t3", "t2", 16).sc(w, "t1", "t0", "t3").add("s2", "s2", "t1").slli("s2", "s2", 1);
    }
    a.mul("t4", "t4", "s1").addi("s1", "s1", -1).bnez("s1", "loop").label("spin").j("spin");
    a.align(4096).label("data").dword(-5).dword(0x123456789).dword(0).dword(0);
    runsCompiledAsInterpreted(a, 32);
  });

  it("budgets stop compiled code exactly where single steps do", () => {
    const a = new Asm();
    a.li("s1", 200).la("s0", "data");
    a.label("loop").ld("t0", 0, "s0").addi("t0", "t0", 3).sd("t0", 0, "s0").slli("t1", "t0", 2).xor("t2", "t1", "t0");
    a.addi("s1", "s1", -1).bnez("s1", "loop").label("spin").j("spin");
    a.align(8).label("data").dword(1);
    const reference = hartWith(a, false);
    const seen = [state(reference)];
    for (let k = 0; k < 700; k++) { reference.run(1); seen.push(state(reference)); }
    const h = hartWith(a, ALL);
    let done = 0;
    for (const k of [3, 40, 1, 7, 100, 13, 29, 200, 6, 1, 300]) {
      h.run(k); done += k;
      expect(state(h), `after ${done}`).toBe(seen[done]);
    }
    expect(h.jit!.stats().steps).toBeGreaterThan(0n);
  });

  it("branches taken in the middle of a block leave it exactly, interpreted and compiled (side exits, budgets)", () => {
    // One block from `loop` to the jump at `spin`: its first two branches are taken now and then
    // (every 4th and 7 in 8 passes), into blocks of their own in the same page.
    const a = new Asm();
    a.li("s1", 300).la("s0", "data").li("s2", 0);
    a.label("loop").andi("t0", "s1", 3).beq("t0", "zero", "skip").addi("s2", "s2", 5).ld("t1", 0, "s0").add("s2", "s2", "t1");
    a.label("skip").addi("s2", "s2", 1).andi("t0", "s1", 7).bne("t0", "zero", "nope").xori("s2", "s2", 0x55);
    a.label("nope").addi("s1", "s1", -1).bne("s1", "zero", "loop");
    a.label("spin").j("spin");
    a.align(4096).label("data").dword(9);
    const reference = hartWith(a, false);
    const seen = [state(reference)];
    for (let k = 0; k < 3000; k++) { reference.run(1); seen.push(state(reference)); }
    expect(reference.pc).toBe(BigInt(a.addr("spin")));
    for (const jit of [false, ALL, { threshold: 20 }] as const) {
      const h = hartWith(a, jit);
      let done = 0;
      for (const k of [5, 1, 13, 200, 7, 2, 99, 400, 3, 31, 1000, 17, 600, 622]) {
        h.run(k); done += k;
        expect(state(h), `${JSON.stringify(jit)} after ${done}`).toBe(seen[done]);
      }
      if (jit) expect(Number(h.jit!.stats().steps)).toBeGreaterThan(1000);
    }
  });

  it("calls out of a compiled function come back to it, and anything else a callee does leaves exactly", () => {
    // Each function in a page of its own, called from the loop's page: a leaf; one that returns
    // past the caller's next instruction (ra + 4); a recursion 40 deep through two pages
    // (beyond the nesting limit: deeper calls chain); one that leaves compiled code at a CSR
    // access, and one that calls the leaf itself (a call two deep that returns through both).
    const a = new Asm();
    a.la("sp", "stack").li("s1", 120).li("s2", 0);
    a.label("loop").call("leaf").call("twist").addi("s2", "s2", 1000); // the addi is skipped
    a.li("a0", 40).call("reca").add("s2", "s2", "a0");
    a.call("withcsr").call("outer").addi("s1", "s1", -1).bnez("s1", "loop");
    a.label("spin").j("spin");
    a.align(4096).label("leaf").addi("s2", "s2", 3).xori("s2", "s2", 0x55).ret();
    a.align(4096).label("twist").addi("s2", "s2", 7).addi("ra", "ra", 4).ret();
    for (const [name, next] of [["reca", "recb"], ["recb", "reca"]]) { // a0 + rec(a0 - 1), 0 at 0
      a.align(4096).label(name).beqz("a0", `${name}done`).addi("sp", "sp", -16).sd("ra", 8, "sp").sd("a0", 0, "sp");
      a.addi("a0", "a0", -1).call(next).ld("t0", 0, "sp").add("a0", "a0", "t0").ld("ra", 8, "sp").addi("sp", "sp", 16);
      a.label(`${name}done`).ret();
    }
    a.align(4096).label("withcsr").csrr("t0", 0x340).addi("t0", "t0", 1).csrw(0x340, "t0").add("s2", "s2", "t0").ret(); // mscratch
    a.align(4096).label("outer").mv("s3", "ra").call("leaf").addi("s2", "s2", 11).mv("ra", "s3").ret();
    a.align(4096).space(2048).label("stack");
    const reference = hartWith(a, false);
    const seen = [state(reference)];
    for (let k = 0; k < 60_000 && reference.pc !== BigInt(a.addr("spin")); k++) { reference.run(1); seen.push(state(reference)); }
    expect(reference.pc).toBe(BigInt(a.addr("spin")));
    // Budgets that end inside callees, at every depth of the recursion, and across returns.
    stepsAsInterpreted(a, seen);
    // Run in long slices, most calls come back to their caller: in each pass after the first
    // slice (interpreted, ~20 passes: the JIT compiles after a run) the leaf's, the recursion's
    // down to the nesting limit (31 of 40), outer's and the leaf's within it; not twist's, nor
    // withcsr's, which bails at its CSR accesses.
    const h = hartWith(a, ALL);
    for (let left = seen.length - 1; left > 0; left -= 10_000) h.run(Math.min(left, 10_000)); // compiles after each run
    expect(state(h)).toBe(seen.at(-1));
    expect(h.jit!.stats().returns).toBeGreaterThan(90 * 34);
  });

  it("a function whose loop makes no calls keeps its registers in locals, and stores and reloads them around its other calls", () => {
    // work (a page of its own, called from the driver's page) calls `before`, loops 50 times
    // without a call (its registers resident in Wasm locals), then calls `after`, which reads
    // and rewrites the registers the loop holds: both must see each other's values.
    const a = new Asm();
    a.la("sp", "stack").li("s1", 200).li("s2", 0).li("s4", 0);
    a.label("loop").call("work").addi("s1", "s1", -1).bnez("s1", "loop");
    a.label("spin").j("spin");
    a.align(4096).label("work").mv("s3", "ra").call("before").li("t0", 50);
    // (the jump ends the loop's block: a branch does not, and the call would be in it)
    a.label("inner").add("s2", "s2", "t1").xori("s2", "s2", 0x5a).addi("t1", "t1", 1).addi("t0", "t0", -1).bnez("t0", "inner").j("cont");
    a.label("cont").call("after").add("s4", "s4", "s2").mv("ra", "s3").ret();
    a.align(4096).label("before").addi("t1", "s4", 3).ret();
    a.align(4096).label("after").slli("s2", "s2", 1).addi("t1", "t1", 7).add("s4", "s4", "t1").ret();
    a.align(4096).space(2048).label("stack");
    const reference = hartWith(a, false);
    const seen = [state(reference)];
    for (let k = 0; k < 200_000 && reference.pc !== BigInt(a.addr("spin")); k++) { reference.run(1); seen.push(state(reference)); }
    expect(reference.pc).toBe(BigInt(a.addr("spin")));
    stepsAsInterpreted(a, seen);
    const h = hartWith(a, ALL);
    for (let left = seen.length - 1; left > 0; left -= 10_000) h.run(Math.min(left, 10_000));
    expect(state(h)).toBe(seen.at(-1));
    expect(h.jit!.stats().returns).toBeGreaterThan(150 * 2); // before's and after's returns come back to work
  });

  it("interrupt disables and enables through sstatus run compiled; an enable with one pending leaves, and it is taken there", () => {
    // S-mode code that saves and disables interrupts (csrrci a5, sstatus, SIE), works, and
    // restores them (csrs sstatus, a5 & SIE), as the kernel does around its locks. Every 16th
    // pass raises a supervisor software interrupt while they are off (csrsi sip): the restore
    // must leave compiled code so the interrupt is taken right after it, as interpreted.
    const a = new Asm();
    a.li("t0", -1).csrw(0x3b0, "t0").li("t0", 0x1f).csrw(0x3a0, "t0"); // PMP: S may use all memory
    a.li("t0", 2).csrw(0x303, "t0").csrw(0x304, "t0"); // mideleg, mie: SSI to S, enabled
    a.la("t0", "handler").csrw(0x105, "t0").la("t0", "smain").csrw(0x341, "t0"); // stvec, mepc
    a.li("t0", 0x802).csrw(0x300, "t0").mret(); // MPP = S, SIE
    a.label("smain").li("s1", 3000).li("s2", 0).li("s3", 0);
    a.label("loop").csrrci("a5", 0x100, 2).addi("s2", "s2", 1).andi("t1", "s1", 15).bnez("t1", "quiet");
    a.csrsi(0x144, 2); // sip.SSIP: pending, not taken while SIE is clear
    a.label("quiet").andi("a5", "a5", 2).csrs(0x100, "a5").addi("s1", "s1", -1).bnez("s1", "loop");
    a.label("spin").j("spin");
    a.align(4096).label("handler").csrci(0x144, 2).addi("s3", "s3", 1).sret();
    const reference = hartWith(a, false);
    const seen = [state(reference)];
    for (let k = 0; k < 40_000 && reference.pc !== BigInt(a.addr("spin")); k++) { reference.run(1); seen.push(state(reference)); }
    expect(reference.pc).toBe(BigInt(a.addr("spin")));
    expect(reference.x(19)).toBe(187n); // s3: the handler ran once per raise (s1 = 16, 32, .. 2992)
    for (const jit of [ALL, { threshold: 20 }] as const) {
      const h = hartWith(a, jit);
      let done = 0;
      for (let i = 0; done + 700 < seen.length; i++) {
        const k = [5, 1, 13, 200, 7, 2, 99, 400, 3, 31][i % 10];
        h.run(k); done += k;
        expect(state(h), `${JSON.stringify(jit)} after ${done}`).toBe(seen[done]);
      }
      const st = h.jit!.stats();
      expect(Number(st.steps)).toBeGreaterThan(0.8 * done);
      // A raise leaves compiled code a few times (at the csrsi sip, at the restore, around the
      // handler); the passes without one do not: interpreted, their 2 x 2,813 sstatus accesses
      // would be as many bails.
      expect(st.bails).toBeLessThan(187 * 5);
    }
  });

  it("compiles in the background (async) and installs what is still valid", async () => {
    const bytes = readFileSync(join(bin, "sort-quick.elf"));
    const module = loadCoreModule();
    const plain = prepareHart(module, { name: "sort", bytes }, false);
    expect(runToExit(plain).code).toBe(0);
    clearSharedCache();
    const g = prepareHart(module, { name: "sort", bytes }, { threshold: 0, async: true });
    const jit = g.hart.jit!;
    let exit = -1;
    for (let i = 0; i < 10_000 && exit !== Exit.Htif; i++) {
      exit = g.hart.run(20_000);
      if (jit.compiling) await new Promise((r) => setTimeout(r, 0)); // let the compiles finish
    }
    expect(exit).toBe(Exit.Htif);
    expect(state(g.hart)).toBe(state(plain.hart));
    expect(jit.stats().steps).toBeGreaterThan(0n);
  });

  /**
   * Code in three pages: one loop in page 0 calls a function through a register, in four
   * phases: a function of its own page, page 1's, its own again (long), page 2's. Page 0's code
   * is all compiled in the first phase and keeps running.
   */
  function threePages(): Asm {
    const a = new Asm();
    a.li("a0", 0);
    for (const [fn, n] of [["f0", 3000], ["f1", 3000], ["f0", 30000], ["f2", 3000]] as const) a.la("s2", fn).li("s1", n).call("phase");
    a.label("spin").j("spin");
    a.label("phase").mv("s5", "ra");
    a.label("loop").jalr("ra", "s2", 0).addi("s1", "s1", -1).bnez("s1", "loop");
    a.mv("ra", "s5").ret();
    a.label("f0").ret();
    a.align(4096).label("f1").addi("a0", "a0", 1).ret();
    a.align(4096).label("f2").addi("a0", "a0", 2).ret();
    return a;
  }

  it("evicts the coldest page, not the oldest, beyond maxPages", () => {
    const a = threePages();
    const h = hartWith(a, { threshold: 50, maxPages: 2 });
    for (let i = 0; i < 2000 && h.pc !== BigInt(a.addr("spin")); i++) h.run(1000);
    expect(h.pc).toBe(BigInt(a.addr("spin")));
    expect(h.x(10)).toBe(3000n + 2n * 3000n);
    const jit = h.jit!;
    // Page 0 was compiled first and page 1 after it; page 1 had not run for ~120,000
    // instructions when page 2 came: it went, page 0 (the oldest) stayed.
    expect(jit.stats().evictions).toBe(1);
    expect(jit.compiledPages().sort()).toEqual([BigInt(a.addr("spin")) & ~0xfffn, BigInt(a.addr("f2"))]);
  });

  it("bounds the compiled code installed in all the harts of the process, coldest first", () => {
    const a = threePages();
    const spin = BigInt(a.addr("spin"));
    const finish = (h: Hart) => { for (let i = 0; i < 2000 && h.pc !== spin; i++) h.run(1000); expect(h.pc).toBe(spin); };
    const first = hartWith(a, { threshold: 50 });
    finish(first);
    const one = first.jit!.stats();
    expect(one.pages).toBe(3);
    expect(installedCodeBytes()).toBeGreaterThanOrEqual(one.installedBytes);
    // Room for about one hart's code: a second hart running the same program pushes out the
    // code of the first one (and of any older hart), which no longer runs, never its own page
    // being installed.
    const limit = Math.ceil(one.installedBytes * 1.2);
    setProcessCodeLimit(limit);
    try {
      const second = hartWith(a, { threshold: 50 });
      finish(second);
      expect(second.x(10)).toBe(first.x(10));
      expect(first.jit!.stats().evictions).toBeGreaterThanOrEqual(2);
      expect(installedCodeBytes()).toBeLessThanOrEqual(limit);
      expect(second.jit!.stats().pages).toBeGreaterThanOrEqual(2);
    } finally {
      setProcessCodeLimit(PROCESS_CODE_BYTES);
    }
    expect(() => setProcessCodeLimit(-1)).toThrow(RangeError);
  });

  it("a second hart takes the code the first compiled at sharedThreshold entries, without compiling", () => {
    clearSharedCache();
    const a = new Asm();
    a.li("a0", 0).li("s1", 5000);
    a.label("loop").call("f").addi("s1", "s1", -1).bnez("s1", "loop");
    a.label("spin").j("spin");
    a.label("f").addi("a0", "a0", 3).xori("a0", "a0", 1).ret();
    const spin = BigInt(a.addr("spin"));
    const finish = (h: Hart) => { for (let i = 0; i < 100 && h.pc !== spin; i++) h.run(1000); expect(h.pc).toBe(spin); return h.jit!.stats(); };
    const first = hartWith(a, { threshold: 2000, sharedThreshold: 64 });
    const one = finish(first);
    expect(one.compiledBlocks).toBeGreaterThan(0);
    const second = hartWith(a, { threshold: 2000, sharedThreshold: 64 });
    const two = finish(second);
    expect(state(second)).toBe(state(first));
    expect(two.compiledBlocks).toBe(0);
    expect(two.sharedFunctions).toBeGreaterThan(0);
    // Its blocks ran compiled from their 64th entry, not their 2000th.
    expect(Number(two.steps - one.steps)).toBeGreaterThan(1900 * 4);
    // Without sharedThreshold it waits for the threshold, and then shares too.
    const third = hartWith(a, { threshold: 2000, sharedThreshold: 0 });
    const three = finish(third);
    expect(three.compiledBlocks).toBe(0);
    expect(three.steps).toBe(one.steps);
    expect(() => hartWith(a, { sharedThreshold: -1 })).toThrow(RangeError);
  });

  it("compiles each block once: blocks of a page that become hot later get functions of their own", () => {
    // One page: a loop calls f0 3000 times, then g0 3000 times. The loop's blocks and f0 are
    // compiled together (the warm ones with the first hot one); g0 comes later, alone.
    const a = new Asm();
    a.li("a0", 0);
    for (const [fn, n] of [["f0", 3000], ["g0", 3000]] as const) a.la("s2", fn).li("s1", n).call("phase");
    a.label("spin").j("spin");
    a.label("phase").mv("s5", "ra");
    a.label("loop").jalr("ra", "s2", 0).addi("s1", "s1", -1).bnez("s1", "loop");
    a.mv("ra", "s5").ret();
    a.label("f0").addi("a0", "a0", 1).ret();
    a.label("g0").addi("a0", "a0", 2).ret();
    const h = hartWith(a, { threshold: 50 });
    for (let i = 0; i < 20_000 && h.x(10) < 3000n; i++) h.run(100); // stops before g0 is hot
    const first = h.jit!.stats();
    expect(first.modules).toBe(1);
    expect(first.blocks).toBeGreaterThanOrEqual(3); // loop, the return into it, f0
    for (let i = 0; i < 2000 && h.pc !== BigInt(a.addr("spin")); i++) h.run(1000);
    expect(h.x(10)).toBe(3000n + 2n * 3000n);
    const last = h.jit!.stats();
    expect(last.pages).toBe(1);
    expect(last.blocks).toBeGreaterThan(first.blocks); // g0 (and spin, if it got hot)
    expect(last.compiledBlocks).toBe(last.blocks); // none twice
    expect(last.recompiles).toBe(last.modules - 1); // more functions for the page, with the new blocks alone
    expect(Number(last.steps)).toBeGreaterThan(0.8 * Number(h.steps));
  });

  it("compiles a page's warm blocks with its first hot one (a loop's blocks in one function)", () => {
    // `odd` runs every other pass of the loop: when the loop's head reaches the threshold, it has
    // half of it, and is compiled then, with the head, not in a module of its own later.
    const a = new Asm();
    a.li("a0", 0).li("s1", 4000);
    a.label("loop").addi("s1", "s1", -1).andi("t0", "s1", 1).beqz("t0", "even").call("odd");
    a.label("even").bnez("s1", "loop");
    a.label("spin").j("spin");
    a.label("odd").addi("a0", "a0", 1).ret();
    const h = hartWith(a, { threshold: 50 });
    let firstModule = 0; // blocks in it
    for (let i = 0; i < 10_000 && h.pc !== BigInt(a.addr("spin")); i++) {
      h.run(10);
      const s = h.jit!.stats();
      if (s.modules === 1 && !firstModule) firstModule = s.blocks;
    }
    expect(h.x(10)).toBe(2000n);
    expect(firstModule).toBe(3); // loop, even, odd
  });

  it("frees the functions whose blocks the guest rewrote (installed code does not grow with recompiles)", () => {
    // The loop rewrites its callee's first instruction every 400 calls (alternating +1 and +3):
    // each rewrite drops the page's compiled code, which is compiled again once hot.
    const a = new Asm();
    a.li("a0", 0).li("s1", 0).la("t1", "body").li("t3", 0x00150513).li("t4", 0x00350513).li("s3", 16_000);
    a.label("loop").call("body").addi("s1", "s1", 1).andi("t2", "s1", 0x1ff).bnez("t2", "same");
    a.andi("t2", "s1", 0x200).beqz("t2", "plus1").sw("t4", 0, "t1").j("same");
    a.label("plus1").sw("t3", 0, "t1");
    a.label("same").bne("s1", "s3", "loop");
    a.label("spin").j("spin");
    a.label("body").insn(0x00150513).ret(); // addi a0, a0, 1 (or 3)
    const plain = hartWith(a, false);
    const h = hartWith(a, { threshold: 50 });
    let most = 0, first = 0;
    for (const x of [plain, h]) {
      for (let i = 0; i < 5000 && x.pc !== BigInt(a.addr("spin")); i++) {
        x.run(1000);
        if (x === h) { most = Math.max(most, h.jit!.stats().installedBytes); first ||= most; }
      }
      expect(x.pc).toBe(BigInt(a.addr("spin")));
    }
    expect(state(h)).toBe(state(plain));
    const s = h.jit!.stats();
    // Compiled again (or taken from the process's cache: the callee has two versions) after most
    // of the 31 rewrites, while the code installed stays within a few compiles' worth.
    expect(s.modules + s.sharedFunctions).toBeGreaterThanOrEqual(20);
    expect(most).toBeLessThan(5 * first);
  });

  /**
   * A state machine in one page: a jump table (JALR) picks one of four 16-byte states per pass.
   * The first half of the passes uses states 0 and 1 only, so states 2 and 3 become hot later
   * and get a function of their own, which the loop's function then jumps into on every other
   * pass (a chain through the lookup each time).
   */
  function stateMachine(passes: number): Asm {
    const a = new Asm();
    a.li("a0", 0).li("s1", passes).li("s5", passes / 2).la("s4", "states");
    a.label("loop").andi("t0", "s1", 3).bltu("s1", "s5", "go").andi("t0", "t0", 1);
    a.label("go").slli("t0", "t0", 4).add("t1", "s4", "t0").jalr(0, "t1", 0);
    a.align(16).label("states");
    a.addi("a0", "a0", 1).addi("a1", "a1", 1).j("next").insn(0x13);
    a.xori("a0", "a0", 5).addi("a2", "a2", 1).j("next").insn(0x13);
    a.addi("a0", "a0", 7).addi("a3", "a3", 1).j("next").insn(0x13);
    a.slli("a0", "a0", 1).addi("a4", "a4", 1).j("next").insn(0x13);
    a.label("next").addi("s1", "s1", -1).bnez("s1", "loop");
    a.label("spin").j("spin");
    return a;
  }
  /** Lookups from the page's compiled code into its own blocks since the JIT last looked. */
  const pageChains = (h: Hart) => new DataView(h.memory.buffer).getUint32(chainCounter(L.RAM_OFF), true);

  it("merges the functions of a page that chain into one another into one, where jump tables go on without a lookup", () => {
    const passes = 400_000;
    const a = stateMachine(passes);
    const run = (h: Hart) => {
      let most = 0; // lookups into the page between two looks, at most, over the last 100 runs
      for (let i = 0; i < 5000 && h.pc !== BigInt(a.addr("spin")); i++) {
        h.run(1000);
        if (h.x(9) < BigInt(passes / 4) && i % 2 === 0) most = Math.max(most, pageChains(h));
      }
      expect(h.pc).toBe(BigInt(a.addr("spin")));
      return most;
    };
    const plain = hartWith(a, false);
    const merged = hartWith(a, { threshold: 50 });
    const apart = hartWith(a, { threshold: 50, mergeBlocks: 0 });
    run(plain);
    const mergedChains = run(merged), apartChains = run(apart);
    expect(state(merged)).toBe(state(plain));
    expect(state(apart)).toBe(state(plain));
    const m = merged.jit!.stats(), s = apart.jit!.stats();
    expect(s.merges).toBe(0);
    expect(s.functions).toBeGreaterThanOrEqual(2);
    expect(apartChains).toBeGreaterThan(1000); // the loop's jumps into the later function
    expect(m.merges).toBeGreaterThanOrEqual(1);
    expect(m.functions).toBe(1);
    expect(m.compiledBlocks).toBeGreaterThan(m.blocks); // the merge compiled the page's blocks again
    // In one function the table's jumps go on through its dispatch loop, not the lookup.
    expect(mergedChains).toBeLessThan(10);
    expect(Number(m.steps)).toBeGreaterThan(0.9 * Number(merged.steps));
  });

  it("a jump table into code the guest rewrites runs the new code, compiled again", () => {
    // One function holds the loop and both states; the loop rewrites state 1's first instruction
    // every 1,024 passes (compiled code leaves at a store to a code page, and the interpreter's
    // store drops the page's blocks): the jumps after it must run the new code.
    const a = new Asm();
    a.li("a0", 0).li("s1", 20_000).la("s4", "states").li("t3", 0x00150513).li("t4", 0x00350513);
    a.label("loop").andi("t0", "s1", 1).slli("t0", "t0", 4).add("t1", "s4", "t0").jalr(0, "t1", 0);
    a.align(16).label("states");
    a.addi("a1", "a1", 1).addi("a2", "a2", 2).j("next").insn(0x13);
    a.insn(0x00150513).addi("a3", "a3", 1).j("next").insn(0x13); // addi a0, a0, 1 (or 3)
    a.label("next").addi("s1", "s1", -1).andi("t2", "s1", 0x3ff).bnez("t2", "same");
    a.andi("t2", "s1", 0x400).beqz("t2", "one").sw("t4", 16, "s4").j("same");
    a.label("one").sw("t3", 16, "s4");
    a.label("same").bnez("s1", "loop");
    a.label("spin").j("spin");
    const plain = hartWith(a, false);
    const h = hartWith(a, { threshold: 20 });
    for (const x of [plain, h]) {
      for (let i = 0; i < 5000 && x.pc !== BigInt(a.addr("spin")); i++) x.run(500);
      expect(x.pc).toBe(BigInt(a.addr("spin")));
    }
    expect(state(h)).toBe(state(plain));
    expect(Number(h.jit!.stats().steps)).toBeGreaterThan(0.5 * Number(h.steps));
  });

  it("--no-jit harts never compile", () => {
    const bytes = readFileSync(join(bin, "crc32-quick.elf"));
    const g = prepareHart(loadCoreModule(), { name: "crc32", bytes }, false);
    expect(runToExit(g).code).toBe(0);
    expect(g.hart.jit).toBeUndefined();
  });
});

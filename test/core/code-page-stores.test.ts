// Stores to a page that holds running code: data next to code must not make every store
// re-decode the page, and a patched instruction must still run as patched, before and after
// the page has taken enough stores to be treated as data again (mmu.ts noteRamStore).
import { describe, expect, it } from "vitest";
import { runGuest } from "../helpers/run-guest.js";
import { Asm } from "../helpers/rv-asm.js";
import { guestElf } from "../helpers/elf-builder.js";
import { mailboxes } from "../helpers/guests.js";
import { DRAM_BASE, Hart } from "../../src/core/hart.js";
import { L } from "../../src/core/abi.gen.js";
import { loadCoreModule } from "../../src/node/core-module.js";

const ADDI_A0_A0_1 = 0x00150513; // addi a0, a0, 1
const ADDI_A0_A0_100 = 0x06450513; // addi a0, a0, 100

/**
 * Counts `stores` stores into a word on the code's own page, then patches the `addi` at
 * `patch` and runs it; exits with a0 = what the patched instruction added.
 */
function guest(stores: number): Uint8Array {
  const a = new Asm();
  a.la("s0", "counter").li("s1", stores);
  a.label("loop").ld("t0", 0, "s0").addi("t0", "t0", 1).sd("t0", 0, "s0").addi("s1", "s1", -1).bnez("s1", "loop");
  a.li("a0", 0).call("patch"); // run it once unpatched: it is decoded and cached
  a.la("t1", "patch").li("t2", ADDI_A0_A0_100).sw("t2", 0, "t1").fence(); // patch it (FENCE.I not needed here)
  a.li("a0", 0).call("patch");
  a.la("s0", "tohost").slli("a0", "a0", 1).ori("a0", "a0", 1).sd("a0", 0, "s0").label("spin").j("spin");
  a.label("patch").insn(ADDI_A0_A0_1).ret();
  a.align(8).label("counter").dword(0);
  return guestElf(mailboxes(a.align(4096)));
}

describe("stores to a page with running code", () => {
  for (const stores of [1, 100, 5000, 20000]) {
    it(`after ${stores} data stores on the page, a patched instruction runs as patched`, () => {
      const { result } = runGuest(guest(stores), { maxInstructions: 10 * stores + 1000 });
      expect(result).toMatchObject({ reason: "exit", exitCode: 100 });
    });
  }
});

/**
 * Runs code on page 1 (a function called from page 0), then stores into page 1 as data:
 * `rounds[i]` stores after the i-th call. Returns whether page 1 still holds decoded code.
 */
function stillCodeAfter(rounds: number[]): boolean {
  const a = new Asm();
  a.li("s0", DRAM_BASE + 4096 + 0x800);
  rounds.forEach((n, i) => {
    a.call("f").li("s1", n);
    a.label(`r${i}`).sd("s1", 0, "s0").addi("s1", "s1", -1).bnez("s1", `r${i}`);
  });
  a.label("spin").j("spin");
  a.align(4096).label("f").ret();
  const hart = new Hart(loadCoreModule(), { memSize: 1 << 20, clock: () => 0, jit: false });
  hart.writePhys(DRAM_BASE, a.bytes());
  hart.run(100_000);
  return (new Uint8Array(hart.memory.buffer)[L.PAGE_FLAGS + 1] & L.PAGE_CODE) !== 0;
}

describe("a code page that stores turn into data", () => {
  it(`is data again after ${L.PAGE_STORES_FIRST} stores the first time`, () => {
    expect(stillCodeAfter([L.PAGE_STORES_FIRST])).toBe(true);
    expect(stillCodeAfter([L.PAGE_STORES_FIRST + 1])).toBe(false);
  });
  it("takes twice as many stores each time code runs from it again, up to PAGE_STORES_MAX", () => {
    const first = L.PAGE_STORES_FIRST + 1;
    expect(stillCodeAfter([first, 2 * L.PAGE_STORES_FIRST])).toBe(true);
    expect(stillCodeAfter([first, 2 * L.PAGE_STORES_FIRST + 1])).toBe(false);
    expect(stillCodeAfter([first, 129, 4 * L.PAGE_STORES_FIRST])).toBe(true);
    expect(stillCodeAfter([first, 129, 4 * L.PAGE_STORES_FIRST + 1])).toBe(false);
    const many = [first, 129, 257, 513, 1025, 2049, 4096];
    expect(stillCodeAfter([...many, L.PAGE_STORES_MAX])).toBe(true);
    expect(stillCodeAfter([...many, L.PAGE_STORES_MAX + 1])).toBe(false);
  });
});

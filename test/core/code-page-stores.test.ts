// Stores to a page that holds running code: data next to code must not make every store
// re-decode the page, and a patched instruction must still run as patched, before and after
// the page has taken enough stores to be treated as data again (mmu.ts noteRamStore).
import { describe, expect, it } from "vitest";
import { runGuest } from "../helpers/run-guest.js";
import { Asm } from "../helpers/rv-asm.js";
import { guestElf } from "../helpers/elf-builder.js";
import { mailboxes } from "../helpers/guests.js";

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

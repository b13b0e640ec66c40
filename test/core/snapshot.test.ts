// Save/restore of a hart: a guest stopped mid-run, its state block and RAM copied into a
// fresh VM, finishes exactly like an uninterrupted run (same exit, same instruction count).
// Derived state (TLBs, decoded-instruction cache, the HTIF watch) is rebuilt on restore.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DRAM_BASE } from "../../src/core/hart.js";
import { Machine } from "../../src/machine/machine.js";
import { loadCoreModule } from "../../src/node/core-module.js";

const MEM = 4 << 20;
const programs = ["paging_sv39", "misaligned", "rv64a", "fp_unit"];

function machine(image: Uint8Array): Machine {
  const m = new Machine(loadCoreModule(), { memSize: MEM, clock: "virtual" });
  m.load(image);
  return m;
}

describe("snapshot and restore", () => {
  for (const name of programs) {
    it(`${name}: a restored copy finishes like the original`, () => {
      const image = readFileSync(`guests/tests/bin/${name}.elf`);
      const whole = machine(image).runSync({ maxInstructions: 5_000_000 });
      expect(whole).toMatchObject({ reason: "exit", exitCode: 0 });

      for (const cut of [1, 777, Math.floor(Number(whole.instructions) / 2)]) {
        const first = machine(image);
        first.runSync({ maxInstructions: cut, sliceInstructions: 97 });
        const state = first.hart.saveState();
        const ram = first.hart.readPhys(DRAM_BASE, MEM);

        const second = machine(image);
        second.hart.writePhys(DRAM_BASE, ram);
        second.hart.restoreState(state);
        const rest = second.runSync({ maxInstructions: 5_000_000 });
        expect(rest).toMatchObject({ reason: "exit", exitCode: 0 });
        expect(BigInt(cut) + rest.instructions).toBe(whole.instructions);
      }
    });
  }
});

// A bare hart with a program at DRAM base and every trap parked on a self-loop: unit tests run
// a few instructions, then inspect registers and trap CSRs.
import { Hart, DRAM_BASE, type HartOptions } from "../../src/core/hart.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { assemble, spin } from "./rv.js";

/** Where traps land: mtvec points here, a `j .` loop. */
export const TRAP_PAD = DRAM_BASE + 0x1000;

export function hartWith(code: Array<number | { c: number }>, options: Partial<HartOptions> = {}): Hart {
  const hart = new Hart(loadCoreModule(), { memSize: 1 << 20, clock: () => 0, ...options });
  hart.writePhys(DRAM_BASE, assemble(code));
  hart.writePhys(TRAP_PAD, assemble([spin()]));
  hart.writeCsr(0x305, BigInt(TRAP_PAD));
  return hart;
}

export interface Trap { cause: bigint; epc: bigint; tval: bigint }

/** Runs `steps` instructions; returns the M-mode trap taken, if the hart sits on the pad. */
export function runToTrap(hart: Hart, steps = 100): Trap | undefined {
  hart.run(steps);
  if (hart.pc !== BigInt(TRAP_PAD)) return undefined;
  const saved = hart.priv;
  hart.priv = 3;
  const trap = { cause: hart.csr(0x342)!, epc: hart.csr(0x341)!, tval: hart.csr(0x343)! };
  hart.priv = saved;
  return trap;
}

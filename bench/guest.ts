// Runs a benchmark guest (guests/bench) on a bare Hart: load the ELF with the board's loader,
// point HTIF at its `tohost`, run slices until the guest's exit store to tohost. (On a bare
// Hart there is no SiFive test finisher: the guests write tohost first, see guests/bench/driver.c.)
import type { JitOptions } from "../src/jit/jit.js";
import { Exit, Hart } from "../src/core/hart.js";
import { loadElf } from "../src/machine/loader.js";

/** Guest RAM for a benchmark: the programs stay in the first 4 MiB (guests/bench/link.ld). */
export const BENCH_MEM = 4 << 20;
/** Instructions per run() slice (DESIGN.md: 1e5–1e6). */
export const SLICE = 1_000_000;

export interface BenchGuest {
  bytes: Uint8Array;
  name: string;
}

export interface PreparedGuest {
  hart: Hart;
  tohost: number;
  symbols: Map<string, bigint>;
}

/** A fresh Hart with the guest loaded, at its entry point, HTIF mailboxes set. */
export function prepareHart(module: WebAssembly.Module, g: BenchGuest, jit: JitOptions | false = false): PreparedGuest {
  const hart = new Hart(module, { memSize: BENCH_MEM, jit });
  const loaded = loadElf(hart, g.bytes);
  if (loaded.tohost === 0) throw new Error(`${g.name}: no \`tohost\` symbol`);
  hart.reset(loaded.entry);
  hart.setHtif(loaded.tohost, loaded.fromhost);
  return { hart, tohost: loaded.tohost, symbols: loaded.image.symbols };
}

export interface RunOutcome {
  /** Guest exit code from HTIF (tohost >> 1), or -1 if tohost did not hold an exit command. */
  code: number;
  instret: bigint;
}

/** Runs until the guest writes tohost; throws on any other exit or after `maxInstructions`. */
export function runToExit(p: PreparedGuest, maxInstructions = 1e11): RunOutcome {
  const { hart } = p;
  for (let executed = 0; executed <= maxInstructions; executed += SLICE) {
    const r = hart.run(SLICE);
    if (r === Exit.Htif) {
      const v = hart.readPhys64(p.tohost);
      return { code: (v & 1n) === 1n ? Number(v >> 1n) : -1, instret: hart.instret };
    }
    if (r !== Exit.Budget) {
      throw new Error(`guest stopped with exit ${Exit[r]} at pc 0x${hart.pc.toString(16)}`);
    }
  }
  throw new Error(`guest did not finish within ${maxInstructions} instructions`);
}

// The bit-manipulation instructions the fuzzer draws, from the table the core's decoder is
// generated from (scripts/isa/bitmanip.mjs, via src/core/abi.gen.ts), less those QEMU 7.2 does
// not implement as the spec says: Zicond (7.2 has none, EXCLUSIONS.md #21) and ctzw (7.2
// counts over 64 bits when the low word is zero, #22).
import { BITMANIP } from "../../src/core/abi.gen.js";
import type { Rng } from "./rng.js";

const QEMU_WRONG = new Set<string>(["czero.eqz", "czero.nez", "ctzw"]);
const FUZZED = BITMANIP.filter((b) => !QEMU_WRONG.has(b.name));

/** Whether encoding `w` is one of the instructions left out. */
export const qemuWrong = (w: number) => BITMANIP.some((b) => QEMU_WRONG.has(b.name) && ((w & b.mask) >>> 0) === b.match);

/** A random instruction of the fuzzed ones, writing `rd`, its sources from `src()`; its name and bits. */
export function bitmanipInsn(r: Rng, rd: number, src: () => number): { name: string; word: number } {
  const b = r.pick(FUZZED);
  let w = b.match | (rd << 7) | (src() << 15);
  if (b.form === "r") w |= src() << 20;
  else if (b.form === "sh6") w |= (r.bool(0.2) ? r.pick([0, 1, 31, 32, 63]) : r.int(64)) << 20;
  else if (b.form === "sh5") w |= (r.bool(0.2) ? r.pick([0, 1, 31]) : r.int(32)) << 20;
  return { name: b.name, word: w >>> 0 };
}

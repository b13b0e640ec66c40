// Per test file: WASMVISOR_JIT picks the JIT every Hart gets by default, so the whole suite can
// run with the interpreter alone (WASMVISOR_JIT=off), compile-everything (=0, every block at its
// first entry) or any other threshold. Unset: the product's default.
import { setDefaultJit } from "../../src/jit/jit.js";

const mode = process.env.WASMVISOR_JIT;
if (mode === "off") setDefaultJit(false);
else if (mode !== undefined && mode !== "") {
  const threshold = Number(mode);
  if (!Number.isInteger(threshold) || threshold < 0) throw new Error(`WASMVISOR_JIT must be off or a threshold >= 0, got ${mode}`);
  setDefaultJit({ threshold });
}

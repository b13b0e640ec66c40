// Differential test of the FP module against real RISC-V F/D instructions under qemu-riscv64.
//
//   npx tsx scripts/fp-diff.ts --count 100000 --seed 1 [--op fadd.d] [--rm rne|0..4] [--print 10] [--hart] [--jit off|N]
//
// For every instruction (or --op) and every rounding mode it depends on (or --rm), generates
// `count` operand sets (test/fp/gen.ts), runs them through QEMU (guests/fpref/fpref.elf) and
// through build/fp-test.wasm twice: the public API (native fast paths included) and the pure
// software path. Compares result bits and fflags; prints mismatches and a summary. Exit 1 on
// any mismatch. With --hart the same records also run through a whole wasmvisor hart
// (guests/fpref/fpbare.elf), once with the static rounding mode and once with DYN and frm;
// --jit off|N runs that hart with the interpreter alone or the JIT at threshold N.
import { setDefaultJit } from "../src/jit/jit.js";
import { dynamicCopy, makeRecords } from "../test/fp/gen.js";
import { compareOutputs, describe, haveQemu, loadFpWasm, runHart, runQemu, runWasm } from "../test/fp/harness.js";
import { OPS, RM_NAMES } from "../test/fp/ops.js";

function arg(name: string, def?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const count = Number(arg("count", "10000"));
const seed = Number(arg("seed", "1"));
const opFilter = arg("op");
const rmArg = arg("rm");
const maxPrint = Number(arg("print", "10"));
const batch = Number(arg("batch", "100000"));
const viaHart = process.argv.includes("--hart");
const jitArg = arg("jit");
if (jitArg === "off") setDefaultJit(false);
else if (jitArg !== undefined) setDefaultJit({ threshold: Number(jitArg) });

if (!haveQemu()) {
  console.error("qemu-riscv64 not found: apt-get install -y qemu-user");
  process.exit(2);
}
const rmFilter = rmArg === undefined ? undefined
  : /^\d$/.test(rmArg) ? Number(rmArg) : RM_NAMES.indexOf(rmArg);
const ops = OPS.filter((o) => !opFilter || opFilter.split(",").includes(o.name));
if (ops.length === 0) {
  console.error(`no instruction named ${opFilter}; known: ${OPS.map((o) => o.name).join(" ")}`);
  process.exit(2);
}

const w = loadFpWasm();
let total = 0, badFast = 0, badSoft = 0, badHart = 0, printed = 0;
let tQemu = 0, tWasm = 0, tGen = 0;
const rows: string[] = [];
const t0 = performance.now();
for (const op of ops) {
  const rms = op.rounds ? [0, 1, 2, 3, 4] : [0];
  for (const rm of rms) {
    if (rmFilter !== undefined && rm !== rmFilter) continue;
    let n = 0, bf = 0, bs = 0, bh = 0;
    for (let done = 0, part = 0; done < count; done += batch, part++) {
      const m = Math.min(batch, count - done);
      let t = performance.now();
      const recs = makeRecords(op, rm, m, seed * 65536 + part);
      tGen += performance.now() - t;
      t = performance.now();
      const ref = runQemu(recs);
      tQemu += performance.now() - t;
      t = performance.now();
      const fast = runWasm(w, recs, 0);
      const soft = runWasm(w, recs, 1);
      tWasm += performance.now() - t;
      const mf = compareOutputs(recs, ref, fast);
      const ms = compareOutputs(recs, ref, soft);
      for (const x of mf) if (printed++ < maxPrint) console.log("MISMATCH " + describe(x, "qemu", "wasm"));
      for (const x of ms) if (printed++ < maxPrint) console.log("MISMATCH " + describe(x, "qemu", "soft"));
      if (viaHart) {
        const dyn = dynamicCopy(recs);
        const mh = [...compareOutputs(recs, ref, runHart(recs)), ...compareOutputs(dyn, runQemu(dyn), runHart(dyn))];
        for (const x of mh) if (printed++ < maxPrint) console.log("MISMATCH " + describe(x, "qemu", "hart"));
        bh += mh.length;
      }
      n += m;
      bf += mf.length;
      bs += ms.length;
    }
    total += n;
    badFast += bf;
    badSoft += bs;
    badHart += bh;
    rows.push(`${op.name.padEnd(12)} ${RM_NAMES[rm]}  ${String(n).padStart(9)}  ${String(bf).padStart(6)}  ${String(bs).padStart(6)}${viaHart ? String(bh).padStart(6) : ""}`);
  }
}
console.log(`\n${"instruction".padEnd(12)} rm        sets    fast    soft${viaHart ? "  hart" : ""}   (mismatches vs qemu)`);
for (const r of rows) console.log(r);
console.log(
  `\n${total} operand sets over ${rows.length} instruction/rounding-mode pairs (seed ${seed}): ` +
  `${badFast} mismatches (public API), ${badSoft} mismatches (software path)` +
    (viaHart ? `, ${badHart} mismatches (whole hart, static and dynamic rounding)` : ""),
);
console.log(
  `time ${((performance.now() - t0) / 1000).toFixed(1)} s (generate ${(tGen / 1000).toFixed(1)}, ` +
  `qemu ${(tQemu / 1000).toFixed(1)}, wasm ${(tWasm / 1000).toFixed(1)})`,
);
process.exit(badFast + badSoft + badHart ? 1 : 0);

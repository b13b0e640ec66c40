// FP module speed: ns per operation through the public API (native fast paths) and through the
// pure software path, on typical operands (normal values within 2^+-20, round to nearest even
// unless stated), measured inside Wasm (build/fp-test.wasm's `bench` loop; the dispatch switch
// is included in both numbers).
//
//   npx tsx bench/fp.bench.ts [--reps 200]
//
// Never run from the tests.
import { IN_REC, Rng } from "../test/fp/gen.js";
import { loadFpWasm } from "../test/fp/harness.js";
import { opByName } from "../test/fp/ops.js";

const repsArg = process.argv.indexOf("--reps");
const REPS = repsArg >= 0 ? Number(process.argv[repsArg + 1]) : 200;
const N = 4096;

const w = loadFpWasm();
const dv = new DataView(new ArrayBuffer(8));
const r = new Rng(12345);

function typical(fmt: 16 | 32 | 64): bigint {
  if (fmt === 16) { // a NaN-boxed half of magnitude 2^-8 .. 2^8
    const h = (r.chance(0.5) ? 0x8000 : 0) | ((15 + r.int(-8, 8)) << 10) | (r.u32() & 0x3ff);
    return 0xffffffffffff0000n | BigInt(h);
  }
  let v = (1 + r.u32() / 2 ** 32) * 2 ** (r.int(-20, 20)) * (r.chance(0.5) ? -1 : 1);
  if (fmt === 32) {
    dv.setFloat32(0, v, true);
    return BigInt(dv.getUint32(0, true));
  }
  v += (r.u32() / 2 ** 32) * 2 ** -32 * v; // fill the low significand bits
  dv.setFloat64(0, v, true);
  return dv.getBigUint64(0, true);
}

function records(name: string, rm: number, positive = false): Buffer {
  const op = opByName(name)!;
  const buf = Buffer.alloc(N * IN_REC);
  for (let i = 0; i < N; i++) {
    const o = i * IN_REC;
    buf.writeUInt32LE(op.op, o);
    buf.writeUInt32LE(rm, o + 4);
    for (let k = 0; k < 3; k++) {
      let x: bigint;
      if (op.kind === "i2f") x = BigInt.asUintN(64, BigInt(Math.round((r.u32() - 2 ** 31) * 2 ** r.int(0, 31))));
      else {
        x = typical(op.fmt);
        if (positive) x &= op.fmt === 16 ? 0xffffffffffff7fffn : op.fmt === 32 ? 0x7fffffffn : 0x7fffffffffffffffn;
      }
      buf.writeBigUInt64LE(x, o + 8 + 8 * k);
    }
  }
  return buf;
}

function measure(recs: Buffer, impl: number): number {
  w.reserve(N);
  const base = Number(w.IO_BASE.value);
  new Uint8Array(w.memory.buffer, base, recs.length).set(recs);
  w.bench(N, impl, 20); // warm up
  let best = Infinity;
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    w.bench(N, impl, REPS);
    best = Math.min(best, performance.now() - t);
  }
  return (best * 1e6) / (N * REPS);
}

const cases: [string, number, boolean?][] = [
  ["fadd.d", 0], ["fsub.d", 0], ["fmul.d", 0], ["fdiv.d", 0], ["fsqrt.d", 0, true], ["fmadd.d", 0],
  ["fadd.s", 0], ["fmul.s", 0], ["fdiv.s", 0], ["fsqrt.s", 0, true], ["fmadd.s", 0],
  ["fadd.s", 1], ["fmul.s", 2], ["fmadd.s", 3],
  ["fcvt.s.d", 0], ["fcvt.d.s", 0], ["fcvt.w.d", 1], ["fcvt.l.d", 1], ["fcvt.d.w", 0], ["fcvt.d.l", 0],
  ["fcvt.s.w", 0], ["feq.d", 0], ["flt.d", 0], ["fmin.d", 0], ["fclass.d", 0],
];
const RM = ["rne", "rtz", "rdn", "rup", "rmm"];
console.log("op          rm    public ns/op   software ns/op   speedup");
for (const [name, rm, pos] of cases) {
  const recs = records(name, rm, pos);
  const fast = measure(recs, 0);
  const soft = measure(recs, 1);
  console.log(
    `${name.padEnd(11)} ${RM[rm]}  ${fast.toFixed(2).padStart(12)}   ${soft.toFixed(2).padStart(14)}   ${(soft / fast).toFixed(2).padStart(6)}x`,
  );
}

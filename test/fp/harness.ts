// Runs FP records through the Wasm module (build/fp-test.wasm) and through real RISC-V
// instructions under qemu-riscv64 (guests/fpref/fpref.elf), and compares the two.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Machine } from "../../src/machine/machine.js";
import { parseElf } from "../../src/machine/elf.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { IN_REC, OUT_REC } from "./gen.js";
import { OPS, formatFlags, rmName } from "./ops.js";

/** The repository root: the nearest folder above this file with a package.json (from the
 * sources under tsx/vitest, or compiled under dist/). */
export const ROOT = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, "package.json")) && dirname(d) !== d) d = dirname(d);
  return d;
})();
export const FP_WASM = join(ROOT, "build/fp-test.wasm");
export const FPREF_ELF = join(ROOT, "guests/fpref/fpref.elf");

/** Builds build/fp-test.wasm when it is missing or older than assembly/fp/*.ts. */
export function ensureFpWasm(): void {
  const srcDir = join(ROOT, "assembly/fp");
  const newest = Math.max(...readdirSync(srcDir).map((f) => statSync(join(srcDir, f)).mtimeMs));
  if (existsSync(FP_WASM) && statSync(FP_WASM).mtimeMs >= newest) return;
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/assemblyscript/bin/asc.js"), "assembly/fp/test-entry.ts",
      "--config", "asconfig.fptest.json", "--target", "release"],
    { cwd: ROOT, stdio: "inherit" },
  );
}

/** Builds guests/fpref/fpref.elf when it is missing. */
export function ensureFpref(): void {
  if (existsSync(FPREF_ELF)) return;
  execFileSync("bash", [join(ROOT, "guests/fpref/build.sh")], { stdio: "inherit" });
}

/** Whether qemu-riscv64 is on PATH. */
export function haveQemu(): boolean {
  const r = spawnSync("qemu-riscv64", ["--version"], { encoding: "utf8" });
  return r.status === 0;
}

export interface FpWasm {
  call(op: number, rm: number, a: bigint, b: bigint, c: bigint, impl: number): bigint;
  lastFlags(): number;
  reserve(n: number): void;
  runBatch(n: number, impl: number): void;
  bench(n: number, impl: number, reps: number): bigint;
  memory: WebAssembly.Memory;
  IO_BASE: WebAssembly.Global;
}

export function loadFpWasm(): FpWasm {
  ensureFpWasm();
  const mod = new WebAssembly.Module(readFileSync(FP_WASM));
  const inst = new WebAssembly.Instance(mod, { env: { abort: () => { throw new Error("abort"); } } });
  return inst.exports as unknown as FpWasm;
}

/** Runs records through the Wasm module: impl 0 = public API (fast paths), 1 = software. */
export function runWasm(w: FpWasm, recs: Buffer, impl: number): Buffer {
  const n = recs.length / IN_REC;
  w.reserve(n);
  const base = Number(w.IO_BASE.value);
  new Uint8Array(w.memory.buffer, base, recs.length).set(recs);
  w.runBatch(n, impl);
  return Buffer.from(new Uint8Array(w.memory.buffer, base + recs.length, n * OUT_REC));
}

let cpu: string | undefined;
/** The -cpu with Zfh on: QEMU 7.2 spells the property Zfh, QEMU 8 and later zfh. */
function qemuCpu(): string {
  if (cpu === undefined) {
    const v = /version (\d+)\./.exec(spawnSync("qemu-riscv64", ["--version"], { encoding: "utf8" }).stdout);
    cpu = v && Number(v[1]) < 8 ? "rv64,Zfh=true" : "rv64,zfh=true";
  }
  return cpu;
}

/** Runs records through the real instructions under qemu-riscv64. */
export function runQemu(recs: Buffer): Buffer {
  ensureFpref();
  const r = spawnSync("qemu-riscv64", ["-cpu", qemuCpu(), FPREF_ELF], { input: recs, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`fpref exited with ${r.status}: ${r.stderr}`);
  const out = r.stdout as Buffer;
  if (out.length !== (recs.length / IN_REC) * OUT_REC) {
    throw new Error(`fpref wrote ${out.length} bytes for ${recs.length / IN_REC} records`);
  }
  return out;
}

export interface Mismatch {
  index: number;
  op: number;
  rm: number;
  a: bigint;
  b: bigint;
  c: bigint;
  want: bigint;
  wantFlags: number;
  got: bigint;
  gotFlags: number;
}

/** Indices where two outputs differ in result bits or flags. */
export function compareOutputs(recs: Buffer, want: Buffer, got: Buffer, limit = Infinity): Mismatch[] {
  const res: Mismatch[] = [];
  const n = recs.length / IN_REC;
  const w32 = new Int32Array(want.buffer, want.byteOffset, want.length / 4);
  const g32 = new Int32Array(got.buffer, got.byteOffset, got.length / 4);
  for (let i = 0; i < n && res.length < limit; i++) {
    const j = i * 4;
    if (w32[j] === g32[j] && w32[j + 1] === g32[j + 1] && w32[j + 2] === g32[j + 2] && w32[j + 3] === g32[j + 3]) continue;
    const o = i * IN_REC;
    res.push({
      index: i,
      op: recs.readUInt32LE(o),
      rm: recs.readUInt32LE(o + 4),
      a: recs.readBigUInt64LE(o + 8),
      b: recs.readBigUInt64LE(o + 16),
      c: recs.readBigUInt64LE(o + 24),
      want: want.readBigUInt64LE(i * OUT_REC),
      wantFlags: Number(want.readBigUInt64LE(i * OUT_REC + 8)),
      got: got.readBigUInt64LE(i * OUT_REC),
      gotFlags: Number(got.readBigUInt64LE(i * OUT_REC + 8)),
    });
  }
  return res;
}

const hex = (x: bigint, w = 16) => "0x" + x.toString(16).padStart(w, "0");

export function describe(m: Mismatch, wantName = "qemu", gotName = "wasm"): string {
  const op = OPS[m.op];
  const v = (x: bigint) => (op.kind !== "i2f" && op.fmt === 32 ? hex(x & 0xffffffffn, 8) : hex(x, 16));
  const args = [m.a, m.b, m.c].slice(0, op.nargs).map(v).join(" ");
  return `${op.name} ${rmName(m.rm)} ${args}: ${wantName} ${hex(m.want)} ${formatFlags(m.wantFlags)}, ` +
    `${gotName} ${hex(m.got)} ${formatFlags(m.gotFlags)}`;
}

const FPBARE = join(ROOT, "guests/fpref/fpbare.elf");
const BATCH = 4096; // FP_MAX in fpbare.S

function fpbareSymbols(): { fpIn: number; fpOut: number; fpCount: number } {
  const elf = parseElf(readFileSync(FPBARE));
  const sym = (n: string) => Number(elf.symbols.get(n)!);
  return { fpIn: sym("fp_in"), fpOut: sym("fp_out"), fpCount: sym("fp_count") };
}

/** Runs records through fpbare.elf on a whole wasmvisor hart (decoder, FP registers, fcsr). */
export function runHart(recs: Buffer): Buffer {
  const image = readFileSync(FPBARE);
  const { fpIn, fpOut, fpCount } = fpbareSymbols();
  const out = Buffer.alloc((recs.length / IN_REC) * OUT_REC);
  for (let off = 0; off < recs.length; off += BATCH * IN_REC) {
    const chunk = recs.subarray(off, Math.min(recs.length, off + BATCH * IN_REC));
    const n = chunk.length / IN_REC;
    const m = new Machine(loadCoreModule(), { memSize: 4 << 20, clock: "virtual" });
    m.load(image);
    m.hart.writePhys(fpIn, chunk);
    m.hart.writePhys64(fpCount, BigInt(n));
    const r = m.runSync({ maxInstructions: 200 * n + 10_000 });
    if (r.reason !== "exit" || r.exitCode !== 0) throw new Error(`fpbare: ${r.reason} ${r.exitCode} ${r.message ?? ""}`);
    Buffer.from(m.hart.readPhys(fpOut, n * OUT_REC)).copy(out, (off / IN_REC) * OUT_REC);
  }
  return out;
}

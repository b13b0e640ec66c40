// F and D through the whole hart: the same operation table as the QEMU reference
// (guests/fpref/fpops.inc), built as a bare-metal guest (fpbare.elf) and run by wasmvisor, so
// the decoder, the FP register file with NaN-boxing, static and dynamic rounding modes, fcsr
// and mstatus.FS are all on the path. Results and fflags must equal real RISC-V instructions
// under qemu-riscv64, record for record.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/machine.js";
import { parseElf } from "../../src/machine/elf.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { IN_REC, OUT_REC, makeRecords } from "./gen.js";
import { ROOT, compareOutputs, describe as describeMismatch, haveQemu, runQemu } from "./harness.js";
import { OPS, RM_DYN } from "./ops.js";

const FPBARE = join(ROOT, "guests/fpref/fpbare.elf");
const BATCH = 4096; // FP_MAX in fpbare.S
const PER_CASE = 120; // operand sets per instruction and rounding mode (static and dynamic)

function symbols(): { fpIn: number; fpOut: number; fpCount: number } {
  const elf = parseElf(readFileSync(FPBARE));
  const sym = (n: string) => Number(elf.symbols.get(n)!);
  return { fpIn: sym("fp_in"), fpOut: sym("fp_out"), fpCount: sym("fp_count") };
}

/** Runs records through fpbare.elf on a wasmvisor hart. */
function runHart(recs: Buffer): Buffer {
  const image = readFileSync(FPBARE);
  const { fpIn, fpOut, fpCount } = symbols();
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

describe("F and D on the hart vs qemu-riscv64", () => {
  beforeAll(() => {
    if (!haveQemu()) throw new Error("qemu-riscv64 is missing: apt-get install -y qemu-user (CI installs it)");
  });

  it("every instruction in every static and dynamic rounding mode matches bit for bit, flags included", () => {
    const parts: Buffer[] = [];
    for (const op of OPS) {
      const modes = op.rounds ? [0, 1, 2, 3, 4] : [0];
      for (const rm of modes) {
        parts.push(makeRecords(op, rm, PER_CASE, 7));
        // the same operands with the rounding mode taken from frm
        const dyn = makeRecords(op, rm, PER_CASE, 7);
        for (let o = 0; o < dyn.length; o += IN_REC) dyn.writeUInt32LE(RM_DYN + rm, o + 4);
        parts.push(dyn);
      }
    }
    const recs = Buffer.concat(parts);
    const want = runQemu(recs);
    const got = runHart(recs);
    const bad = compareOutputs(recs, want, got, 20);
    expect(bad.map((m) => describeMismatch(m, "qemu", "hart"))).toEqual([]);
  });
});

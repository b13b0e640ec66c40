// F and D through the whole hart: the same operation table as the QEMU reference
// (guests/fpref/fpops.inc), built as a bare-metal guest (fpbare.elf) and run by wasmvisor, so
// the decoder, the FP register file with NaN-boxing, static and dynamic rounding modes, fcsr
// and mstatus.FS are all on the path. Results and fflags must equal real RISC-V instructions
// under qemu-riscv64, record for record.
import { beforeAll, describe, expect, it } from "vitest";
import { dynamicCopy, makeRecords } from "./gen.js";
import { compareOutputs, describe as describeMismatch, haveQemu, runHart, runQemu } from "./harness.js";
import { OPS } from "./ops.js";

const PER_CASE = 120; // operand sets per instruction and rounding mode (static and dynamic)

describe("F and D on the hart vs qemu-riscv64", () => {
  beforeAll(() => {
    if (!haveQemu()) throw new Error("qemu-riscv64 is missing: apt-get install -y qemu-user (CI installs it)");
  });

  it("every instruction in every static and dynamic rounding mode matches bit for bit, flags included", () => {
    const parts: Buffer[] = [];
    for (const op of OPS) {
      const modes = op.rounds ? [0, 1, 2, 3, 4] : [0];
      for (const rm of modes) {
        const recs = makeRecords(op, rm, PER_CASE, 7);
        parts.push(recs, dynamicCopy(recs)); // the same operands with the mode taken from frm
      }
    }
    const recs = Buffer.concat(parts);
    const want = runQemu(recs);
    const got = runHart(recs);
    const bad = compareOutputs(recs, want, got, 20);
    expect(bad.map((m) => describeMismatch(m, "qemu", "hart"))).toEqual([]);
  });
});

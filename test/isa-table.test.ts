// The instruction table (scripts/isa/, as src/core/abi.gen.ts INSNS) that the core's decoder is
// generated from and the disassembler reads, against GNU binutils, an independent reading of
// the same specs: random encodings of every row, disassembled by both, must print the same
// instruction. binutils 2.40 does not know Zicond or Zawrs: those rows are checked by the
// disassembler's own tests. Needs riscv64-unknown-elf-as/objdump (guests/build.sh installs them).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CINSNS, INSNS } from "../src/core/abi.gen.js";
import { cImmediate, disassemble, findCInsn, findInsn } from "../src/core/disasm.js";
import { Rng } from "../scripts/fuzz/rng.js";
import { requireTool } from "./helpers/tools.js";

const MARCH = "rv64gc_zba_zbb_zbc_zbs_zbkb_zfh_zicbom_zicboz_svinval";
const UNKNOWN_TO_BINUTILS = new Set(["zicond", "zawrs"]);
const ROUNDS = new Set(["FR", "FR4", "FR1", "F2X", "X2F"]);
const CSRS = [0x001, 0x003, 0x100, 0x180, 0x300, 0x305, 0x341, 0x3a0, 0x3b0, 0x7c0, 0xc00, 0xf14];

/** A random instance of `row`: its fixed bits, the others random within what both accept. */
function instance(r: Rng, row: (typeof INSNS)[number]): number {
  let w = (row.match | (r.u32() & ~row.mask)) >>> 0;
  const set = (lo: number, width: number, v: number) => { w = ((w & ~(((1 << width) - 1) << lo)) | (v << lo)) >>> 0; };
  if (ROUNDS.has(row.form)) set(12, 3, "exact" in row ? 0 : r.pick([0, 1, 2, 3, 4, 7]));
  if (row.form === "CSR" || row.form === "CSRI") set(20, 12, r.pick(CSRS));
  // the canonical FENCE (objdump names an empty set "unknown") and FENCE.I (other fields zero)
  if (row.form === "FENCE") { set(28, 4, 0); set(15, 5, 0); set(7, 5, 0); set(24, 4, r.range(1, 15)); set(20, 4, r.range(1, 15)); }
  if (row.name === "fence.i") w = row.match;
  return w;
}

/** A random instance of compressed row `row` that its constraints allow, or undefined. */
function cInstance(r: Rng, row: (typeof CINSNS)[number]): number | undefined {
  for (let tries = 0; tries < 100; tries++) {
    const c = (row.match | (r.u32() & ~row.mask & 0xffff)) >>> 0;
    if (findCInsn(c) !== row) continue; // a more specific row's encoding
    if ("nz" in row && (row.nz === "imm" ? cImmediate(row, c) === 0 : ((c >> 7) & 31) === 0)) continue;
    return c;
  }
  return undefined;
}

/** objdump's text for each instruction: `words` as [bits, length]. */
function objdump(words: [number, 2 | 4][]): string[] {
  const as = requireTool("riscv64-unknown-elf-as", "binutils-riscv64-unknown-elf");
  const od = requireTool("riscv64-unknown-elf-objdump", "binutils-riscv64-unknown-elf");
  const dir = mkdtempSync(join(tmpdir(), "isa-table-"));
  try {
    writeFileSync(join(dir, "t.s"), `${words.map(([w, n]) => `.insn ${n}, 0x${w.toString(16)}`).join("\n")}\n`);
    const a = spawnSync(as, [`-march=${MARCH}`, "-o", join(dir, "t.o"), join(dir, "t.s")], { encoding: "utf8" });
    if (a.status !== 0) throw new Error(a.stderr);
    const d = spawnSync(od, ["-d", "-z", "-M", "no-aliases", join(dir, "t.o")], { encoding: "utf8", maxBuffer: 1 << 28 });
    if (d.status !== 0) throw new Error(d.stderr);
    // "   1c:	d2058553          	fcvt.d.w	fa0,a1": the text after the encoding
    return d.stdout.split("\n").filter((l) => /^\s+[0-9a-f]+:\t[0-9a-f]{4,8}\s/.test(l))
      .map((l) => l.split("\t").slice(2).join(" ").replace(/\s+/g, " ").replace(/ #.*$/, "").replace(/ <[^>]*>$/, "").trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the instruction table against GNU binutils", () => {
  it("disassembles random encodings of every row as objdump does", () => {
    const r = new Rng("isa-table");
    const words: [number, 2 | 4][] = [];
    for (const row of INSNS) {
      if (UNKNOWN_TO_BINUTILS.has(row.ext)) continue;
      for (let k = 0; k < 12; k++) words.push([instance(r, row), 4]);
    }
    let compressed = 0;
    for (const row of CINSNS) {
      for (let k = 0; k < 12; k++) {
        const c = cInstance(r, row);
        if (c !== undefined) { words.push([c, 2]); compressed++; }
      }
    }
    expect(compressed).toBeGreaterThan(12 * (CINSNS.length - 5)); // the fixed encodings give one each
    const theirs = objdump(words);
    expect(theirs.length).toBe(words.length);
    const diffs: string[] = [];
    let pc = 0n;
    words.forEach(([w, n], k) => {
      const row = n === 4 ? findInsn(w) : findCInsn(w);
      // objdump prints branch and jump targets without 0x, and c.nop as c.addi zero,0
      const jump = row && "form" in row ? row.form === "B" || row.form === "J" : /^c\.(j|beqz|bnez)$/.test(row!.name);
      let ours = disassemble(w, pc);
      if (jump) ours = ours.replace(/0x([0-9a-f]+)$/, "$1");
      if (ours === "c.nop") ours = "c.addi zero,0";
      if (ours !== theirs[k]) diffs.push(`0x${w.toString(16)} (${row?.name}): ours "${ours}", objdump "${theirs[k]}"`);
      pc += BigInt(n);
    });
    expect(diffs.slice(0, 20)).toEqual([]);
  });

  it("gives every implemented encoding one row, and reserved ones none", () => {
    // a row for each sample; the rounding modes 5 and 6 and fmt Q have none
    for (const row of INSNS) expect(findInsn(row.match)).toBeDefined();
    expect(disassemble(0x02c5d553)).toBe(".4byte 0x2c5d553"); // fadd.d with rm 5
    expect(disassemble(0x06c58553)).toBe(".4byte 0x6c58553"); // fadd.q
    expect(disassemble(0x0030200f)).toBe(".4byte 0x30200f"); // CBO operation 3
    // the rows binutils 2.40 does not know, from their encodings in the Zawrs chapter
    expect(disassemble(0x00d00073)).toBe("wrs.nto");
    expect(disassemble(0x01d00073)).toBe("wrs.sto");
  });
});

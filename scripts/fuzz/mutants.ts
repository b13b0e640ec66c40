// Checks the fuzzer itself: builds copies of the core with one known bug each (a text
// replacement in a copy of assembly/, compiled to a temporary core.wasm) and fuzzes each until
// the first difference. A mutant that survives `--count` programs points at a gap in the
// generator (or at an equivalent mutant). The replacements follow the core's source text; one
// that no longer matches is reported as stale, not run.
//
//   npx tsx scripts/fuzz/mutants.ts [--count 1024] [--only name,name]
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fuzz } from "./fuzz.js";
import { checkQemu, wasmvisorMisa } from "./runners.js";

interface Mutant { name: string; file: string; from: string; to: string; what: string }

const MUTANTS: Mutant[] = [
  { name: "d-never-set", file: "mmu.ts", what: "stores never set the D bit",
    from: "const need = (<u64>1 << 6) | (acc == ACC_STORE ? (<u64>1 << 7) : 0);", to: "const need = (<u64>1 << 6);" },
  { name: "s-exec-user", file: "mmu.ts", what: "S-mode may execute U pages when SUM = 1",
    from: "(acc == ACC_FETCH || (ms & MS_SUM) == 0)", to: "((ms & MS_SUM) == 0)" },
  { name: "mxr-ignored", file: "mmu.ts", what: "MXR has no effect",
    from: "(ms & MS_MXR) != 0 && x == 1", to: "false && x == 1" },
  { name: "superpage-align", file: "mmu.ts", what: "misaligned superpages translate",
    from: "if ((ppn & lowMask) != 0) return pageFault(va, acc);", to: "" },
  { name: "pte-reserved", file: "mmu.ts", what: "PTE bits 59:54 are not checked",
    from: "(pte >> 54) != 0", to: "(pte >> 60) != 0" },
  { name: "crosspage-load", file: "mmu.ts", what: "page-crossing loads read the wrong bytes of page 2",
    from: "const pa = a < va1 ? pa0 + i : pa1 + (a - va1);\n      const b = physRead(pa, 1, a);",
    to: "const pa = a < va1 ? pa0 + i : pa1 + i;\n      const b = physRead(pa, 1, a);" },
  { name: "crosspage-store-tval", file: "mmu.ts", what: "page-crossing store faults report the first page",
    from: "accessFault(ramHost(pa0, va1 - va) == 0 ? va : va1, ACC_STORE);", to: "accessFault(va, ACC_STORE);" },
  { name: "spie-always", file: "trap.ts", what: "S-mode traps always set SPIE",
    from: "((ms & MS_SIE) != 0 ? MS_SPIE : 0) | (p << 8)", to: "MS_SPIE | (p << 8)" },
  { name: "mret-keeps-mpp", file: "trap.ts", what: "MRET does not reset MPP to U",
    from: "let next = (ms & ~(MS_MIE | MS_MPP)) | MS_MPIE", to: "let next = (ms & ~(MS_MIE)) | MS_MPIE" },
  { name: "s-irq-ignores-sie", file: "trap.ts", what: "S-mode takes S interrupts with SIE = 0",
    from: "(p == PRIV_S && (ms & MS_SIE) != 0)", to: "(p == PRIV_S)" },
  { name: "sstatus-hides-mxr", file: "csr.ts", what: "sstatus does not show MXR",
    from: "MS_SUM |\n  MS_MXR |", to: "MS_SUM |\n  " },
  { name: "medeleg-bit9", file: "csr.ts", what: "medeleg[9] is read-only",
    from: "const MEDELEG_WRITABLE: u64 = 0xb3ff;", to: "const MEDELEG_WRITABLE: u64 = 0xb1ff;" },
  { name: "sc-keeps-reservation", file: "index.ts", what: "SC does not drop the reservation",
    from: "          store<u64>(S_RES_ADDR, RES_NONE);\n          pc += len; break;", to: "          pc += len; break;" },
  { name: "amominu-signed", file: "index.ts", what: "AMOMINU.W compares signed",
    from: "case O.AMO_MINU: return <u64><u32>(<u32>o < <u32>s ? o : s);", to: "case O.AMO_MINU: return <u64><u32>(o < s ? o : s);" },
  { name: "c-addi16sp-imm", file: "decode.ts", what: "C.ADDI16SP drops immediate bit 5",
    from: "((i << 3) & 0x20);\n        const simm", to: "((i << 3) & 0x00);\n        const simm" },
  // F and D
  { name: "fsgnjn-d", file: "fpu.ts", what: "FSGNJN.D copies the sign instead of negating it",
    from: "(fget(rs1) & ~SIGN64) | (~fget(rs2) & SIGN64)", to: "(fget(rs1) & ~SIGN64) | (fget(rs2) & SIGN64)" },
  { name: "nan-boxing-ignored", file: "fpu.ts", what: "improperly NaN-boxed singles are used as is",
    from: "return (v & BOX) == BOX ? <u32>v : F32_QNAN;", to: "return <u32>v;" },
  { name: "frm-5-accepted", file: "fpu.ts", what: "dynamic rounding accepts frm = 5",
    from: "if (rm > 4) return false;", to: "if (rm > 5) return false;" },
  { name: "fcvt-l-no-nx", file: "fp/index.ts", what: "FCVT.L.D does not raise NX when it truncates",
    from: "const t = <i64>x;\n    if (<f64>t != x) fpFlags |= FLAG_NX;", to: "const t = <i64>x;" },
  { name: "uf-before-rounding", file: "fp/common.ts", what: "underflow without the tininess test",
    from: "if (tiny && (sig & MASK) != 0) fpFlags |= FLAG_UF;", to: "if ((sig & MASK) != 0) fpFlags |= FLAG_UF;" },
];

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const count = Number(args[args.indexOf("--count") + 1] || 1024) || 1024;
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : undefined;
  checkQemu();
  const root = resolve(import.meta.dirname, "../..");
  const asc = join(root, "node_modules/.bin/asc");
  let survivors = 0;
  for (const m of MUTANTS.filter((x) => !only || only.includes(x.name))) {
    const dir = mkdtempSync(join(tmpdir(), `mutant-${m.name}-`));
    try {
      cpSync(join(root, "assembly"), join(dir, "assembly"), { recursive: true });
      cpSync(join(root, "asconfig.json"), join(dir, "asconfig.json"));
      const file = join(dir, "assembly", m.file);
      const src = readFileSync(file, "utf8");
      const n = src.split(m.from).length - 1;
      if (n !== 1) { console.log(`${m.name.padEnd(22)} STALE (pattern found ${n} times in ${m.file})`); continue; }
      writeFileSync(file, src.replace(m.from, m.to));
      const c = spawnSync(asc, ["assembly/index.ts", "--target", "release", "--outFile", "core.wasm", "--textFile", "core.wat"], { cwd: dir, encoding: "utf8" });
      if (c.status !== 0) { console.log(`${m.name.padEnd(22)} BUILD FAILED\n${c.stderr.slice(-1000)}`); continue; }
      process.env.FUZZ_CORE_WASM = join(dir, "core.wasm");
      const misa = wasmvisorMisa();
      const fp = ((misa >> 3n) & 1n) === 1n && ((misa >> 5n) & 1n) === 1n;
      const r = await fuzz({ seed: "mutant", count, profile: "both", length: 1000, fp, jobs: 2, batch: 32 });
      delete process.env.FUZZ_CORE_WASM;
      const f = r.failures[0];
      if (f) console.log(`${m.name.padEnd(22)} found after ${f.id.index + 1} programs (${f.id.name}: ${f.diffs[0].field})   [${m.what}]`);
      else { survivors++; console.log(`${m.name.padEnd(22)} SURVIVED ${r.programs} programs   [${m.what}]`); }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return survivors ? 1 : 0;
}

main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(2); });

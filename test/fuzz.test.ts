// The differential fuzzer (scripts/fuzz): its encoder against GNU as, its comparator and
// shrinker, and the CI sample: a fixed seed, a few hundred programs of both profiles run on
// QEMU and wasmvisor, which must agree. Needs qemu-system-riscv64 (Debian qemu-system-misc)
// and the riscv64-unknown-elf binutils (guests/build.sh installs them).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as E from "../scripts/fuzz/encode.js";
import { Rng } from "../scripts/fuzz/rng.js";
import { generate } from "../scripts/fuzz/gen.js";
import { build } from "../scripts/fuzz/image.js";
import { compareDumps, parseDumps, type Dump } from "../scripts/fuzz/dump.js";
import { analyze, bisect, fuzz, shrink, truncation, type ProbeFn } from "../scripts/fuzz/fuzz.js";
import { checkQemu, wasmvisorMisa } from "../scripts/fuzz/runners.js";
import type { Program } from "../scripts/fuzz/program.js";
import { defaultJit as currentDefaultJit, setDefaultJit } from "../src/jit/jit.js";

const defaultJit = currentDefaultJit();

const AS = "riscv64-unknown-elf-as";
const OBJCOPY = "riscv64-unknown-elf-objcopy";

function assemble(lines: string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "fuzz-as-"));
  try {
    writeFileSync(join(dir, "t.s"), lines.join("\n") + "\n");
    const as = spawnSync(AS, ["-march=rv64gc_zfh", "-o", join(dir, "t.o"), join(dir, "t.s")], { encoding: "utf8" });
    if (as.error) throw new Error(`${AS} not found (Debian: binutils-riscv64-unknown-elf): ${as.error.message}`);
    if (as.status !== 0) throw new Error(as.stderr);
    const oc = spawnSync(OBJCOPY, ["-O", "binary", "-j", ".text", join(dir, "t.o"), join(dir, "t.bin")], { encoding: "utf8" });
    if (oc.status !== 0) throw new Error(oc.stderr || String(oc.error));
    return new Uint8Array(readFileSync(join(dir, "t.bin")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("fuzz encoder", () => {
  it("encodes like GNU as", () => {
    const r = new Rng("encoder-test");
    const x = () => r.int(32);
    const cx = () => r.range(8, 15);
    const imm = () => r.range(-2048, 2047);
    const RM = ["rne", "rtz", "rdn", "rup", "rmm", "", "", "dyn"];
    const rm = () => r.pick([0, 1, 2, 3, 4, 7]);
    const cases: Array<[string, number, boolean]> = []; // text, word, compressed
    const w = (text: string, word: number) => cases.push([text, word, false]);
    const c = (text: string, half: number) => cases.push([text, half, true]);
    for (let i = 0; i < 6; i++) {
      for (const op of E.OP_RR) { const [d, a, b] = [x(), x(), x()]; w(`${op} x${d}, x${a}, x${b}`, E.rr(op, d, a, b)); }
      for (const op of E.OP_RRW) { const [d, a, b] = [x(), x(), x()]; w(`${op} x${d}, x${a}, x${b}`, E.rrw(op, d, a, b)); }
      for (const op of E.OP_IMM) { const [d, a, v] = [x(), x(), imm()]; w(`${op} x${d}, x${a}, ${v}`, E.opImm(op, d, a, v)); }
      for (const op of ["slli", "srli", "srai"] as const) { const [d, a, s] = [x(), x(), r.int(64)]; w(`${op} x${d}, x${a}, ${s}`, E.shiftImm(op, d, a, s)); }
      for (const op of ["slliw", "srliw", "sraiw"] as const) { const [d, a, s] = [x(), x(), r.int(32)]; w(`${op} x${d}, x${a}, ${s}`, E.shiftImmW(op, d, a, s)); }
      { const [d, a, v] = [x(), x(), imm()]; w(`addiw x${d}, x${a}, ${v}`, E.addiw(d, a, v)); }
      { const [d, v] = [x(), r.int(1 << 20)]; w(`lui x${d}, ${v}`, E.lui(d, v)); w(`auipc x${d}, ${v}`, E.auipc(d, v)); }
      for (const op of Object.keys(E.LOAD_F3) as E.LoadOp[]) { const [d, a, v] = [x(), x(), imm()]; w(`${op} x${d}, ${v}(x${a})`, E.load(op, d, a, v)); }
      for (const op of Object.keys(E.STORE_F3) as E.StoreOp[]) { const [s, a, v] = [x(), x(), imm()]; w(`${op} x${s}, ${v}(x${a})`, E.store(op, s, a, v)); }
      for (const op of Object.keys(E.BRANCH_F3) as E.BranchOp[]) { const [a, b, o] = [x(), x(), 2 * r.range(-2048, 2047)]; w(`${op} x${a}, x${b}, .${o >= 0 ? "+" : ""}${o}`, E.branch(op, a, b, o)); }
      { const [d, o] = [x(), 2 * r.range(-(1 << 19), (1 << 19) - 1)]; w(`jal x${d}, .${o >= 0 ? "+" : ""}${o}`, E.jal(d, o)); }
      { const [d, a, v] = [x(), x(), imm()]; w(`jalr x${d}, ${v}(x${a})`, E.jalr(d, a, v)); }
      for (const op of ["csrrw", "csrrs", "csrrc"] as const) { const [d, n, s] = [x(), r.int(4096), x()]; w(`${op} x${d}, ${n}, x${s}`, E.csr(op, d, n, s)); }
      for (const op of ["csrrwi", "csrrsi", "csrrci"] as const) { const [d, n, s] = [x(), r.int(4096), r.int(32)]; w(`${op} x${d}, ${n}, ${s}`, E.csr(op, d, n, s)); }
      for (const op of ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu", "sc"] as const) {
        const [d, a, b, sz, aq, rl] = [x(), x(), x(), r.bool(), r.bool(), r.bool()];
        const order = aq && rl ? ".aqrl" : aq ? ".aq" : rl ? ".rl" : "";
        w(`${op}.${sz ? "d" : "w"}${order} x${d}, x${b}, (x${a})`, E.amo(op, sz, d, a, b, aq, rl));
      }
      { const [d, a, sz] = [x(), x(), r.bool()]; w(`lr.${sz ? "d" : "w"} x${d}, (x${a})`, E.amo("lr", sz, d, a, 0)); }
      // F, D and Zfh
      for (const fmt of [0, 1, 2] as E.Fmt[]) {
        const t = ["s", "d", "h"][fmt];
        for (const op of E.FP_ARITH) { const [d, a, b, m] = [x(), x(), x(), rm()]; w(`${op}.${t} f${d}, f${a}, f${b}, ${RM[m]}`, E.fpArith(op, fmt, d, a, b, m)); }
        for (const op of ["fmadd", "fmsub", "fnmsub", "fnmadd"] as const) { const [d, a, b, e, m] = [x(), x(), x(), x(), rm()]; w(`${op}.${t} f${d}, f${a}, f${b}, f${e}, ${RM[m]}`, E.fma(op, fmt, d, a, b, e, m)); }
        { const [d, a, m] = [x(), x(), rm()]; w(`fsqrt.${t} f${d}, f${a}, ${RM[m]}`, E.fsqrt(fmt, d, a, m)); }
        (["fsgnj", "fsgnjn", "fsgnjx"] as const).forEach((n, k) => { const [d, a, b] = [x(), x(), x()]; w(`${n}.${t} f${d}, f${a}, f${b}`, E.fsgnj(k as 0 | 1 | 2, fmt, d, a, b)); });
        { const [d, a, b] = [x(), x(), x()]; w(`fmin.${t} f${d}, f${a}, f${b}`, E.fminmax(false, fmt, d, a, b)); w(`fmax.${t} f${d}, f${a}, f${b}`, E.fminmax(true, fmt, d, a, b)); }
        (["fle", "flt", "feq"] as const).forEach((n, k) => { const [d, a, b] = [x(), x(), x()]; w(`${n}.${t} x${d}, f${a}, f${b}`, E.fcmp(k as 0 | 1 | 2, fmt, d, a, b)); });
        (["w", "wu", "l", "lu"] as const).forEach((n, k) => {
          const [d, a, m] = [x(), x(), rm()];
          w(`fcvt.${n}.${t} x${d}, f${a}, ${RM[m]}`, E.fcvtToInt(k as 0 | 1 | 2 | 3, fmt, d, a, m));
          // GNU as takes no rounding mode on the exact conversions (and encodes rm = 0)
          const exact = fmt === 1 && k < 2;
          w(`fcvt.${t}.${n} f${d}, x${a}${exact ? "" : ", " + RM[m]}`, E.fcvtFromInt(k as 0 | 1 | 2 | 3, fmt, d, a, exact ? 0 : m));
        });
        { const [d, a] = [x(), x()]; w(`fclass.${t} x${d}, f${a}`, E.fclass(fmt, d, a)); w(`fmv.x.${fmt ? t : "w"} x${d}, f${a}`, E.fmvToInt(fmt, d, a)); w(`fmv.${fmt ? t : "w"}.x f${d}, x${a}`, E.fmvFromInt(fmt, d, a)); }
      }
      // between formats: GNU as takes no rounding mode on the widening ones (and encodes rm = 0)
      for (const [to, from] of [[0, 1], [1, 0], [2, 0], [0, 2], [2, 1], [1, 2]] as [E.Fmt, E.Fmt][]) {
        const [d, a, m] = [x(), x(), rm()];
        const widens = to === 1 || (to === 0 && from === 2);
        w(`fcvt.${"sdh"[to]}.${"sdh"[from]} f${d}, f${a}${widens ? "" : ", " + RM[m]}`, E.fcvtFF(to, from, d, a, widens ? 0 : m));
      }
      { const [d, a, v] = [x(), x(), imm()]; w(`flh f${d}, ${v}(x${a})`, E.flh(d, a, v)); w(`fsh f${d}, ${v}(x${a})`, E.fsh(d, a, v)); }
      { const [d, a, v] = [x(), x(), imm()]; w(`flw f${d}, ${v}(x${a})`, E.flw(d, a, v)); w(`fld f${d}, ${v}(x${a})`, E.fld(d, a, v)); w(`fsw f${d}, ${v}(x${a})`, E.fsw(d, a, v)); w(`fsd f${d}, ${v}(x${a})`, E.fsd(d, a, v)); }
      // compressed
      { const [d, v] = [cx(), 4 * r.range(1, 255)]; c(`c.addi4spn x${d}, sp, ${v}`, E.cAddi4spn(d, v)); }
      { const [d, a, v, v8] = [cx(), cx(), 4 * r.int(32), 8 * r.int(32)];
        c(`c.lw x${d}, ${v}(x${a})`, E.cLw(d, a, v)); c(`c.ld x${d}, ${v8}(x${a})`, E.cLd(d, a, v8)); c(`c.fld f${d}, ${v8}(x${a})`, E.cFld(d, a, v8));
        c(`c.sw x${d}, ${v}(x${a})`, E.cSw(d, a, v)); c(`c.sd x${d}, ${v8}(x${a})`, E.cSd(d, a, v8)); c(`c.fsd f${d}, ${v8}(x${a})`, E.cFsd(d, a, v8)); }
      { const d = r.range(1, 31), v = r.range(-32, 31) || 1; c(`c.addi x${d}, ${v}`, E.cAddi(d, v)); c(`c.addiw x${d}, ${v}`, E.cAddiw(d, v)); c(`c.li x${d}, ${v}`, E.cLi(d, v)); }
      { let d = r.range(1, 31); if (d === 2) d = 3; const v = r.range(-32, 31) || 5; c(`c.lui x${d}, ${v & 0xfffff}`, E.cLui(d, v)); }
      { const v = 16 * (r.range(-32, 31) || 3); c(`c.addi16sp sp, ${v}`, E.cAddi16sp(v)); }
      { const [d, s] = [cx(), r.range(1, 63)]; c(`c.srli x${d}, ${s}`, E.cShift("c.srli", d, s)); c(`c.srai x${d}, ${s}`, E.cShift("c.srai", d, s)); }
      { const [d, v] = [cx(), r.range(-32, 31)]; c(`c.andi x${d}, ${v}`, E.cAndi(d, v)); }
      for (const op of E.C_ARITH) { const [d, s] = [cx(), cx()]; c(`${op} x${d}, x${s}`, E.cArith(op, d, s)); }
      { const o = 2 * r.range(-1024, 1023); c(`c.j .${o >= 0 ? "+" : ""}${o}`, E.cJ(o)); }
      { const [a, o] = [cx(), 2 * r.range(-128, 127)]; c(`c.beqz x${a}, .${o >= 0 ? "+" : ""}${o}`, E.cBranch("c.beqz", a, o)); c(`c.bnez x${a}, .${o >= 0 ? "+" : ""}${o}`, E.cBranch("c.bnez", a, o)); }
      { const [d, s] = [r.range(1, 31), r.range(1, 63)]; c(`c.slli x${d}, ${s}`, E.cSlli(d, s)); }
      { const [d, v, v8] = [r.range(1, 31), 4 * r.int(64), 8 * r.int(64)];
        c(`c.lwsp x${d}, ${v}(sp)`, E.cLwsp(d, v)); c(`c.ldsp x${d}, ${v8}(sp)`, E.cLdsp(d, v8)); c(`c.fldsp f${d}, ${v8}(sp)`, E.cFldsp(d, v8));
        c(`c.swsp x${d}, ${v}(sp)`, E.cSwsp(d, v)); c(`c.sdsp x${d}, ${v8}(sp)`, E.cSdsp(d, v8)); c(`c.fsdsp f${d}, ${v8}(sp)`, E.cFsdsp(d, v8)); }
      { const [a, b] = [r.range(1, 31), r.range(1, 31)]; c(`c.jr x${a}`, E.cJr(a)); c(`c.jalr x${a}`, E.cJalr(a)); c(`c.mv x${a}, x${b}`, E.cMv(a, b)); c(`c.add x${a}, x${b}`, E.cAdd(a, b)); }
    }
    w("ecall", E.ECALL); w("ebreak", E.EBREAK); w("mret", E.MRET); w("sret", E.SRET); w("wfi", E.WFI);
    w("fence.i", E.FENCE_I); w("fence rw, w", E.fence(3, 1)); w("fence.tso", E.fence(3, 3, 8)); w("fence iorw, iorw", E.fence());
    w("sfence.vma x5, x6", E.sfenceVma(5, 6));
    c("c.nop", E.cNop()); c("c.ebreak", E.C_EBREAK);
    const lines: string[] = [];
    const expected: number[] = [];
    for (const [text, word, comp] of cases) {
      lines.push(comp ? ".option rvc" : ".option norvc", text);
      if (comp) expected.push(word & 0xff, word >>> 8);
      else expected.push(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24);
    }
    const got = assemble(lines);
    let off = 0;
    for (const [text, , comp] of cases) {
      const n = comp ? 2 : 4;
      const a = Array.from(got.subarray(off, off + n)).map((b) => b.toString(16).padStart(2, "0")).join("");
      const b = expected.slice(off, off + n).map((v) => v.toString(16).padStart(2, "0")).join("");
      expect(`${text}: ${b}`).toBe(`${text}: ${a}`);
      off += n;
    }
    expect(off).toBe(got.length);
  });

  it("loads any 64-bit constant with li sequences", () => {
    const run = (words: number[]): bigint => {
      let v = 0n;
      for (const w of words) {
        const op = w & 0x7f, f3 = (w >>> 12) & 7, imm = BigInt((w | 0) >> 20);
        if (op === 0x37) v = BigInt.asIntN(64, BigInt((w & 0xfffff000) | 0));
        else if (op === 0x13 && f3 === 0) v = BigInt.asIntN(64, ((w >>> 15) & 31 ? v : 0n) + imm);
        else if (op === 0x1b) v = BigInt.asIntN(32, v + imm);
        else if (op === 0x13 && f3 === 1) v = BigInt.asIntN(64, v << BigInt((w >>> 20) & 63));
        else throw new Error(`unexpected ${w.toString(16)}`);
      }
      return BigInt.asUintN(64, v);
    };
    const r = new Rng("li");
    const values = [0n, 1n, 0x7ffn, 0x800n, 0x7fffffffn, 0x80000000n, 0xffffffffn, (1n << 63n), (1n << 64n) - 1n, 0x7ffff800n, 0xfa11d037n];
    for (let i = 0; i < 500; i++) values.push(r.u64(), BigInt(r.u32()), BigInt.asUintN(64, BigInt(r.u32() | 0)));
    for (const v of values) {
      expect(run(E.liSeq(5, v))).toBe(v);
      const fixed = E.liFixed(5, v);
      expect(fixed.length).toBe(8);
      expect(run(fixed)).toBe(v);
    }
  });
});

describe("fuzz generator and comparator", () => {
  it("generates the same program from the same name, within its code areas", () => {
    for (const profile of ["user", "priv"] as const) {
      const a = build(generate("det:1", { profile, length: 1500, fp: true, slot: 3 }));
      const b = build(generate("det:1", { profile, length: 1500, fp: true, slot: 3 }));
      expect(Buffer.from(a.main.bytes()).equals(Buffer.from(b.main.bytes()))).toBe(true);
      expect(Buffer.from(a.ucode.bytes()).equals(Buffer.from(b.ucode.bytes()))).toBe(true);
      const c = build(generate("det:2", { profile, length: 1500, fp: true, slot: 3 }));
      expect(Buffer.from(a.main.bytes()).equals(Buffer.from(c.main.bytes()))).toBe(false);
      expect(a.prog.units.reduce((n, u) => n + u.n, 0)).toBeGreaterThanOrEqual(1500);
    }
  });

  const dump = (text: string): Dump => parseDumps(`<<<FZ 0000000000000000\n${text}\n>>>FZ\n`).get(0)!;
  const T = (cause: bigint, epc: bigint, tval: bigint, who = 0xffffffffffffff4dn) =>
    `T ${[who, cause, epc, tval, 0x0000000a00001800n].map((v) => v.toString(16).padStart(16, "0")).join(" ")}`;

  it("reports any differing field", () => {
    const a = dump("x1 0000000000000001\nx2 0000000000000002");
    expect(compareDumps(a, dump("x1 0000000000000001\nx2 0000000000000002"))).toEqual([]);
    expect(compareDumps(a, dump("x1 0000000000000001\nx2 0000000000000003")).map((d) => d.field)).toEqual(["x2"]);
    expect(compareDumps(a, undefined)[0].field).toBe("dump");
    expect(compareDumps(dump(T(2n, 0x80001000n, 0x13n)), dump(T(2n, 0x80001000n, 0x17n)))[0].field).toBe("trap[0].tval");
  });

  it("normalizes what the spec leaves open or QEMU gets wrong, and nothing else", () => {
    // EBREAK: tval 0 or the pc
    expect(compareDumps(dump(T(3n, 0x80001000n, 0n)), dump(T(3n, 0x80001000n, 0x80001000n)))).toEqual([]);
    // a faulting AMO: QEMU's load cause equals the store/AMO cause; a plain load stays different
    const amo = E.amo("amoadd", true, 1, 2, 3);
    const insnAt = (a: bigint) => (a === 0x80001000n ? amo : E.load("ld", 1, 2, 0));
    expect(compareDumps(dump(T(13n, 0x80001000n, 0x8n)), dump(T(15n, 0x80001000n, 0x8n)), insnAt)).toEqual([]);
    expect(compareDumps(dump(T(13n, 0x80001004n, 0x8n)), dump(T(15n, 0x80001004n, 0x8n)), insnAt)).not.toEqual([]);
    expect(compareDumps(dump(T(15n, 0x80001000n, 0x8n)), dump(T(13n, 0x80001000n, 0x8n)), insnAt)).not.toEqual([]);
    // interrupts taken back to back at one pc: the set counts, not the order
    const irq = (c: bigint) => T((1n << 63n) | c, 0x80002000n, 0n);
    expect(compareDumps(dump(`${irq(5n)}\n${irq(9n)}`), dump(`${irq(9n)}\n${irq(5n)}`))).toEqual([]);
    expect(compareDumps(dump(`${irq(5n)}\n${irq(9n)}`), dump(`${irq(9n)}\n${irq(1n)}`))).not.toEqual([]);
  });

  it("bisects to the unit where states part and shrinks to what the difference needs", async () => {
    const prog = generate("shrink:1", { profile: "user", length: 600, fp: false, slot: 0 });
    // Pretend the difference needs one unit and whatever that unit depends on.
    const target = prog.units.find((u) => u.deps.length > 0 && u.desc.includes("@"))!;
    // A unit inside a compound (a loop, a branch) goes with it: the compounds around the target stay.
    const around = (us: typeof prog.units, path: number[]): number[] | undefined => {
      for (const u of us) {
        if (u.id === target.id) return path;
        const inner = u.children && around(u.children, [...path, u.id]);
        if (inner) return inner;
      }
      return undefined;
    };
    const needed = new Set([target.id, ...target.deps, ...around(prog.body, [])!]);
    const fake: ProbeFn = async (_p: Program, deleted: Set<number>) => ({ differs: [...needed].every((id) => !deleted.has(id)) });
    const k = await bisect(prog, () => {}, fake);
    expect(prog.units[k - 1].id).toBe(target.id);
    const kept = await shrink(prog, truncation(prog, k), () => {}, 600, fake);
    const left = prog.units.filter((u) => !kept.has(u.id)).map((u) => u.id).sort((a, b) => a - b);
    expect(left).toEqual([...needed].sort((a, b) => a - b));
  });
});

describe("differential fuzzing against QEMU (CI sample)", () => {
  it("finds qemu-system-riscv64", () => {
    expect(() => checkQemu()).not.toThrow();
  });

  it("agrees with QEMU on a fixed sample of both profiles", async () => {
    checkQemu();
    // F and D as `--fp auto` would choose: tested once the core's misa reports them
    const misa = wasmvisorMisa();
    const fp = ((misa >> 3n) & 1n) === 1n && ((misa >> 5n) & 1n) === 1n;
    const cfg = { seed: "ci-1", count: 512, profile: "both" as const, length: 1000, fp, jobs: 2, batch: 32, qemuTimeoutMs: 60_000 };
    const r = await fuzz(cfg);
    if (r.failures.length) { // before the count, which a failure cuts short: say what differed
      const a = await analyze(cfg, r.failures[0], () => {});
      expect.fail(`${r.failures.length} programs differ from QEMU; the first (${r.failures[0].note}):\n${a.text}`);
    }
    expect(r.programs).toBe(512);
    // the sample exercises the privileged machinery, not just arithmetic
    expect(r.trapKinds["S exc 13"]).toBeGreaterThan(0);
    expect(r.trapKinds["M exc 15"]).toBeGreaterThan(0);
    expect(Object.keys(r.trapKinds).some((k) => k.startsWith("S int"))).toBe(true);
  }, 300_000);

  it("agrees with QEMU with the JIT compiling every block at its first entry", async () => {
    checkQemu();
    const misa = wasmvisorMisa();
    const fp = ((misa >> 3n) & 1n) === 1n && ((misa >> 5n) & 1n) === 1n;
    const cfg = { seed: "ci-jit", count: 128, profile: "both" as const, length: 1000, fp, jobs: 2, batch: 32, qemuTimeoutMs: 60_000 };
    setDefaultJit({ threshold: 0 });
    try {
      const r = await fuzz(cfg);
      if (r.failures.length) { // before the count, which a failure cuts short: say what differed
        const a = await analyze(cfg, r.failures[0], () => {});
        expect.fail(`${r.failures.length} programs differ from QEMU with the JIT on; the first (${r.failures[0].note}):\n${a.text}`);
      }
      expect(r.programs).toBe(128);
    } finally {
      setDefaultJit(defaultJit);
    }
  }, 300_000);

  it("generates deterministic F/D programs (QEMU against itself)", async () => {
    checkQemu();
    const r = await fuzz({ seed: "ci-fp", count: 64, profile: "both", length: 600, fp: true, jobs: 2, batch: 32, against: "qemu" });
    expect(r.failures.map((f) => `${f.id.name}: ${f.diffs[0].field}`)).toEqual([]);
  }, 120_000);
});

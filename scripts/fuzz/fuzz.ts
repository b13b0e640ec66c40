// The differential loop: generate programs, run them in batches on QEMU and on wasmvisor,
// compare the dumps; for a program that differs, find the unit where the states part
// (bisection by truncation), shrink the program while the difference persists, and report.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "./gen.js";
import { build, elfFile, imageSegments, type Built } from "./image.js";
import { closeDeleted, type GenOptions, type Profile, type Program, type Unit } from "./program.js";
import { compareDumps, parseDumps, type Difference, type Dump } from "./dump.js";
import { QEMU, qemuArgs, runQemu, runWasmvisor, type RunOutput } from "./runners.js";

/** Programs share an image in groups of up to SLOTS; program i always sits in slot i % SLOTS. */
export const SLOTS = 32;

export interface FuzzConfig {
  seed: string;
  count: number;
  /** First program index (default 0). */
  start?: number;
  profile: Profile | "both";
  length: number;
  fp: boolean;
  jobs: number;
  /** Programs per QEMU boot (a divisor of SLOTS). */
  batch: number;
  /** Only these program indices. */
  only?: number[];
  qemuTimeoutMs?: number;
  nice?: number;
  log?: (line: string) => void;
  /** Stop at the first batch with a difference (default true). */
  stopOnFailure?: boolean;
  /** Compare QEMU with wasmvisor (default) or with a second QEMU run (checks the generator). */
  against?: "wasmvisor" | "qemu";
}

export interface ProgramId { index: number; name: string; opts: GenOptions }

export interface Failure {
  id: ProgramId;
  diffs: Difference[];
  qemu?: Dump;
  wasmvisor?: Dump;
  note?: string;
}

export interface FuzzResult {
  programs: number;
  failures: Failure[];
  ms: number;
  /** Static body instructions generated, per profile. */
  instructions: Record<string, number>;
  traps: number;
  /** Logged traps by handler and cause, e.g. "S exc 13", "M int 7" (from QEMU's dumps). */
  trapKinds: Record<string, number>;
  qemuMs: number;
  wasmvisorMs: number;
}

export function programId(cfg: Pick<FuzzConfig, "seed" | "profile" | "length" | "fp">, index: number): ProgramId {
  const profile: Profile = cfg.profile === "both" ? (index % 2 ? "priv" : "user") : cfg.profile;
  return {
    index,
    name: `${cfg.seed}:${index}`,
    opts: { profile, length: cfg.length, fp: cfg.fp, slot: index % SLOTS },
  };
}

export function reproduceCommand(cfg: Pick<FuzzConfig, "seed" | "length" | "fp">, id: ProgramId): string {
  return `npm run fuzz -- --seed ${cfg.seed} --only ${id.index} --profile ${id.opts.profile} --length ${cfg.length}` +
    (cfg.fp ? " --fp on" : " --fp off");
}

/** Runs built programs (distinct slots) as one image on both systems. */
export async function runBoth(builts: Built[], qemuTimeoutMs = 60_000, nice = 0, against: "wasmvisor" | "qemu" = "wasmvisor"): Promise<{ q: RunOutput; w: RunOutput; dq: Map<number, Dump>; dw: Map<number, Dump> }> {
  const segs = imageSegments(builts);
  const qp = runQemu(segs, qemuTimeoutMs, nice);
  const w = against === "qemu" ? await runQemu(segs, qemuTimeoutMs, nice) : runWasmvisor(segs, 20_000_000 * Math.max(1, builts.length));
  const q = await qp;
  const dq = parseDumps(q.text), dw = parseDumps(w.text);
  // QEMU keeps wall-clock time, so on a loaded host a run can come back with a program's dump
  // cut short (seen in CI with QEMU against itself): that is the reference failing, not a
  // difference. Such programs get one more QEMU run, and a dump that is complete then counts.
  for (const [d, rerun] of [[dq, true], [dw, against === "qemu"]] as const) {
    if (!rerun || builts.length === [...d.values()].filter((x) => x.complete).length) continue;
    const again = parseDumps((await runQemu(segs, qemuTimeoutMs, nice)).text);
    for (const [slot, x] of again) if (x.complete && !d.get(slot)?.complete) d.set(slot, x);
  }
  return { q, w, dq, dw };
}

function describeRun(o: RunOutput): string {
  return o.status === "done" ? "" : ` (${o.status}${o.detail ? ": " + o.detail.slice(0, 200) : ""})`;
}

/** Generates, runs and compares programs; returns the failures (first batch with any, unless told to go on). */
export async function fuzz(cfg: FuzzConfig): Promise<FuzzResult> {
  const log = cfg.log ?? (() => {});
  const t0 = performance.now();
  if (SLOTS % cfg.batch !== 0) throw new RangeError(`--batch must divide ${SLOTS}`);
  const start = cfg.start ?? 0;
  const indices = cfg.only ?? Array.from({ length: cfg.count }, (_, i) => start + i);
  // group into batches of programs with distinct slots
  const batches: number[][] = [];
  let cur: number[] = [];
  const used = new Set<number>();
  for (const i of indices) {
    const slot = i % SLOTS;
    if (cur.length >= cfg.batch || used.has(slot)) { batches.push(cur); cur = []; used.clear(); }
    cur.push(i);
    used.add(slot);
  }
  if (cur.length) batches.push(cur);
  const result: FuzzResult = { programs: 0, failures: [], ms: 0, instructions: {}, traps: 0, trapKinds: {}, qemuMs: 0, wasmvisorMs: 0 };
  let next = 0;
  let stop = false;
  let lastReport = performance.now();
  const worker = async () => {
    while (!stop && next < batches.length) {
      const batch = batches[next++];
      const ids = batch.map((i) => programId(cfg, i));
      const progs = ids.map((id) => generate(id.name, id.opts));
      const builts = progs.map((p) => build(p));
      for (const p of progs) {
        result.instructions[p.opts.profile] = (result.instructions[p.opts.profile] ?? 0) + p.units.reduce((n, u) => n + u.n, 0);
      }
      const { q, w, dq, dw } = await runBoth(builts, cfg.qemuTimeoutMs, cfg.nice, cfg.against);
      result.qemuMs += q.ms;
      result.wasmvisorMs += w.ms;
      for (const id of ids) {
        const a = dq.get(id.opts.slot), b = dw.get(id.opts.slot);
        result.traps += Number(a?.fields.get("ntraps") ?? 0n);
        for (const t of a?.traps ?? []) {
          const irq = (t[1] >> 63n) === 1n;
          const k = `${String.fromCharCode(Number(t[0] & 0xffn))} ${irq ? "int" : "exc"} ${t[1] & 0xffn}${(t[0] >> 8n) !== 0xffffffffffffffn && irq ? " vectored" : ""}`;
          result.trapKinds[k] = (result.trapKinds[k] ?? 0) + 1;
        }
        const diffs = compareDumps(a, b, builts[ids.indexOf(id)].wordAt, cfg.against);
        if (!diffs.length && cfg.against === "qemu" && !a?.complete) diffs.push({ field: "complete", qemu: "false", wasmvisor: "(qemu) false" });
        if (diffs.length) {
          const note = `qemu${describeRun(q)}, wasmvisor${describeRun(w)}`;
          result.failures.push({ id, diffs, qemu: a, wasmvisor: b, note });
          if (cfg.stopOnFailure !== false) stop = true;
        }
      }
      result.programs += ids.length;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        log(`  ${result.programs}/${indices.length} programs, ${result.failures.length} differing, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, cfg.jobs) }, worker));
  result.failures.sort((x, y) => x.id.index - y.id.index);
  result.ms = performance.now() - t0;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Analysis of one failing program

export interface Probe { differs: boolean; diffs: Difference[]; q?: Dump; w?: Dump; built: Built }

/** Runs one program (with some units deleted) alone in its slot. */
export async function probe(prog: Program, deleted: Set<number>, dumpData = false, timeoutMs = 30_000): Promise<Probe> {
  const built = build(prog, deleted, dumpData);
  const { dq, dw } = await runBoth([built], timeoutMs);
  const q = dq.get(prog.layout.slot), w = dw.get(prog.layout.slot);
  const diffs = compareDumps(q, w, built.wordAt);
  return { differs: diffs.length > 0, diffs, q, w, built };
}

/** The deleted set that keeps only the first k units (pre-order). */
export function truncation(prog: Program, k: number): Set<number> {
  return closeDeleted(prog, prog.units.slice(k).map((u) => u.id));
}

/**
 * Bisection by truncation: the smallest k such that the first k units already differ.
 * Unit k-1 is where the states part. Returns k (0: the runtime alone differs).
 */
export type ProbeFn = (prog: Program, deleted: Set<number>) => Promise<{ differs: boolean }>;

export async function bisect(prog: Program, log: (s: string) => void = () => {}, run: ProbeFn = probe): Promise<number> {
  // invariant: the prefix of hi units differs, prefixes shorter than lo agree
  let lo = 0, hi = prog.units.length;
  if ((await run(prog, truncation(prog, 0))).differs) return 0;
  lo = 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const p = await run(prog, truncation(prog, mid));
    log(`    bisect: ${mid} units ${p.differs ? "differ" : "agree"}`);
    if (p.differs) hi = mid; else lo = mid + 1;
  }
  return hi;
}

/**
 * Shrinks: deletes units (whole subtrees, then smaller groups, down to single units) while the
 * program still differs. Starts from `deleted`. Stops after `maxProbes` runs.
 */
export async function shrink(prog: Program, deleted: Set<number>, log: (s: string) => void = () => {}, maxProbes = 600, run: ProbeFn = probe): Promise<Set<number>> {
  let cur = new Set(deleted);
  let probes = 0;
  const alive = () => prog.units.filter((u) => !cur.has(u.id));
  let changed = true;
  while (changed && probes < maxProbes) {
    changed = false;
    let units = alive();
    for (let size = Math.max(1, units.length >> 1); size >= 1 && probes < maxProbes; size = size > 1 ? size >> 1 : 0) {
      units = alive();
      for (let i = 0; i < units.length && probes < maxProbes; i += size) {
        const chunk = units.slice(i, i + size).map((u) => u.id).filter((id) => !cur.has(id));
        if (!chunk.length) continue;
        const cand = closeDeleted(prog, [...cur, ...chunk]);
        if (cand.size === cur.size) continue;
        probes++;
        const p = await run(prog, cand);
        if (p.differs) {
          cur = cand;
          changed = true;
          log(`    shrink: ${prog.units.length - cur.size} units left`);
        }
      }
      if (size === 1) break;
    }
  }
  return cur;
}

export interface Analysis {
  text: string;
  parting?: Unit;
  shrunk: Set<number>;
  elf?: string;
}

function objdump(built: Built, from: number, to: number, marks: Set<number>): string {
  const dir = join(process.cwd(), "fuzz-failures");
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const area of [built.main, built.ucode]) {
    const lo = Math.max(area.base, area === built.main ? from : area.base);
    const hi = Math.min(area.pc, area === built.main ? to : area.pc);
    if (hi <= lo) continue;
    const file = join(dir, `${area.name}-${process.pid}.bin`);
    writeFileSync(file, area.bytes());
    const r = spawnSync("riscv64-unknown-elf-objdump", ["-D", "-b", "binary", "-m", "riscv:rv64", `--adjust-vma=0x${area.base.toString(16)}`,
      `--start-address=0x${lo.toString(16)}`, `--stop-address=0x${hi.toString(16)}`, file], { encoding: "utf8" });
    if (r.error) return `(riscv64-unknown-elf-objdump not available: ${r.error.message})`;
    const unitAt = new Map<number, number>();
    for (const m of built.marks) unitAt.set(m.addr, m.unit);
    for (const line of r.stdout.split("\n")) {
      const m = /^\s*([0-9a-f]+):/.exec(line);
      if (!m) continue;
      const addr = parseInt(m[1], 16);
      const u = unitAt.get(addr);
      out.push(`${u !== undefined && marks.has(u) ? ">>" : "  "} ${line.trim()}${u !== undefined && u >= 0 ? `   [unit ${u}]` : ""}`);
    }
    out.push("");
  }
  return out.join("\n");
}

function dumpTable(q?: Dump, w?: Dump): string {
  const lines: string[] = [];
  const h = (v?: bigint) => (v === undefined ? "-".padStart(16) : v.toString(16).padStart(16, "0"));
  const n = Math.max(q?.traps.length ?? 0, w?.traps.length ?? 0);
  for (let i = 0; i < n; i++) {
    const a = q?.traps[i], b = w?.traps[i];
    const f = (t?: bigint[]) => (t ? `${String.fromCharCode(Number(t[0] & 0xffn))} cause ${h(t[1])} epc ${h(t[2])} tval ${h(t[3])} st ${h(t[4])}` : "(none)");
    lines.push(`  trap ${String(i).padStart(3)}  qemu ${f(a)}`);
    if (f(a) !== f(b)) lines.push(`            wvsr ${f(b)}`);
  }
  return lines.join("\n");
}

/** Bisects and shrinks one failing program and writes a report. */
export async function analyze(cfg: Pick<FuzzConfig, "seed" | "length" | "fp">, f: Failure, log: (s: string) => void): Promise<Analysis> {
  const prog = generate(f.id.name, f.id.opts);
  const lines: string[] = [];
  const say = (s = "") => lines.push(s);
  say(`=== DIFFERENCE: program ${f.id.name} (profile ${f.id.opts.profile}, ${f.id.opts.length} instructions, slot ${f.id.opts.slot})`);
  say(`reproduce: ${reproduceCommand(cfg, f.id)}`);
  if (f.note) say(`runs: ${f.note}`);
  say("first differing fields (whole program, in a batch):");
  for (const d of f.diffs.slice(0, 12)) say(`  ${d.field.padEnd(18)} qemu ${d.qemu}   wasmvisor ${d.wasmvisor}`);
  if (f.diffs.length > 12) say(`  ... ${f.diffs.length - 12} more`);
  const alone = await probe(prog, new Set());
  if (!alone.differs) {
    say("\nThe program agrees when run alone: the difference depends on the programs before it in the batch.");
    return { text: lines.join("\n"), shrunk: new Set() };
  }
  log("  bisecting...");
  const k = await bisect(prog, log);
  const parting = k > 0 ? prog.units[k - 1] : undefined;
  say(`\nstates part at unit ${parting ? `#${parting.id} (${k} of ${prog.units.length} units kept): ${parting.desc}` : "0: the runtime code alone differs"}`);
  log("  shrinking...");
  let shrunk = truncation(prog, k);
  shrunk = await shrink(prog, shrunk, log);
  const kept = prog.units.filter((u) => !shrunk.has(u.id));
  const final = await probe(prog, shrunk, true);
  say(`\nshrunk to ${kept.length} units (from ${prog.units.length}):`);
  for (const u of kept) say(`  #${u.id} ${u.desc}`);
  say("\ndiffering fields (shrunk program):");
  for (const d of final.diffs.slice(0, 30)) say(`  ${d.field.padEnd(18)} qemu ${d.qemu}   wasmvisor ${d.wasmvisor}`);
  say("\ntrap log (shrunk program):");
  say(dumpTable(final.q, final.w));
  const marks = new Set(parting && !shrunk.has(parting.id) ? [parting.id] : []);
  say("\ndisassembly of the shrunk body (>> marks the unit where the states part):");
  say(objdump(final.built, final.built.bodyStart, final.built.main.pc, marks));
  const dir = join(process.cwd(), "fuzz-failures");
  mkdirSync(dir, { recursive: true });
  const elf = join(dir, `${f.id.name.replace(/[^A-Za-z0-9_.-]/g, "_")}-shrunk.elf`);
  writeFileSync(elf, elfFile(imageSegments([final.built])));
  say(`\nshrunk image: ${elf}\n  ${QEMU} ${qemuArgs(elf).join(" ")}`);
  return { text: lines.join("\n"), parting, shrunk, elf };
}

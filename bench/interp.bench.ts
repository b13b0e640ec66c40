// Execution speed: runs the CPU-bound guests of guests/bench on a bare Hart with the
// interpreter alone and with the JIT (tinybench, fresh Hart per iteration, so every JIT
// iteration pays its compiles; instructions from instret), and the same binaries under
// qemu-system-riscv64 (TCG, wall time of the whole process minus QEMU's start-up cost).
//
//   npm run build:ts && npm run bench -- [--quick] [--filter name[,name]] [--iterations N]
//                                        [--engine both|interp|jit] [--no-qemu] [--out basename]
//
// Writes bench/results/<basename>.json and .md (basename: `interp`, or `interp-quick` with
// --quick). Never run from the tests.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { coreWasmPath, loadCoreModule } from "../src/node/core-module.js";
import { clearSharedCache } from "../src/jit/jit.js";
import { prepareHart, runToExit, SLICE, type BenchGuest, type PreparedGuest } from "./guest.js";

type Engine = "interp" | "jit";

interface Options {
  engines: Engine[];
  quick: boolean;
  filter: string[];
  iterations: number;
  qemu: boolean;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { engines: ["interp", "jit"], quick: false, filter: [], iterations: 0, qemu: true, out: "" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--no-qemu") o.qemu = false;
    else if (a.startsWith("--filter")) o.filter.push(...value().split(",").filter(Boolean));
    else if (a.startsWith("--iterations")) o.iterations = Number(value());
    else if (a.startsWith("--out")) o.out = value();
    else if (a.startsWith("--engine")) {
      const v = value();
      if (v !== "both" && v !== "interp" && v !== "jit") throw new Error("--engine is both, interp or jit");
      o.engines = v === "both" ? ["interp", "jit"] : [v];
    }
    else if (a === "--help" || a === "-h") {
      console.log("usage: npm run bench -- [--quick] [--filter name[,name]] [--iterations N] [--engine both|interp|jit] [--no-qemu] [--out basename]");
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!o.iterations) o.iterations = o.quick ? 5 : 3;
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw new Error("--iterations must be a positive integer");
  if (!o.out) o.out = o.quick ? "interp-quick" : "interp";
  return o;
}

/** The repository root: the first ancestor of this file holding guests/bench/bin. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "guests/bench/bin/manifest.json"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("guests/bench/bin/manifest.json not found: run guests/bench/build.sh");
}

/** kind "int": integer mix; "fp": floating-point mix (F/D), reported apart with its slowdown. */
interface ManifestEntry { name: string; kind?: "int" | "fp"; iters: number; quickIters: number; expected: string; quickExpected: string }

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const loads = (): number[] => loadavg().map((x) => round(x, 2));

interface EngineResult {
  /** Wall time of one run (ms): median, min, max over the samples. */
  ms: { median: number; min: number; max: number; samples: number[] };
  mips: { median: number; min: number; max: number };
  /** Speed as a fraction of QEMU's (QEMU net time / this median time). */
  xQemu: number | null;
  /** JIT only, from the last iteration: compile time (ms), Wasm bytes compiled, share of instructions run compiled. */
  compileMs?: number;
  compiledBytes?: number;
  compiledShare?: number;
  /** JIT only: compile time of a first hart and of a second one running the same program in the same process (the cache). */
  sharing?: { coldMs: number; warmMs: number; shared: number };
}

interface ProgramResult {
  name: string;
  kind: "int" | "fp";
  file: string;
  iters: number;
  instructions: number;
  /** Wall time of one run on wasmvisor (ms): median, min, max over the samples. */
  ms: { median: number; min: number; max: number; samples: number[] };
  mips: { median: number; min: number; max: number };
  qemu: null | {
    /** Median wall time of the whole QEMU process (ms) and that minus the start-up cost. */
    wallMs: number;
    netMs: number;
    samplesMs: number[];
    mips: number;
    /** wasmvisor median time / QEMU net time (the interpreter's, or the only engine's). */
    ratio: number;
  };
  /** Per engine. */
  engines: Partial<Record<Engine, EngineResult>>;
}

function qemuAvailable(): string | null {
  const r = spawnSync("qemu-system-riscv64", ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split("\n")[0].trim();
}

/** Wall time (ms) of one QEMU run of `elf`; throws unless the guest exits with code 0. */
function qemuRun(elf: string): number {
  const args = ["-M", "virt", "-bios", "none", "-nographic", "-kernel", elf];
  const t0 = process.hrtime.bigint();
  const r = spawnSync("qemu-system-riscv64", args, { stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`qemu-system-riscv64 ${args.join(" ")}: exit status ${r.status} signal ${r.signal}\n${r.stderr}`);
  }
  return ms;
}

function gitInfo(root: string): { commit: string | null; dirty: boolean | null } {
  const rev = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" });
  if (rev.status !== 0) return { commit: null, dirty: null };
  const st = spawnSync("git", ["status", "--porcelain", "--", "assembly", "src", "bench", "guests/bench"], { cwd: root, encoding: "utf8" });
  return { commit: rev.stdout.trim(), dirty: st.status === 0 ? st.stdout.trim().length > 0 : null };
}

async function main(): Promise<void> {
  const opt = parseOptions(process.argv.slice(2));
  const root = repoRoot();
  const binDir = join(root, "guests/bench/bin");
  const manifest = JSON.parse(readFileSync(join(binDir, "manifest.json"), "utf8")) as { programs: ManifestEntry[] };
  let programs = manifest.programs;
  if (opt.filter.length) {
    programs = programs.filter((p) => opt.filter.some((f) => p.name.includes(f)));
    if (!programs.length) throw new Error(`--filter ${opt.filter.join(",")} matches none of ${manifest.programs.map((p) => p.name).join(", ")}`);
  }
  const fileOf = (p: ManifestEntry) => join(binDir, `${p.name}${opt.quick ? "-quick" : ""}.elf`);

  const loadBefore = loads();
  const cpuModel = cpus()[0]?.model ?? "unknown";
  const wasmBytes = readFileSync(coreWasmPath());
  const env = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()}`,
    cpu: cpuModel,
    cpuCount: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    ...gitInfo(root),
    coreWasmSha256: createHash("sha256").update(wasmBytes).digest("hex").slice(0, 16),
  };
  console.log(`wasmvisor interpreter benchmark (${opt.quick ? "quick" : "full"}), ${opt.iterations} iterations per program`);
  console.log(`node ${env.node}, ${cpuModel} × ${env.cpuCount}, load average ${loadBefore.join(" ")}`);

  const module = loadCoreModule();
  const guests = new Map<string, BenchGuest>();
  for (const p of programs) guests.set(p.name, { name: p.name, bytes: readFileSync(fileOf(p)) });

  // Warm-up: one untimed quick run, so that run() is past V8's baseline tier before timing.
  {
    const w = { name: `${programs[0].name}-quick`, bytes: readFileSync(join(binDir, `${programs[0].name}-quick.elf`)) };
    const out = runToExit(prepareHart(module, w));
    if (out.code !== 0) throw new Error(`warm-up run of ${programs[0].name}-quick failed with code ${out.code}`);
  }

  const instret = new Map<string, bigint>();
  const jitStats = new Map<string, { compileMs: number; compiledBytes: number; share: number }>();
  const bench = new Bench({
    name: "wasmvisor execution",
    iterations: opt.iterations,
    time: 0,
    warmup: false,
    retainSamples: true,
    throws: true,
  });
  const taskName = (p: ManifestEntry, e: Engine) => `${p.name} ${e}`;
  for (const p of programs) {
    const g = guests.get(p.name)!;
    for (const engine of opt.engines) {
      let guest: PreparedGuest | undefined;
      bench.add(taskName(p, engine), () => {
        const out = runToExit(guest!);
        if (out.code !== 0) {
          const res = guest!.symbols.get("bench_result");
          const got = res !== undefined ? guest!.hart.readPhys64(Number(res)) : undefined;
          throw new Error(`${p.name} (${engine}): guest exit code ${out.code} (checksum 0x${got?.toString(16)}, expected ${opt.quick ? p.quickExpected : p.expected})`);
        }
        const prev = instret.get(p.name);
        if (prev !== undefined && prev !== out.instret) throw new Error(`${p.name} (${engine}): instruction count changed between runs (${prev} vs ${out.instret})`);
        instret.set(p.name, out.instret);
        const js = guest!.hart.jit?.stats();
        if (js) jitStats.set(p.name, { compileMs: js.compileMs, compiledBytes: js.compiledBytes, share: Number(js.steps) / Number(out.instret) });
      }, {
        // A fresh Hart (own memory, cold caches, no compiled code) per iteration, made outside the timing.
        // The JIT's process-wide cache is emptied too: every iteration compiles from cold.
        beforeEach: () => { clearSharedCache(); guest = prepareHart(module, g, engine === "jit" ? {} : false); },
        afterEach: () => { guest = undefined; },
      });
    }
  }
  bench.addEventListener("cycle", (e) => {
    const t = e.task;
    if (!t || t.result.state !== "completed") return;
    const n = Number(instret.get(t.name.split(" ")[0]));
    console.log(`  ${t.name.padEnd(14)} ${(n / 1e6).toFixed(0).padStart(6)} M instructions, median ${t.result.latency.p50.toFixed(0)} ms = ${(n / t.result.latency.p50 / 1e3).toFixed(1)} MIPS`);
  });
  await bench.run();

  // What sharing saves: a second hart running the same program in the same process takes the
  // first one's compiled modules from the cache instead of compiling (untimed, one run each).
  const sharing = new Map<string, { coldMs: number; warmMs: number; shared: number }>();
  if (opt.engines.includes("jit")) {
    for (const p of programs) {
      const g = guests.get(p.name)!;
      clearSharedCache();
      const a = prepareHart(module, g, {});
      runToExit(a);
      const b = prepareHart(module, g, {});
      runToExit(b);
      const sa = a.hart.jit!.stats(), sb = b.hart.jit!.stats();
      sharing.set(p.name, { coldMs: round(sa.compileMs, 2), warmMs: round(sb.compileMs, 2), shared: sb.sharedFunctions });
    }
  }

  const results: ProgramResult[] = [];
  for (const p of programs) {
    const n = Number(instret.get(p.name));
    const engines: ProgramResult["engines"] = {};
    for (const engine of opt.engines) {
      const r = bench.getTask(taskName(p, engine))!.result;
      if (r.state !== "completed") throw new Error(`${p.name} ${engine}: ${r.state}`);
      const samples = [...(r.latency.samples ?? [])];
      const med = median(samples);
      const js = engine === "jit" ? jitStats.get(p.name) : undefined;
      engines[engine] = {
        ms: { median: round(med, 2), min: round(Math.min(...samples), 2), max: round(Math.max(...samples), 2), samples: samples.map((x) => round(x, 2)) },
        mips: { median: round(n / med / 1e3, 1), min: round(n / Math.max(...samples) / 1e3, 1), max: round(n / Math.min(...samples) / 1e3, 1) },
        xQemu: null,
        ...(js ? { compileMs: round(js.compileMs, 1), compiledBytes: js.compiledBytes, compiledShare: round(js.share, 4), sharing: sharing.get(p.name) } : {}),
      };
    }
    const first = engines[opt.engines[0]]!;
    results.push({
      name: p.name,
      kind: p.kind ?? "int",
      file: `guests/bench/bin/${p.name}${opt.quick ? "-quick" : ""}.elf`,
      iters: opt.quick ? p.quickIters : p.iters,
      instructions: n,
      ms: first.ms,
      mips: first.mips,
      qemu: null,
      engines,
    });
  }

  // QEMU: same binaries, whole-process wall time minus the start-up cost of nop.elf.
  const qemuVersion = opt.qemu ? qemuAvailable() : null;
  let qemuStartupMs: number | null = null;
  let qemuNote: string | null = null;
  if (!opt.qemu) {
    qemuNote = "QEMU comparison skipped (--no-qemu)";
  } else if (!qemuVersion) {
    qemuNote = "qemu-system-riscv64 not found: QEMU comparison skipped";
  } else {
    const nop = join(binDir, "nop.elf");
    qemuRun(nop); // page cache, dynamic libraries
    qemuStartupMs = median(Array.from({ length: 7 }, () => qemuRun(nop)));
    console.log(`${qemuVersion}: start-up ${qemuStartupMs.toFixed(1)} ms (median of 7 runs of nop.elf)`);
    for (const r of results) {
      const file = join(root, r.file);
      const wall = Array.from({ length: opt.iterations }, () => qemuRun(file));
      const wallMs = median(wall);
      const netMs = Math.max(wallMs - qemuStartupMs, 0.001);
      r.qemu = {
        wallMs: round(wallMs, 2),
        netMs: round(netMs, 2),
        samplesMs: wall.map((s) => round(s, 2)),
        mips: round(r.instructions / netMs / 1e3, 0),
        ratio: round(r.ms.median / netMs, 1),
      };
      for (const e of Object.values(r.engines)) e!.xQemu = round(netMs / e!.ms.median, 3);
      const speeds = opt.engines.map((e) => `${e} ${r.engines[e]!.xQemu}× QEMU`).join(", ");
      console.log(`  ${r.name.padEnd(8)} qemu ${netMs.toFixed(0)} ms net (${wallMs.toFixed(0)} ms wall): ${speeds}`);
    }
  }
  if (qemuNote) console.log(qemuNote);

  const loadAfter = loads();
  const totalInstructions = results.reduce((s, r) => s + r.instructions, 0);
  const totalMs = results.reduce((s, r) => s + r.ms.median, 0);
  const qemuRatios = results.filter((r) => r.qemu).map((r) => r.qemu!.ratio);
  const intMips = results.filter((r) => r.kind === "int").map((r) => r.mips.median);
  const fpMips = results.filter((r) => r.kind === "fp").map((r) => r.mips.median);
  const summary = {
    medianMips: round(median(results.map((r) => r.mips.median)), 1),
    // Integer and floating-point mixes apart: the FP slowdown is integer MIPS / FP MIPS.
    intMedianMips: intMips.length ? round(median(intMips), 1) : null,
    fpMedianMips: fpMips.length ? round(median(fpMips), 1) : null,
    fpSlowdown: intMips.length && fpMips.length ? round(median(intMips) / median(fpMips), 2) : null,
    aggregateMips: round(totalInstructions / totalMs / 1e3, 1),
    medianQemuRatio: qemuRatios.length ? round(median(qemuRatios), 1) : null,
    // Per engine: median MIPS, median speed as a fraction of QEMU's, FP slowdown per instruction.
    engines: Object.fromEntries(opt.engines.map((e) => {
      const rs = results.map((r) => r.engines[e]!);
      const xs = rs.filter((x) => x.xQemu !== null).map((x) => x.xQemu!);
      const im = results.filter((r) => r.kind === "int").map((r) => r.engines[e]!.mips.median);
      const fm = results.filter((r) => r.kind === "fp").map((r) => r.engines[e]!.mips.median);
      return [e, {
        medianMips: round(median(rs.map((x) => x.mips.median)), 1),
        medianXQemu: xs.length ? round(median(xs), 3) : null,
        fpSlowdown: im.length && fm.length ? round(median(im) / median(fm), 2) : null,
        ...(e === "jit" ? {
          compileMs: round(rs.reduce((a, x) => a + (x.compileMs ?? 0), 0), 1),
          compiledBytes: rs.reduce((a, x) => a + (x.compiledBytes ?? 0), 0),
        } : {}),
      }];
    })) as Record<Engine, { medianMips: number; medianXQemu: number | null; fpSlowdown: number | null; compileMs?: number; compiledBytes?: number }>,
  };
  const report = {
    benchmark: "interp",
    engines: opt.engines,
    mode: opt.quick ? "quick" : "full",
    command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    iterationsPerProgram: opt.iterations,
    sliceInstructions: SLICE,
    filter: opt.filter.length ? opt.filter : null,
    env,
    loadAverage: { before: loadBefore, after: loadAfter },
    qemu: { version: qemuVersion, startupMs: qemuStartupMs === null ? null : round(qemuStartupMs, 2), note: qemuNote },
    summary,
    programs: results,
  };

  const outDir = join(root, "bench/results");
  mkdirSync(outDir, { recursive: true });
  const jsonPath = join(outDir, `${opt.out}.json`);
  const mdPath = join(outDir, `${opt.out}.md`);
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + "\n");
  writeFileSync(mdPath, markdown(report));
  for (const e of opt.engines) {
    const x = summary.engines[e];
    console.log(`${e}: median ${x.medianMips} MIPS` + (x.medianXQemu !== null ? `, median ${x.medianXQemu}× QEMU` : "") +
      (x.fpSlowdown !== null ? `, FP ${x.fpSlowdown}× slower per instruction than integer` : "") +
      (x.compileMs !== undefined ? `; compiled ${(x.compiledBytes! / 1024).toFixed(0)} KiB of Wasm in ${x.compileMs} ms (one cold run of each program)` : ""));
  }
  console.log(`load average after: ${loadAfter.join(" ")}`);
  console.log(`wrote ${resolve(jsonPath)} and ${resolve(mdPath)}`);
}

function markdown(r: {
  mode: string; command: string; iterationsPerProgram: number; sliceInstructions: number; engines: Engine[];
  env: Record<string, unknown>; loadAverage: { before: number[]; after: number[] };
  qemu: { version: string | null; startupMs: number | null; note: string | null };
  summary: { engines: Record<Engine, { medianMips: number; medianXQemu: number | null; fpSlowdown: number | null; compileMs?: number; compiledBytes?: number }> };
  programs: ProgramResult[];
}): string {
  const e = r.env;
  const lines = [
    `# Execution benchmark (${r.mode}): interpreter, JIT and QEMU`,
    "",
    `- date: ${e.date}; command: \`${r.command}\``,
    `- node ${e.node} (V8 ${e.v8}), ${e.platform}; CPU: ${e.cpu} × ${e.cpuCount}; RAM ${e.memoryGiB} GiB`,
    `- commit ${e.commit ?? "?"}${e.dirty ? " (with local changes)" : ""}; build/core.wasm sha256 ${e.coreWasmSha256}`,
    `- load average (1/5/15 min): before ${r.loadAverage.before.join(" / ")}, after ${r.loadAverage.after.join(" / ")}`,
    `- wasmvisor: bare \`Hart\`, fresh per iteration (the JIT compiles anew in each), ${r.iterationsPerProgram} iterations per program and engine (tinybench), run() slices of ${r.sliceInstructions} instructions; MIPS = instret / wall time`,
    r.qemu.version
      ? `- QEMU: ${r.qemu.version}, \`-M virt -bios none -nographic -kernel X\` (TCG), median of ${r.iterationsPerProgram} whole-process wall times minus the start-up cost (${r.qemu.startupMs} ms, nop.elf)`
      : `- QEMU: ${r.qemu.note}`,
    "",
  ];
  const has = (x: Engine) => r.engines.includes(x);
  const head = ["program", "mix", "instructions", ...(has("interp") ? ["interp MIPS"] : []), ...(has("jit") ? ["JIT MIPS"] : []), "QEMU MIPS",
    ...(has("interp") ? ["interp × QEMU"] : []), ...(has("jit") ? ["JIT × QEMU", "JIT compile (ms)", "compiled (KiB)", "run compiled", "compile, 2nd VM (ms)"] : [])];
  lines.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`);
  const x = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${v.toFixed(3)}×`);
  for (const p of r.programs) {
    const i = p.engines.interp, j = p.engines.jit;
    const cells = [p.name, p.kind, p.instructions.toLocaleString("en-US"),
      ...(i ? [i.mips.median.toFixed(1)] : []), ...(j ? [j.mips.median.toFixed(1)] : []), p.qemu ? String(p.qemu.mips) : "–",
      ...(i ? [x(i.xQemu)] : []),
      ...(j ? [x(j.xQemu), (j.compileMs ?? 0).toFixed(1), ((j.compiledBytes ?? 0) / 1024).toFixed(0), `${((j.compiledShare ?? 0) * 100).toFixed(1)} %`,
        j.sharing ? `${j.sharing.warmMs.toFixed(1)} (${j.sharing.shared} shared)` : "–"] : [])];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  lines.push("");
  for (const en of r.engines) {
    const s = r.summary.engines[en];
    lines.push(`**${en === "jit" ? "JIT" : "Interpreter"}: median ${s.medianMips} MIPS**` +
      (s.medianXQemu !== null ? `, median ${s.medianXQemu}× QEMU's speed (of the per-program ratios)` : "") +
      (s.fpSlowdown !== null ? `; the FP mix runs ${s.fpSlowdown}× slower per instruction than the integer mix` : "") +
      (s.compileMs !== undefined ? `; ${(s.compiledBytes! / 1024).toFixed(0)} KiB of Wasm compiled in ${s.compileMs} ms over one run of each program (cold: each iteration empties the process-wide cache; the last column is a second hart in the same process, which takes the first one's modules from it)` : "") + ".");
    lines.push("");
  }
  if (r.qemu.startupMs !== null && r.programs.some((p) => p.qemu && p.qemu.netMs < 5 * r.qemu.startupMs!)) {
    lines.push("Note: some QEMU net times are below five times QEMU's start-up cost, so their ratios are rough (use the full run for figures).");
    lines.push("");
  }
  return lines.join("\n");
}

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf("--runs") + 1]) || 5;
const option = (name: string, dflt: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const run = argv[0] === "boot" ? import("./boot.bench.js").then((b) => b.bootBench(runs))
  : argv[0] === "boot-pages" ? import("./boot-pages.bench.js").then((b) => b.bootPagesBench(option("--threshold", 1000), option("--top", 15)))
  : argv[0] === "overhead" ? import("./overhead.bench.js").then((b) => b.overheadBench(runs))
  : argv[0] === "density" ? import("./density.bench.js").then((b) => b.densityBench())
  : argv[0] === "snapshot" ? import("./snapshot.bench.js").then((b) => b.snapshotBench(runs))
  : argv[0] === "net" ? import("./net.bench.js").then((b) => b.netBench(Number(argv[argv.indexOf("--runs") + 1]) || 5))
  : argv[0] === "migrate" ? import("./migrate.bench.js").then((b) => b.migrateBench(runs))
  : argv[0] === "failover" ? import("./failover.bench.js").then((b) => b.failoverBench(runs))
  : argv[0] === "container" ? import("./container.bench.js").then((b) => b.containerBench(runs))
  : argv[0] === "web" ? import("./web.bench.js").then((b) => b.webBench(Number(argv[argv.indexOf("--runs") + 1]) || 3))
  : main();
run.catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});

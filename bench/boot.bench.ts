// `npm run bench -- boot`: the bundled Linux guest in full virtualization, from reset to the
// first shell prompt: guest instructions and wall seconds on wasmvisor with the JIT and with the
// interpreter alone, and qemu-system-riscv64 -M virt booting the same files, side by side. Each
// of the N rounds boots, in turn: with the JIT and an empty process-wide code cache (cold: it
// compiles what it runs), with the JIT again (warm: the kernel's code compiled by the boot
// before, as for another VM of the same kernel on the same host), with the interpreter alone,
// and under QEMU; medians over the rounds. Alternating the engines within each round keeps a
// drift in the machine's speed (seen here: 1.5x between minutes) out of their ratios. V8 keeps
// compiled modules by their bytes for the life of the process, so after the first round a cold
// boot generates its code again but gets V8's machine code for it at once: only the first
// round's cold boot (listed apart) pays the whole compile. Each round then times a CPU-bound
// shell loop typed at the prompt of a fresh boot on each engine (WORKLOAD).
// Writes bench/results/boot.json and boot.md.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { Machine } from "../src/machine/machine.js";
import { clearSharedCache, type JitOptions } from "../src/jit/jit.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { loadBundledLinux, packageRoot } from "../src/node/images.js";
import { ConsoleSession, SHELL_PROMPT } from "../src/machine/console-session.js";

const PROMPT = /root@wasmvisor:~# $/;
const CMDLINE = "console=ttyS0 wasmvisor.mode=full";

/**
 * Boots the bundled Linux (full mode, 256 MiB) on a new Machine to its first shell prompt and
 * says how long the run took; `prepare` gets the booted machine before it runs.
 */
export async function bootToPrompt(jit: JitOptions | false, prepare?: (m: Machine) => void): Promise<{ m: Machine; ms: number }> {
  let out = "";
  const dec = new TextDecoder();
  const ac = new AbortController();
  const m = new Machine(loadCoreModule(), {
    memSize: 256 << 20,
    jit,
    output: (b) => { out = (out + dec.decode(b, { stream: true })).slice(-256); if (PROMPT.test(out)) ac.abort(); },
  });
  m.bootLinux({ ...loadBundledLinux(), cmdline: CMDLINE });
  prepare?.(m);
  const t = performance.now();
  await m.run({ signal: ac.signal, maxInstructions: 2e9 });
  if (!PROMPT.test(out)) throw new Error("wasmvisor: no prompt");
  return { m, ms: performance.now() - t };
}

interface Boot { seconds: number; instructions: number; compiled?: number; compileMs?: number; compiledBlocks?: number }

async function wasmvisorBoot(jit: boolean): Promise<Boot> {
  const { m, ms } = await bootToPrompt(jit ? {} : false);
  const r: Boot = { seconds: ms / 1000, instructions: m.hart.steps };
  const st = m.hart.jit?.stats();
  if (st) Object.assign(r, { compiled: Number(st.steps) / r.instructions, compileMs: st.compileMs, compiledBlocks: st.compiledBlocks });
  return r;
}

// A CPU-bound command in the booted guest: busybox sh's own arithmetic in a loop (user mode,
// about 500 M instructions), timed from typing it to the marker it prints when done. Unlike the
// boot, it runs the same code many thousands of times: what a JIT is for.
const WORKLOAD = "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done";
const WORKLOAD_DONE = /\n@@done@@/;

interface Work { seconds: number; instructions: number; compiled?: number }

/** Boots (JIT: with an empty process-wide cache) and times WORKLOAD's first run after the prompt. */
async function wasmvisorWork(jit: boolean): Promise<Work> {
  if (jit) clearSharedCache();
  const s = new ConsoleSession(loadCoreModule(), { memSize: 256 << 20, jit: jit ? {} : false }, { ...loadBundledLinux(), cmdline: CMDLINE }, "full");
  await s.until(SHELL_PROMPT, 0, 120_000);
  const h = s.machine.hart;
  const steps0 = h.steps, jit0 = h.jit?.stats().steps ?? 0n;
  const t = performance.now();
  const printed = await s.sh(`${WORKLOAD}; echo "@rc=$?"`, 600_000);
  const seconds = (performance.now() - t) / 1000;
  if (!printed.endsWith("@rc=0")) throw new Error(`workload failed: ${printed.slice(-200)}`);
  const instructions = Number(h.steps - steps0);
  const r: Work = { seconds, instructions };
  if (h.jit) r.compiled = Number(h.jit.stats().steps - jit0) / instructions;
  s.send("poweroff\n");
  await s.done;
  return r;
}

/**
 * qemu-system-riscv64 booting the same files: seconds to the first prompt, and, with
 * `work`, WORKLOAD's seconds from typing it to its marker.
 */
function qemuBoot(dir: string, work = false): Promise<{ boot: number; work?: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn("qemu-system-riscv64", ["-M", "virt", "-m", "256M", "-smp", "1", "-nographic", "-monitor", "none",
      "-serial", "stdio", "-bios", join(dir, "fw.bin"), "-kernel", join(dir, "Image"), "-initrd", join(dir, "rootfs.cpio"),
      "-append", CMDLINE, "-device", "virtio-rng-device"], { stdio: ["pipe", "pipe", "ignore"] });
    let out = "", boot = 0, typed = 0, done = 0;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out = (out + d).slice(-256);
      if (!boot && PROMPT.test(out)) {
        boot = (performance.now() - t) / 1000;
        if (!work) { child.kill("SIGKILL"); return; }
        out = "";
        typed = performance.now();
        child.stdin.write(`${WORKLOAD}; echo "@@done""@@"\n`); // split: the echoed line does not match
      } else if (typed && !done && WORKLOAD_DONE.test(out)) {
        done = (performance.now() - typed) / 1000;
        child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", () => (boot && (!work || done) ? resolve({ boot, work: work ? done : undefined })
      : reject(new Error(boot ? "qemu: the workload did not finish" : "qemu: no prompt"))));
  });
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export async function bootBench(runs: number): Promise<void> {
  const root = packageRoot();
  const load0 = loadavg();
  const cold: Boot[] = [], warm: Boot[] = [], interp: Boot[] = [], qemu: number[] = [];
  const workJit: Work[] = [], workInterp: Work[] = [], workQemu: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), "wasmvisor-boot-"));
  const images = loadBundledLinux();
  writeFileSync(join(dir, "Image"), images.kernel);
  writeFileSync(join(dir, "rootfs.cpio"), images.initrd);
  writeFileSync(join(dir, "fw.bin"), images.firmware);
  // tinybench drives the rounds (four boots, then the workload on each engine); the per-run
  // figures are collected here.
  const bench = new Bench({ iterations: runs, warmupIterations: 0, time: 0, warmup: false });
  bench.add("boot round", async () => {
    clearSharedCache();
    cold.push(await wasmvisorBoot(true));
    warm.push(await wasmvisorBoot(true));
    interp.push(await wasmvisorBoot(false));
    qemu.push((await qemuBoot(dir)).boot);
    workJit.push(await wasmvisorWork(true));
    workInterp.push(await wasmvisorWork(false));
    workQemu.push((await qemuBoot(dir, true)).work!);
  });
  await bench.run();
  rmSync(dir, { recursive: true, force: true });
  const sec = (xs: Boot[]) => median(xs.map((r) => r.seconds));
  const coldSec = sec(cold), warmSec = sec(warm), iSec = sec(interp), qSec = median(qemu);
  const summary = (xs: Boot[]) => ({
    medianSeconds: sec(xs), seconds: xs.map((r) => r.seconds), medianInstructions: median(xs.map((r) => r.instructions)),
    ...(xs[0].compiled !== undefined ? {
      medianCompiledShare: median(xs.map((r) => r.compiled!)), medianCompileMs: median(xs.map((r) => r.compileMs!)),
      medianCompiledBlocks: median(xs.map((r) => r.compiledBlocks!)),
    } : {}),
  });
  const report = {
    command: `npm run bench -- boot --runs ${runs}`,
    date: new Date().toISOString(),
    node: process.version,
    loadavgBefore: load0, loadavgAfter: loadavg(),
    runs,
    jitFirstColdSeconds: cold[0].seconds,
    jitCold: summary(cold),
    jitWarm: summary(warm),
    interpreter: summary(interp),
    qemu: { version: "qemu-system-riscv64 (Debian qemu-system-misc)", medianSeconds: qSec, seconds: qemu },
    ratio: coldSec / qSec,
    jitSpeedupCold: iSec / coldSec,
    jitSpeedupWarm: iSec / warmSec,
    workload: {
      command: WORKLOAD,
      what: "first run right after the boot (the JIT compiles as it goes; its cache emptied before the boot)",
      jit: { medianSeconds: median(workJit.map((w) => w.seconds)), seconds: workJit.map((w) => w.seconds),
        medianInstructions: median(workJit.map((w) => w.instructions)), medianCompiledShare: median(workJit.map((w) => w.compiled!)) },
      interpreter: { medianSeconds: median(workInterp.map((w) => w.seconds)), seconds: workInterp.map((w) => w.seconds),
        medianInstructions: median(workInterp.map((w) => w.instructions)) },
      qemu: { medianSeconds: median(workQemu), seconds: workQemu },
      jitSpeedup: median(workInterp.map((w) => w.seconds)) / median(workJit.map((w) => w.seconds)),
    },
  };
  const outDir = join(root, "bench/results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "boot.json"), JSON.stringify(report, null, 2) + "\n");
  const pct = (x: number | undefined) => (x === undefined ? "-" : `${(100 * x).toFixed(0)} %`);
  const row = (name: string, s: ReturnType<typeof summary>) =>
    `| ${name} | ${s.medianSeconds.toFixed(3)} | ${s.medianInstructions} | ${pct(s.medianCompiledShare)} | ${s.medianCompileMs === undefined ? "-" : s.medianCompileMs.toFixed(0)} |\n`;
  const w = report.workload;
  const md = `# Linux boot to the first prompt (full virtualization)\n\n${report.command}, ${report.date}, node ${report.node}, ` +
    `load average ${load0.map((x) => x.toFixed(2)).join(" / ")}; each round boots JIT (cold), JIT (warm), interpreter, QEMU in turn\n\n` +
    `| | median seconds | median instructions | run compiled | compile ms |\n|---|---:|---:|---:|---:|\n` +
    row("wasmvisor (OpenSBI + Linux + busybox), JIT, empty code cache", report.jitCold) +
    row("wasmvisor, JIT, kernel code cached by the boot before", report.jitWarm) +
    row("wasmvisor, interpreter only", report.interpreter) +
    `| QEMU TCG, same files | ${qSec.toFixed(3)} | - | - | - |\n\nwasmvisor (JIT, cold) / QEMU time: ${report.ratio.toFixed(2)}x; ` +
    `interpreter / JIT time: ${report.jitSpeedupCold.toFixed(2)}x cold, ${report.jitSpeedupWarm.toFixed(2)}x warm; ` +
    `the first round's cold boot, the only one V8 compiles from scratch: ${cold[0].seconds.toFixed(3)} s\n\n` +
    `## A CPU-bound command in the booted guest\n\n\`${WORKLOAD}\` (busybox sh, user mode), its first run right after the ` +
    `boot, timed from typing it to its marker; the JIT's cache is emptied before its boot\n\n` +
    `| | median seconds | median instructions | run compiled |\n|---|---:|---:|---:|\n` +
    `| wasmvisor, JIT | ${w.jit.medianSeconds.toFixed(3)} | ${w.jit.medianInstructions} | ${pct(w.jit.medianCompiledShare)} |\n` +
    `| wasmvisor, interpreter only | ${w.interpreter.medianSeconds.toFixed(3)} | ${w.interpreter.medianInstructions} | - |\n` +
    `| QEMU TCG, same files | ${w.qemu.medianSeconds.toFixed(3)} | - | - |\n\n` +
    `interpreter / JIT time: ${w.jitSpeedup.toFixed(2)}x; wasmvisor (JIT) / QEMU time: ${(w.jit.medianSeconds / w.qemu.medianSeconds).toFixed(2)}x\n`;
  writeFileSync(join(outDir, "boot.md"), md);
  process.stdout.write(md);
}

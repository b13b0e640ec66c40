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
// round's cold boot (listed apart) pays the whole compile.
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

function qemuBoot(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn("qemu-system-riscv64", ["-M", "virt", "-m", "256M", "-smp", "1", "-nographic", "-monitor", "none",
      "-serial", "stdio", "-bios", join(dir, "fw.bin"), "-kernel", join(dir, "Image"), "-initrd", join(dir, "rootfs.cpio"),
      "-append", CMDLINE, "-device", "virtio-rng-device"], { stdio: ["pipe", "pipe", "ignore"] });
    let out = "", seconds = 0;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out = (out + d).slice(-256);
      if (!seconds && PROMPT.test(out)) { seconds = (performance.now() - t) / 1000; child.kill("SIGKILL"); }
    });
    child.on("error", reject);
    child.on("close", () => (seconds ? resolve(seconds) : reject(new Error("qemu: no prompt"))));
  });
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export async function bootBench(runs: number): Promise<void> {
  const root = packageRoot();
  const load0 = loadavg();
  const cold: Boot[] = [], warm: Boot[] = [], interp: Boot[] = [], qemu: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), "wasmvisor-boot-"));
  const images = loadBundledLinux();
  writeFileSync(join(dir, "Image"), images.kernel);
  writeFileSync(join(dir, "rootfs.cpio"), images.initrd);
  writeFileSync(join(dir, "fw.bin"), images.firmware);
  // tinybench drives the rounds (four boots each); the per-boot figures are collected here.
  const bench = new Bench({ iterations: runs, warmupIterations: 0, time: 0, warmup: false });
  bench.add("boot round", async () => {
    clearSharedCache();
    cold.push(await wasmvisorBoot(true));
    warm.push(await wasmvisorBoot(true));
    interp.push(await wasmvisorBoot(false));
    qemu.push(await qemuBoot(dir));
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
  };
  const outDir = join(root, "bench/results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "boot.json"), JSON.stringify(report, null, 2) + "\n");
  const pct = (x: number | undefined) => (x === undefined ? "-" : `${(100 * x).toFixed(0)} %`);
  const row = (name: string, s: ReturnType<typeof summary>) =>
    `| ${name} | ${s.medianSeconds.toFixed(3)} | ${s.medianInstructions} | ${pct(s.medianCompiledShare)} | ${s.medianCompileMs === undefined ? "-" : s.medianCompileMs.toFixed(0)} |\n`;
  const md = `# Linux boot to the first prompt (full virtualization)\n\n${report.command}, ${report.date}, node ${report.node}, ` +
    `load average ${load0.map((x) => x.toFixed(2)).join(" / ")}; each round boots JIT (cold), JIT (warm), interpreter, QEMU in turn\n\n` +
    `| | median seconds | median instructions | run compiled | compile ms |\n|---|---:|---:|---:|---:|\n` +
    row("wasmvisor (OpenSBI + Linux + busybox), JIT, empty code cache", report.jitCold) +
    row("wasmvisor, JIT, kernel code cached by the boot before", report.jitWarm) +
    row("wasmvisor, interpreter only", report.interpreter) +
    `| QEMU TCG, same files | ${qSec.toFixed(3)} | - | - | - |\n\nwasmvisor (JIT, cold) / QEMU time: ${report.ratio.toFixed(2)}x; ` +
    `interpreter / JIT time: ${report.jitSpeedupCold.toFixed(2)}x cold, ${report.jitSpeedupWarm.toFixed(2)}x warm; ` +
    `the first round's cold boot, the only one V8 compiles from scratch: ${cold[0].seconds.toFixed(3)} s\n`;
  writeFileSync(join(outDir, "boot.md"), md);
  process.stdout.write(md);
}

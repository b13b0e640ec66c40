// `npm run bench -- boot`: the bundled Linux guest in full virtualization, from reset to the
// first shell prompt: guest instructions and wall seconds on wasmvisor with the JIT and with the
// interpreter alone (median of N runs each), and qemu-system-riscv64 -M virt booting the same
// files in the same run, side by side. The JIT's first boot starts with an empty process-wide
// code cache (cold: it compiles what it runs); the later ones find the kernel's code compiled by
// the boots before them (warm: another VM of the same kernel on the same host).
// Writes bench/results/boot.json and boot.md.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { Machine } from "../src/machine/machine.js";
import { clearSharedCache } from "../src/jit/jit.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { loadBundledLinux, packageRoot } from "../src/node/images.js";

const PROMPT = /root@wasmvisor:~# $/;
const CMDLINE = "console=ttyS0 wasmvisor.mode=full";

async function wasmvisorBoot(jit: boolean): Promise<{ seconds: number; instructions: number }> {
  const images = loadBundledLinux();
  let out = "";
  const dec = new TextDecoder();
  const ac = new AbortController();
  const m = new Machine(loadCoreModule(), {
    memSize: 256 << 20,
    jit: jit ? {} : false,
    output: (b) => { out = (out + dec.decode(b, { stream: true })).slice(-256); if (PROMPT.test(out)) ac.abort(); },
  });
  m.bootLinux({ ...images, cmdline: CMDLINE });
  const t = performance.now();
  await m.run({ signal: ac.signal, maxInstructions: 2e9 });
  if (!PROMPT.test(out)) throw new Error("wasmvisor: no prompt");
  return { seconds: (performance.now() - t) / 1000, instructions: m.hart.steps };
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
  const wv: { seconds: number; instructions: number }[] = [];
  const wi: { seconds: number; instructions: number }[] = [];
  const qemu: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), "wasmvisor-boot-"));
  const images = loadBundledLinux();
  writeFileSync(join(dir, "Image"), images.kernel);
  writeFileSync(join(dir, "rootfs.cpio"), images.initrd);
  writeFileSync(join(dir, "fw.bin"), images.firmware);
  // tinybench drives the iterations (one boot each); the per-boot figures are collected here.
  const bench = new Bench({ iterations: runs, warmupIterations: 0, time: 0, warmup: false });
  clearSharedCache();
  bench.add("wasmvisor full", async () => { wv.push(await wasmvisorBoot(true)); });
  bench.add("wasmvisor full, interpreter only", async () => { wi.push(await wasmvisorBoot(false)); });
  bench.add("qemu", async () => { qemu.push(await qemuBoot(dir)); });
  await bench.run();
  rmSync(dir, { recursive: true, force: true });
  const wSec = median(wv.map((r) => r.seconds)), iSec = median(wi.map((r) => r.seconds)), qSec = median(qemu);
  const coldSec = wv[0].seconds, warmSec = wv.length > 1 ? median(wv.slice(1).map((r) => r.seconds)) : NaN;
  const report = {
    command: `npm run bench -- boot --runs ${runs}`,
    date: new Date().toISOString(),
    node: process.version,
    loadavgBefore: load0, loadavgAfter: loadavg(),
    runs,
    wasmvisor: { medianSeconds: wSec, coldSeconds: coldSec, warmMedianSeconds: warmSec, medianInstructions: median(wv.map((r) => r.instructions)), seconds: wv.map((r) => r.seconds), instructions: wv.map((r) => r.instructions) },
    interpreter: { medianSeconds: iSec, seconds: wi.map((r) => r.seconds) },
    qemu: { version: "qemu-system-riscv64 (Debian qemu-system-misc)", medianSeconds: qSec, seconds: qemu },
    ratio: wSec / qSec,
    jitSpeedup: iSec / wSec,
    jitSpeedupCold: iSec / coldSec,
    jitSpeedupWarm: iSec / warmSec,
  };
  const outDir = join(root, "bench/results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "boot.json"), JSON.stringify(report, null, 2) + "\n");
  const md = `# Linux boot to the first prompt (full virtualization)\n\n${report.command}, ${report.date}, node ${report.node}, ` +
    `load average ${load0.map((x) => x.toFixed(2)).join(" / ")}\n\n| | median seconds | median instructions |\n|---|---:|---:|\n` +
    `| wasmvisor (OpenSBI + Linux + busybox), JIT | ${wSec.toFixed(3)} | ${report.wasmvisor.medianInstructions} |\n` +
    `| wasmvisor, JIT, first boot (empty code cache) | ${coldSec.toFixed(3)} | ${wv[0].instructions} |\n` +
    `| wasmvisor, JIT, later boots (kernel code cached), median | ${warmSec.toFixed(3)} | - |\n` +
    `| wasmvisor, interpreter only | ${iSec.toFixed(3)} | ${report.wasmvisor.medianInstructions} |\n` +
    `| QEMU TCG, same files | ${qSec.toFixed(3)} | - |\n\nwasmvisor / QEMU time: ${report.ratio.toFixed(2)}x; ` +
    `interpreter / JIT time: ${report.jitSpeedup.toFixed(2)}x (first boot ${report.jitSpeedupCold.toFixed(2)}x, later boots ${report.jitSpeedupWarm.toFixed(2)}x)\n`;
  writeFileSync(join(outDir, "boot.md"), md);
  process.stdout.write(md);
}

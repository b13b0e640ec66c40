// `npm run bench -- snapshot`: a booted 256 MiB Linux VM (para mode, at its prompt): snapshot
// size, time to save, and time to restore into a new machine up to its first instruction
// (median of N). Writes bench/results/snapshot.{json,md}.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { DEFAULT_CONSOLE } from "../src/machine/linux-boot.js";
import { Machine } from "../src/machine/machine.js";
import { bootToPrompt } from "../src/machine/console-session.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { loadBundledLinux, packageRoot } from "../src/node/images.js";

export async function snapshotBench(runs: number): Promise<void> {
  const mod = loadCoreModule();
  const opts = { memSize: 256 << 20, mode: "para" as const };
  const { machine: m } = await bootToPrompt(mod, opts, { ...loadBundledLinux(), cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` }, "para");
  const save: number[] = [], restore: number[] = [];
  let snap = m.snapshot();
  const bench = new Bench({ iterations: runs, warmupIterations: 1, time: 0 });
  bench.add("save", () => { const t = performance.now(); snap = m.snapshot(); save.push(performance.now() - t); });
  bench.add("restore", () => {
    const t = performance.now();
    const c = Machine.fromSnapshot(mod, opts, snap);
    c.runSync({ maxInstructions: 1 }); // to its first instruction
    restore.push(performance.now() - t);
  });
  await bench.run();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const report = {
    command: `npm run bench -- snapshot --runs ${runs}`, date: new Date().toISOString(), node: process.version, loadavg: loadavg(),
    vm: "bundled Linux, para mode, 256 MiB, at its first prompt",
    snapshotBytes: snap.length, saveMsMedian: Math.round(med(save) * 10) / 10, restoreMsMedian: Math.round(med(restore) * 10) / 10,
  };
  const dir = join(packageRoot(), "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "snapshot.json"), JSON.stringify(report, null, 2) + "\n");
  const md = `# Snapshots\n\n${report.command}, ${report.date}, node ${report.node}, load average ${report.loadavg.map((x) => x.toFixed(2)).join(" / ")}\n\n` +
    `${report.vm}\n\n| measure | median |\n|---|---:|\n| snapshot size | ${(report.snapshotBytes / 2 ** 20).toFixed(1)} MiB |\n` +
    `| save | ${report.saveMsMedian} ms |\n| restore into a new machine, to its first instruction | ${report.restoreMsMedian} ms |\n`;
  writeFileSync(join(dir, "snapshot.md"), md);
  process.stdout.write(md);
}

// `npm run bench -- density`: many VMs on one host. On the main thread (one Hypervisor):
// 1,000 idle VMs of 64 MiB (creation rate, host RSS per idle VM, host CPU while they idle), then
// 100 busy VMs (aggregate MIPS against one VM alone, fairness with equal and unequal shares, a
// CPU cap). On a pool of worker threads (one per core): the same 1,000 idle VMs, and 100 busy
// VMs against one VM on a pool of one worker. Writes bench/results/density.{json,md}.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { Hypervisor } from "../src/hypervisor/hypervisor.js";
import type { Pool } from "../src/hypervisor/pool.js";
import { createWorkerPool } from "../src/node/worker-pool.js";
import { jainIndex } from "../src/hypervisor/scheduler.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { packageRoot } from "../src/node/images.js";
import { guestElf } from "../test/helpers/elf-builder.js";
import { Asm } from "../test/helpers/rv-asm.js";

const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits in WFI for a timer an hour away: an idle server. */
function idleGuest(): Uint8Array {
  const a = new Asm();
  a.li("t1", 0x200bff8).ld("t2", 0, "t1").li("t3", 36_000_000_000).add("t2", "t2", "t3");
  a.li("t1", 0x2004000).sd("t2", 0, "t1").li("t0", 0x80).csrw(0x304, "t0").csrsi(0x300, 8); // MTIE, MIE
  a.label("w").wfi().j("w");
  return guestElf(a);
}

function busyGuest(): Uint8Array {
  const a = new Asm();
  a.li("t1", 0).label("l").addi("t1", "t1", 1).xor("t2", "t1", "t2").j("l");
  return guestElf(a);
}

async function idlePhase(n: number) {
  const hv = new Hypervisor(loadCoreModule(), { memoryLimit: 2 ** 40 });
  const image = idleGuest();
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    hv.create({ id: `idle${i}`, memSize: 64 * MiB, boot: { kind: "bare", image } });
    hv.start(`idle${i}`);
  }
  const createMs = performance.now() - t;
  // let every VM reach its WFI
  for (let i = 0; i < 200 && [...hv.vms.values()].some((v) => !v.idle); i++) await sleep(10);
  globalThis.gc?.();
  const rss1 = process.memoryUsage().rss;
  const c0 = process.cpuUsage(), w0 = performance.now();
  await sleep(2000);
  const c1 = process.cpuUsage(c0), w1 = performance.now();
  const idleCpu = (c1.user + c1.system) / 1000 / (w1 - w0);
  hv.close();
  return { vms: n, vmsPerSecond: Math.round(n / (createMs / 1000)), rssPerVmKiB: Math.round((rss1 - rss0) / n / 1024), idleCpuPercent: Math.round(idleCpu * 1000) / 10 };
}

async function busyPhase(specs: { shares: number; cpuCap?: number }[], seconds: number) {
  const hv = new Hypervisor(loadCoreModule(), { memoryLimit: 2 ** 40 });
  const image = busyGuest();
  specs.forEach((s, i) => { hv.create({ id: `b${i}`, memSize: 4 * MiB, boot: { kind: "bare", image }, shares: s.shares, cpuCap: s.cpuCap }); hv.start(`b${i}`); });
  const t = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - t) / 1000;
  const vms = [...hv.vms.values()];
  const steps = vms.map((v) => v.machine!.hart.steps);
  const cpu = vms.map((v) => v.cpuMs / 1000);
  hv.close();
  await sleep(20);
  return { elapsed, steps, cpu, mips: steps.reduce((a, b) => a + b, 0) / elapsed / 1e6 };
}

/** Until every VM of the pool has reported as idle-ready (its WFI), or a time limit. */
async function settle(pool: Pool, ms: number): Promise<void> {
  const t = performance.now();
  while (performance.now() - t < ms && [...pool.vms.values()].some((v) => v.stats().instructions === 0)) await sleep(20);
}

async function idlePoolPhase(n: number, workers: number) {
  const pool = createWorkerPool({ workers, memoryLimit: 2 ** 40, rebalance: false });
  const image = idleGuest();
  await sleep(300); // the workers start
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const t = performance.now();
  const started: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    pool.create({ id: `idle${i}`, memSize: 64 * MiB, boot: { kind: "bare", image } });
    started.push(pool.start(`idle${i}`));
  }
  await Promise.all(started);
  const createMs = performance.now() - t;
  await settle(pool, 10_000);
  await sleep(3000); // the workers finish what creation left (compiles, collections)
  const rss1 = process.memoryUsage().rss;
  // Host CPU of the whole process (every thread) while the VMs wait in WFI.
  const c0 = process.cpuUsage(), w0 = performance.now();
  await sleep(2000);
  const c1 = process.cpuUsage(c0), w1 = performance.now();
  await pool.close();
  await sleep(100);
  return { vms: n, workers, vmsPerSecond: Math.round(n / (createMs / 1000)), rssPerVmKiB: Math.round((rss1 - rss0) / n / 1024),
    idleCpuPercent: Math.round(((c1.user + c1.system) / 1000 / (w1 - w0)) * 1000) / 10 };
}

async function busyPoolPhase(n: number, workers: number, seconds: number) {
  const pool = createWorkerPool({ workers, memoryLimit: 2 ** 40, rebalance: false });
  const image = busyGuest();
  for (let i = 0; i < n; i++) pool.create({ id: `b${i}`, memSize: 4 * MiB, boot: { kind: "bare", image } });
  await Promise.all([...pool.vms.keys()].map((id) => pool.start(id)));
  await sleep(1000); // every VM under way, its code compiled
  // Statistics arrive every 100 ms from each worker: the difference of two readings.
  const read = () => [...pool.vms.values()].map((v) => ({ steps: v.stats().instructions, cpu: v.cpuMs }));
  const a = read(), t0 = performance.now();
  await sleep(seconds * 1000);
  const b = read(), elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  await sleep(100);
  const steps = b.map((x, i) => x.steps - a[i].steps), cpu = b.map((x, i) => (x.cpu - a[i].cpu) / 1000);
  return { elapsed, steps, cpu, mips: steps.reduce((x, y) => x + y, 0) / elapsed / 1e6 };
}

export async function densityBench(): Promise<void> {
  const load0 = loadavg();
  const idle = await idlePhase(1000);
  const one = await busyPhase([{ shares: 100 }], 3);
  const equal = await busyPhase(Array.from({ length: 100 }, () => ({ shares: 100 })), 3);
  const unequal = await busyPhase(Array.from({ length: 100 }, (_, i) => ({ shares: i % 2 ? 200 : 100 })), 3);
  const capped = await busyPhase([{ shares: 100, cpuCap: 30 }], 3);
  const workers = availableParallelism();
  const poolIdle = await idlePoolPhase(1000, workers);
  // One VM on one worker against 100 on every worker, in alternation (the host's other tenants
  // come and go): the median of three pairs.
  const pairs: { one: number; many: number; jain: number }[] = [];
  for (let r = 0; r < 3; r++) {
    const one = await busyPoolPhase(1, 1, 2);
    const many = await busyPoolPhase(100, workers, 2);
    pairs.push({ one: one.mips, many: many.mips, jain: jainIndex(many.cpu) });
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const poolOne = { mips: med(pairs.map((p) => p.one)) }, poolMany = { mips: med(pairs.map((p) => p.many)) };
  const report = {
    command: "npm run bench -- density", date: new Date().toISOString(), node: process.version, loadavgBefore: load0, loadavgAfter: loadavg(),
    idle,
    busy: {
      oneVmMips: Math.round(one.mips),
      hundredVmsMips: Math.round(equal.mips),
      jainEqualShares: Math.round(jainIndex(equal.cpu) * 1000) / 1000,
      jainUnequalShares: Math.round(jainIndex(unequal.cpu.map((c, i) => c / (i % 2 ? 200 : 100))) * 1000) / 1000,
      cappedAt30PercentMeasured: Math.round((capped.cpu[0] / capped.elapsed) * 1000) / 10,
    },
    pool: {
      workers,
      idle: poolIdle,
      oneVmOneWorkerMips: Math.round(poolOne.mips),
      hundredVmsMips: Math.round(poolMany.mips),
      speedup: Math.round(med(pairs.map((p) => p.many / p.one)) * 100) / 100,
      speedups: pairs.map((p) => Math.round((p.many / p.one) * 100) / 100),
      jainEqualShares: Math.round(Math.min(...pairs.map((p) => p.jain)) * 1000) / 1000,
    },
    note: "main thread: one Hypervisor, so aggregate MIPS cannot exceed one core; pool: one Hypervisor per worker thread, VMs placed evenly",
  };
  const dir = join(packageRoot(), "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "density.json"), JSON.stringify(report, null, 2) + "\n");
  const md = `# Density\n\n${report.command}, ${report.date}, node ${report.node}, load average ${load0.map((x) => x.toFixed(2)).join(" / ")}\n\n` +
    `| measure | value |\n|---|---:|\n` +
    `| idle VMs (64 MiB each) | ${idle.vms} |\n| created and started per second | ${idle.vmsPerSecond} |\n| host RSS per idle VM | ${idle.rssPerVmKiB} KiB |\n| host CPU while all idle | ${idle.idleCpuPercent} % |\n` +
    `| one busy VM | ${report.busy.oneVmMips} MIPS |\n| 100 busy VMs, aggregate | ${report.busy.hundredVmsMips} MIPS |\n` +
    `| Jain's index, equal shares | ${report.busy.jainEqualShares} |\n| Jain's index, shares 1:2 (per share) | ${report.busy.jainUnequalShares} |\n` +
    `| a VM capped at 30 % | ${report.busy.cappedAt30PercentMeasured} % of a core |\n\n` +
    `Worker pool (${workers} workers):\n\n| measure | value |\n|---|---:|\n` +
    `| idle VMs (64 MiB each) | ${poolIdle.vms} |\n| created and started per second | ${poolIdle.vmsPerSecond} |\n| host RSS per idle VM | ${poolIdle.rssPerVmKiB} KiB |\n| host CPU while all idle (every thread) | ${poolIdle.idleCpuPercent} % |\n` +
    `| one busy VM, pool of 1 worker (median of 3) | ${report.pool.oneVmOneWorkerMips} MIPS |\n| 100 busy VMs, ${workers} workers, aggregate (median of 3) | ${report.pool.hundredVmsMips} MIPS |\n` +
    `| aggregate ÷ one VM (median of 3 pairs run in alternation) | ${report.pool.speedup}× (${report.pool.speedups.join(", ")}) |\n` +
    `| Jain's index, equal shares (lowest of 3) | ${report.pool.jainEqualShares} |\n\n${report.note}\n`;
  writeFileSync(join(dir, "density.md"), md);
  process.stdout.write(md);
}

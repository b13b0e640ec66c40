// `npm run bench -- container [--runs N]`: containers (src/container). The start time of a
// container (the bundled busybox running `true`, to its exit), the cost of a system call (a
// static C program's getpid loop: the difference between N calls and none, per call) beside a
// native getpid on this host (the same loop built with the host's gcc) and gVisor's published
// 830 ns (KVM platform), and host memory per idle container with 1,000 of them (busybox sh, run
// to its prompt, waiting for input). Writes
// bench/results/container.{json,md}.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { ContainerProcess } from "../src/container/process.js";
import { clearHartPool, Container } from "../src/container/container.js";
import { loadBundledBusybox as bundledBusybox, loadBundledBusyboxRoot } from "../src/node/images.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { packageRoot } from "../src/node/images.js";

const LOOP_C = `#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) syscall(SYS_getpid);
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (argc > 2) printf("%.1f\\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n);
  return 0;
}
`;

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function containerBench(runs: number): Promise<void> {
  const module = loadCoreModule();
  const busybox = bundledBusybox();
  const dir = mkdtempSync(join(tmpdir(), "wasmvisor-ctbench-"));
  try {
    writeFileSync(join(dir, "loop.c"), LOOP_C);
    execFileSync("riscv64-linux-gnu-gcc", ["-static", "-O2", "-o", join(dir, "loop"), join(dir, "loop.c")]);
    execFileSync("gcc", ["-O2", "-o", join(dir, "loop-native"), join(dir, "loop.c")]);
    const loop = readFileSync(join(dir, "loop"));
    const N = 200_000;

    const start: number[] = [], cold: number[] = [], call: number[] = [];
    const bench = new Bench({ iterations: runs, warmupIterations: 1, time: 0 });
    // Warm: the container goes on the process's shared hart (made by the containers before it).
    bench.add("start", async () => {
      const t = performance.now();
      const r = await new ContainerProcess({ module, program: busybox, argv: ["true"] }).run();
      start.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`true exited ${r.status}`);
    });
    // Cold: the process's shared harts forgotten first, so the container builds a new one (1 GiB of RAM, committed as used).
    bench.add("start, new hart", async () => {
      clearHartPool(module);
      const t = performance.now();
      const r = await new ContainerProcess({ module, program: busybox, argv: ["true"] }).run();
      cold.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`true exited ${r.status}`);
    });
    bench.add("getpid", async () => {
      const time = async (n: number) => {
        const t = performance.now();
        await new ContainerProcess({ module, program: loop, argv: ["loop", String(n)] }).run();
        return performance.now() - t;
      };
      const none = await time(0), many = await time(N);
      call.push(((many - none) * 1e6) / N);
    });
    await bench.run();
    const native = med(Array.from({ length: 5 }, () => Number(execFileSync(join(dir, "loop-native"), ["2000000", "print"]).toString())));

    // Memory: idle containers, each a busybox sh run to its prompt (blocked reading its input).
    const idle = 1000;
    const tree = loadBundledBusyboxRoot();
    const idleShell = () => {
      const c = new Container({ module, tree, stdin: "stream", memSize: 16 << 20 });
      c.start(busybox, ["sh"], ["PATH=/bin"]);
      let s;
      while ((s = c.runFor(1_000_000)).kind === "ran");
      if (s.kind !== "idle") throw new Error(`sh did not wait for input (${s.kind})`);
      return c;
    };
    idleShell();
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    const held = Array.from({ length: idle }, idleShell);
    globalThis.gc?.();
    const perContainer = (process.memoryUsage().rss - before) / held.length;
    const guestPages = held[0].residentPages;

    const report = {
      command: `npm run bench -- container --runs ${runs}`, date: new Date().toISOString(), node: process.version, loadavg: loadavg(),
      startMsMedian: Math.round(med(start) * 100) / 100,
      coldStartMsMedian: Math.round(med(cold) * 100) / 100,
      getpidNsMedian: Math.round(med(call)), nativeGetpidNs: native, gvisorKvmGetpidNs: 830,
      idleContainers: idle, idleKiBPerContainer: Math.round(perContainer / 1024), idleGuestKiBPerContainer: guestPages * 4,
      targets: { startMs: 5, getpidNs: 500, idleKiB: 256, idleContainers: 1000 },
    };
    const out = join(packageRoot(), "bench/results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "container.json"), JSON.stringify(report, null, 2) + "\n");
    const md = `# Containers\n\n${report.command}, ${report.date}, node ${report.node}, load average ${report.loadavg.map((x) => x.toFixed(2)).join(" / ")}\n\n` +
      `| measure | median | target |\n|---|---:|---:|\n` +
      `| start: busybox \`true\` to its exit (on the process's shared hart) | ${report.startMsMedian} ms | < 5 ms |\n` +
      `| start, on a new shared hart (none to go on) | ${report.coldStartMsMedian} ms | |\n` +
      `| getpid round trip (container) | ${report.getpidNsMedian} ns | < 500 ns |\n` +
      `| getpid, native on this host | ${native} ns | |\n| getpid, gVisor (KVM platform, published) | 830 ns | |\n` +
      `| host memory per idle container (${idle} of them: busybox sh at its prompt, 16 MiB guest memory each) | ${report.idleKiBPerContainer} KiB | < 256 KiB (1,000 of them) |\n` +
      `| guest pages each one maps (its program's pages read in as touched, shared with the others on its hart but counted in each; stack, heap, page tables) | ${report.idleGuestKiBPerContainer} KiB | |\n`;
    writeFileSync(join(out, "container.md"), md);
    process.stdout.write(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

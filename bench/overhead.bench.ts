// `wasmvisor bench overhead` / `npm run bench -- overhead`: the same workloads on the bundled
// Linux guest, fully virtualized (OpenSBI in M-mode, trapped UART) and paravirtualized (SBI
// hypercalls, virtio console), and as a container (the same busybox, its system calls answered
// by the host: no guest kernel), side by side in one run, with where the cost goes: guest
// instructions, host seconds (median), steps by privilege, exceptions, interrupts, hypercalls
// by extension and function, MMIO accesses by device. Plus microbenchmarks (tinybench) of one
// hypercall round trip, one trapped MMIO register access and one timer interrupt, per mode.
// Writes bench/results/overhead.{json,md,svg}.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import type { CoreStats } from "../src/core/hart.js";
import { CowOverlay, MemoryDisk } from "../src/devices/virtio/blk/backend.js";
import { ConsoleSession, SHELL_PROMPT } from "../src/machine/console-session.js";
import { DEFAULT_CONSOLE, type BootMode } from "../src/machine/linux-boot.js";
import { Machine } from "../src/machine/machine.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { loadBundledBusyboxRoot, loadBundledLinux, packageRoot } from "../src/node/images.js";
import { EID_WASMVISOR } from "../src/sbi/sbi.js";
import { ContainerProcess } from "../src/container/process.js";
import { guestElf } from "../test/helpers/elf-builder.js";
import { Asm } from "../test/helpers/rv-asm.js";

const MODES: BootMode[] = ["full", "para"];

interface Counts { steps: number; stepsM: number; stepsS: number; stepsU: number; exceptions: number; interrupts: number; hypercalls: number; sbi: Record<string, number>; mmio: Record<string, number> }
interface Sample extends Counts { seconds: number }
type Mode = BootMode | "container";
interface WorkloadResult { name: string; what: string; mode: Mode; samples: Sample[]; medianSeconds: number; median: Counts }

// `container: false`: the workload needs a device a container does not have.
const WORKLOADS: { name: string; what: string; cmd: string; container?: false }[] = [
  { name: "timer", what: "200 sleeps of 1 ms", cmd: "i=0; while [ $i -lt 200 ]; do usleep 1000; i=$((i+1)); done" },
  { name: "console", what: "1 MiB to the console", cmd: "head -c 1048576 /dev/zero | tr '\\0' x" },
  { name: "blk", what: "dd 16 MiB to and from virtio-blk", cmd: "dd if=/dev/zero of=/dev/vda bs=64k count=256 conv=fsync 2>/dev/null; blockdev --flushbufs /dev/vda; dd if=/dev/vda of=/dev/null bs=64k count=256 2>/dev/null", container: false },
  { name: "cpu", what: "shell arithmetic loop (user mode)", cmd: "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done" },
  { name: "syscall", what: "dd 1-byte blocks: 100,000 syscalls", cmd: "dd if=/dev/zero of=/dev/null bs=1 count=50000 2>/dev/null" },
];

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function counts(m: Machine): Counts {
  const st: CoreStats = m.hart.stats();
  const mmio: Record<string, number> = {};
  for (const r of m.board.bus.entries) mmio[r.name] = r.hits;
  return {
    steps: m.hart.steps, stepsM: st.stepsM, stepsS: st.stepsS, stepsU: st.stepsU, exceptions: st.exceptions,
    interrupts: st.interrupts, hypercalls: st.hypercalls, sbi: m.board.sbi?.report() ?? {}, mmio,
  };
}

function delta(a: Counts, b: Counts): Counts {
  const sub = (x: Record<string, number>, y: Record<string, number>) => {
    const o: Record<string, number> = {};
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) { const d = (y[k] ?? 0) - (x[k] ?? 0); if (d) o[k] = d; }
    return o;
  };
  return {
    steps: b.steps - a.steps, stepsM: b.stepsM - a.stepsM, stepsS: b.stepsS - a.stepsS, stepsU: b.stepsU - a.stepsU,
    exceptions: b.exceptions - a.exceptions, interrupts: b.interrupts - a.interrupts, hypercalls: b.hypercalls - a.hypercalls,
    sbi: sub(a.sbi, b.sbi), mmio: sub(a.mmio, b.mmio),
  };
}

/** The sample whose seconds are the median, for its counts. */
function medianSample(samples: Sample[]): Sample {
  const s = [...samples].sort((a, b) => a.seconds - b.seconds);
  return s[Math.floor(s.length / 2)];
}

function session(mode: BootMode): ConsoleSession {
  const images = loadBundledLinux();
  const disk = new CowOverlay(new MemoryDisk(new Uint8Array(32 << 20)));
  return new ConsoleSession(loadCoreModule(), { memSize: 256 << 20, disks: [{ backend: disk }] },
    { ...images, cmdline: `${DEFAULT_CONSOLE[mode]} wasmvisor.mode=${mode}` }, mode);
}

async function bootSamples(mode: BootMode, runs: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const s = session(mode);
    await s.until(SHELL_PROMPT, 0, 120_000);
    const seconds = (performance.now() - t) / 1000;
    const c = counts(s.machine);
    out.push({ seconds, ...c });
    s.send("poweroff\n");
    await s.done;
  }
  return out;
}

async function workloadSamples(mode: BootMode, runs: number): Promise<Map<string, Sample[]>> {
  const s = session(mode);
  await s.until(SHELL_PROMPT, 0, 120_000);
  const res = new Map<string, Sample[]>();
  for (const w of WORKLOADS) {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      const before = counts(s.machine);
      const t = performance.now();
      const printed = await s.sh(`${w.cmd}; echo "@rc=$?"`, 300_000);
      const seconds = (performance.now() - t) / 1000;
      if (!printed.endsWith("@rc=0")) throw new Error(`${mode}: workload ${w.name} failed: ${printed.slice(-400)}`);
      samples.push({ seconds, ...delta(before, counts(s.machine)) });
      if (s.out.length > 4 << 20) s.out = s.out.slice(-4096); // keep the console log bounded
    }
    res.set(w.name, samples);
  }
  s.send("poweroff\n");
  await s.done;
  return res;
}

/** One busybox shell running `script` as a container: seconds from creating it to its end, and its counts. */
async function containerRun(script: string): Promise<Sample> {
  const tree = loadBundledBusyboxRoot();
  const program = tree.read("bin/busybox", 0, tree.stat("bin/busybox")!.size);
  let out = "";
  const dec = new TextDecoder();
  const t = performance.now();
  const p = new ContainerProcess({ module: loadCoreModule(), program, argv: ["/bin/sh", "-c", script], tree, env: ["PATH=/bin:/usr/bin:/sbin:/usr/sbin"],
    stdout: (b) => { if (b.length < 64) out = (out + dec.decode(b)).slice(-64); } });
  const r = await p.run();
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0 || (script !== "true" && !out.includes("@rc=0"))) throw new Error(`container: ${script} ended with ${r.status}`);
  let calls = 0;
  for (const n of r.calls.values()) calls += n;
  // every system call is an exception (an ECALL from U-mode) that the host answers
  return { seconds, steps: r.instructions, stepsM: 0, stepsS: 0, stepsU: r.instructions, exceptions: calls, interrupts: 0, hypercalls: 0, sbi: {}, mmio: {} };
}

export async function containerSamples(runs: number): Promise<Map<string, Sample[]>> {
  const res = new Map<string, Sample[]>();
  const boot: Sample[] = [];
  for (let i = 0; i < runs; i++) boot.push(await containerRun("true"));
  res.set("boot", boot);
  for (const w of WORKLOADS.filter((x) => x.container !== false)) {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) samples.push(await containerRun(`${w.cmd}; echo "@rc=$?"`));
    res.set(w.name, samples);
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Microbenchmarks: small bare-metal guests, a loop of N operations against the same loop empty.

const N = 200_000;

/**
 * A guest running `body` N times, then exiting through the test finisher. It starts where the
 * host puts it: M-mode (full) or S-mode with the para set-up (timeGuest).
 */
function loopGuest(body: (a: Asm) => void): Uint8Array {
  const a = new Asm();
  a.li("s1", N).label("loop");
  body(a);
  a.addi("s1", "s1", -1).bnez("s1", "loop");
  a.li("t0", 0x100000).li("t1", 0x5555).sw("t1", 0, "t0").label("spin").j("spin");
  return guestElf(a);
}

export function timeGuest(elf: Uint8Array, opts: { mode?: BootMode; hypercalls?: "import" | "exit" }): { seconds: number; steps: number } {
  const m = new Machine(loadCoreModule(), { memSize: 4 << 20, clock: "virtual", mode: opts.mode ?? "full", hypercalls: opts.hypercalls, rng: true });
  m.load(elf); // on a para board the guest starts in S-mode with hypercalls
  const t = performance.now();
  const r = m.runSync({ maxInstructions: 50 * N });
  if (r.reason !== "exit") throw new Error(`microbenchmark guest ended with ${r.reason}: ${r.message ?? ""}`);
  return { seconds: (performance.now() - t) / 1000, steps: m.hart.steps };
}

/**
 * Timer interrupts, one per loop iteration, taken and handled in S-mode: the loop arms the
 * timer to fire at once and waits in WFI; the handler disarms it. full: through Sstc (stimecmp,
 * set up by M-mode code first, as firmware does); para: through SBI set_timer hypercalls.
 * With `interrupt` false the loop arms and disarms without waiting (the baseline).
 */
export function timerGuest(mode: BootMode, interrupt: boolean): Uint8Array {
  const a = new Asm();
  const arm = (value: "zero" | "t4") => {
    if (mode === "full") a.csrw(0x14d, value); // stimecmp
    else a.li("a7", 0x54494d45).li("a6", 0).addi("a0", value, 0).ecall(); // SBI TIME.set_timer
  };
  if (mode === "full") { // M-mode: what firmware does for an S-mode kernel, then enter S at "s"
    a.li("t0", -1).csrw(0x3b0, "t0").li("t0", 0x1f).csrw(0x3a0, "t0"); // PMP: all memory
    a.li("t0", 1).slli("t0", "t0", 63).csrs(0x30a, "t0"); // menvcfg.STCE
    a.li("t0", 2).csrw(0x306, "t0"); // mcounteren.TM
    a.li("t0", 0x20).csrw(0x303, "t0"); // mideleg: STI to S
    a.li("t0", 1 << 11).csrs(0x300, "t0").la("t0", "s").csrw(0x341, "t0").mret();
  }
  a.label("s").la("t0", "handler").csrw(0x105, "t0"); // stvec
  a.li("t0", 0x20).csrs(0x104, "t0"); // sie.STIE
  a.li("t4", -1).li("s1", N).label("loop");
  if (interrupt) {
    a.csrsi(0x100, 2); // sstatus.SIE: the pending STIP is taken right here
    arm("zero");
    // the interrupt is taken at once; WFI only if it is still pending
    a.label("w").csrr("t5", 0x144).andi("t5", "t5", 0x20).beqz("t5", "done").wfi().j("w").label("done");
    a.csrci(0x100, 2);
  } else {
    arm("zero");
    arm("t4");
  }
  a.addi("s1", "s1", -1).bnez("s1", "loop");
  a.li("t0", 0x100000).li("t1", 0x5555).sw("t1", 0, "t0").label("spin").j("spin");
  a.align(4).label("handler");
  arm("t4"); // disarm: STIP drops
  a.sret();
  return guestElf(a);
}

export async function micro(): Promise<Record<string, { nsPerOp: number; what: string }>> {
  const ping = (a: Asm) => { a.li("a7", EID_WASMVISOR).li("a6", 0).ecall(); };
  const pingEmpty = (a: Asm) => { a.li("a7", EID_WASMVISOR).li("a6", 0).nop(); };
  const mmio = (a: Asm) => { a.li("t2", 0x10001000).lw("t3", 0, "t2"); }; // virtio MagicValue: one trapped read
  const ram = (a: Asm) => { a.li("t2", 0x80100000).lw("t3", 0, "t2"); };
  // The same work both ways: one console byte through the UART's THR (a trapped register
  // write, as a fully virtualized kernel's driver does) or through an SBI putchar hypercall.
  const uartByte = (a: Asm) => { a.li("t2", 0x10000000).li("t3", 0x2e).sb("t3", 0, "t2"); };
  const uartNone = (a: Asm) => { a.li("t2", 0x80100000).li("t3", 0x2e).sb("t3", 0, "t2"); };
  const sbiByte = (a: Asm) => { a.li("a7", 0x01).li("a0", 0x2e).ecall(); };
  const sbiNone = (a: Asm) => { a.li("a7", 0x01).li("a0", 0x2e).nop(); };
  const cases: [string, string, () => number][] = [];
  const per = (op: () => { seconds: number }, base: () => { seconds: number }) => () => ((op().seconds - base().seconds) / N) * 1e9;
  cases.push(["hypercall (ping, core import)", "one SBI round trip: S-mode ECALL to the host and back", per(() => timeGuest(loopGuest(ping), { mode: "para", hypercalls: "import" }), () => timeGuest(loopGuest(pingEmpty), { mode: "para" }))]);
  cases.push(["hypercall (ping, run() exit)", "the same through an exit from run() and re-entry", per(() => timeGuest(loopGuest(ping), { mode: "para", hypercalls: "exit" }), () => timeGuest(loopGuest(pingEmpty), { mode: "para" }))]);
  cases.push(["timer interrupt (full: Sstc)", "arm stimecmp, take STI in S-mode, disarm in the handler", per(() => timeGuest(timerGuest("full", true), {}), () => timeGuest(timerGuest("full", false), {}))]);
  cases.push(["timer interrupt (para: SBI)", "set_timer hypercall, STIP injected, disarm with set_timer", per(() => timeGuest(timerGuest("para", true), { mode: "para" }), () => timeGuest(timerGuest("para", false), { mode: "para" }))]);
  cases.push(["trapped MMIO read (full)", "one 32-bit device register read through the bus (virtio-mmio), M-mode guest", per(() => timeGuest(loopGuest(mmio), {}), () => timeGuest(loopGuest(ram), {}))]);
  cases.push(["trapped MMIO read (para)", "the same from an S-mode guest in para mode", per(() => timeGuest(loopGuest(mmio), { mode: "para" }), () => timeGuest(loopGuest(ram), { mode: "para" }))]);
  cases.push(["console byte: UART THR (full)", "a byte to the console through the 16550 (trapped store)", per(() => timeGuest(loopGuest(uartByte), {}), () => timeGuest(loopGuest(uartNone), {}))]);
  cases.push(["console byte: SBI putchar (para)", "a byte to the console through a legacy putchar hypercall", per(() => timeGuest(loopGuest(sbiByte), { mode: "para" }), () => timeGuest(loopGuest(sbiNone), { mode: "para" }))]);
  const out: Record<string, { nsPerOp: number; what: string }> = {};
  for (const [name, what, f] of cases) {
    const values: number[] = [];
    const bench = new Bench({ iterations: 7, warmupIterations: 1, time: 0 });
    bench.add(name, () => { values.push(f()); });
    await bench.run();
    out[name] = { nsPerOp: Math.round(median(values) * 10) / 10, what };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function svgChart(rows: { name: string; full: number; para: number; container?: number }[]): string {
  const w = 640, barH = 14, gap = 10, left = 110, top = 40;
  const max = Math.max(...rows.flatMap((r) => [r.full, r.para, r.container ?? 0]));
  const h = top + rows.length * (3 * barH + gap) + 30;
  const x = (v: number) => ((w - left - 80) * v) / max;
  let body = "";
  rows.forEach((r, i) => {
    const y = top + i * (3 * barH + gap);
    body += `<text x="${left - 8}" y="${y + barH + 4}" text-anchor="end" font-size="12">${r.name}</text>`;
    body += `<rect x="${left}" y="${y}" width="${x(r.full).toFixed(1)}" height="${barH}" fill="#c0504d"/><text x="${left + x(r.full) + 4}" y="${y + 11}" font-size="10">${r.full.toFixed(3)} s</text>`;
    body += `<rect x="${left}" y="${y + barH}" width="${x(r.para).toFixed(1)}" height="${barH}" fill="#4f81bd"/><text x="${left + x(r.para) + 4}" y="${y + barH + 11}" font-size="10">${r.para.toFixed(3)} s</text>`;
    if (r.container !== undefined) body += `<rect x="${left}" y="${y + 2 * barH}" width="${x(r.container).toFixed(1)}" height="${barH}" fill="#9bbb59"/><text x="${left + x(r.container) + 4}" y="${y + 2 * barH + 11}" font-size="10">${r.container.toFixed(3)} s</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">` +
    `<text x="10" y="20" font-size="14">wasmvisor: full vs para vs container, host seconds (median)</text>` +
    `<rect x="${w - 230}" y="8" width="10" height="10" fill="#c0504d"/><text x="${w - 215}" y="17" font-size="11">full</text>` +
    `<rect x="${w - 170}" y="8" width="10" height="10" fill="#4f81bd"/><text x="${w - 155}" y="17" font-size="11">para</text>` +
    `<rect x="${w - 110}" y="8" width="10" height="10" fill="#9bbb59"/><text x="${w - 95}" y="17" font-size="11">container</text>` +
    body + `</svg>\n`;
}

const top3 = (o: Record<string, number>) => Object.entries(o).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v}`).join(", ") || "-";

export async function overheadBench(runs: number): Promise<void> {
  const load0 = loadavg();
  const results: WorkloadResult[] = [];
  for (const mode of MODES) {
    const boots = await bootSamples(mode, runs);
    results.push({ name: "boot", what: "reset to the first shell prompt", mode, samples: boots, medianSeconds: median(boots.map((s) => s.seconds)), median: medianSample(boots) });
    const ws = await workloadSamples(mode, runs);
    for (const w of WORKLOADS) {
      const samples = ws.get(w.name)!;
      results.push({ name: w.name, what: w.what, mode, samples, medianSeconds: median(samples.map((s) => s.seconds)), median: medianSample(samples) });
    }
  }
  const cs = await containerSamples(runs);
  for (const [name, samples] of cs) {
    const what = name === "boot" ? "start to the end of busybox `true`" : WORKLOADS.find((w) => w.name === name)!.what;
    results.push({ name, what, mode: "container", samples, medianSeconds: median(samples.map((x) => x.seconds)), median: medianSample(samples) });
  }
  const microResults = await micro();
  const names = ["boot", ...WORKLOADS.map((w) => w.name)];
  const rows = names.map((n) => {
    const f = results.find((r) => r.name === n && r.mode === "full")!, p = results.find((r) => r.name === n && r.mode === "para")!;
    const c = results.find((r) => r.name === n && r.mode === "container");
    return { name: n, what: f.what, full: f, para: p, container: c, ratio: f.medianSeconds / p.medianSeconds, ratioPc: c ? p.medianSeconds / c.medianSeconds : undefined };
  });
  const report = {
    command: `wasmvisor bench overhead --runs ${runs}`, date: new Date().toISOString(), node: process.version,
    loadavgBefore: load0, loadavgAfter: loadavg(), runs,
    workloads: rows.map((r) => ({
      name: r.name, what: r.what, ratioFullPara: r.ratio, ratioParaContainer: r.ratioPc,
      full: summary(r.full), para: summary(r.para), container: r.container ? summary(r.container) : undefined,
    })),
    micro: microResults,
  };
  const dir = join(packageRoot(), "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "overhead.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(join(dir, "overhead.svg"), svgChart(rows.map((r) => ({ name: r.name, full: r.full.medianSeconds, para: r.para.medianSeconds, container: r.container?.medianSeconds }))));
  let md = `# Full vs para virtualization vs containers\n\n${report.command}, ${report.date}, node ${report.node}, load average ${load0.map((x) => x.toFixed(2)).join(" / ")}; ` +
    `median of ${runs} runs. Chart: overhead.svg. Container rows: the same busybox command in a container (its system calls answered by the host, ` +
    `no guest kernel; exceptions = system calls; its boot row is the container's start to the end of \`true\`); blk needs a disk, which containers do not have.\n\n` +
    `| workload | mode | seconds | guest instructions | M-mode steps | exceptions | interrupts | hypercalls | MMIO (top) | SBI calls (top) |\n|---|---|---:|---:|---:|---:|---:|---:|---|---|\n`;
  for (const r of rows) {
    const modes: [string, WorkloadResult][] = [["full", r.full], ["para", r.para]];
    if (r.container) modes.push(["container", r.container]);
    for (const [mode, x] of modes) {
      const c = x.median;
      md += `| ${r.name} (${r.what}) | ${mode} | ${x.medianSeconds.toFixed(3)} | ${c.steps} | ${c.stepsM} | ${c.exceptions} | ${c.interrupts} | ${c.hypercalls} | ${top3(c.mmio)} | ${top3(c.sbi)} |\n`;
    }
    md += `| | **full / para** | **${r.ratio.toFixed(2)}x** | | | | | | | |\n`;
    if (r.ratioPc !== undefined) md += `| | **para / container** | **${r.ratioPc.toFixed(2)}x** | | | | | | | |\n`;
  }
  md += `\n| microbenchmark | ns per operation (median) | what |\n|---|---:|---|\n`;
  for (const [k, v] of Object.entries(microResults)) md += `| ${k} | ${v.nsPerOp} | ${v.what} |\n`;
  writeFileSync(join(dir, "overhead.md"), md);
  process.stdout.write(md);
}

function summary(r: WorkloadResult) {
  return { medianSeconds: r.medianSeconds, seconds: r.samples.map((s) => s.seconds), median: r.median };
}

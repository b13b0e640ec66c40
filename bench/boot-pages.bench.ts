// `npm run bench -- boot-pages`: where a Linux boot's time goes, by guest code page. Boots the
// bundled Linux (full mode) to its first prompt with the interpreter alone, then twice with the
// JIT at `--threshold` (the second boot finds the first's code in the process's cache, so it
// pays no compiles), running the hart in slices of 1,000 instructions and charging each slice's
// wall time and instructions to the page its first instruction is in. Prints the pages that
// took most of the interpreter's time: ns per instruction with each engine and the share of
// the JIT boot's instructions that compiled code ran. The slices' own cost (a few us each) is
// in every figure alike. Writes bench/results/boot-pages.json and .md.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Exit } from "../src/core/hart.js";
import { L } from "../src/core/abi.gen.js";
import { clearSharedCache } from "../src/jit/jit.js";
import { packageRoot } from "../src/node/images.js";
import { bootToPrompt } from "./boot.bench.js";

const SLICE = 1000;

/** Per page (guest virtual address >> 12): [ms, instructions, instructions run compiled]. */
type Profile = Map<bigint, [number, number, number]>;

/** A boot with the hart's run() cut into slices charged to the page each starts in. */
async function profiledBoot(jit: false | { threshold: number }): Promise<{ ms: number; profile: Profile }> {
  const profile: Profile = new Map();
  const { ms } = await bootToPrompt(jit, (m) => {
    const hart = m.hart, run = hart.run.bind(hart);
    const view = new DataView(hart.memory.buffer);
    const jitSteps = () => view.getUint32(L.JIT_STEPS, true); // low word: a slice's difference fits
    hart.run = (budget: number) => {
      let left = budget, exit = Exit.Budget;
      while (left > 0) {
        const page = hart.pc >> 12n;
        const s0 = hart.steps, j0 = jitSteps(), t0 = performance.now();
        exit = run(Math.min(left, SLICE));
        const ms = performance.now() - t0, n = hart.steps - s0;
        let p = profile.get(page);
        if (!p) profile.set(page, p = [0, 0, 0]);
        p[0] += ms; p[1] += n; p[2] += (jitSteps() - j0) >>> 0;
        left -= n;
        if (exit !== Exit.Budget || n === 0) break;
      }
      return exit;
    };
  });
  return { ms, profile };
}

export async function bootPagesBench(threshold: number, top: number): Promise<void> {
  const load0 = loadavg();
  const interp = await profiledBoot(false);
  clearSharedCache();
  const cold = await profiledBoot({ threshold });
  const warm = await profiledBoot({ threshold });
  const total = (p: Profile) => [...p.values()].reduce((a, v) => [a[0] + v[0], a[1] + v[1], a[2] + v[2]], [0, 0, 0]);
  const ti = total(interp.profile), tw = total(warm.profile);
  const rows = [...interp.profile].sort((a, b) => b[1][0] - a[1][0]).slice(0, top).map(([page, [ms, n]]) => {
    const w = warm.profile.get(page) ?? [0, 0, 0];
    return {
      page: `0x${(page << 12n).toString(16)}`, instructions: n, interpNsPerInsn: (1e6 * ms) / n,
      jitNsPerInsn: w[1] ? (1e6 * w[0]) / w[1] : NaN, jitCompiledShare: w[1] ? w[2] / w[1] : 0, interpShareOfTime: ms / ti[0],
    };
  });
  const report = {
    command: `npm run bench -- boot-pages --threshold ${threshold}`, date: new Date().toISOString(), node: process.version,
    loadavgBefore: load0, loadavgAfter: loadavg(), sliceInstructions: SLICE, threshold,
    interpreterMs: interp.ms, jitColdMs: cold.ms, jitWarmMs: warm.ms, instructions: ti[1], jitWarmCompiledShare: tw[2] / tw[1], pages: rows,
  };
  const dir = join(packageRoot(), "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "boot-pages.json"), JSON.stringify(report, null, 2) + "\n");
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
  const md = `# Linux boot by guest code page\n\n${report.command}, ${report.date}, node ${report.node}, load average ` +
    `${load0.map((x) => x.toFixed(2)).join(" / ")}; slices of ${SLICE} instructions\n\n` +
    `Boot to the prompt: interpreter ${f(interp.ms, 0)} ms, JIT cold ${f(cold.ms, 0)} ms, JIT warm ${f(warm.ms, 0)} ms ` +
    `(${f(100 * report.jitWarmCompiledShare, 0)} % of its ${tw[1]} instructions compiled).\n\n` +
    `| page | instructions | share of interpreter time | ns/insn, interpreter | ns/insn, JIT (warm) | JIT: run compiled |\n|---|---:|---:|---:|---:|---:|\n` +
    rows.map((r) => `| ${r.page} | ${r.instructions} | ${f(100 * r.interpShareOfTime)} % | ${f(r.interpNsPerInsn)} | ${f(r.jitNsPerInsn)} | ${f(100 * r.jitCompiledShare, 0)} % |`).join("\n") + "\n";
  writeFileSync(join(dir, "boot-pages.md"), md);
  process.stdout.write(md);
}

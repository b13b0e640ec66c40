// `npm run bench -- web [--runs N]`: the bundled Linux (para mode) in the browser against Node,
// in one run: boot to the first prompt (time, and MIPS over the boot) and a shell loop (time and
// MIPS), N runs each in alternation, medians. The browser is Debian's Chromium, headless,
// driven by playwright-core, running the demo page as `npm run build:web` builds it; Node runs
// the same Machine the page's worker runs. Writes bench/results/web.{json,md}.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { build, preview } from "vite";
import { DEFAULT_CONSOLE } from "../src/machine/linux-boot.js";
import { Machine } from "../src/machine/machine.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { loadBundledLinux, packageRoot } from "../src/node/images.js";

const PROMPT = /root@wasmvisor:~# $/;
const LOOP = "i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; echo looped-$i";
const LOOPED = /looped-20000/;

interface Figures { bootMs: number; bootMips: number; loopMs: number; loopMips: number }

async function inNode(): Promise<Figures> {
  const images = loadBundledLinux();
  let out = "";
  const dec = new TextDecoder();
  let waitFor: { re: RegExp; done: () => void } | undefined;
  const m = new Machine(loadCoreModule(), {
    memSize: 256 << 20, mode: "para",
    output: (b) => { out = (out + dec.decode(b, { stream: true })).slice(-4096); if (waitFor?.re.test(out)) { const w = waitFor; waitFor = undefined; w.done(); } },
  });
  const until = (re: RegExp) => new Promise<void>((done) => { waitFor = { re, done }; });
  m.bootLinux({ kernel: images.kernel, initrd: images.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` }, "para");
  const ac = new AbortController();
  const t0 = performance.now();
  const running = m.run({ signal: ac.signal });
  await until(PROMPT);
  const bootMs = performance.now() - t0, bootSteps = m.hart.steps;
  out = "";
  const s1 = m.hart.steps, t1 = performance.now();
  m.input(new TextEncoder().encode(LOOP + "\n"));
  await until(LOOPED);
  const loopMs = performance.now() - t1, loopSteps = m.hart.steps - s1;
  ac.abort();
  await running;
  return { bootMs, bootMips: bootSteps / bootMs / 1000, loopMs, loopMips: loopSteps / loopMs / 1000 };
}

async function inBrowser(page: Page, url: string): Promise<Figures> {
  await page.goto(url);
  const text = () => page.evaluate(() => (globalThis as unknown as { wasmvisorDemo: { text(id: string): string } }).wasmvisorDemo.text("vm-1").trimEnd() + " ");
  const stats = () => page.evaluate(() => (globalThis as unknown as { wasmvisorDemo: { stats(id: string): Promise<{ instructions: number; uptimeMs: number }> } }).wasmvisorDemo.stats("vm-1"));
  const until = async (re: RegExp) => { for (;;) { if (re.test(await text())) return; await page.waitForTimeout(10); } };
  await page.click("#boot-para");
  await page.waitForSelector("#vm-1 .xterm-rows");
  await until(/root@wasmvisor:~# $/);
  const boot = await stats(); // uptime counts from the worker's boot, as Node's timer does
  await page.locator("#vm-1 .term").click();
  const s1 = await stats();
  await page.keyboard.type(LOOP);
  await page.keyboard.press("Enter");
  await until(LOOPED);
  const s2 = await stats();
  return { bootMs: boot.uptimeMs, bootMips: boot.instructions / boot.uptimeMs / 1000, loopMs: s2.uptimeMs - s1.uptimeMs, loopMips: (s2.instructions - s1.instructions) / (s2.uptimeMs - s1.uptimeMs) / 1000 };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export async function webBench(runs: number): Promise<void> {
  const root = packageRoot(), load0 = loadavg();
  const out = mkdtempSync(join(tmpdir(), "wasmvisor-webbench-"));
  const cfg = { root: join(root, "web"), configFile: join(root, "vite.config.ts"), logLevel: "warn" as const };
  await build({ ...cfg, build: { outDir: out, emptyOutDir: true } });
  const server = await preview({ ...cfg, build: { outDir: out }, preview: { port: 0, host: "127.0.0.1" } });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"] });
  const version = browser.version();
  const node: Figures[] = [], web: Figures[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      node.push(await inNode());
      const page = await browser.newPage();
      web.push(await inBrowser(page, server.resolvedUrls!.local[0]));
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(out, { recursive: true, force: true });
  }
  const med = (xs: Figures[]) => ({ bootMs: median(xs.map((x) => x.bootMs)), bootMips: median(xs.map((x) => x.bootMips)), loopMs: median(xs.map((x) => x.loopMs)), loopMips: median(xs.map((x) => x.loopMips)) });
  const report = {
    command: "npm run bench -- web", date: new Date().toISOString(), nodeVersion: process.version, chromium: version, runs,
    loadavgBefore: load0, loadavgAfter: loadavg(), loop: LOOP, medians: { node: med(node), browser: med(web) }, runsNode: node, runsBrowser: web,
  };
  const dir = join(root, "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "web.json"), JSON.stringify(report, null, 2) + "\n");
  const n = report.medians.node, b = report.medians.browser;
  const f = (x: number) => x.toFixed(0);
  const md = `# Linux in the browser and in Node\n\n${report.command}, ${report.date}, node ${report.nodeVersion}, Chromium ${version} (headless), load average ${load0.map((x) => x.toFixed(2)).join(" / ")}; medians of ${runs} runs in alternation\n\n` +
    `| | Node | browser (Web Worker) | browser ÷ Node |\n|---|---:|---:|---:|\n` +
    `| boot to the prompt (para mode) | ${f(n.bootMs)} ms | ${f(b.bootMs)} ms | ${(b.bootMs / n.bootMs).toFixed(2)}× |\n` +
    `| MIPS over the boot | ${f(n.bootMips)} | ${f(b.bootMips)} | ${(b.bootMips / n.bootMips).toFixed(2)}× |\n` +
    `| shell loop (\`${LOOP}\`) | ${f(n.loopMs)} ms | ${f(b.loopMs)} ms | ${(b.loopMs / n.loopMs).toFixed(2)}× |\n` +
    `| MIPS in the loop | ${f(n.loopMips)} | ${f(b.loopMips)} | ${(b.loopMips / n.loopMips).toFixed(2)}× |\n\n` +
    "Times are the guest's: from the boot's start in the worker (Node: in the process) to the prompt, and from the command to its answer; fetching and unpacking the images is not counted.\n";
  writeFileSync(join(dir, "web.md"), md);
  process.stdout.write(md);
}

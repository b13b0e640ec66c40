// The demo page in headless Chromium (Debian's, driven by playwright-core; no browser download):
// the page as `npm run build:web` builds it, served statically; boot the bundled Linux, type a
// command into the terminal and read the guest's answer from the page, see the statistics move,
// save the state and restore it into a second VM that answers the same way, boot another VM
// beside them (full mode, with a disk whose writes download with it) which pings the first over
// the page's switch. A screenshot is kept in test-results/web-demo.png.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { build, preview, type PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTool } from "../helpers/tools.js";

const ROOT = resolve(import.meta.dirname, "../..");
const PROMPT = /root@wasmvisor:~# *$/m;
let server: PreviewServer | undefined;
let browser: Browser | undefined;
let url = "";
const out = mkdtempSync(join(tmpdir(), "wasmvisor-web-"));

beforeAll(async () => {
  await build({ root: join(ROOT, "web"), configFile: join(ROOT, "vite.config.ts"), logLevel: "warn", build: { outDir: out, emptyOutDir: true } });
  server = await preview({ root: join(ROOT, "web"), configFile: join(ROOT, "vite.config.ts"), logLevel: "warn", build: { outDir: out }, preview: { port: 0, host: "127.0.0.1", strictPort: false } });
  url = server.resolvedUrls!.local[0];
  browser = await chromium.launch({
    executablePath: requireTool("chromium", "chromium"),
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(out, { recursive: true, force: true });
});

/**
 * What the VM's terminal shows (xterm's rows, as rendered in the page). xterm renders only
 * terminals in view, so the panel is scrolled into view first, as a user would.
 */
async function screen(page: Page, id: string): Promise<string> {
  await page.locator(`#${id}`).scrollIntoViewIfNeeded();
  return page.locator(`#${id} .xterm-rows`).innerText();
}

async function waitScreen(page: Page, id: string, re: RegExp, ms = 120_000): Promise<string> {
  const t = Date.now();
  for (;;) {
    const text = await screen(page, id);
    if (re.test(text)) return text;
    if (Date.now() - t > ms) throw new Error(`${id}: no ${re} after ${ms} ms; the screen shows:\n${text}`);
    await page.waitForTimeout(100);
  }
}

async function type(page: Page, id: string, line: string): Promise<void> {
  await page.locator(`#${id} .term`).click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

const instructions = async (page: Page, id: string) => Number(await page.locator(`#${id}`).getAttribute("data-instructions"));

describe("the demo page in Chromium", () => {
  it("boots Linux, answers in its terminal, saves and restores into a second VM, and runs VMs side by side", async () => {
    const page = await browser!.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    const t0 = Date.now();
    await page.click("#boot-para");
    // The page stays responsive while the VM boots in its worker: timer callbacks on the page's
    // thread keep coming (the longest gap between them over a second of boot).
    const gap = await page.evaluate(() => new Promise<number>((resolve) => {
      let last = performance.now(), worst = 0;
      const end = last + 1000;
      const tick = () => { const now = performance.now(); worst = Math.max(worst, now - last); last = now; if (now < end) setTimeout(tick, 5); else resolve(worst); };
      setTimeout(tick, 5);
    }));
    expect(gap).toBeLessThan(250);
    await waitScreen(page, "vm-1", PROMPT);
    const bootMs = Date.now() - t0;
    await type(page, "vm-1", "echo answer-$((6 * 7))");
    await waitScreen(page, "vm-1", /^answer-42$/m);

    // The statistics move while the guest runs.
    const i1 = await instructions(page, "vm-1");
    await type(page, "vm-1", "i=0; while [ $i -lt 3000 ]; do i=$((i + 1)); done; echo looped-$i");
    await waitScreen(page, "vm-1", /^looped-3000$/m);
    await page.waitForTimeout(700);
    expect(await instructions(page, "vm-1")).toBeGreaterThan(i1);
    expect(await page.locator("#vm-1 .stats").innerText()).toMatch(/^running · \d+\.\d MIPS · [\d,]+ instructions/);

    // Save, then restore into a new VM: it goes on from the saved shell.
    await page.click("#vm-1 [data-action=save]");
    await page.waitForSelector("#vm-1[data-saved]");
    await page.click("#vm-1 [data-action=restore]");
    await page.waitForSelector("#vm-2 .xterm-rows");
    await type(page, "vm-2", "echo restored-$((6 * 7))");
    await waitScreen(page, "vm-2", /^restored-42$/m);
    // The shell's state came along: the loop variable is still set.
    await type(page, "vm-2", "echo still-$i");
    await waitScreen(page, "vm-2", /^still-3000$/m);

    // Another VM, in full virtualization and with a disk, beside the others; all of them answer.
    await page.check("#disk");
    await page.click("#boot-full");
    await waitScreen(page, "vm-3", PROMPT);
    await type(page, "vm-3", "cat /proc/cmdline");
    await waitScreen(page, "vm-3", /wasmvisor\.mode=full/);
    // What the guest writes to its disk stays in the page and downloads with the image.
    await type(page, "vm-3", "printf written-in-the-page | dd of=/dev/vda bs=512 seek=8 conv=notrunc 2>/dev/null; sync; echo disk-$((1 + 1))");
    await waitScreen(page, "vm-3", /^disk-2$/m);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#vm-3 [data-action=download]")]);
    const disk = readFileSync(await download.path());
    expect(disk.length).toBe(16 << 20);
    expect(disk.subarray(4096, 4096 + "written-in-the-page".length).toString()).toBe("written-in-the-page");
    expect(disk.subarray(0, 4096).every((b) => b === 0)).toBe(true);
    await type(page, "vm-1", "echo first-still-$((1 + 1))");
    await waitScreen(page, "vm-1", /^first-still-2$/m);
    // The page's switch connects them: vm-3 pings vm-1.
    await type(page, "vm-1", "ip addr add 192.168.7.1/24 dev eth0 && ip link set eth0 up && echo net-$((2 + 1))");
    await waitScreen(page, "vm-1", /^net-3$/m);
    await type(page, "vm-3", "ip addr add 192.168.7.3/24 dev eth0 && ip link set eth0 up && ping -c 2 -W 5 192.168.7.1 >/dev/null && echo ping-$((2 + 2))");
    await waitScreen(page, "vm-3", /^ping-4$/m);
    expect(await page.locator("section.vm").count()).toBe(3);

    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "test-results/web-demo.png"), fullPage: true });
    expect(errors).toEqual([]);
    process.stderr.write(`web: Linux (para) booted to its prompt in the page in ${bootMs} ms\n`);
    await page.close();
  }, 300_000);
});

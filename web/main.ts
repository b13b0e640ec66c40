// The demo page: buttons boot the bundled Linux in full or para mode, each VM in a panel of its
// own (a terminal attached to its console, live statistics, pause/resume, save, restore into a
// new VM, disk download, stop), as many side by side as the page holds, their NICs on one
// switch of the page. Every VM runs in its own
// Web Worker through the embedding API (src/embed/vm.ts), so the page stays responsive.
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import "./style.css";
import { loadCore } from "../src/core/load.js";
import { EmbeddedVm, type EmbeddedVmOptions } from "../src/embed/vm.js";
import type { EmbedStats } from "../src/embed/protocol.js";
import { Switch } from "../src/net/switch.js";
import coreUrl from "../build/core.wasm?url";
import kernelUrl from "../guests/linux/images/Image.gz?url";
import initrdUrl from "../guests/linux/images/rootfs.cpio.gz?url";
import firmwareUrl from "../guests/linux/images/fw_dynamic.bin.gz?url";

const status = document.getElementById("status")!;
const list = document.getElementById("vms")!;
const core = loadCore(coreUrl);
// The page's switch: the VMs on it reach each other (the guests choose their addresses).
const pageSwitch = new Switch("page");
const newWorker = () => new Worker(new URL("../src/embed/worker.ts", import.meta.url), { type: "module" });

interface Panel {
  id: string;
  vm: EmbeddedVm;
  options: EmbeddedVmOptions;
  term: Terminal;
  snapshot?: ArrayBuffer;
  el: HTMLElement;
}
const panels: Panel[] = [];
let next = 1;

const fmt = (n: number) => n.toLocaleString("en-US");
function statsLine(s: EmbedStats): string {
  return `${s.state} · ${s.mips.toFixed(1)} MIPS · ${fmt(s.instructions)} instructions (${fmt(s.jitInstructions)} compiled) · ` +
    `exits: ${fmt(s.exceptions)} exceptions, ${fmt(s.interrupts)} interrupts, ${fmt(s.hypercalls)} hypercalls · up ${(s.uptimeMs / 1000).toFixed(1)} s`;
}

function button(parent: HTMLElement, label: string, action: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.dataset.action = action;
  b.addEventListener("click", onClick);
  parent.append(b);
  return b;
}

async function addVm(options: EmbeddedVmOptions, snapshot?: ArrayBuffer, from?: string): Promise<Panel> {
  const id = `vm-${next++}`;
  const el = document.createElement("section");
  el.className = "vm";
  el.id = id;
  el.dataset.mode = options.mode;
  const title = document.createElement("h2");
  title.textContent = `${id} · Linux, ${options.mode === "full" ? "full virtualization" : "paravirtualized"}${from ? ` · restored from ${from}` : ""}`;
  const termEl = document.createElement("div");
  termEl.className = "term";
  const stats = document.createElement("div");
  stats.className = "stats";
  stats.textContent = "loading the images...";
  const buttons = document.createElement("div");
  buttons.className = "buttons";
  el.append(title, termEl, stats, buttons);
  list.append(el);

  const term = new Terminal({ cols: 80, rows: 20, convertEol: false, fontSize: 13, scrollback: 2000 });
  term.open(termEl);
  const vm = snapshot ? await EmbeddedVm.restore(options, snapshot) : await EmbeddedVm.create(options);
  const panel: Panel = { id, vm, options, term, el };
  panels.push(panel);
  vm.on("output", (b) => term.write(b));
  term.onData((d) => vm.write(d));
  vm.on("stats", (s) => { stats.textContent = statsLine(s); el.dataset.state = s.state; el.dataset.instructions = String(s.instructions); });
  vm.on("ended", (reason, code) => { stats.textContent += ` · ended: ${reason}${reason === "exit" ? ` ${code}` : ""}`; el.dataset.state = "stopped"; });
  vm.on("error", (m) => { stats.textContent = `error: ${m}`; });

  const pause = button(buttons, "Pause", "pause", () => {
    if (pause.textContent === "Pause") { vm.pause(); pause.textContent = "Resume"; } else { vm.resume(); pause.textContent = "Pause"; }
  });
  const restore = button(buttons, "Restore into a new VM", "restore", () => { void addVm(options, panel.snapshot, id); });
  restore.disabled = true;
  button(buttons, "Save state", "save", () => {
    void vm.save().then((s) => {
      panel.snapshot = s;
      restore.disabled = false;
      el.dataset.saved = String(s.byteLength);
      status.textContent = `${id}: state saved (${(s.byteLength / 2 ** 20).toFixed(1)} MiB)`;
    }, (e: Error) => { status.textContent = `${id}: ${e.message}`; });
  });
  if (options.disk) {
    button(buttons, "Download disk", "download", () => {
      void vm.diskImage().then((blob) => {
        const a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = `${id}-disk.img`;
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      }, (e: Error) => { status.textContent = `${id}: ${e.message}`; });
    });
  }
  button(buttons, "Reset", "reset", () => vm.reset());
  button(buttons, "Stop", "stop", () => { vm.stop(); el.dataset.state = "stopped"; stats.textContent = "stopped"; });
  term.focus();
  return panel;
}

async function boot(mode: "full" | "para"): Promise<void> {
  status.textContent = `booting Linux (${mode})...`;
  const jit = (document.getElementById("jit") as HTMLInputElement).checked;
  const disk = (document.getElementById("disk") as HTMLInputElement).checked ? new Uint8Array(16 << 20) : undefined;
  const onSwitch = (document.getElementById("net") as HTMLInputElement).checked;
  const options: EmbeddedVmOptions = {
    core: await core, kernel: kernelUrl, initrd: initrdUrl, firmware: mode === "full" ? firmwareUrl : undefined,
    mode, memoryMiB: 256, jit, disk, worker: newWorker, switch: onSwitch ? pageSwitch : undefined,
  };
  await addVm(options);
  status.textContent = "";
}

document.getElementById("boot-full")!.addEventListener("click", () => { void boot("full").catch((e: Error) => { status.textContent = e.message; }); });
document.getElementById("boot-para")!.addEventListener("click", () => { void boot("para").catch((e: Error) => { status.textContent = e.message; }); });

// For scripts and tests: the panels, each terminal's text, and fresh statistics.
(globalThis as { wasmvisorDemo?: unknown }).wasmvisorDemo = {
  panels,
  stats: (id: string) => panels.find((x) => x.id === id)?.vm.currentStats(),
  text: (id: string) => {
    const p = panels.find((x) => x.id === id);
    if (!p) return "";
    const b = p.term.buffer.active, lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? "");
    return lines.join("\n");
  },
};

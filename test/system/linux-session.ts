// Drives a Linux guest through its console in a test: boot, wait for the prompt, run a
// command and read its output between markers, power off.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadCoreModule } from "../../src/node/core-module.js";
import { Machine, type MachineOptions, type RunResult } from "../../src/machine/machine.js";

const IMAGES = join(import.meta.dirname, "../../guests/linux/images");
export const bundled = () => ({
  kernel: gunzipSync(readFileSync(join(IMAGES, "Image.gz"))),
  initrd: readFileSync(join(IMAGES, "rootfs.cpio.gz")),
  firmware: gunzipSync(readFileSync(join(IMAGES, "fw_dynamic.bin.gz"))),
});

export class LinuxSession {
  readonly machine: Machine;
  out = "";
  done: Promise<RunResult>;
  private seq = 0;
  private readonly dec = new TextDecoder();

  constructor(options: MachineOptions = {}, cmdline?: string) {
    const mode = options.mode ?? "full";
    this.machine = new Machine(loadCoreModule(), {
      memSize: 256 << 20, ...options,
      output: (b) => { this.out += this.dec.decode(b, { stream: true }); },
    });
    const console = mode === "para" ? "console=hvc1" : "console=ttyS0";
    this.machine.bootLinux({ ...bundled(), cmdline: cmdline ?? `${console} wasmvisor.mode=${mode}` }, mode);
    this.done = this.machine.run({ maxInstructions: 5e9 });
  }

  /** Waits until the console output (after `from`) matches `re`. */
  async until(re: RegExp, from = 0, ms = 60_000): Promise<string> {
    const t = Date.now();
    for (;;) {
      const m = re.exec(this.out.slice(from));
      if (m) return m[0];
      if (Date.now() - t > ms) throw new Error(`timeout waiting for ${re}; console tail:\n${this.out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  send(text: string): void { this.machine.input(new TextEncoder().encode(text)); }

  /** Runs a shell command and returns what it printed (trimmed). */
  async sh(cmd: string): Promise<string> {
    const n = ++this.seq;
    const from = this.out.length;
    this.send(`echo @@B${n}@@; ${cmd}; echo @@E${n}@@\n`);
    // The echo of the typed line also contains the markers: match the printed ones at line starts.
    const text = await this.until(new RegExp(`\\n@@B${n}@@\\r?\\n([\\s\\S]*?)\\r?\\n?@@E${n}@@`), from);
    return text.replace(new RegExp(`^\\n@@B${n}@@\\r?\\n`), "").replace(new RegExp(`\\r?\\n?@@E${n}@@$`), "").replace(/\r/g, "").trim();
  }
}

// Drives a guest's shell through its console, as a person at a terminal would: wait for the
// prompt, type a command, read what it printed between markers. Used by the overhead
// benchmark and the system tests; browser-safe.
import { Machine, type MachineOptions, type RunResult } from "./machine.js";
import type { BootMode, LinuxImages } from "./linux-boot.js";

export const SHELL_PROMPT = /root@wasmvisor:~# $/;

export class ConsoleSession {
  readonly machine: Machine;
  /** Everything the guest printed. */
  out = "";
  /** The run: resolves when the guest powers off (or the limit is hit). */
  readonly done: Promise<RunResult>;
  private seq = 0;
  private readonly dec = new TextDecoder();

  constructor(module: WebAssembly.Module, options: MachineOptions, images: LinuxImages, mode: BootMode, maxInstructions = 1e11) {
    this.machine = new Machine(module, {
      ...options,
      mode,
      output: (b) => { this.out += this.dec.decode(b, { stream: true }); options.output?.(b); },
    });
    this.machine.bootLinux(images, mode);
    this.done = this.machine.run({ maxInstructions });
  }

  /** Waits until the output after offset `from` matches `re`; returns the match. */
  async until(re: RegExp, from = 0, ms = 60_000): Promise<string> {
    const t = Date.now();
    for (;;) {
      const m = re.exec(this.out.slice(from));
      if (m) return m[0];
      if (Date.now() - t > ms) throw new Error(`timeout waiting for ${re}; console tail:\n${this.out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  send(text: string): void { this.machine.input(new TextEncoder().encode(text)); }

  /** Runs a shell command and returns what it printed (trimmed, without carriage returns). */
  async sh(cmd: string, ms = 60_000): Promise<string> {
    const n = ++this.seq;
    const from = this.out.length;
    this.send(`echo @@B${n}@@; ${cmd}; echo @@E${n}@@\n`);
    // The typed line echoes the markers too: match the printed ones, at line starts.
    const text = await this.until(new RegExp(`\\n@@B${n}@@\\r?\\n([\\s\\S]*?)\\r?\\n?@@E${n}@@`), from, ms);
    return text.replace(new RegExp(`^\\n@@B${n}@@\\r?\\n`), "").replace(new RegExp(`\\r?\\n?@@E${n}@@$`), "").replace(/\r/g, "").trim();
  }
}

/**
 * Boots Linux on a new machine and stops the run at its first shell prompt, between slices
 * (e.g. to snapshot it). Resolves with the machine and what it printed.
 */
export async function bootToPrompt(module: WebAssembly.Module, options: MachineOptions, images: LinuxImages, mode: BootMode, ms = 120_000): Promise<{ machine: Machine; out: string }> {
  let out = "";
  const dec = new TextDecoder();
  const stop = new AbortController();
  const machine = new Machine(module, {
    ...options, mode,
    output: (b) => {
      out += dec.decode(b, { stream: true });
      options.output?.(b);
      if (SHELL_PROMPT.test(out.slice(-64))) stop.abort();
    },
  });
  machine.bootLinux(images, mode);
  const t = setTimeout(() => stop.abort(), ms);
  await machine.run({ signal: stop.signal });
  clearTimeout(t);
  if (!SHELL_PROMPT.test(out)) throw new Error(`no shell prompt within ${ms} ms; console tail:\n${out.slice(-2000)}`);
  return { machine, out };
}

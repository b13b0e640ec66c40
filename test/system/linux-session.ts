// The bundled Linux guest under a ConsoleSession, for the system tests.
import { loadCoreModule } from "../../src/node/core-module.js";
import { loadBundledLinux } from "../../src/node/images.js";
import type { MachineOptions } from "../../src/machine/machine.js";
import { ConsoleSession } from "../../src/machine/console-session.js";
import { DEFAULT_CONSOLE } from "../../src/machine/linux-boot.js";

export const bundled = loadBundledLinux;

// With WASMVISOR_JIT=0 every block is compiled at its first entry: a correctness mode that
// boots Linux several times slower, so waits are longer.
const WAIT_MS = process.env.WASMVISOR_JIT === "0" ? 200_000 : 60_000;

export class LinuxSession extends ConsoleSession {
  constructor(options: MachineOptions = {}, cmdline?: string) {
    const mode = options.mode ?? "full";
    super(loadCoreModule(), { memSize: 256 << 20, ...options }, { ...bundled(), cmdline: cmdline ?? `${DEFAULT_CONSOLE[mode]} wasmvisor.mode=${mode}` }, mode, 5e9);
  }
  override until(re: RegExp, from = 0, ms = WAIT_MS): Promise<string> { return super.until(re, from, ms); }
  override sh(cmd: string, ms = WAIT_MS): Promise<string> { return super.sh(cmd, ms); }
}

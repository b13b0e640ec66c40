// The bundled Linux guest under a ConsoleSession, for the system tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadCoreModule } from "../../src/node/core-module.js";
import type { MachineOptions } from "../../src/machine/machine.js";
import { ConsoleSession } from "../../src/machine/console-session.js";
import { DEFAULT_CONSOLE } from "../../src/machine/linux-boot.js";

const IMAGES = join(import.meta.dirname, "../../guests/linux/images");
export const bundled = () => ({
  kernel: gunzipSync(readFileSync(join(IMAGES, "Image.gz"))),
  initrd: readFileSync(join(IMAGES, "rootfs.cpio.gz")),
  firmware: gunzipSync(readFileSync(join(IMAGES, "fw_dynamic.bin.gz"))),
});

export class LinuxSession extends ConsoleSession {
  constructor(options: MachineOptions = {}, cmdline?: string) {
    const mode = options.mode ?? "full";
    super(loadCoreModule(), { memSize: 256 << 20, ...options }, { ...bundled(), cmdline: cmdline ?? `${DEFAULT_CONSOLE[mode]} wasmvisor.mode=${mode}` }, mode, 5e9);
  }
}

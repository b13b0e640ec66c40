// Boot flows for a Linux kernel on the board (the RISC-V Linux boot protocol: the kernel is
// entered in S-mode with a0 = hart id, a1 = device tree; Documentation/riscv/boot.rst).
//   full: unmodified firmware (OpenSBI fw_dynamic) at the start of RAM runs in M-mode, entered
//         with a0 = hart id, a1 = device tree, a2 = struct fw_dynamic_info (OpenSBI's
//         firmware/fw_dynamic.txt), which names the kernel's address and S-mode as the next stage.
//   para: no firmware: the kernel is entered directly in S-mode at its load address (2 MiB into
//         RAM), and its ECALLs are hypercalls (src/sbi). No M-mode code runs.
// Every image is checked before anything is written: a kernel that is not a RISC-V Image, or
// images that do not fit in RAM, are a LoadError. Browser-safe.
import { DRAM_BASE, PRIV_M, PRIV_S } from "../core/hart.js";
import type { Board } from "./board.js";
import { LoadError } from "./loader.js";

export type BootMode = "full" | "para";

/**
 * The kernel's console in each mode: the trapped 16550 UART (full), the virtio console (para;
 * hvc0 is the SBI legacy console, one hypercall per character, hvc1 the virtio one).
 */
export const DEFAULT_CONSOLE: Record<BootMode, string> = { full: "console=ttyS0", para: "console=hvc1" };

export interface LinuxImages {
  /** The kernel's flat Image (arch/riscv/boot/Image). */
  kernel: Uint8Array;
  initrd?: Uint8Array;
  /** M-mode firmware (full mode): OpenSBI fw_dynamic.bin. */
  firmware?: Uint8Array;
  /** Kernel command line; default "console=ttyS0". */
  cmdline?: string;
}

export interface BootLayout {
  mode: BootMode;
  firmware: number;
  kernel: number;
  kernelEnd: number;
  initrd?: { start: number; end: number };
  fdt: number;
  fdtSize: number;
  cmdline: string;
}

/** RISC-V Image header (Documentation/riscv/boot-image-header.rst). */
export function parseImageHeader(kernel: Uint8Array): { textOffset: number; imageSize: number } {
  if (kernel.length < 64) throw new LoadError(`kernel: ${kernel.length} bytes is too short for a RISC-V Image header`);
  const v = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  const magic2 = v.getUint32(56, true);
  const magic = new TextDecoder().decode(kernel.subarray(48, 53));
  if (magic2 !== 0x05435352 && magic !== "RISCV") {
    throw new LoadError("kernel: not a RISC-V Linux Image (no RSC\\x05 / RISCV magic in its header)");
  }
  const textOffset = v.getUint32(8, true) + v.getUint32(12, true) * 2 ** 32;
  const imageSize = v.getUint32(16, true) + v.getUint32(20, true) * 2 ** 32;
  return { textOffset, imageSize: Math.max(imageSize, kernel.length) };
}

const MiB = 1 << 20;
const alignDown = (x: number, a: number) => Math.floor(x / a) * a;
const FW_DYNAMIC_MAGIC = 0x4942534f; // "OSBI"
const FW_DYNAMIC_VERSION = 2;
const MODE_S = 1;

/** Lays out and writes firmware, kernel, initrd and device tree, and points the hart at the entry. */
export function bootLinux(board: Board, images: LinuxImages, mode: BootMode = "full"): BootLayout {
  const hart = board.hart;
  const ramEnd = DRAM_BASE + board.memSize;
  const header = parseImageHeader(images.kernel);
  if (mode !== board.mode) throw new LoadError(`a ${mode} boot needs a board built for ${mode} mode (this one is ${board.mode})`);
  if (mode === "full" && !images.firmware) throw new LoadError("full virtualization needs M-mode firmware (OpenSBI fw_dynamic.bin)");
  if (mode === "full" && images.firmware && images.firmware.length === 0) throw new LoadError("firmware: empty file");
  const firmware = mode === "full" ? images.firmware : undefined;
  // The kernel sits 2 MiB into RAM (its text offset), where OpenSBI jumps.
  const kernel = DRAM_BASE + (header.textOffset || 2 * MiB);
  const kernelEnd = kernel + header.imageSize;
  if (firmware && DRAM_BASE + firmware.length > kernel) {
    throw new LoadError(`firmware: ${firmware.length} bytes do not fit below the kernel at 0x${kernel.toString(16)}`);
  }
  const cmdline = images.cmdline ?? "console=ttyS0";
  // Device tree at the top of RAM (2 MiB aligned, as QEMU does), the initrd below it.
  const probe = board.deviceTree({ bootargs: cmdline, initrd: images.initrd ? { start: 0, end: 0 } : undefined });
  const fdt = alignDown(ramEnd - probe.length - 4096, 2 * MiB);
  let initrd: { start: number; end: number } | undefined;
  if (images.initrd) {
    const start = alignDown(fdt - images.initrd.length, 4096);
    initrd = { start, end: start + images.initrd.length };
  }
  const lowest = initrd ? initrd.start : fdt;
  if (kernelEnd > lowest) {
    const need = Math.ceil((kernelEnd - DRAM_BASE + (ramEnd - lowest) + 4 * MiB) / MiB);
    throw new LoadError(`kernel${images.initrd ? " and initrd" : ""} do not fit in ${board.memSize / MiB} MiB of RAM (need about ${need} MiB)`);
  }
  const dtb = board.deviceTree({ bootargs: cmdline, initrd });
  // Everything checked: write. RAM is zeroed first so a reboot starts from the same state.
  hart.clearRam();
  hart.invalidate(DRAM_BASE, board.memSize);
  if (firmware) hart.writePhys(DRAM_BASE, firmware);
  hart.writePhys(kernel, images.kernel);
  if (images.initrd && initrd) hart.writePhys(initrd.start, images.initrd);
  hart.writePhys(fdt, dtb);
  board.resetDevices();
  if (mode === "para") {
    hart.reset(kernel);
    board.enterMode();
    hart.priv = PRIV_S;
    hart.setX(10, 0n); // a0: hart id
    hart.setX(11, BigInt(fdt)); // a1: device tree
    return { mode, firmware: 0, kernel, kernelEnd, initrd, fdt, fdtSize: dtb.length, cmdline };
  }
  hart.reset(DRAM_BASE);
  hart.priv = PRIV_M;
  // struct fw_dynamic_info { magic, version, next_addr, next_mode, options, boot_hart } (u64 each)
  const info = ramEnd - 64;
  const words = [FW_DYNAMIC_MAGIC, FW_DYNAMIC_VERSION, kernel, MODE_S, 0, 0];
  words.forEach((w, i) => hart.writePhys64(info + 8 * i, BigInt(w)));
  hart.setX(10, 0n); // a0: hart id
  hart.setX(11, BigInt(fdt)); // a1: device tree
  hart.setX(12, BigInt(info)); // a2: fw_dynamic_info
  return { mode, firmware: DRAM_BASE, kernel, kernelEnd, initrd, fdt, fdtSize: dtb.length, cmdline };
}

// The SiFive "test" finisher (QEMU `virt`: physical 0x100000, 0x1000 bytes): a guest powers
// the machine off, or asks for a reset, with one 32-bit store to offset 0:
//   0x5555                  power off, success (exit code 0)
//   0x3333 | (code << 16)   power off, failure with exit code `code` (16 bits)
//   0x7777                  reset request
// Other values and offsets are ignored; reads return 0. The same guest binary ends the same
// way on `qemu-system-riscv64 -M virt -bios none`. Browser-safe.
import type { AccessSize, Device } from "./device.js";

export const SYSCON_BASE = 0x100000;
export const SYSCON_SIZE = 0x1000;

const FINISHER_FAIL = 0x3333;
const FINISHER_PASS = 0x5555;
const FINISHER_RESET = 0x7777;

/** What the guest asked for (none until it writes a command). */
export const SYSCON_NONE = 0;
export const SYSCON_POWEROFF = 1;
export const SYSCON_RESET = 2;

export class Syscon implements Device {
  readonly size = SYSCON_SIZE;
  /** SYSCON_NONE, SYSCON_POWEROFF or SYSCON_RESET: the last request, until clear(). */
  request = SYSCON_NONE;
  /** Exit code of a power-off request. */
  exitCode = 0;

  read(_offset: number, _size: AccessSize): number { return 0; }

  write(offset: number, size: AccessSize, value: number): boolean {
    this.command(offset, size, value);
    return true;
  }

  reset(): void { this.clear(); }

  private command(offset: number, size: number, value: number): void {
    if (offset !== 0 || size < 2) return;
    const status = value & 0xffff;
    const code = size >= 4 ? (value >>> 16) & 0xffff : 0;
    if (status === FINISHER_PASS) { this.request = SYSCON_POWEROFF; this.exitCode = 0; }
    else if (status === FINISHER_FAIL) { this.request = SYSCON_POWEROFF; this.exitCode = code; }
    else if (status === FINISHER_RESET) { this.request = SYSCON_RESET; this.exitCode = 0; }
  }

  /** Forgets a served request. */
  clear(): void { this.request = SYSCON_NONE; this.exitCode = 0; }

  /** State: version byte, request byte, exit code (u16 little-endian). */
  save(): Uint8Array {
    return Uint8Array.of(1, this.request, this.exitCode & 0xff, (this.exitCode >>> 8) & 0xff);
  }

  restore(state: Uint8Array): void {
    if (state.length !== 4 || state[0] !== 1 || state[1] > SYSCON_RESET) {
      throw new RangeError("syscon: not a saved syscon state (version 1, 4 bytes)");
    }
    this.request = state[1];
    this.exitCode = state[2] | (state[3] << 8);
  }
}

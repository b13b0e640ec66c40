// HTIF, the host-target interface of Spike and the riscv-tests: two 64-bit words in guest RAM,
// `tohost` (guest → host) and `fromhost` (host → guest), found through the ELF symbols of those
// names. The core watches stores to tohost and leaves run() with Exit.Htif; `handle()` then
// serves the command. Browser-safe.
//
// A tohost word is: device = bits 63:56, command = bits 55:48, payload = bits 47:0.
//
//   device 0, payload bit 0 = 1      exit: the exit code is payload >> 1 (0 = success); the
//                                    command byte is not looked at.
//   device 0, command 0, bit 0 = 0   system call proxy: payload is the physical address of
//                                    `magic_mem`, eight uint64 words: [0] = syscall number,
//                                    [1..7] = arguments. Supported: SYS_write (64) to fd 1 or 2
//                                    (args: fd, buffer physical address, length) → console
//                                    output, returns the length; SYS_exit (93) and
//                                    SYS_exit_group (94) → exit with args[0] (as a C int).
//                                    Other numbers return -ENOSYS (-38), writes to other fds
//                                    -EBADF (-9), buffers outside RAM -EFAULT (-14).
//                                    The reply: the return value is written to magic_mem[0],
//                                    then tohost = 0 and fromhost = 1 (device 0, command 0,
//                                    response 1), which is what a waiting guest polls for.
//                                    A magic_mem outside RAM or misaligned: treated as an
//                                    unknown command.
//   device 1, command 1              console putchar(payload & 0xff); then tohost = 0.
//   device 1, command 0              console getchar: tohost = 0 at once; as soon as an input
//                                    byte is available (now or later) and fromhost is 0 (the
//                                    guest consumed the previous reply), fromhost =
//                                    (1 << 56) | byte. Requests are answered in order.
//   anything else                    tohost = 0, otherwise ignored; counted in `unknownCommands`.
import { DRAM_BASE, type Hart } from "../core/hart.js";
import type { InputQueue, OutputBuffer } from "./console.js";
import { BUS_ERROR, type AccessSize, type Device } from "../devices/device.js";
import { StateReader, decodeState, encodeState } from "../devices/state.js";

export const SYS_WRITE = 64;
export const SYS_EXIT = 93;
export const SYS_EXIT_GROUP = 94;
const ENOSYS = 38n, EBADF = 9n, EFAULT = 14n;

/** handle() results. */
export const HTIF_CONTINUE = 0;
export const HTIF_EXIT = 1;

/**
 * HTIF keeps the device contract too, though its registers are the guest's RAM words found by
 * symbol (not an MMIO window): offset 0 reads/writes tohost, offset 8 fromhost (8-byte
 * accesses; the value of an 8-byte read is exact up to 2^53), reset() forgets pending requests,
 * and save()/restore() carry the mailboxes and the request state.
 */
export class Htif implements Device {
  readonly size = 16;
  /** Physical address of tohost (0: no HTIF). */
  tohost = 0;
  /** Physical address of fromhost (0: none; getchar and syscall replies then cannot be given). */
  fromhost = 0;
  /** Exit code after handle() returned HTIF_EXIT. */
  exitCode = 0;
  /** Commands that were not understood (ignored). */
  unknownCommands = 0;
  /** getchar requests not answered yet. */
  pendingReads = 0;
  private readonly view: DataView;

  constructor(private readonly hart: Hart, private readonly output: OutputBuffer, private readonly input: InputQueue) {
    const ram = hart.deviceRam(); // fixed-size memory: this view stays valid
    this.view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  }

  /** Declares the mailboxes (physical addresses, 8-byte aligned in RAM, or 0) to the core and to this device. */
  setMailboxes(tohost: number, fromhost: number): void {
    for (const [name, pa] of [["tohost", tohost], ["fromhost", fromhost]] as const) {
      if (pa !== 0 && (pa % 8 !== 0 || !this.hart.isRam(pa, 8))) {
        throw new RangeError(`HTIF ${name} 0x${pa.toString(16)} must be an 8-byte aligned address in guest RAM`);
      }
    }
    this.tohost = tohost;
    this.fromhost = fromhost;
    this.pendingReads = 0;
    this.hart.setHtif(tohost, fromhost);
  }

  read(offset: number, size: AccessSize): number {
    const pa = offset === 0 ? this.tohost : offset === 8 ? this.fromhost : 0;
    if (size !== 8 || pa === 0) return BUS_ERROR;
    const v = this.hart.readPhys64(pa);
    return v >= 2n ** 53n ? BUS_ERROR : Number(v);
  }

  write(offset: number, size: AccessSize, value: number, high: number): boolean {
    const pa = offset === 0 ? this.tohost : offset === 8 ? this.fromhost : 0;
    if (size !== 8 || pa === 0) return false;
    this.hart.writePhys64(pa, (BigInt(high >>> 0) << 32n) | BigInt(value >>> 0));
    return true;
  }

  reset(): void { this.pendingReads = 0; this.exitCode = 0; }

  save(): Uint8Array {
    return encodeState("htif", 1, { tohost: this.tohost, fromhost: this.fromhost, exitCode: this.exitCode,
      unknownCommands: this.unknownCommands, pendingReads: this.pendingReads });
  }

  restore(state: Uint8Array): void {
    const r = new StateReader("htif", decodeState(state, "htif", 1));
    const tohost = r.int("tohost", 0, 2 ** 53), fromhost = r.int("fromhost", 0, 2 ** 53);
    const exitCode = r.int("exitCode", -(2 ** 31), 2 ** 48), unknown = r.int("unknownCommands", 0, 2 ** 53);
    const pending = r.int("pendingReads", 0, 2 ** 32);
    for (const [name, pa] of [["tohost", tohost], ["fromhost", fromhost]] as const) {
      if (pa !== 0 && (pa % 8 !== 0 || !this.hart.isRam(pa, 8))) throw new RangeError(`htif: saved ${name} 0x${pa.toString(16)} is not in this machine's RAM`);
    }
    this.setMailboxes(tohost, fromhost);
    this.exitCode = exitCode; this.unknownCommands = unknown; this.pendingReads = pending;
  }

  /** Serves the command in tohost (call when run() returned Exit.Htif). */
  handle(): number {
    const th = this.tohost;
    if (th === 0) return HTIF_CONTINUE;
    const off = th - DRAM_BASE;
    const lo = this.view.getUint32(off, true);
    const hi = this.view.getUint32(off + 4, true);
    if (lo === 0 && hi === 0) return HTIF_CONTINUE;
    const device = hi >>> 24;
    const command = (hi >>> 16) & 0xff;
    const payload = (hi & 0xffff) * 2 ** 32 + lo; // 48 bits: exact as a number
    if (device === 0 && (lo & 1) !== 0) {
      this.exitCode = Math.floor(payload / 2);
      return HTIF_EXIT;
    }
    if (device === 0 && command === 0) return this.syscall(payload);
    if (device === 1 && command === 1) {
      this.output.push(lo & 0xff);
      this.hart.writePhys64(th, 0n);
      return HTIF_CONTINUE;
    }
    if (device === 1 && command === 0) {
      this.hart.writePhys64(th, 0n);
      this.pendingReads++;
      this.poll();
      return HTIF_CONTINUE;
    }
    this.unknownCommands++;
    this.hart.writePhys64(th, 0n);
    return HTIF_CONTINUE;
  }

  /** Answers waiting getchar requests from the input queue while fromhost is free. */
  poll(): void {
    const fh = this.fromhost;
    if (fh === 0) return;
    const off = fh - DRAM_BASE;
    while (this.pendingReads > 0 && this.input.length > 0) {
      if (this.view.getUint32(off, true) !== 0 || this.view.getUint32(off + 4, true) !== 0) return;
      const b = this.input.shift();
      this.hart.writePhys64(fh, (1n << 56n) | BigInt(b));
      this.pendingReads--;
    }
  }

  private syscall(addr: number): number {
    const hart = this.hart;
    if (addr % 8 !== 0 || !hart.isRam(addr, 64)) {
      this.unknownCommands++;
      hart.writePhys64(this.tohost, 0n);
      return HTIF_CONTINUE;
    }
    const arg = (i: number) => hart.readPhys64(addr + 8 * i);
    const which = arg(0);
    let ret: bigint;
    if (which === BigInt(SYS_WRITE)) {
      const fd = arg(1), buf = arg(2), len = arg(3);
      if (fd !== 1n && fd !== 2n) {
        ret = -EBADF;
      } else if (len > BigInt(hart.memSize) || buf > BigInt(Number.MAX_SAFE_INTEGER) || !hart.isRam(Number(buf), Number(len))) {
        ret = -EFAULT;
      } else {
        const start = Number(buf) - DRAM_BASE;
        this.output.pushBytes(new Uint8Array(this.view.buffer, this.view.byteOffset + start, Number(len)));
        ret = len;
      }
    } else if (which === BigInt(SYS_EXIT) || which === BigInt(SYS_EXIT_GROUP)) {
      this.exitCode = Number(BigInt.asIntN(32, arg(1)));
      return HTIF_EXIT;
    } else {
      this.unknownCommands++;
      ret = -ENOSYS;
    }
    hart.writePhys64(addr, ret);
    hart.writePhys64(this.tohost, 0n);
    if (this.fromhost !== 0) hart.writePhys64(this.fromhost, 1n);
    return HTIF_CONTINUE;
  }
}

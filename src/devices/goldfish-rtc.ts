// The Goldfish real-time clock ("google,goldfish-rtc", as on QEMU `virt` at 0x101000): a 64-bit
// nanosecond count of wall time since the Unix epoch, and one alarm with an interrupt.
//   0x00 TIME_LOW    read: low 32 bits of the time (latches the high half); write: commits a
//                    new time with the high half written before to TIME_HIGH
//   0x04 TIME_HIGH   read: the latched high half; write: high half of the next time set
//   0x08 ALARM_LOW   write: low half of the alarm, arms it
//   0x0c ALARM_HIGH  write: high half of the next alarm
//   0x10 IRQ_ENABLED write 1/0: the alarm interrupt may be raised
//   0x14 CLEAR_ALARM write: disarms the alarm
//   0x18 ALARM_STATUS read: 1 while an alarm is armed
//   0x1c CLEAR_INTERRUPT write: lowers the interrupt line
// The host clock is passed in (milliseconds since the epoch, as Date.now). Time the guest sets
// is kept as an offset from it. Browser-safe.
import { BUS_ERROR, NO_IRQ, type AccessSize, type Device, type IrqLine } from "./device.js";
import { StateReader, decodeState, encodeState } from "./state.js";

export const GOLDFISH_RTC_SIZE = 0x1000;
const MASK32 = 0xffffffffn;

export class GoldfishRtc implements Device {
  readonly size = GOLDFISH_RTC_SIZE;
  private offsetNs = 0n;
  private latchedHigh = 0;
  private timeHighNext = 0;
  private alarmHighNext = 0;
  private alarmNs = 0n;
  private armed = false;
  private irqEnabled = false;
  private irqLevel = false;

  constructor(private readonly clockMs: () => number = Date.now, private readonly irq: IrqLine = NO_IRQ) {}

  /** Guest time in nanoseconds since the epoch. */
  nowNs(): bigint { return BigInt(Math.floor(this.clockMs() * 1e6)) + this.offsetNs; }

  reset(): void {
    this.offsetNs = 0n; this.latchedHigh = 0; this.timeHighNext = 0; this.alarmHighNext = 0;
    this.alarmNs = 0n; this.armed = false; this.irqEnabled = false;
    this.setIrq(false);
  }

  /** Fires a due alarm; call between slices. Returns ms until the armed alarm (Infinity if none). */
  poll(): number {
    if (!this.armed) return Infinity;
    const left = this.alarmNs - this.nowNs();
    if (left <= 0n) {
      this.armed = false;
      if (this.irqEnabled) this.setIrq(true);
      return Infinity;
    }
    return Number(left) / 1e6;
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4) return BUS_ERROR;
    switch (offset) {
      case 0x00: {
        const t = this.nowNs();
        this.latchedHigh = Number((t >> 32n) & MASK32);
        return Number(t & MASK32);
      }
      case 0x04: return this.latchedHigh;
      case 0x10: return this.irqEnabled ? 1 : 0;
      case 0x18: return this.armed ? 1 : 0;
      default: return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    if (size !== 4) return false;
    const v = value >>> 0;
    switch (offset) {
      case 0x00: {
        const t = (BigInt(this.timeHighNext) << 32n) | BigInt(v);
        this.offsetNs = t - BigInt(Math.floor(this.clockMs() * 1e6));
        return true;
      }
      case 0x04: this.timeHighNext = v; return true;
      case 0x08:
        this.alarmNs = (BigInt(this.alarmHighNext) << 32n) | BigInt(v);
        this.armed = true;
        this.poll();
        return true;
      case 0x0c: this.alarmHighNext = v; return true;
      case 0x10: this.irqEnabled = (v & 1) !== 0; if (!this.irqEnabled) this.setIrq(false); return true;
      case 0x14: this.armed = false; return true;
      case 0x1c: this.setIrq(false); return true;
      default: return true;
    }
  }

  private setIrq(level: boolean): void {
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.irq.set(level);
  }

  save(): Uint8Array {
    return encodeState("goldfish-rtc", 1, {
      // The guest's wall time continues from the host clock on restore; its offset is kept.
      offsetNs: this.offsetNs.toString(), latchedHigh: this.latchedHigh, timeHighNext: this.timeHighNext,
      alarmHighNext: this.alarmHighNext, alarmNs: this.alarmNs.toString(), armed: this.armed,
      irqEnabled: this.irqEnabled, irqLevel: this.irqLevel,
    });
  }

  restore(state: Uint8Array): void {
    const o = decodeState(state, "goldfish-rtc", 1);
    const r = new StateReader("goldfish-rtc", o);
    const big = (f: string) => {
      const x = o[f];
      if (typeof x !== "string" || !/^-?\d{1,20}$/.test(x)) throw new RangeError(`goldfish-rtc: saved state field '${f}' must be a decimal integer`);
      return BigInt(x);
    };
    const offsetNs = big("offsetNs"), alarmNs = big("alarmNs");
    const latchedHigh = r.int("latchedHigh", 0, 0xffffffff), timeHighNext = r.int("timeHighNext", 0, 0xffffffff);
    const alarmHighNext = r.int("alarmHighNext", 0, 0xffffffff);
    const armed = r.bool("armed"), irqEnabled = r.bool("irqEnabled"), irqLevel = r.bool("irqLevel");
    this.offsetNs = offsetNs; this.alarmNs = alarmNs; this.latchedHigh = latchedHigh;
    this.timeHighNext = timeHighNext; this.alarmHighNext = alarmHighNext;
    this.armed = armed; this.irqEnabled = irqEnabled;
    this.setIrq(irqLevel);
  }
}

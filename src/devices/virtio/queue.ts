// One split virtqueue (virtio 1.2 section 2.7): the descriptor table, the driver (available)
// ring and the device (used) ring in guest RAM, at addresses the driver chose. Everything in
// them is distrusted: the rings are checked to lie in RAM when the queue is enabled, an
// available index that runs more than the queue size ahead is a broken driver, and heads are
// checked by the chain walker. Browser-safe.
import { type GuestRam, inRam } from "./memory.js";

export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

export class Virtqueue {
  /** Largest size the device offers (QueueNumMax). */
  readonly max: number;
  size: number;
  ready = false;
  desc = 0;
  driver = 0;
  device = 0;
  /** Next available-ring index the device will take. */
  lastAvail = 0;
  /** The device's used index. */
  usedIdx = 0;
  /** Used index when the driver was last notified (event-idx suppression). */
  private signalledUsed = 0;

  constructor(max: number) { this.max = max; this.size = max; }

  reset(): void {
    this.size = this.max; this.ready = false; this.desc = 0; this.driver = 0; this.device = 0;
    this.lastAvail = 0; this.usedIdx = 0; this.signalledUsed = 0;
  }

  /** Checks the ring layout before the queue goes live (2.7: alignment and sizes). */
  valid(ram: GuestRam): boolean {
    const n = this.size;
    if (n === 0 || n > this.max || (n & (n - 1)) !== 0) return false;
    if (this.desc % 16 !== 0 || this.driver % 2 !== 0 || this.device % 4 !== 0) return false;
    return inRam(ram, this.desc, 16 * n) && inRam(ram, this.driver, 6 + 2 * n) && inRam(ram, this.device, 6 + 8 * n);
  }

  /** Entries the driver made available and the device has not taken; -1 if the index lies. */
  pending(ram: GuestRam): number {
    const availIdx = ram.view.getUint16(this.driver + 2 - ram.base, true);
    const n = (availIdx - this.lastAvail) & 0xffff;
    return n > this.size ? -1 : n;
  }

  /** Takes the next available head (call only when pending() > 0). */
  pop(ram: GuestRam): number {
    const slot = this.lastAvail % this.size;
    const head = ram.view.getUint16(this.driver + 4 + 2 * slot - ram.base, true);
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    return head;
  }

  /** Puts a finished chain in the used ring. */
  push(ram: GuestRam, head: number, len: number): void {
    const slot = this.usedIdx % this.size;
    const e = this.device + 4 + 8 * slot;
    ram.view.setUint32(e - ram.base, head, true);
    ram.view.setUint32(e + 4 - ram.base, len >>> 0, true);
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    ram.view.setUint16(this.device + 2 - ram.base, this.usedIdx, true);
    ram.written(e, 8);
    ram.written(this.device + 2, 2);
  }

  /**
   * Should the driver be interrupted for what was pushed since the last notification? With
   * event-idx, only when used_event (after the available ring) was crossed (2.7.10); otherwise
   * unless the driver set NO_INTERRUPT.
   */
  shouldNotify(ram: GuestRam, eventIdx: boolean): boolean {
    const old = this.signalledUsed, now = this.usedIdx;
    if (old === now) return false;
    this.signalledUsed = now;
    if (eventIdx) {
      const usedEvent = ram.view.getUint16(this.driver + 4 + 2 * this.size - ram.base, true);
      return ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
    }
    return (ram.view.getUint16(this.driver - ram.base, true) & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
  }

  /** With event-idx: tells the driver which available index to notify at (avail_event). */
  setAvailEvent(ram: GuestRam): void {
    const a = this.device + 4 + 8 * this.size;
    ram.view.setUint16(a - ram.base, this.lastAvail, true);
    ram.written(a, 2);
  }

  save(): Record<string, number | boolean> {
    return { size: this.size, ready: this.ready, desc: this.desc, driver: this.driver, device: this.device,
      lastAvail: this.lastAvail, usedIdx: this.usedIdx, signalledUsed: this.signalledUsed };
  }

  restoreFrom(o: { size: number; ready: boolean; desc: number; driver: number; device: number; lastAvail: number; usedIdx: number; signalledUsed: number }): void {
    this.size = o.size; this.ready = o.ready; this.desc = o.desc; this.driver = o.driver; this.device = o.device;
    this.lastAvail = o.lastAvail; this.usedIdx = o.usedIdx; this.signalledUsed = o.signalledUsed;
  }
}

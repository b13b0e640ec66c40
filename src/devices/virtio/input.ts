// virtio-input (virtio 1.2 section 5.8) as a small keyboard: the host presses keys, the guest
// reads evdev events from the eventq. It exists so the host can ask a guest to shut down the
// way a person at the machine would: Ctrl-Alt-Del (Linux's keyboard handler signals init,
// whose ctrlaltdel action runs) or the power key. Events wait in a bounded host-side queue until
// the driver posts buffers; a key sequence is queued whole or not at all (5.8.6.2). The statusq
// (LEDs) is read and ignored. Browser-safe.
import type { VirtioBackend, VirtioTransport } from "./mmio.js";

export const VIRTIO_ID_INPUT = 18;
const EVENTQ = 0, STATUSQ = 1;
const EVENT_BYTES = 8;
const QUEUED_EVENTS_MAX = 256;

// virtio_input_config select values (5.8.4).
const CFG_ID_NAME = 0x01, CFG_ID_SERIAL = 0x02, CFG_ID_DEVIDS = 0x03, CFG_EV_BITS = 0x11;
// Linux evdev codes (include/uapi/linux/input-event-codes.h).
export const EV_SYN = 0, EV_KEY = 1;
const SYN_REPORT = 0;
export const KEY_LEFTCTRL = 29, KEY_LEFTALT = 56, KEY_DELETE = 111, KEY_POWER = 116;
const KEYS = [KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE, KEY_POWER];
const BUS_VIRTUAL = 0x06;
const NAME = "wasmvisor keyboard";

export class VirtioInput implements VirtioBackend {
  readonly name = "input";
  readonly deviceId = VIRTIO_ID_INPUT;
  readonly features = 0n;
  readonly queueSizes = [64, 64];
  private readonly cfg = new Uint8Array(0x88);
  private select = 0;
  private subsel = 0;
  private events: number[] = []; // type, code, value triples
  private readonly ev = new Uint8Array(EVENT_BYTES);
  private readonly evView = new DataView(this.ev.buffer);
  /** Events the guest took from the eventq. */
  delivered = 0;

  constructor() { this.fillConfig(); }

  config(): Uint8Array { return this.cfg; }

  configWrite(offset: number, size: number, value: number): void {
    // Only select (0) and subsel (1) are writable (5.8.5.1); a wider write sets both.
    for (let i = 0; i < size; i++) {
      const o = offset + i, b = (value >>> (8 * i)) & 0xff;
      if (o === 0) this.select = b;
      else if (o === 1) this.subsel = b;
    }
    this.fillConfig();
  }

  reset(): void { this.select = 0; this.subsel = 0; this.events = []; this.fillConfig(); }

  private fillConfig(): void {
    const c = this.cfg;
    c.fill(0);
    c[0] = this.select;
    c[1] = this.subsel;
    const u = c.subarray(8);
    let size = 0;
    if (this.subsel === 0 && (this.select === CFG_ID_NAME || this.select === CFG_ID_SERIAL)) {
      const s = new TextEncoder().encode(this.select === CFG_ID_NAME ? NAME : "0");
      u.set(s);
      size = s.length;
    } else if (this.subsel === 0 && this.select === CFG_ID_DEVIDS) {
      const v = new DataView(c.buffer, 8);
      v.setUint16(0, BUS_VIRTUAL, true); v.setUint16(2, 0, true); v.setUint16(4, 1, true); v.setUint16(6, 1, true);
      size = 8;
    } else if (this.select === CFG_EV_BITS && this.subsel === EV_KEY) {
      for (const k of KEYS) u[k >> 3] |= 1 << (k & 7);
      size = (Math.max(...KEYS) >> 3) + 1;
    } else if (this.select === CFG_EV_BITS && this.subsel === EV_SYN) {
      u[0] = 1 << EV_SYN | 1 << EV_KEY;
      size = 1;
    }
    c[2] = size;
  }

  /** Presses `keys` in order and releases them in reverse, as one input update. */
  press(t: VirtioTransport, keys: number[]): boolean {
    const seq: number[] = [];
    for (const k of keys) seq.push(EV_KEY, k, 1);
    seq.push(EV_SYN, SYN_REPORT, 0);
    for (const k of [...keys].reverse()) seq.push(EV_KEY, k, 0);
    seq.push(EV_SYN, SYN_REPORT, 0);
    if (this.events.length + seq.length > QUEUED_EVENTS_MAX * 3) return false; // dropped whole
    this.events.push(...seq);
    this.fill(t);
    return true;
  }

  get pendingEvents(): number { return this.events.length / 3; }

  process(t: VirtioTransport, q: number): void {
    if (q === STATUSQ) {
      for (;;) { const head = t.next(STATUSQ); if (head < 0) break; t.complete(STATUSQ, head, 0); }
      t.notifyUsed(STATUSQ);
    } else {
      this.fill(t);
    }
  }

  private fill(t: VirtioTransport): void {
    if (!t.live) return;
    let any = false;
    while (this.events.length > 0) {
      const head = t.next(EVENTQ);
      if (head < 0) break;
      if (t.chain.writableBytes < EVENT_BYTES) { t.complete(EVENTQ, head, 0); any = true; continue; } // too small: skipped
      this.evView.setUint16(0, this.events[0], true);
      this.evView.setUint16(2, this.events[1], true);
      this.evView.setUint32(4, this.events[2] >>> 0, true);
      this.events.splice(0, 3);
      t.chain.write(t.ram, 0, this.ev);
      t.complete(EVENTQ, head, EVENT_BYTES);
      this.delivered++;
      any = true;
    }
    if (any) t.notifyUsed(EVENTQ);
  }

  save(): Record<string, unknown> { return { select: this.select, subsel: this.subsel, events: this.events.slice() }; }
  restore(state: Record<string, unknown>): void {
    const { select, subsel, events } = state;
    const byte = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255;
    if (!byte(select) || !byte(subsel) || !Array.isArray(events) || events.length % 3 !== 0 || events.length > QUEUED_EVENTS_MAX * 3 ||
        !events.every((e) => Number.isInteger(e) && e >= 0 && e <= 0xffffffff)) {
      throw new RangeError("virtio-input: saved state is malformed");
    }
    this.select = select as number;
    this.subsel = subsel as number;
    this.events = (events as number[]).slice();
    this.fillConfig();
  }
}

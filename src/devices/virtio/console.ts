// virtio-console (virtio 1.2 section 5.3), one port, no multiport: receiveq0 (0) carries host
// input to the guest, transmitq0 (1) the guest's output. Input waits in a host-side queue until
// the driver posts receive buffers. Linux names it /dev/hvc0. Browser-safe.
import type { VirtioBackend, VirtioTransport } from "./mmio.js";

export const VIRTIO_ID_CONSOLE = 3;
const RX = 0, TX = 1;
const INPUT_LIMIT = 1 << 20;
/** Largest transmit chain accepted (bytes). */
const MAX_TX = 64 * 1024;

export class VirtioConsole implements VirtioBackend {
  readonly name = "console";
  readonly deviceId = VIRTIO_ID_CONSOLE;
  readonly features = 0n;
  readonly queueSizes = [64, 64];
  private readonly cfg = new Uint8Array(12);
  private input: number[] = [];
  private transport: VirtioTransport | undefined;

  constructor(private readonly output: (bytes: Uint8Array) => void) {
    const v = new DataView(this.cfg.buffer);
    v.setUint16(0, 80, true); v.setUint16(2, 25, true); v.setUint32(4, 1, true);
  }

  config(): Uint8Array { return this.cfg; }
  reset(): void {}

  /** Host input for the guest. */
  receive(t: VirtioTransport, bytes: Uint8Array): void {
    for (const b of bytes) this.input.push(b);
    // Unread input is bounded: the oldest goes first past 1 MiB (the guest may not listen).
    if (this.input.length > INPUT_LIMIT) this.input = this.input.slice(this.input.length - INPUT_LIMIT);
    this.transport = t;
    this.fill(t);
  }

  get pendingInput(): number { return this.input.length; }

  process(t: VirtioTransport, q: number): void {
    this.transport = t;
    if (q === TX) {
      for (;;) {
        const head = t.next(TX);
        if (head < 0) break;
        const n = Math.min(t.chain.readableBytes, MAX_TX);
        const out = new Uint8Array(n);
        t.chain.read(t.ram, 0, out);
        this.output(out);
        t.complete(TX, head, 0);
      }
      t.notifyUsed(TX);
    } else {
      this.fill(t);
    }
  }

  private fill(t: VirtioTransport): void {
    let any = false;
    while (this.input.length > 0) {
      const head = t.next(RX);
      if (head < 0) break;
      const n = Math.min(t.chain.writableBytes, this.input.length);
      const chunk = Uint8Array.from(this.input.slice(0, n));
      this.input = this.input.slice(n);
      t.chain.write(t.ram, 0, chunk);
      t.complete(RX, head, n);
      any = true;
    }
    if (any) t.notifyUsed(RX);
  }

  save(): Record<string, unknown> { return { input: this.input.slice(0, 1 << 16) }; }
  restore(state: Record<string, unknown>): void {
    const x = state.input;
    if (!Array.isArray(x) || x.length > 1 << 16 || !x.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
      throw new RangeError("virtio-console: saved input must be an array of bytes");
    }
    this.input = x.slice() as number[];
  }
}

// virtio-net (virtio 1.2 section 5.1), one queue pair, the MAC from the VM's configuration
// (VIRTIO_NET_F_MAC). No mergeable receive buffers, no checksum or segmentation offload: every
// frame is whole and fully checksummed in one receive buffer of at least 1526 bytes, after the
// 12-byte virtio_net_hdr (num_buffers = 1). Transmitted frames go to `send` (a switch port);
// received ones wait in a bounded host-side queue until the driver posts buffers. A frame
// shorter than an Ethernet header or longer than 1518 bytes (1514 + a VLAN tag) is dropped and
// counted, never forwarded; a malformed chain is the transport's business (NEEDS_RESET).
// Browser-safe.
import { RateLimiter, type RateLimiterConfig } from "../rate-limiter.js";
import type { VirtioBackend, VirtioTransport } from "./mmio.js";

export const VIRTIO_ID_NET = 1;
export const VIRTIO_NET_F_MAC = 5n;
const RX = 0, TX = 1;
export const NET_HDR_BYTES = 12;
export const MIN_FRAME = 14;
export const MAX_FRAME = 1518;
const RX_QUEUE_FRAMES = 256;

export interface NetStats {
  txFrames: number; txBytes: number; rxFrames: number; rxBytes: number;
  /** Frames the guest sent that were too short or too long. */
  txErrors: number;
  /** Frames for the guest dropped: its queue was full, or its buffer too small. */
  rxDropped: number;
}

export class VirtioNet implements VirtioBackend {
  readonly name = "net";
  readonly deviceId = VIRTIO_ID_NET;
  readonly features = 1n << VIRTIO_NET_F_MAC;
  readonly queueSizes = [256, 256];
  private readonly cfg = new Uint8Array(8);
  private queue: Uint8Array[] = [];
  private readonly hdr = new Uint8Array(NET_HDR_BYTES);
  private transport: VirtioTransport | undefined;
  readonly stats: NetStats = { txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0, txErrors: 0, rxDropped: 0 };

  private readonly rxLimit: RateLimiter | undefined;
  private readonly txLimit: RateLimiter | undefined;
  /** A frame the guest sent, held back by the transmit limit (its chain not yet completed). */
  private heldTx: { head: number; frame: Uint8Array } | undefined;
  private retryAt = Infinity;

  constructor(readonly mac: Uint8Array, private readonly send: (frame: Uint8Array) => void, limits: { rx?: RateLimiterConfig; tx?: RateLimiterConfig } = {}) {
    this.rxLimit = limits.rx && new RateLimiter(limits.rx);
    this.txLimit = limits.tx && new RateLimiter(limits.tx);
    if (mac.length !== 6) throw new RangeError("virtio-net: a MAC address has 6 bytes");
    this.cfg.set(mac);
    this.cfg[6] = 1; // status: link up (read only with VIRTIO_NET_F_STATUS, which is not offered)
    new DataView(this.hdr.buffer).setUint16(10, 1, true); // num_buffers
  }

  config(): Uint8Array { return this.cfg; }
  reset(): void { this.queue = []; this.heldTx = undefined; this.retryAt = Infinity; }

  /** A frame for the guest (from the switch). */
  receive(frame: Uint8Array): void {
    if (this.queue.length >= RX_QUEUE_FRAMES) { this.stats.rxDropped++; return; }
    this.queue.push(frame);
    if (this.transport) this.fill(this.transport);
  }

  /** Frames waiting for the driver's buffers. */
  get pendingFrames(): number { return this.queue.length; }

  process(t: VirtioTransport, q: number): void {
    this.transport = t;
    if (q === TX) this.transmit(t);
    else this.fill(t);
  }

  private transmit(t: VirtioTransport): void {
    let any = false;
    for (;;) {
      let held = this.heldTx;
      if (!held) {
        const head = t.next(TX);
        if (head < 0) break;
        const n = t.chain.readableBytes - NET_HDR_BYTES;
        if (n < MIN_FRAME || n > MAX_FRAME) {
          this.stats.txErrors++;
          t.complete(TX, head, 0);
          any = true;
          continue;
        }
        const frame = new Uint8Array(n);
        t.chain.read(t.ram, NET_HDR_BYTES, frame);
        held = { head, frame };
      }
      if (this.txLimit && !this.txLimit.consume(held.frame.length)) { // wait for tokens
        this.heldTx = held;
        this.retryAt = Math.min(this.retryAt, performance.now() + this.txLimit.waitMs(held.frame.length));
        break;
      }
      this.heldTx = undefined;
      this.stats.txFrames++;
      this.stats.txBytes += held.frame.length;
      this.send(held.frame);
      t.complete(TX, held.head, 0);
      any = true;
    }
    if (any) t.notifyUsed(TX);
  }

  poll(t: VirtioTransport): number {
    if (this.retryAt === Infinity) return Infinity;
    const now = performance.now();
    if (now < this.retryAt) return this.retryAt - now;
    this.retryAt = Infinity;
    this.transmit(t);
    this.fill(t);
    return this.retryAt === Infinity ? Infinity : Math.max(0, this.retryAt - performance.now());
  }

  private fill(t: VirtioTransport): void {
    let any = false;
    while (this.queue.length > 0) {
      const size = this.queue[0].length;
      if (this.rxLimit && !this.rxLimit.allows(size)) {
        this.retryAt = Math.min(this.retryAt, performance.now() + this.rxLimit.waitMs(size));
        break;
      }
      const head = t.next(RX);
      if (head < 0) break;
      this.rxLimit?.take(size);
      const frame = this.queue.shift()!;
      if (t.chain.writableBytes < NET_HDR_BYTES + frame.length) {
        this.stats.rxDropped++;
        t.complete(RX, head, 0);
      } else {
        t.chain.write(t.ram, 0, this.hdr);
        t.chain.write(t.ram, NET_HDR_BYTES, frame);
        t.complete(RX, head, NET_HDR_BYTES + frame.length);
        this.stats.rxFrames++;
        this.stats.rxBytes += frame.length;
      }
      any = true;
    }
    if (any) t.notifyUsed(RX);
  }

  save(): Record<string, unknown> { return { queue: this.queue.slice(0, 64).map((f) => Array.from(f)) }; }
  restore(state: Record<string, unknown>): void {
    const q = state.queue;
    if (!Array.isArray(q) || q.length > 64 || !q.every((f) => Array.isArray(f) && f.length >= MIN_FRAME && f.length <= MAX_FRAME &&
        f.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))) {
      throw new RangeError("virtio-net: saved receive queue is malformed");
    }
    this.queue = q.map((f) => Uint8Array.from(f as number[]));
  }
}

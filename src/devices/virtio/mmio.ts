// The virtio-mmio transport, version 2 (virtio 1.2 section 4.2.2), shared by every virtio
// device: identification, 64-bit feature negotiation in 32-bit windows, per-queue setup,
// notification, the interrupt status and device status registers, and the device-specific
// configuration space at 0x100. The transport adds VERSION_1, RING_EVENT_IDX and
// RING_INDIRECT_DESC to what the device offers. A driver that breaks the rules (a queue outside
// RAM, a lying ring index, a malformed chain) gets DEVICE_NEEDS_RESET, never a host fault.
// Only 32-bit aligned accesses are valid below 0x100 (4.2.2.2); others are bus errors.
// Browser-safe.
import { BUS_ERROR, type AccessSize, type Device, type IrqLine } from "../device.js";
import { StateReader, decodeState, encodeState } from "../state.js";
import { Chain, ChainError, CHAIN_ERROR_TEXT } from "./chain.js";
import type { GuestRam } from "./memory.js";
import { Virtqueue } from "./queue.js";

export const VIRTIO_MMIO_SIZE = 0x1000;
const MAGIC = 0x74726976; // "virt"
const VENDOR = 0x554d4551; // "QEMU": drivers know it; no vendor-specific behaviour is implied

export const VIRTIO_F_RING_INDIRECT_DESC = 28n;
export const VIRTIO_F_RING_EVENT_IDX = 29n;
export const VIRTIO_F_VERSION_1 = 32n;

// Device status bits (2.1).
export const STATUS_ACKNOWLEDGE = 1;
export const STATUS_DRIVER = 2;
export const STATUS_DRIVER_OK = 4;
export const STATUS_FEATURES_OK = 8;
export const STATUS_NEEDS_RESET = 64;
export const STATUS_FAILED = 128;

export const INT_USED_BUFFER = 1;
export const INT_CONFIG_CHANGE = 2;

/** What a device type (blk, console, rng, ...) gives the transport. */
export interface VirtioBackend {
  readonly name: string;
  readonly deviceId: number;
  /** Device-specific feature bits offered. */
  readonly features: bigint;
  /** QueueNumMax of each queue. */
  readonly queueSizes: readonly number[];
  /** Configuration space bytes (read through the transport at 0x100; the device keeps it current). */
  config(): Uint8Array;
  /** A driver write to the configuration space; most devices ignore it. */
  configWrite?(offset: number, size: number, value: number): void;
  /** The driver notified queue `q` (or the transport re-polls after input): process it. */
  process(t: VirtioTransport, q: number): void;
  /** Device-side reset (the transport resets itself and the queues). */
  reset(): void;
  save?(): Record<string, unknown>;
  restore?(state: Record<string, unknown>): void;
  /**
   * Between slices: a device holding work back (a rate limit) serves what it now may, and
   * returns ms until it wants to be asked again (Infinity: nothing held).
   */
  poll?(t: VirtioTransport): number;
}

export class VirtioTransport implements Device {
  readonly size = VIRTIO_MMIO_SIZE;
  readonly queues: Virtqueue[];
  readonly chain = new Chain();
  private status = 0;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private driverFeatures = 0n;
  private queueSel = 0;
  private interruptStatus = 0;
  private configGeneration = 0;
  /** Why the device last went to NEEDS_RESET (for logs and tests). */
  lastError = "";
  /** Requests completed, by queue. */
  readonly completed: number[];

  constructor(readonly backend: VirtioBackend, readonly ram: GuestRam, private readonly irq: IrqLine) {
    this.queues = backend.queueSizes.map((n) => new Virtqueue(n));
    this.completed = backend.queueSizes.map(() => 0);
  }

  /** All features offered: the device's and the transport's. */
  get offered(): bigint { return this.backend.features | (1n << VIRTIO_F_VERSION_1) | (1n << VIRTIO_F_RING_EVENT_IDX) | (1n << VIRTIO_F_RING_INDIRECT_DESC); }
  get negotiated(): bigint { return this.driverFeatures; }
  has(bit: bigint): boolean { return ((this.driverFeatures >> bit) & 1n) === 1n; }
  /** The driver finished setup and the device has not failed: queues may be processed. */
  get live(): boolean { return (this.status & STATUS_DRIVER_OK) !== 0 && (this.status & STATUS_NEEDS_RESET) === 0; }
  get deviceStatus(): number { return this.status; }

  reset(): void {
    this.status = 0; this.deviceFeaturesSel = 0; this.driverFeaturesSel = 0; this.driverFeatures = 0n;
    this.queueSel = 0; this.lastError = "";
    for (const q of this.queues) q.reset();
    this.backend.reset();
    this.setInterrupt(0);
  }

  /** The device broke off: the driver must reset it (2.1.2). */
  fail(why: string): void {
    this.lastError = why;
    if (this.status & STATUS_NEEDS_RESET) return;
    this.status |= STATUS_NEEDS_RESET;
    if (this.status & STATUS_DRIVER_OK) this.setInterrupt(this.interruptStatus | INT_CONFIG_CHANGE);
  }

  /**
   * Takes the next available chain of queue `q`, walked and checked into `this.chain`.
   * Returns its head, -1 when the queue is empty, -2 when the device failed.
   */
  next(q: number): number {
    const vq = this.queues[q];
    if (!this.live || !vq.ready) return -1;
    const n = vq.pending(this.ram);
    if (n < 0) { this.fail(`queue ${q}: available index runs ahead of the queue size`); return -2; }
    if (n === 0) {
      if (this.has(VIRTIO_F_RING_EVENT_IDX)) vq.setAvailEvent(this.ram);
      return -1;
    }
    const head = vq.pop(this.ram);
    const err = this.chain.walk(this.ram, vq.desc, vq.size, head);
    if (err !== ChainError.None) {
      this.fail(`queue ${q}: ${CHAIN_ERROR_TEXT[err]}`);
      return -2;
    }
    return head;
  }

  /**
   * Walks chain `head` of queue `q` into `this.chain` again: for a chain a device took with
   * next() and held back (a rate limit) before serving it. False (the device failed) when it is
   * malformed now.
   */
  rewalk(q: number, head: number): boolean {
    const vq = this.queues[q];
    const err = this.chain.walk(this.ram, vq.desc, vq.size, head);
    if (err !== ChainError.None) { this.fail(`queue ${q}: ${CHAIN_ERROR_TEXT[err]}`); return false; }
    return true;
  }

  /** Completes chain `head` of queue `q` with `len` bytes written; interrupts if the driver wants. */
  complete(q: number, head: number, len: number): void {
    const vq = this.queues[q];
    vq.push(this.ram, head, len);
    this.completed[q]++;
  }

  /** After a batch of complete(): raise the used-buffer interrupt unless suppressed. */
  notifyUsed(q: number): void {
    if (this.queues[q].shouldNotify(this.ram, this.has(VIRTIO_F_RING_EVENT_IDX))) {
      this.setInterrupt(this.interruptStatus | INT_USED_BUFFER);
    }
  }

  /** The device's configuration changed (e.g. a resize): tell the driver. */
  configChanged(): void {
    this.configGeneration = (this.configGeneration + 1) >>> 0;
    if (this.status & STATUS_DRIVER_OK) this.setInterrupt(this.interruptStatus | INT_CONFIG_CHANGE);
  }

  private setInterrupt(v: number): void {
    const was = this.interruptStatus !== 0;
    this.interruptStatus = v;
    if ((v !== 0) !== was) this.irq.set(v !== 0);
  }

  read(offset: number, size: AccessSize): number {
    if (offset >= 0x100) {
      const cfg = this.backend.config();
      const o = offset - 0x100;
      if (size === 8 || o + size > cfg.length) return o + size > cfg.length ? 0 : BUS_ERROR;
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + cfg[o + i];
      return v;
    }
    if (size !== 4 || (offset & 3) !== 0) return BUS_ERROR;
    const vq = this.queues[this.queueSel];
    switch (offset) {
      case 0x000: return MAGIC;
      case 0x004: return 2;
      case 0x008: return this.backend.deviceId;
      case 0x00c: return VENDOR;
      case 0x010: return this.deviceFeaturesSel > 1 ? 0 : Number((this.offered >> BigInt(32 * this.deviceFeaturesSel)) & 0xffffffffn);
      case 0x034: return vq ? vq.max : 0;
      case 0x044: return vq && vq.ready ? 1 : 0;
      case 0x060: return this.interruptStatus;
      case 0x070: return this.status;
      case 0x0fc: return this.configGeneration;
      // Queue addresses read back as written; shared memory regions: none (length -1).
      case 0x080: return vq ? vq.desc % 2 ** 32 : 0;
      case 0x084: return vq ? Math.floor(vq.desc / 2 ** 32) : 0;
      case 0x090: return vq ? vq.driver % 2 ** 32 : 0;
      case 0x094: return vq ? Math.floor(vq.driver / 2 ** 32) : 0;
      case 0x0a0: return vq ? vq.device % 2 ** 32 : 0;
      case 0x0a4: return vq ? Math.floor(vq.device / 2 ** 32) : 0;
      case 0x0b0: case 0x0b4: return 0xffffffff;
      case 0x0c0: return 0;
      default: return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    if (offset >= 0x100) {
      if (size === 8) return false;
      this.backend.configWrite?.(offset - 0x100, size, value >>> 0);
      return true;
    }
    if (size !== 4 || (offset & 3) !== 0) return false;
    const v = value >>> 0;
    const vq = this.queues[this.queueSel];
    switch (offset) {
      case 0x014: this.deviceFeaturesSel = v; return true;
      case 0x020:
        if (this.driverFeaturesSel <= 1 && !(this.status & STATUS_FEATURES_OK)) {
          const sh = BigInt(32 * this.driverFeaturesSel);
          this.driverFeatures = (this.driverFeatures & ~(0xffffffffn << sh)) | (BigInt(v) << sh);
        }
        return true;
      case 0x024: this.driverFeaturesSel = v; return true;
      case 0x030: this.queueSel = v; return true;
      case 0x038: if (vq && !vq.ready) vq.size = v; return true;
      case 0x044:
        if (!vq) return true;
        if (v & 1) {
          if (!vq.valid(this.ram)) { this.fail(`queue ${this.queueSel}: rings outside RAM, misaligned or bad size ${vq.size}`); return true; }
          vq.ready = true;
        } else {
          vq.ready = false;
        }
        return true;
      case 0x050:
        if (v < this.queues.length && this.live && this.queues[v].ready) this.backend.process(this, v);
        return true;
      case 0x064: this.setInterrupt(this.interruptStatus & ~v); return true;
      case 0x070: this.writeStatus(v); return true;
      case 0x080: if (vq && !vq.ready) vq.desc = lo(vq.desc, v); return true;
      case 0x084: if (vq && !vq.ready) vq.desc = hi(vq.desc, v); return true;
      case 0x090: if (vq && !vq.ready) vq.driver = lo(vq.driver, v); return true;
      case 0x094: if (vq && !vq.ready) vq.driver = hi(vq.driver, v); return true;
      case 0x0a0: if (vq && !vq.ready) vq.device = lo(vq.device, v); return true;
      case 0x0a4: if (vq && !vq.ready) vq.device = hi(vq.device, v); return true;
      case 0x0ac: return true; // SHMSel: no shared memory regions
      case 0x0c0: if (vq && (v & 1)) vq.reset(); return true;
      default: return true; // read-only registers ignore writes
    }
  }

  private writeStatus(v: number): void {
    if (v === 0) { this.reset(); return; }
    let next = v & 0xff;
    if ((next & STATUS_FEATURES_OK) && !(this.status & STATUS_FEATURES_OK)) {
      // The driver may only accept what was offered, and must accept VERSION_1 (6.1).
      const ok = (this.driverFeatures & ~this.offered) === 0n && this.has(VIRTIO_F_VERSION_1);
      if (!ok) next &= ~STATUS_FEATURES_OK;
    }
    next |= this.status & STATUS_NEEDS_RESET; // only a reset clears it
    this.status = next;
  }

  save(): Uint8Array {
    return encodeState(`virtio-${this.backend.name}`, 1, {
      status: this.status, deviceFeaturesSel: this.deviceFeaturesSel, driverFeaturesSel: this.driverFeaturesSel,
      driverFeatures: this.driverFeatures.toString(), queueSel: this.queueSel, interruptStatus: this.interruptStatus,
      configGeneration: this.configGeneration, queues: this.queues.map((q) => q.save()),
      backend: this.backend.save?.() ?? {},
    });
  }

  restore(state: Uint8Array): void {
    const name = `virtio-${this.backend.name}`;
    const o = decodeState(state, name, 1);
    const r = new StateReader(name, o);
    const status = r.int("status", 0, 0xff);
    const dfs = r.int("deviceFeaturesSel", 0, 0xffffffff), drs = r.int("driverFeaturesSel", 0, 0xffffffff);
    if (typeof o.driverFeatures !== "string" || !/^\d{1,20}$/.test(o.driverFeatures)) throw new RangeError(`${name}: saved driverFeatures is not a number`);
    const features = BigInt(o.driverFeatures);
    if ((features & ~this.offered) !== 0n) throw new RangeError(`${name}: saved features were not offered by this device`);
    const queueSel = r.int("queueSel", 0, 0xffffffff), intr = r.int("interruptStatus", 0, 3);
    const gen = r.int("configGeneration", 0, 0xffffffff);
    const qs = r.array("queues", this.queues.length);
    if (qs.length !== this.queues.length) throw new RangeError(`${name}: saved state has ${qs.length} queues, the device ${this.queues.length}`);
    const parsed = qs.map((q, i) => {
      const qr = new StateReader(`${name} queue ${i}`, q as Record<string, unknown>);
      const p = {
        size: qr.int("size", 1, this.queues[i].max), ready: qr.bool("ready"), desc: qr.int("desc", 0, 2 ** 53),
        driver: qr.int("driver", 0, 2 ** 53), device: qr.int("device", 0, 2 ** 53), lastAvail: qr.int("lastAvail", 0, 0xffff),
        usedIdx: qr.int("usedIdx", 0, 0xffff), signalledUsed: qr.int("signalledUsed", 0, 0xffff),
      };
      const probe = new Virtqueue(this.queues[i].max);
      probe.restoreFrom(p);
      if (p.ready && !probe.valid(this.ram)) throw new RangeError(`${name}: saved queue ${i} lies outside this machine's RAM`);
      return p;
    });
    const backend = r.object("backend");
    this.backend.restore?.(backend);
    this.status = status; this.deviceFeaturesSel = dfs; this.driverFeaturesSel = drs; this.driverFeatures = features;
    this.queueSel = queueSel; this.configGeneration = gen;
    parsed.forEach((p, i) => this.queues[i].restoreFrom(p));
    this.interruptStatus = intr;
    this.irq.set(intr !== 0);
  }
}

function lo(old: number, v: number): number { return Math.floor(old / 2 ** 32) * 2 ** 32 + v; }
// An address past 2^53 cannot be in RAM: keep it invalid rather than let it alias a low one.
function hi(old: number, v: number): number { return v > 0x1fffff ? 2 ** 53 : v * 2 ** 32 + (old % 2 ** 32); }

// The platform-level interrupt controller (SiFive PLIC, "riscv,plic0", as on QEMU `virt`):
// 95 level-triggered sources (1..95), priorities 0..7, and two contexts for hart 0 (0 = M-mode,
// driving MEIP; 1 = S-mode, driving SEIP), each with enable bits, a priority threshold and a
// claim/complete register. Register map (RISC-V PLIC specification 1.0.0, chapter 4):
//   0x000000 + 4*id         priority of source id
//   0x001000 + 4*(id/32)    pending bits (read-only)
//   0x002000 + 0x80*ctx     enable bits of context ctx
//   0x200000 + 0x1000*ctx   priority threshold; +4 claim (read) / complete (write)
// Gateways: a source becomes pending when its line is high and it is not in service; a claim
// clears pending and puts it in service; a completion ends service (and a line still high
// makes it pending again). Browser-safe.
import { BUS_ERROR, type AccessSize, type Device, type IrqLine } from "./device.js";
import { StateReader, decodeState, encodeState } from "./state.js";

export const PLIC_SOURCES = 96; // ids 0..95; 0 means "no interrupt"
export const PLIC_CONTEXTS = 2;
export const PLIC_SIZE = 0x600000;
const MAX_PRIORITY = 7;
const WORDS = PLIC_SOURCES / 32;
const PENDING = 0x1000;
const ENABLE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT = 0x200000;
const CONTEXT_STRIDE = 0x1000;

export class Plic implements Device {
  readonly size = PLIC_SIZE;
  private priority = new Uint8Array(PLIC_SOURCES);
  private level = new Uint8Array(PLIC_SOURCES);
  private pending = new Uint8Array(PLIC_SOURCES);
  private inService = new Uint8Array(PLIC_SOURCES);
  private enable = new Uint32Array(PLIC_CONTEXTS * WORDS);
  private threshold = new Uint8Array(PLIC_CONTEXTS);
  private outputs = [false, false];

  /** `notify(context, level)` drives the hart's MEIP (context 0) or SEIP (context 1). */
  constructor(private readonly notify: (context: number, level: boolean) => void) {}

  /** The interrupt line of source `irq` (1..95), for a device to drive. */
  line(irq: number): IrqLine {
    if (!Number.isInteger(irq) || irq < 1 || irq >= PLIC_SOURCES) throw new RangeError(`plic: no source ${irq}`);
    return { irq, set: (lv: boolean) => this.setLevel(irq, lv) };
  }

  setLevel(irq: number, high: boolean): void {
    const v = high ? 1 : 0;
    if (this.level[irq] === v) return;
    this.level[irq] = v;
    if (high && !this.inService[irq]) this.pending[irq] = 1;
    // A level source whose line drops before it is claimed is no longer pending.
    if (!high) this.pending[irq] = 0;
    this.update();
  }

  /** The current level of the context outputs. */
  output(context: number): boolean { return this.outputs[context]; }

  reset(): void {
    this.priority.fill(0); this.pending.fill(0); this.inService.fill(0);
    this.enable.fill(0); this.threshold.fill(0);
    for (let i = 1; i < PLIC_SOURCES; i++) if (this.level[i]) this.pending[i] = 1;
    this.update();
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4 || (offset & 3) !== 0) return BUS_ERROR;
    if (offset < PENDING) {
      const id = offset >> 2;
      return id < PLIC_SOURCES ? this.priority[id] : 0;
    }
    if (offset < ENABLE) {
      const w = (offset - PENDING) >> 2;
      return w < WORDS ? this.bits(this.pending, w) : 0;
    }
    if (offset < CONTEXT) {
      const ctx = Math.floor((offset - ENABLE) / ENABLE_STRIDE);
      const w = ((offset - ENABLE) % ENABLE_STRIDE) >> 2;
      return ctx < PLIC_CONTEXTS && w < WORDS ? this.enable[ctx * WORDS + w] : 0;
    }
    const ctx = Math.floor((offset - CONTEXT) / CONTEXT_STRIDE);
    const reg = (offset - CONTEXT) % CONTEXT_STRIDE;
    if (ctx >= PLIC_CONTEXTS) return 0;
    if (reg === 0) return this.threshold[ctx];
    if (reg === 4) return this.claim(ctx);
    return 0;
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    if (size !== 4 || (offset & 3) !== 0) return false;
    if (offset < PENDING) {
      const id = offset >> 2;
      if (id > 0 && id < PLIC_SOURCES) { this.priority[id] = Math.min(value >>> 0, MAX_PRIORITY); this.update(); }
      return true;
    }
    if (offset < ENABLE) return true; // pending bits are read-only
    if (offset < CONTEXT) {
      const ctx = Math.floor((offset - ENABLE) / ENABLE_STRIDE);
      const w = ((offset - ENABLE) % ENABLE_STRIDE) >> 2;
      if (ctx < PLIC_CONTEXTS && w < WORDS) {
        this.enable[ctx * WORDS + w] = w === 0 ? (value & ~1) >>> 0 : value >>> 0; // source 0 does not exist
        this.update();
      }
      return true;
    }
    const ctx = Math.floor((offset - CONTEXT) / CONTEXT_STRIDE);
    const reg = (offset - CONTEXT) % CONTEXT_STRIDE;
    if (ctx >= PLIC_CONTEXTS) return true;
    if (reg === 0) { this.threshold[ctx] = Math.min(value >>> 0, MAX_PRIORITY); this.update(); }
    else if (reg === 4) this.complete(ctx, value >>> 0);
    return true;
  }

  private bits(a: Uint8Array, word: number): number {
    let v = 0;
    for (let b = 0; b < 32; b++) if (a[word * 32 + b]) v |= 1 << b;
    return v >>> 0;
  }

  private enabled(ctx: number, id: number): boolean {
    return ((this.enable[ctx * WORDS + (id >> 5)] >>> (id & 31)) & 1) !== 0;
  }

  /** The pending, enabled source of highest priority above the threshold (lowest id on ties), or 0. */
  private best(ctx: number): number {
    let best = 0, bestPri = this.threshold[ctx];
    for (let id = 1; id < PLIC_SOURCES; id++) {
      if (this.pending[id] && this.priority[id] > bestPri && this.enabled(ctx, id)) {
        best = id; bestPri = this.priority[id];
      }
    }
    return best;
  }

  private claim(ctx: number): number {
    const id = this.best(ctx);
    if (id !== 0) {
      this.pending[id] = 0;
      this.inService[id] = 1;
      this.update();
    }
    return id;
  }

  private complete(ctx: number, id: number): void {
    // A completion for a source not enabled in this context is ignored (PLIC spec 1.0.0, 7).
    if (id === 0 || id >= PLIC_SOURCES || !this.enabled(ctx, id)) return;
    this.inService[id] = 0;
    if (this.level[id]) this.pending[id] = 1;
    this.update();
  }

  private update(): void {
    for (let ctx = 0; ctx < PLIC_CONTEXTS; ctx++) {
      const out = this.best(ctx) !== 0;
      if (out !== this.outputs[ctx]) {
        this.outputs[ctx] = out;
        this.notify(ctx, out);
      }
    }
  }

  save(): Uint8Array {
    return encodeState("plic", 1, {
      priority: Array.from(this.priority), level: Array.from(this.level), pending: Array.from(this.pending),
      inService: Array.from(this.inService), enable: Array.from(this.enable), threshold: Array.from(this.threshold),
    });
  }

  restore(state: Uint8Array): void {
    const r = new StateReader("plic", decodeState(state, "plic", 1));
    const priority = r.ints("priority", PLIC_SOURCES, 0, MAX_PRIORITY);
    const level = r.ints("level", PLIC_SOURCES, 0, 1);
    const pending = r.ints("pending", PLIC_SOURCES, 0, 1);
    const inService = r.ints("inService", PLIC_SOURCES, 0, 1);
    const enable = r.ints("enable", PLIC_CONTEXTS * WORDS, 0, 0xffffffff);
    const threshold = r.ints("threshold", PLIC_CONTEXTS, 0, MAX_PRIORITY);
    this.priority.set(priority); this.level.set(level); this.pending.set(pending);
    this.inService.set(inService); this.enable.set(enable); this.threshold.set(threshold);
    this.update();
  }
}

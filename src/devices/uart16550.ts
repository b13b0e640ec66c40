// An NS16550A UART as QEMU `virt` has it (physical 0x10000000, 0x100 bytes, registers at a
// byte stride, every access reaching register `offset & 7`): receive and transmit FIFOs of
// 16 bytes, the divisor latch behind LCR.DLAB, the modem control/status pair with loopback,
// and one interrupt output. Transmission is instantaneous: THR is always empty again by the
// time the guest looks (LSR.THRE and LSR.TEMT stay set), and every written byte goes to
// `onTx` at once. Received bytes wait in an unbounded host-side queue and move into the
// receive FIFO as it has room, so input is never lost (no overrun from the host side).
// Browser-safe: no Node APIs.
import { BUS_ERROR, type AccessSize, type Device } from "./device.js";

export const UART16550_BASE = 0x1000_0000;
export const UART16550_SIZE = 0x100;

// Register offsets.
export const UART_RBR = 0; // read, DLAB = 0
export const UART_THR = 0; // write, DLAB = 0
export const UART_DLL = 0; // DLAB = 1
export const UART_IER = 1; // DLAB = 0
export const UART_DLM = 1; // DLAB = 1
export const UART_IIR = 2; // read
export const UART_FCR = 2; // write
export const UART_LCR = 3;
export const UART_MCR = 4;
export const UART_LSR = 5;
export const UART_MSR = 6;
export const UART_SCR = 7;

// IER bits.
export const IER_RDI = 0x01; // received data available
export const IER_THRI = 0x02; // transmitter holding register empty
export const IER_RLSI = 0x04; // receiver line status
export const IER_MSI = 0x08; // modem status

// IIR values (bits 3:0) and the FIFO-enabled bits.
export const IIR_NONE = 0x01;
export const IIR_RLS = 0x06;
export const IIR_RDA = 0x04;
export const IIR_CTI = 0x0c;
export const IIR_THRE = 0x02;
export const IIR_MSI = 0x00;
export const IIR_FIFO = 0xc0;

// FCR bits.
export const FCR_ENABLE = 0x01;
export const FCR_CLEAR_RX = 0x02;
export const FCR_CLEAR_TX = 0x04;

export const LCR_DLAB = 0x80;

// MCR bits.
export const MCR_DTR = 0x01;
export const MCR_RTS = 0x02;
export const MCR_OUT1 = 0x04;
export const MCR_OUT2 = 0x08;
export const MCR_LOOP = 0x10;

// LSR bits.
export const LSR_DR = 0x01;
export const LSR_OE = 0x02;
export const LSR_PE = 0x04;
export const LSR_FE = 0x08;
export const LSR_BI = 0x10;
export const LSR_THRE = 0x20;
export const LSR_TEMT = 0x40;
export const LSR_FIFO_ERR = 0x80;
const LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

// MSR bits: deltas in 3:0, lines in 7:4.
export const MSR_DCTS = 0x01;
export const MSR_DDSR = 0x02;
export const MSR_TERI = 0x04;
export const MSR_DDCD = 0x08;
export const MSR_CTS = 0x10;
export const MSR_DSR = 0x20;
export const MSR_RI = 0x40;
export const MSR_DCD = 0x80;

const FIFO_SIZE = 16;
/** Unread host input kept at most (bytes). */
export const INPUT_LIMIT = 1 << 20;
const TRIGGER = [1, 4, 8, 14];
const STATE_VERSION = 1;

export interface Uart16550Options {
  /** Called with every transmitted byte (not in loopback mode). */
  onTx?: (byte: number) => void;
  /** Called when the interrupt output changes level. */
  onIrq?: (level: boolean) => void;
}

export class Uart16550 implements Device {
  readonly size = UART16550_SIZE;
  private onTx: (byte: number) => void;
  private onIrq: (level: boolean) => void;

  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private dll = 0;
  private dlm = 0;
  private fifoEnabled = false;
  private trigger = 1;
  /** OE, PE, FE, BI: sticky until LSR is read. */
  private lsrErrors = 0;
  /** MSR delta bits, cleared when MSR is read. */
  private msrDeltas = 0;
  /** The THR-empty interrupt is pending (set when THR empties, cleared by an IIR read or a THR write). */
  private thrPending = false;
  private rxFifo: number[] = [];
  /** Host input not yet in the receive FIFO. */
  private hostQueue: number[] = [];
  private hostHead = 0;
  private irqLevel = false;

  constructor(options: Uart16550Options = {}) {
    this.onTx = options.onTx ?? (() => {});
    this.onIrq = options.onIrq ?? (() => {});
  }

  /** The current level of the interrupt output. */
  get irq(): boolean { return this.irqLevel; }

  /** Host bytes still waiting for room in the receive FIFO. */
  get pendingInput(): number { return this.hostQueue.length - this.hostHead; }

  /** Queues bytes the guest will read from RBR. */
  receive(bytes: Uint8Array | readonly number[]): void {
    for (const b of bytes) this.hostQueue.push(b & 0xff);
    // A guest that never reads this UART (e.g. one using another console) must not make the
    // host keep its input forever: past INPUT_LIMIT unread bytes the oldest are dropped.
    if (this.hostQueue.length - this.hostHead > INPUT_LIMIT) {
      this.hostQueue = this.hostQueue.slice(this.hostQueue.length - INPUT_LIMIT);
      this.hostHead = 0;
      this.droppedInput++;
    }
    this.refill();
    this.update();
  }

  /** Times unread host input was dropped past INPUT_LIMIT. */
  droppedInput = 0;

  /** A break condition on the line: a zero byte with LSR.BI. */
  sendBreak(): void {
    if (this.rxFifo.length < this.capacity()) this.rxFifo.push(0);
    else this.lsrErrors |= LSR_OE;
    this.lsrErrors |= LSR_BI;
    this.update();
  }

  /** Power-on state (input queue and callbacks are kept). */
  reset(): void {
    this.ier = 0; this.lcr = 0; this.mcr = 0; this.scr = 0; this.dll = 0; this.dlm = 0;
    this.fifoEnabled = false; this.trigger = 1; this.lsrErrors = 0; this.msrDeltas = 0;
    this.thrPending = false; this.rxFifo = [];
    this.refill();
    this.update();
  }

  read(offset: number, size: AccessSize): number {
    if (size === 8) return BUS_ERROR;
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset & 7) {
      case 0: {
        if (dlab) return this.dll;
        const v = this.rxFifo.length ? this.rxFifo.shift()! : 0;
        this.refill();
        this.update();
        return v;
      }
      case 1: return dlab ? this.dlm : this.ier;
      case 2: {
        const iir = this.iir();
        if ((iir & 0x0f) === IIR_THRE) { this.thrPending = false; this.update(); }
        return iir;
      }
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: {
        const v = this.lsr();
        if (this.lsrErrors) { this.lsrErrors = 0; this.update(); }
        return v;
      }
      case 6: {
        const v = this.msrLines() | this.msrDeltas;
        if (this.msrDeltas) { this.msrDeltas = 0; this.update(); }
        return v;
      }
      default: return this.scr;
    }
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    if (size === 8) return false;
    this.writeRegister(offset, value);
    return true;
  }

  private writeRegister(offset: number, value: number): void {
    const v = value & 0xff;
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset & 7) {
      case 0:
        if (dlab) { this.dll = v; return; }
        if (this.mcr & MCR_LOOP) {
          if (this.rxFifo.length < this.capacity()) this.rxFifo.push(v);
          else this.lsrErrors |= LSR_OE;
        } else {
          this.onTx(v);
        }
        // The byte left THR at once: THR is empty again, which raises the THRE interrupt anew.
        this.thrPending = true;
        this.update();
        return;
      case 1: {
        if (dlab) { this.dlm = v; return; }
        const was = this.ier;
        this.ier = v & 0x0f;
        if ((this.ier & IER_THRI) && !(was & IER_THRI)) this.thrPending = true;
        this.update();
        return;
      }
      case 2: {
        const enable = (v & FCR_ENABLE) !== 0;
        // Switching modes or clearing empties the receive FIFO. Bytes the host sent go back to
        // the host queue (they arrive again): host input is never lost, e.g. typed before a
        // driver that clears the FIFO at start-up is ready. Loopback bytes are dropped.
        if (enable !== this.fifoEnabled || (enable && (v & FCR_CLEAR_RX))) this.unreceive();
        this.fifoEnabled = enable;
        this.trigger = TRIGGER[(v >> 6) & 3];
        this.refill();
        this.update();
        return;
      }
      case 3: this.lcr = v; return;
      case 4: {
        const before = this.msrLines();
        this.mcr = v & 0x1f;
        this.noteMsrChange(before, this.msrLines());
        this.refill();
        this.update();
        return;
      }
      case 5: return; // LSR is read-only (factory test writes are ignored)
      case 6: return; // MSR is read-only
      default: this.scr = v;
    }
  }

  private unreceive(): void {
    if (!(this.mcr & MCR_LOOP) && this.rxFifo.length) {
      this.hostQueue = this.rxFifo.concat(this.hostQueue.slice(this.hostHead));
      this.hostHead = 0;
    }
    this.rxFifo = [];
  }

  private capacity(): number { return this.fifoEnabled ? FIFO_SIZE : 1; }

  /** Moves host input into the receive FIFO (not in loopback: the line is disconnected). */
  private refill(): void {
    if (this.mcr & MCR_LOOP) return;
    const cap = this.capacity();
    while (this.rxFifo.length < cap && this.hostHead < this.hostQueue.length) {
      this.rxFifo.push(this.hostQueue[this.hostHead++]);
    }
    if (this.hostHead > 4096 && this.hostHead * 2 > this.hostQueue.length) {
      this.hostQueue = this.hostQueue.slice(this.hostHead);
      this.hostHead = 0;
    }
  }

  private lsr(): number {
    let v = LSR_THRE | LSR_TEMT | this.lsrErrors;
    if (this.rxFifo.length) v |= LSR_DR;
    if (this.fifoEnabled && this.lsrErrors) v |= LSR_FIFO_ERR;
    return v;
  }

  /** Modem input lines: looped back from MCR, otherwise CTS, DSR and DCD asserted. */
  private msrLines(): number {
    if (this.mcr & MCR_LOOP) {
      return ((this.mcr & MCR_RTS) ? MSR_CTS : 0) | ((this.mcr & MCR_DTR) ? MSR_DSR : 0) |
        ((this.mcr & MCR_OUT1) ? MSR_RI : 0) | ((this.mcr & MCR_OUT2) ? MSR_DCD : 0);
    }
    return MSR_CTS | MSR_DSR | MSR_DCD;
  }

  private noteMsrChange(before: number, after: number): void {
    const changed = before ^ after;
    if (changed & MSR_CTS) this.msrDeltas |= MSR_DCTS;
    if (changed & MSR_DSR) this.msrDeltas |= MSR_DDSR;
    if (changed & MSR_DCD) this.msrDeltas |= MSR_DDCD;
    if ((before & MSR_RI) && !(after & MSR_RI)) this.msrDeltas |= MSR_TERI; // trailing edge
  }

  /** The highest-priority pending interrupt, as IIR reads it. */
  private iir(): number {
    const fifo = this.fifoEnabled ? IIR_FIFO : 0;
    const n = this.rxFifo.length;
    if ((this.ier & IER_RLSI) && this.lsrErrors) return fifo | IIR_RLS;
    if (this.ier & IER_RDI) {
      if (n >= (this.fifoEnabled ? this.trigger : 1)) return fifo | IIR_RDA;
      // Data below the trigger level: the character timeout (no time passes in this model).
      if (this.fifoEnabled && n > 0) return fifo | IIR_CTI;
    }
    if ((this.ier & IER_THRI) && this.thrPending) return fifo | IIR_THRE;
    if ((this.ier & IER_MSI) && this.msrDeltas) return fifo | IIR_MSI;
    return fifo | IIR_NONE;
  }

  private update(): void {
    const level = (this.iir() & 1) === 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.onIrq(level);
    }
  }

  /**
   * State: version, ier, lcr, mcr, scr, dll, dlm, fcr flags (bit 0 enabled, bits 7:6 trigger),
   * lsr errors, msr deltas, THRE pending, the FIFO (count + bytes), the host queue (u32 count
   * + bytes).
   */
  save(): Uint8Array {
    const queue = this.hostQueue.slice(this.hostHead);
    const out = new Uint8Array(12 + this.rxFifo.length + 4 + queue.length);
    out[0] = STATE_VERSION;
    out[1] = this.ier; out[2] = this.lcr; out[3] = this.mcr; out[4] = this.scr;
    out[5] = this.dll; out[6] = this.dlm;
    out[7] = (this.fifoEnabled ? 1 : 0) | (TRIGGER.indexOf(this.trigger) << 6);
    out[8] = this.lsrErrors; out[9] = this.msrDeltas; out[10] = this.thrPending ? 1 : 0;
    out[11] = this.rxFifo.length;
    out.set(this.rxFifo, 12);
    const q = 12 + this.rxFifo.length;
    new DataView(out.buffer).setUint32(q, queue.length, true);
    out.set(queue, q + 4);
    return out;
  }

  restore(state: Uint8Array): void {
    const bad = () => new RangeError("uart16550: not a saved uart16550 state");
    if (state.length < 16 || state[0] !== STATE_VERSION) throw bad();
    const n = state[11];
    if (n > FIFO_SIZE || state.length < 16 + n) throw bad();
    const qn = new DataView(state.buffer, state.byteOffset, state.byteLength).getUint32(12 + n, true);
    if (state.length !== 16 + n + qn) throw bad();
    this.ier = state[1] & 0x0f; this.lcr = state[2]; this.mcr = state[3] & 0x1f; this.scr = state[4];
    this.dll = state[5]; this.dlm = state[6];
    this.fifoEnabled = (state[7] & 1) !== 0;
    this.trigger = TRIGGER[(state[7] >> 6) & 3];
    this.lsrErrors = state[8] & LSR_ERRORS;
    this.msrDeltas = state[9] & 0x0f;
    this.thrPending = state[10] !== 0;
    this.rxFifo = Array.from(state.subarray(12, 12 + n));
    this.hostQueue = Array.from(state.subarray(16 + n, 16 + n + qn));
    this.hostHead = 0;
    // The interrupt output follows the restored registers; report it if it differs.
    this.update();
  }
}

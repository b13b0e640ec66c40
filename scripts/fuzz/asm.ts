// A tiny two-pass assembler over the encoders: code areas at fixed physical addresses, labels
// shared between areas, and fixups resolved once every label is placed. Each emitted
// instruction can be tagged with the generator unit it belongs to (for bisection reports).
import * as E from "./encode.js";
import type { Reg } from "./encode.js";

export class Label {
  addr: number | undefined;
  constructor(readonly name: string) {}
  get value(): number {
    if (this.addr === undefined) throw new Error(`label ${this.name} never placed`);
    return this.addr;
  }
}

type Fixup = (at: number) => void;

/** Where an instruction came from: the unit id and the instruction's address and length. */
export interface InsnMark { unit: number; addr: number; len: number }

export class Area {
  private buf: Uint8Array;
  private len = 0;
  private fixups: Array<{ off: number; fn: Fixup }> = [];
  /** The unit currently being emitted (-1: runtime code). */
  unit = -1;
  readonly marks: InsnMark[] = [];

  constructor(readonly name: string, readonly base: number, readonly capacity: number) {
    this.buf = new Uint8Array(Math.min(capacity, 4096));
  }

  get pc(): number { return this.base + this.len; }
  get size(): number { return this.len; }
  bytes(): Uint8Array { return this.buf.subarray(0, this.len); }

  private grow(n: number): void {
    if (this.len + n > this.capacity) throw new Error(`code area ${this.name} overflow (${this.capacity} bytes)`);
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(Math.min(size, this.capacity));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Emits a 32-bit instruction. */
  i32(w: number): this {
    this.grow(4);
    this.marks.push({ unit: this.unit, addr: this.pc, len: 4 });
    const o = this.len;
    this.buf[o] = w & 0xff; this.buf[o + 1] = (w >>> 8) & 0xff;
    this.buf[o + 2] = (w >>> 16) & 0xff; this.buf[o + 3] = (w >>> 24) & 0xff;
    this.len += 4;
    return this;
  }

  /** Emits a 16-bit (compressed) instruction. */
  i16(h: number): this {
    this.grow(2);
    this.marks.push({ unit: this.unit, addr: this.pc, len: 2 });
    this.buf[this.len] = h & 0xff; this.buf[this.len + 1] = (h >>> 8) & 0xff;
    this.len += 2;
    return this;
  }

  /** Emits instruction words (32-bit unless tagged as compressed by `c`). */
  all(words: number[]): this { for (const w of words) this.i32(w); return this; }

  /** Raw data bytes (not instructions). */
  data(bytes: Uint8Array | number[]): this {
    this.grow(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }
  u64(v: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    return this.data(b);
  }

  align(n: number, fill: "nop" | "zero" = "nop"): this {
    while (this.pc % n !== 0) {
      if (fill === "zero" || this.pc % 2 !== 0) this.data([0]);
      else if (this.pc % 4 !== 0) this.i16(E.cNop());
      else this.i32(E.addi(0, 0, 0));
    }
    return this;
  }

  /** Skips to `addr` (must not go backwards), filling with zeros. */
  org(addr: number): this {
    if (addr < this.pc) throw new Error(`org backwards in ${this.name}`);
    this.data(new Uint8Array(addr - this.pc));
    return this;
  }

  place(l: Label): this {
    if (l.addr !== undefined) throw new Error(`label ${l.name} placed twice`);
    l.addr = this.pc;
    return this;
  }

  private patch32(off: number, w: number): void {
    this.buf[off] = w & 0xff; this.buf[off + 1] = (w >>> 8) & 0xff;
    this.buf[off + 2] = (w >>> 16) & 0xff; this.buf[off + 3] = (w >>> 24) & 0xff;
  }
  private patch16(off: number, h: number): void {
    this.buf[off] = h & 0xff; this.buf[off + 1] = (h >>> 8) & 0xff;
  }

  private later32(fn: (pc: number) => number): this {
    const off = this.len;
    this.i32(0);
    this.fixups.push({ off, fn: (pc) => this.patch32(off, fn(pc)) });
    return this;
  }
  private later16(fn: (pc: number) => number): this {
    const off = this.len;
    this.i16(0);
    this.fixups.push({ off, fn: (pc) => this.patch16(off, fn(pc)) });
    return this;
  }

  branch(op: E.BranchOp, rs1: Reg, rs2: Reg, l: Label): this { return this.later32((pc) => E.branch(op, rs1, rs2, l.value - pc)); }
  cBranch(op: "c.beqz" | "c.bnez", rs1: Reg, l: Label): this { return this.later16((pc) => E.cBranch(op, rs1, l.value - pc)); }
  jal(rd: Reg, l: Label): this { return this.later32((pc) => E.jal(rd, l.value - pc)); }
  cJ(l: Label): this { return this.later16((pc) => E.cJ(l.value - pc)); }

  /** auipc + addi: rd = address of `l` (within ±2 GiB). */
  la(rd: Reg, l: Label, add = 0): this {
    const off = this.len;
    this.i32(0).i32(0);
    this.fixups.push({
      off,
      fn: (pc) => {
        const delta = l.value + add - pc;
        const lo = (delta << 20) >> 20;
        const hi = ((delta - lo) >>> 12) & 0xfffff;
        this.patch32(off, E.auipc(rd, hi));
        this.patch32(off + 4, E.addi(rd, rd, lo));
      },
    });
    return this;
  }

  /** Exactly 8 instructions: rd = f(address of l), any 64-bit value. */
  liLabel(rd: Reg, l: Label, f: (addr: number) => bigint): this {
    const off = this.len;
    for (let i = 0; i < 8; i++) this.i32(0);
    this.fixups.push({
      off,
      fn: () => E.liFixed(rd, f(l.value)).forEach((w, i) => this.patch32(off + 4 * i, w)),
    });
    return this;
  }

  /** A 64-bit data word holding the address of `l`. */
  addr64(l: Label): this {
    const off = this.len;
    this.data(new Uint8Array(8));
    this.fixups.push({
      off,
      fn: () => {
        const v = BigInt(l.value);
        for (let i = 0; i < 8; i++) this.buf[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
      },
    });
    return this;
  }

  /** Loads a constant known now. */
  li(rd: Reg, v: bigint | number): this { return this.all(E.liSeq(rd, BigInt(v))); }

  /** Resolves every fixup (all labels must be placed by now). */
  resolve(): void {
    for (const f of this.fixups) f.fn(this.base + f.off);
    this.fixups = [];
  }
}

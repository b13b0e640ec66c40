// A minimal WebAssembly binary writer for the JIT: one module of functions that import the
// guest's memory (WebAssembly core spec 1.0/2.0, binary format chapter 5). Only what the code
// generator uses; structured control is tracked with label objects so a branch names its target
// instead of counting nesting depths by hand.

export const I32 = 0x7f;
export const I64 = 0x7e;

/** Opcodes used by the code generator (spec 5.4). */
export const Op = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d,
  brTable: 0x0e, return: 0x0f, call: 0x10, callIndirect: 0x11, returnCallIndirect: 0x13, drop: 0x1a, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i64Load: 0x29, i32Load8U: 0x2d, i32Load16U: 0x2f, i64Load8S: 0x30, i64Load8U: 0x31, i64Load16S: 0x32, i64Load16U: 0x33,
  i64Load32S: 0x34, i64Load32U: 0x35, i32Store: 0x36, i32Store8: 0x3a, i64Store: 0x37, i64Store8: 0x3c, i64Store16: 0x3d,
  i64Store32: 0x3e,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtU: 0x49, i32GtU: 0x4b,
  i64Eqz: 0x50, i64Eq: 0x51, i64Ne: 0x52, i64LtS: 0x53, i64LtU: 0x54, i64GeS: 0x59, i64GeU: 0x5a,
  i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71, i32Or: 0x72, i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76,
  i64Add: 0x7c, i64Sub: 0x7d, i64Mul: 0x7e, i64DivS: 0x7f, i64DivU: 0x80, i64RemS: 0x81, i64RemU: 0x82,
  i64And: 0x83, i64Or: 0x84, i64Xor: 0x85, i64Shl: 0x86, i64ShrS: 0x87, i64ShrU: 0x88,
  i32WrapI64: 0xa7, i64ExtendI32S: 0xac, i64ExtendI32U: 0xad, i64Extend32S: 0xc4, i64Extend8S: 0xc2, i64Extend16S: 0xc3,
  i32Clz: 0x67, i32Ctz: 0x68, i32Popcnt: 0x69, i32Rotl: 0x77, i32Rotr: 0x78,
  i64Clz: 0x79, i64Ctz: 0x7a, i64Popcnt: 0x7b, i64Rotl: 0x89, i64Rotr: 0x8a, i64GtS: 0x55, i64GtU: 0x56,
  f64Load: 0x2b, f64Sqrt: 0x9f, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3,
  f64ConvertI32S: 0xb7, f64ConvertI64S: 0xb9, i64ReinterpretF64: 0xbd, f64ReinterpretI64: 0xbf,
} as const;

/** A growable byte buffer with LEB128 writers. */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.length++] = b;
    return this;
  }
  bytes(bs: ArrayLike<number>): this {
    if (this.length + bs.length > this.buf.length) {
      const n = new Uint8Array(Math.max(this.buf.length * 2, this.length + bs.length));
      n.set(this.buf.subarray(0, this.length));
      this.buf = n;
    }
    if (bs instanceof Uint8Array) this.buf.set(bs, this.length);
    else for (let i = 0; i < bs.length; i++) this.buf[this.length + i] = bs[i];
    this.length += bs.length;
    return this;
  }
  u32(v: number): this {
    let x = v >>> 0;
    do {
      const b = x & 0x7f;
      x >>>= 7;
      this.byte(x ? b | 0x80 : b);
    } while (x);
    return this;
  }
  s32(v: number): this {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }
  s64(v: bigint): this {
    let x = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) { this.byte(b); return this; }
      this.byte(b | 0x80);
    }
  }
  name(s: string): this { const e = new TextEncoder().encode(s); return this.u32(e.length).bytes(e); }
  view(): Uint8Array { return this.buf.subarray(0, this.length); }
}

/** A branch target: the block, loop or if that opened it. */
export interface Label { readonly id: number }

/** One function body: instructions plus the nesting of its structured control. */
export class Body {
  readonly code = new Bytes();
  private readonly stack: Label[] = [];
  private nextId = 0;

  op(o: number): this { this.code.byte(o); return this; }
  /** Opens a block, loop or if with no result (0x40) or one value of type `result`. */
  private open(o: number, result = 0x40): Label { const l = { id: this.nextId++ }; this.code.byte(o).byte(result); this.stack.push(l); return l; }
  block(): Label { return this.open(Op.block); }
  loop(): Label { return this.open(Op.loop); }
  /** An if whose arms leave nothing, or one value of type `result` (both arms must). */
  if(result?: number): Label { return this.open(Op.if, result); }
  /** The else arm of the innermost open if. */
  else(): this { return this.op(Op.else); }
  end(): this { if (!this.stack.pop()) throw new Error("wasm: end without a block"); return this.op(Op.end); }
  private depth(l: Label): number {
    const i = this.stack.lastIndexOf(l);
    if (i < 0) throw new Error("wasm: branch to a label that is not open");
    return this.stack.length - 1 - i;
  }
  br(l: Label): this { this.code.byte(Op.br).u32(this.depth(l)); return this; }
  brIf(l: Label): this { this.code.byte(Op.brIf).u32(this.depth(l)); return this; }
  brTable(targets: Label[], otherwise: Label): this {
    this.code.byte(Op.brTable).u32(targets.length);
    for (const t of targets) this.code.u32(this.depth(t));
    this.code.u32(this.depth(otherwise));
    return this;
  }
  get(i: number): this { this.code.byte(Op.localGet).u32(i); return this; }
  set(i: number): this { this.code.byte(Op.localSet).u32(i); return this; }
  tee(i: number): this { this.code.byte(Op.localTee).u32(i); return this; }
  i32(v: number): this { this.code.byte(Op.i32Const).s32(v); return this; }
  i64(v: bigint | number): this {
    this.code.byte(Op.i64Const);
    if (typeof v === "number" && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) this.code.s32(v);
    else this.code.s64(BigInt(v));
    return this;
  }
  /** A load or store with its memarg (alignment as log2, static offset). */
  mem(o: number, align: number, offset = 0): this { this.code.byte(o).u32(align).u32(offset); return this; }
  call(f: number): this { this.code.byte(Op.call).u32(f); return this; }
}

export interface FuncDef {
  params: number[];
  results: number[];
  /** Extra locals after the parameters, by type. */
  locals: number[];
  body: Body;
  /** Exported under this name (or not exported). */
  export?: string;
}

/** A function a module imports from env. */
export interface ImportedFunc { name: string; params: number[]; results: number[] }

function section(out: Bytes, id: number, content: Bytes): void {
  out.byte(id).u32(content.length).bytes(content.view());
}

/**
 * Encodes a module whose functions import `env.memory` (shared or not, as the guest's memory
 * is: an imported memory must match in sharedness) and `env.table`. Types are numbered in the
 * order the defined functions first use them, then the imported functions'.
 */
export function encodeModule(funcs: FuncDef[], sharedMemory: boolean, imported: ImportedFunc[] = []): Uint8Array<ArrayBuffer> {
  const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const sigs: string[] = [];
  const typeIndex = (f: { params: number[]; results: number[] }) => {
    const key = `${f.params.join(",")}>${f.results.join(",")}`;
    let i = sigs.indexOf(key);
    if (i < 0) { i = sigs.length; sigs.push(key); }
    return i;
  };
  const typeOf = funcs.map(typeIndex);
  const importType = imported.map(typeIndex); // after the defined functions' types
  const types = new Bytes().u32(sigs.length);
  for (const key of sigs) {
    const [p, r] = key.split(">").map((s) => (s ? s.split(",").map(Number) : []));
    types.byte(0x60).u32(p.length).bytes(p).u32(r.length).bytes(r);
  }
  section(out, 1, types);
  // env.memory (the guest's) and env.table (the core's function table: chained tail calls).
  // Then the functions `imported` (env.<name>), numbered before the defined ones.
  const imports = new Bytes().u32(2 + imported.length).name("env").name("memory").byte(0x02);
  if (sharedMemory) imports.byte(0x03).u32(0).u32(65536);
  else imports.byte(0x00).u32(0);
  imports.name("env").name("table").byte(0x01).byte(0x70).byte(0x00).u32(0);
  imported.forEach((f, i) => imports.name("env").name(f.name).byte(0x00).u32(importType[i]));
  section(out, 2, imports);
  const fsec = new Bytes().u32(funcs.length);
  for (const t of typeOf) fsec.u32(t);
  section(out, 3, fsec);
  const exported = funcs.map((f, i) => [f.export, i] as const).filter(([n]) => n !== undefined);
  const exps = new Bytes().u32(exported.length);
  for (const [n, i] of exported) exps.name(n!).byte(0x00).u32(imported.length + i);
  section(out, 7, exps);
  const code = new Bytes().u32(funcs.length);
  for (const f of funcs) {
    const body = new Bytes();
    // Locals run-length encoded by type.
    const groups: Array<[number, number]> = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    body.u32(groups.length);
    for (const [n, t] of groups) body.u32(n).byte(t);
    body.bytes(f.body.code.view()).byte(Op.end);
    code.u32(body.length).bytes(body.view());
  }
  section(out, 10, code);
  return new Uint8Array(out.view());
}

// The random program generator. A program is a pure function of (name, options): the name
// seeds the generator. The body is a tree of units (see program.ts); every random choice is
// made here, so emitting a program (whole, truncated or shrunk) needs no randomness.
//
// Registers that hold addresses are tracked statically ("known pointers"): a load, store or
// AMO only uses a base register whose value the generator knows, so every access lands in
// the data region (or, on purpose, in a mapping or physical range that faults). Random
// arithmetic clobbers registers freely; a clobbered register is simply no longer known.
import { Rng } from "./rng.js";
import * as E from "./encode.js";
import { Area, Label } from "./asm.js";
import { CSR, IRQ, MS, PRIV_M, PRIV_S, PRIV_U, PTE, type Priv, privName, pteLeaf, ptePtr, X } from "./csrs.js";
import * as LY from "./layout.js";
import {
  Emitter, maxBytes, preorder, type GenOptions, type Program, type PteFill, type PteStore, type Unit,
} from "./program.js";
import { dumpTags } from "./runtime.js";
import { bitmanipInsn, qemuWrong } from "./bitmanip.js";

interface Known { v: bigint; def: number }

interface Ctx {
  mode: Priv;
  /** satp mode: 0 bare, 8 Sv39, 9 Sv48. */
  xlate: 0 | 8 | 9;
  tvm: boolean;
  tw: boolean;
  tsr: boolean;
  /** mideleg of the segment (-1: unknown). */
  mideleg: number;
  known: Map<number, Known>;
  reserved: Set<number>;
  depth: number;
}

interface View { name: string; base: bigint; len: number; w: number }

const PAGE = 4096;
const U64 = (v: bigint) => BigInt.asUintN(64, v);
const hex = (v: bigint | number) => "0x" + BigInt(v).toString(16);

/** Registers a snippet may write (snippets are only called where none of these is reserved). */
const SNIP_REGS = [X.t4, X.t5, X.t6];

/** mstatus fields both systems implement as the spec describes (no VS, UXL, SXL, MPV, GVA). */
const MSTATUS_COMMON = MS.SIE | MS.MIE | MS.SPIE | MS.MPIE | MS.SPP | MS.MPP | MS.FS | MS.MPRV | MS.SUM |
  MS.MXR | MS.TVM | MS.TW | MS.TSR;

// Floating-point values worth testing (IEEE 754 binary64 / binary32 bit patterns).
const FMT_NAME = ["s", "d", "h"] as const;

const D_SPECIAL = [
  0n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n, 0x7ff0000000000000n,
  0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff0000000000001n, 0x7ff4000000000000n,
  0x7fefffffffffffffn, 0xffefffffffffffffn, 0x0010000000000000n, 0x8010000000000000n, 1n,
  0x000fffffffffffffn, 0x800fffffffffffffn, 0x4340000000000000n, 0x3fe0000000000000n, 0x400921fb54442d18n,
  0x43e0000000000000n, 0xc3e0000000000000n, 0x41e0000000000000n, 0xc1e0000000000000n, 0x41f0000000000000n,
  0x3fefffffffffffffn, 0x3ff0000000000001n, 0x4000000000000000n, 0x3fd5555555555555n,
];
const S_SPECIAL = [
  0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001,
  0x7fa00000, 0x7f7fffff, 0xff7fffff, 0x00800000, 0x80800000, 1, 0x007fffff, 0x807fffff, 0x4f000000,
  0xcf000000, 0x5f000000, 0xdf000000, 0x4f800000, 0x3f000000, 0x3f7fffff, 0x3f800001, 0x40490fdb,
];

export function generate(name: string, opts: GenOptions): Program {
  return new Gen(name, opts).program();
}

class Gen {
  private readonly rng: Rng;
  private readonly lay: LY.SlotLayout;
  private nextId = 0;
  private count = 0;
  private readonly ptes: PteStore[] = [];
  private readonly fills: PteFill[] = [];
  private readonly snippets: Program["snippets"] = [];
  /** Entry points of the alias snippets (physical addresses) per area. */
  private readonly snipEntries: { main: number[]; ucode: number[] } = { main: [], ucode: [] };
  private readonly priv: boolean;
  private readonly fp: boolean;
  /** The current segment reached the "walkbus" mapping (see segment()). */
  private walkbusUsed = false;

  constructor(private readonly name: string, private readonly opts: GenOptions) {
    this.rng = new Rng(`${name}/${opts.profile}/${opts.length}/${opts.fp ? "fp" : "int"}`);
    this.lay = LY.slotLayout(opts.slot);
    this.priv = opts.profile === "priv";
    this.fp = opts.fp;
  }

  program(): Program {
    const r = this.rng;
    const xinit: bigint[] = [0n];
    const finit: bigint[] = [];
    if (this.priv) {
      this.pageTables();
      this.makeSnippets();
    }
    const body: Unit[] = [];
    const initKnown = new Map<number, Known>();
    for (let i = 1; i < 32; i++) {
      if (r.bool(0.25)) {
        const p = this.pointerInit();
        xinit.push(p);
        initKnown.set(i, { v: p, def: -1 });
      } else xinit.push(this.interesting());
    }
    for (let i = 0; i < 32; i++) finit.push(this.fpValue());
    if (this.priv) {
      while (this.count < this.opts.length) body.push(this.segment());
    } else {
      const ctx = this.ctx(PRIV_M, 0);
      ctx.known = initKnown;
      body.push(...this.block(ctx, this.opts.length));
    }
    const data = new Uint8Array(LY.DATA_SIZE);
    for (let i = 0; i < data.length; i += 4) {
      const w = r.bool(0.1) ? 0 : r.u32();
      data[i] = w & 0xff; data[i + 1] = (w >>> 8) & 0xff; data[i + 2] = (w >>> 16) & 0xff; data[i + 3] = w >>> 24;
    }
    return {
      name: this.name,
      opts: this.opts,
      layout: this.lay,
      body,
      units: preorder(body),
      xinit,
      finit,
      fcsrInit: (r.int(5) << 5) | r.int(32),
      mvec: r.bool(0.5),
      svec: r.bool(0.5),
      ptes: this.ptes,
      fills: this.fills,
      snippets: this.snippets,
      data,
      tags: dumpTags(this.fp),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Values

  private interesting(): bigint {
    const r = this.rng;
    switch (r.int(7)) {
      case 0: return U64(BigInt(r.range(-16, 16)));
      case 1: return r.pick([0n, 1n, U64(-1n), 1n << 63n, (1n << 63n) - 1n, U64(-(1n << 31n)), (1n << 31n) - 1n,
        0xffffffffn, 0x80000000n, 0x7fffffffn, 0x100000000n, U64(-2n), 2n]);
      case 2: return U64(BigInt(r.u32() | 0));
      case 3: return BigInt(r.u32());
      case 4: return U64(BigInt(r.range(-2048, 2047)));
      default: return r.u64();
    }
  }

  private pointerInit(): bigint {
    return BigInt(this.lay.data) + BigInt(this.rng.int(LY.DATA_SIZE));
  }

  private fpValue(): bigint {
    const r = this.rng;
    const box = (s: number) => 0xffffffff00000000n | BigInt(s >>> 0);
    const sign = () => (r.bool(0.3) ? 1n << 63n : 0n);
    switch (r.int(12)) {
      case 11: {
        // a half: NaN-boxed, normal, subnormal or special (fmt H reads only properly boxed ones)
        const h = r.bool(0.2) ? r.pick([0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x3c00])
          : ((r.bool(0.3) ? 0x8000 : 0) | (r.range(0, 30) << 10) | r.int(1024));
        return 0xffffffffffff0000n | BigInt(h);
      }
      case 8: {
        // near the bottom of the normal range: products and quotients round into subnormals
        const exp = BigInt(r.range(0, 40));
        return sign() | (exp << 52n) | (r.u64() & ((1n << 52n) - 1n));
      }
      case 9: {
        // a fraction within int32/int64 range: conversions to integers round (NX)
        const bits = BigInt(r.range(0, 62));
        return sign() | ((1023n + bits) << 52n) | (r.u64() & ((1n << 52n) - 1n));
      }
      case 10: {
        // single precision near the bottom of its normal range, NaN-boxed
        return 0xffffffff00000000n | BigInt(((r.bool(0.3) ? 0x80000000 : 0) | (r.range(0, 20) << 23) | (r.u32() & 0x7fffff)) >>> 0);
      }
      case 0: case 1: return r.pick(D_SPECIAL) ^ (r.bool(0.2) ? 1n << 63n : 0n);
      case 2: case 3: return box(r.pick(S_SPECIAL));
      case 4: return r.u64();
      case 5: return box(r.u32());
      case 6: return (BigInt(r.u32()) << 32n) | BigInt(r.pick(S_SPECIAL) >>> 0); // not NaN-boxed
      default: {
        // an ordinary double near 1 (so results are mostly finite and inexact)
        const exp = BigInt(1023 + r.range(-30, 30));
        return (r.bool(0.3) ? 1n << 63n : 0n) | (exp << 52n) | (r.u64() & ((1n << 52n) - 1n));
      }
    }
  }

  private imm12(): number {
    const r = this.rng;
    return r.bool(0.3) ? r.pick([0, 1, -1, 2047, -2048, 2, -2, 0x7ff, 0x400]) : r.range(-2048, 2047);
  }

  // -------------------------------------------------------------------------------------------
  // Units

  private ctx(mode: Priv, xlate: 0 | 8 | 9): Ctx {
    return { mode, xlate, tvm: false, tw: false, tsr: false, mideleg: -1, known: new Map(), reserved: new Set(), depth: 0 };
  }

  private leaf(desc: string, words: Array<number | { c: number }>, deps: number[] = []): Unit {
    const id = this.nextId++;
    this.count += words.length;
    return {
      id, desc, deps, n: words.length,
      emit: (e) => { for (const w of words) typeof w === "number" ? e.cur.i32(w) : e.cur.i16(w.c); },
    };
  }

  /** A leaf whose emission needs labels or the emitter. */
  private custom(desc: string, n: number, emit: (e: Emitter, self: Unit) => void, deps: number[] = [], children?: Unit[]): Unit {
    const u: Unit = { id: -1, desc, deps, n, emit: () => {}, children };
    u.emit = (e) => emit(e, u);
    return u;
  }

  private alloc(u: Unit): Unit {
    u.id = this.nextId++;
    this.count += u.n;
    return u;
  }

  private twoRegs(ctx: Ctx): [number, number] {
    const a = this.dest(ctx, false);
    let b: number;
    do b = this.dest(ctx, false); while (b === a);
    return [a, b];
  }

  private kill(ctx: Ctx, ...regs: number[]): void {
    for (const r of regs) ctx.known.delete(r);
  }

  /** A destination register for a random write (never a reserved one). */
  private dest(ctx: Ctx, allowZero = true): number {
    for (;;) {
      const r = this.rng.bool(0.03) && allowZero ? 0 : this.rng.range(1, 31);
      if (!ctx.reserved.has(r)) return r;
    }
  }
  private cdest(ctx: Ctx): number | undefined {
    const free = [8, 9, 10, 11, 12, 13, 14, 15].filter((r) => !ctx.reserved.has(r));
    return free.length ? this.rng.pick(free) : undefined;
  }
  private src(): number { return this.rng.bool(0.05) ? 0 : this.rng.range(1, 31); }

  /** Generates units until `budget` instructions have been emitted. */
  private block(ctx: Ctx, budget: number): Unit[] {
    const out: Unit[] = [];
    const stop = this.count + budget;
    while (this.count < stop) out.push(...this.unit(ctx));
    return out;
  }

  private unit(ctx: Ctx): Unit[] {
    const r = this.rng;
    const m = ctx.mode;
    const paging = m !== PRIV_M && ctx.xlate !== 0;
    const w: Record<string, number> = {
      alu: 30, calu: 12, load: 10, store: 8, amo: 3, lrsc: 2, trap: 2, fence: 1, bump: 2,
      if: ctx.depth < 2 ? 4 : 0, loop: ctx.depth < 2 ? 2 : 0, call: ctx.depth < 2 ? 2 : 0, skip: 1,
      random: 1.5, bitmanip: 4,
    };
    if (this.fp) w.fp = 14;
    if (!this.priv) { w.csrM = 4; w.bus = 1; w.smc = 1; w.clint = 0.5; }
    if (this.fp && m !== PRIV_U) w.fpOff = 0.5;
    else if (m === PRIV_M) {
      Object.assign(w, { smc: 1, clint: 0.5, csrM: 2, intr: 3, mprv: 2, ptemod: 1.5, satp: ctx.depth === 0 ? 1 : 0, wfi: 0.5, bus: 0.5, fetch: ctx.depth === 0 ? 0.5 : 0 });
    } else if (m === PRIV_S) {
      Object.assign(w, {
        csrS: 2, illegal: 1.5, intrS: 1, wfiS: !ctx.tw && ctx.mideleg >= 0 && (ctx.mideleg & 2) !== 0 ? 0.5 : 0, sfence: ctx.tvm ? 0 : 0.5, ptemod: ctx.tvm ? 0 : 1.5,
        // satp only at the top level: in a conditional body the mode after it would be unknown
        satp: ctx.tvm || ctx.depth > 0 ? 0 : 0.7, snippet: paging && ctx.depth === 0 ? 1 : 0, fetch: ctx.depth === 0 ? 1 : 0,
        bus: paging ? 0 : 0.5,
      });
    } else {
      Object.assign(w, {
        illegal: 2, snippet: paging && ctx.depth === 0 ? 1 : 0, fetch: ctx.depth === 0 ? 1 : 0,
        bus: paging ? 0 : 0.5,
      });
    }
    switch (r.weighted(w)) {
      case "alu": return [this.alu(ctx)];
      case "calu": return [this.calu(ctx)];
      case "load": return this.mem(ctx, "load", false);
      case "store": return this.mem(ctx, "store", false);
      case "amo": return this.amo(ctx);
      case "lrsc": return [this.lrsc(ctx)];
      case "trap": return [this.trap(ctx)];
      case "fence": return [this.fence()];
      case "bump": return [this.bump(ctx)];
      case "if": return [this.ifUnit(ctx)];
      case "loop": return [this.loop(ctx)];
      case "call": return [this.call(ctx)];
      case "skip": return [this.skip()];
      case "random": return [this.randomEncoding(ctx)];
      case "bitmanip": return [this.bitmanip(ctx)];
      case "fp": return this.fpUnit(ctx);
      case "csrM": return [this.csrM(ctx)];
      case "csrS": return [this.csrS(ctx)];
      case "bus": return [this.bus(ctx)];
      case "intr": return [this.intrM(ctx)];
      case "intrS": return [this.intrS(ctx)];
      case "mprv": return [this.mprv(ctx)];
      case "ptemod": return [this.ptemod(ctx)];
      case "satp": return [this.satpSwitch(ctx)];
      case "wfi": return [this.wfiM(ctx)];
      case "wfiS": return [this.wfiS(ctx)];
      case "sfence": return [this.sfence(ctx)];
      case "illegal": return [this.privIllegal(ctx)];
      case "snippet": return [this.snippetCall(ctx)];
      case "fetch": return [this.fetchFault(ctx)];
      case "smc": return [this.smc(ctx)];
      case "fpOff": return [this.fpOff(ctx)];
      case "clint": return [this.clintRead(ctx)];
    }
    throw new Error("unreachable");
  }

  // ---- integer arithmetic

  /** A Zba, Zbb, Zbc, Zbs or Zbkb instruction, from the table the core's decoder comes from. */
  private bitmanip(ctx: Ctx): Unit {
    const rd = this.dest(ctx);
    this.kill(ctx, rd);
    const { name, word } = bitmanipInsn(this.rng, rd, () => this.src());
    return this.leaf(name, [word]);
  }

  private alu(ctx: Ctx): Unit {
    const r = this.rng;
    const rd = this.dest(ctx);
    this.kill(ctx, rd);
    switch (r.weighted({ rr: 30, rrw: 12, imm: 25, shift: 10, immw: 8, lui: 4, auipc: 3 })) {
      case "rr": {
        const op = r.pick([...E.OP_RR]);
        return this.leaf(`${op}`, [E.rr(op, rd, this.src(), this.src())]);
      }
      case "rrw": {
        const op = r.pick([...E.OP_RRW]);
        return this.leaf(`${op}`, [E.rrw(op, rd, this.src(), this.src())]);
      }
      case "imm": {
        const op = r.pick([...E.OP_IMM]);
        return this.leaf(op, [E.opImm(op, rd, this.src(), this.imm12())]);
      }
      case "shift": {
        const op = r.pick(["slli", "srli", "srai"] as const);
        return this.leaf(op, [E.shiftImm(op, rd, this.src(), r.bool(0.2) ? r.pick([0, 1, 31, 32, 63]) : r.int(64))]);
      }
      case "immw": {
        if (r.bool(0.4)) return this.leaf("addiw", [E.addiw(rd, this.src(), this.imm12())]);
        const op = r.pick(["slliw", "srliw", "sraiw"] as const);
        return this.leaf(op, [E.shiftImmW(op, rd, this.src(), r.int(32))]);
      }
      case "lui": { // never rd = x0: that is the marker space (layout.ts MARKER_*)
        const d = rd === 0 ? this.dest(ctx, false) : rd;
        this.kill(ctx, d);
        return this.leaf("lui", [E.lui(d, r.int(1 << 20))]);
      }
      default: return this.leaf("auipc", [E.auipc(rd, r.int(1 << 20))]);
    }
  }

  private calu(ctx: Ctx): Unit {
    const r = this.rng;
    const rd = this.dest(ctx);
    const crd = this.cdest(ctx) ?? 8;
    const cok = !ctx.reserved.has(crd);
    const kind = r.weighted({
      addi: 4, addiw: 3, li: 3, lui: 2, srli: 2, srai: 2, andi: 2, arith: 6, slli: 2, mv: 3, add: 3,
      a4spn: 1, a16sp: 1, nop: 0.5,
    });
    const c = (h: number) => ({ c: h });
    const sim6 = () => r.range(-32, 31);
    const nz6 = () => { for (;;) { const v = sim6(); if (v !== 0) return v; } };
    switch (kind) {
      case "addi": this.kill(ctx, rd); return this.leaf("c.addi", [c(E.cAddi(rd, rd === 0 ? 0 : sim6()))]);
      case "addiw": { const d = rd || 1; if (ctx.reserved.has(d)) break; this.kill(ctx, d); return this.leaf("c.addiw", [c(E.cAddiw(d, sim6()))]); }
      case "li": this.kill(ctx, rd); return this.leaf("c.li", [c(E.cLi(rd, sim6()))]);
      case "lui": {
        if (rd === 0 || rd === 2) break;
        this.kill(ctx, rd); return this.leaf("c.lui", [c(E.cLui(rd, nz6()))]);
      }
      case "srli": case "srai":
        if (!cok) break;
        this.kill(ctx, crd); return this.leaf(`c.${kind}`, [c(E.cShift(`c.${kind}`, crd, r.int(64)))]);
      case "andi": if (!cok) break; this.kill(ctx, crd); return this.leaf("c.andi", [c(E.cAndi(crd, sim6()))]);
      case "arith": {
        if (!cok) break;
        const op = r.pick([...E.C_ARITH]);
        this.kill(ctx, crd);
        return this.leaf(op, [c(E.cArith(op, crd, r.range(8, 15)))]);
      }
      case "slli": this.kill(ctx, rd); return this.leaf("c.slli", [c(E.cSlli(rd, r.int(64)))]);
      case "mv": this.kill(ctx, rd); return this.leaf("c.mv", [c(E.cMv(rd, r.range(1, 31)))]);
      case "add": this.kill(ctx, rd); return this.leaf("c.add", [c(E.cAdd(rd, r.range(1, 31)))]);
      case "a4spn": {
        if (!cok) break;
        const imm = 4 * r.range(1, 255);
        const sp = ctx.known.get(X.sp);
        const u = this.leaf("c.addi4spn", [c(E.cAddi4spn(crd, imm))], sp && sp.def >= 0 ? [sp.def] : []);
        this.kill(ctx, crd);
        if (sp) ctx.known.set(crd, { v: U64(sp.v + BigInt(imm)), def: u.id });
        return u;
      }
      case "a16sp": {
        if (ctx.reserved.has(X.sp)) break;
        let imm = 16 * r.range(-32, 31);
        if (imm === 0) imm = 16;
        const sp = ctx.known.get(X.sp);
        const u = this.leaf("c.addi16sp", [c(E.cAddi16sp(imm))], sp && sp.def >= 0 ? [sp.def] : []);
        this.kill(ctx, X.sp);
        if (sp) ctx.known.set(X.sp, { v: U64(sp.v + BigInt(imm)), def: u.id });
        return u;
      }
      case "nop": return this.leaf("c.nop", [c(E.cNop())]);
    }
    return this.alu(ctx);
  }

  /** Moves a known pointer by a small amount (the new value stays known). */
  private bump(ctx: Ctx): Unit {
    const r = this.rng;
    const regs = [...ctx.known.keys()].filter((k) => !ctx.reserved.has(k) && k !== 0);
    if (!regs.length) return this.alu(ctx);
    const p = r.pick(regs);
    const k = ctx.known.get(p)!;
    const deps = k.def >= 0 ? [k.def] : [];
    let u: Unit;
    let delta: number;
    if (r.bool(0.5)) {
      delta = r.range(-32, 31) || 1;
      u = this.leaf("c.addi (pointer)", [{ c: E.cAddi(p, delta) }], deps);
    } else {
      delta = r.range(-300, 300);
      u = this.leaf("addi (pointer)", [E.addi(p, p, delta)], deps);
    }
    ctx.known.set(p, { v: U64(k.v + BigInt(delta)), def: u.id });
    return u;
  }

  // ---- memory

  private views(ctx: Ctx, priv: Priv = ctx.mode, store = false): View[] {
    const d = BigInt(this.lay.data);
    const phys: View[] = [
      { name: "phys", base: d, len: LY.DATA_SIZE, w: 40 },
      { name: "bus0", base: 0n, len: 256, w: 0.4 },
      { name: "busEnd", base: BigInt(LY.RAM_END), len: PAGE, w: 0.3 },
      { name: "busHigh", base: 0x10_0000_0000n, len: PAGE, w: 0.2 },
    ];
    if (priv === PRIV_M || ctx.xlate === 0) return phys;
    const u = priv === PRIV_U;
    const inGiga = d - BigInt(LY.DRAM_BASE);
    return [
      { name: "ident", base: d, len: LY.DATA_SIZE, w: u ? 5 : 1.5 },
      { name: "aliasA", base: LY.VA_ALIAS, len: LY.DATA_SIZE, w: u ? 3 : 1 },
      { name: "aliasB", base: LY.VA_ALIAS + 4n * 4096n, len: LY.DATA_SIZE, w: u ? 1 : 3 },
      { name: "mega", base: LY.VA_MEGA + (d - BigInt(this.lay.region2m)), len: LY.DATA_SIZE, w: 1 },
      { name: "giga", base: LY.VA_GIGA + inGiga, len: LY.DATA_SIZE, w: 1 },
      { name: "tera", base: LY.VA_TERA + d, len: LY.DATA_SIZE, w: ctx.xlate === 9 ? 1 : 0.2 },
      { name: "high", base: LY.VA_HIGH, len: LY.DATA_SIZE, w: 0.7 },
      { name: "highB", base: LY.VA_HIGH + 4n * 4096n, len: LY.DATA_SIZE, w: 0.5 },
      { name: "megaBad", base: LY.VA_MEGA_BAD + (d - BigInt(this.lay.region2m)), len: LY.DATA_SIZE, w: 0.15 },
      { name: "gigaBad", base: LY.VA_GIGA_BAD + inGiga, len: LY.DATA_SIZE, w: 0.15 },
      { name: "rsvd", base: LY.VA_RSVD + inGiga, len: LY.DATA_SIZE, w: 0.15 },
      { name: "wnr", base: LY.VA_ALIAS + BigInt(LY.AL0_WNR * PAGE), len: PAGE, w: 0.15 },
      { name: "hole", base: LY.VA_ALIAS + BigInt(LY.AL0_HOLE * PAGE), len: PAGE, w: 0.15 },
      { name: "ptrleaf", base: LY.VA_ALIAS + BigInt(LY.AL0_PTR * PAGE), len: PAGE, w: 0.15 },
      { name: "noncanon", base: LY.VA_NONCANON + inGiga, len: LY.DATA_SIZE, w: 0.15 },
      // code pages (X, R at random, never W): loads there depend on MXR. Not the U pages from
      // S-mode: QEMU 7.2 would cache the SUM load's translation as executable (EXCLUSIONS.md #13).
      { name: "usnipv", base: LY.VA_ALIAS + BigInt(LY.AL0_USNIP * PAGE), len: 2 * PAGE, w: u ? 0.3 : 0 },
      { name: "ssnipv", base: LY.VA_ALIAS + BigInt(LY.AL0_SSNIP * PAGE), len: 2 * PAGE, w: 0.3 },
      // the walk itself reads where no memory answers
      { name: "walkbus", base: LY.VA_WALKBUS, len: LY.DATA_SIZE, w: 0.2 },
      // a data page followed by a mapped page where no memory answers: accesses across the edge
      { name: "edge", base: LY.VA_ALIAS + BigInt(LY.AL0_EDGE * PAGE), len: 2 * PAGE, w: 0.3 },
      // the same with a scratch page first, for stores only: QEMU writes the first part of a
      // straddling store (EXCLUSIONS.md #12), and nothing compares the scratch page
      { name: "edge2", base: LY.VA_ALIAS + BigInt(LY.AL0_EDGE2 * PAGE), len: 2 * PAGE, w: store ? 0.3 : 0 },
    ];
  }

  /** A virtual address for an access of `size` bytes (aligned, misaligned or page-crossing). */
  private target(ctx: Ctx, size: number, priv?: Priv, alignedP = 0.6, only?: (v: View) => boolean, store = false): bigint {
    const r = this.rng;
    const vs = this.views(ctx, priv, store).filter((v) => !only || only(v));
    const weights: Record<string, number> = {};
    vs.forEach((v, i) => { weights[String(i)] = v.w; });
    const v = vs[Number(r.weighted(weights))];
    if (v.name === "walkbus") this.walkbusUsed = true;
    let off: number;
    // EXCLUSIONS.md #2: misaligned accesses where nothing answers get a QEMU-specific mtval.
    if (v.name.startsWith("bus")) alignedP = 1;
    // EXCLUSIONS.md #12: a store straddling into the page where nothing answers is partly
    // performed on QEMU (allowed, not required): stores there stay aligned.
    if (v.name === "edge" && store) alignedP = 1;
    const x = r.float();
    if (x < alignedP) off = r.int(v.len - size + 1) & ~(size - 1);
    else if (x < alignedP + 0.2 && size > 1 && v.len > PAGE) {
      const b = PAGE * r.range(1, v.len / PAGE - 1);
      off = b - r.range(1, size - 1);
    } else off = r.int(v.len - size + 1);
    // the edge views' second page has no memory behind it: EXCLUSIONS.md #2 as for "bus"
    if ((v.name === "edge" || v.name === "edge2") && off >= PAGE) off &= ~(size - 1);
    return U64(v.base + BigInt(off));
  }

  /** A unit that loads `v` into `reg` and makes it a known pointer. */
  private defPtr(ctx: Ctx, reg: number, v: bigint): Unit {
    const words = E.liSeq(reg, v);
    const u = this.leaf(`li ${xn(reg)}, ${hex(v)}`, words);
    ctx.known.set(reg, { v, def: u.id });
    return u;
  }

  /**
   * A base register and offset reaching `t`: a known pointer if one is close enough, or a
   * new one (the defining unit goes to `pre`). `kind` restricts the register and offset to
   * what a compressed form can encode.
   */
  private base(ctx: Ctx, t: bigint, kind: "i" | "cl" | "sp", scale: number, maxOff: number, pre: Unit[]): { reg: number; off: number; deps: number[] } | undefined {
    const r = this.rng;
    const fits = (reg: number, k: Known) => {
      const d = Number(BigInt.asIntN(64, t - k.v));
      if (kind === "i") return d >= -2048 && d <= 2047 ? d : undefined;
      if (kind === "cl" && (reg < 8 || reg > 15)) return undefined;
      if (kind === "sp" && reg !== X.sp) return undefined;
      return d >= 0 && d <= maxOff && d % scale === 0 ? d : undefined;
    };
    if (r.bool(0.75)) {
      const cands: Array<{ reg: number; off: number; deps: number[] }> = [];
      for (const [reg, k] of ctx.known) {
        if (reg === 0) continue;
        const off = fits(reg, k);
        if (off !== undefined) cands.push({ reg, off, deps: k.def >= 0 ? [k.def] : [] });
      }
      if (cands.length) return r.pick(cands);
    }
    let reg: number | undefined;
    let off: number;
    if (kind === "i") { reg = this.dest(ctx, false); off = r.bool(0.3) ? 0 : r.range(-2048, 2047); }
    else if (kind === "cl") { reg = this.cdest(ctx); off = scale * r.int(maxOff / scale + 1); }
    else { reg = ctx.reserved.has(X.sp) ? undefined : X.sp; off = scale * r.int(maxOff / scale + 1); }
    if (reg === undefined) return undefined;
    const u = this.defPtr(ctx, reg, U64(t - BigInt(off)));
    pre.push(u);
    return { reg, off, deps: [u.id] };
  }

  private mem(ctx: Ctx, kind: "load" | "store", fp: boolean, priv?: Priv): Unit[] {
    const r = this.rng;
    type Form = { name: string; size: number; k: "i" | "cl" | "sp"; max: number };
    const forms: Form[] = fp
      ? (kind === "load"
        ? [{ name: "flw", size: 4, k: "i", max: 0 }, { name: "fld", size: 8, k: "i", max: 0 }, { name: "flh", size: 2, k: "i", max: 0 },
          { name: "c.fld", size: 8, k: "cl", max: 248 }, { name: "c.fldsp", size: 8, k: "sp", max: 504 }]
        : [{ name: "fsw", size: 4, k: "i", max: 0 }, { name: "fsd", size: 8, k: "i", max: 0 }, { name: "fsh", size: 2, k: "i", max: 0 },
          { name: "c.fsd", size: 8, k: "cl", max: 248 }, { name: "c.fsdsp", size: 8, k: "sp", max: 504 }])
      : (kind === "load"
        ? [...(["lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"] as const).map((n) => ({ name: n, size: 1 << (E.LOAD_F3[n] & 3), k: "i" as const, max: 0 })),
          { name: "c.lw", size: 4, k: "cl", max: 124 }, { name: "c.ld", size: 8, k: "cl", max: 248 },
          { name: "c.lwsp", size: 4, k: "sp", max: 252 }, { name: "c.ldsp", size: 8, k: "sp", max: 504 }]
        : [...(["sb", "sh", "sw", "sd"] as const).map((n) => ({ name: n, size: 1 << E.STORE_F3[n], k: "i" as const, max: 0 })),
          { name: "c.sw", size: 4, k: "cl", max: 124 }, { name: "c.sd", size: 8, k: "cl", max: 248 },
          { name: "c.swsp", size: 4, k: "sp", max: 252 }, { name: "c.sdsp", size: 8, k: "sp", max: 504 }]);
    let f = r.bool(0.6) ? forms.filter((x) => x.k === "i")[r.int(forms.filter((x) => x.k === "i").length)] : r.pick(forms);
    const pre: Unit[] = [];
    const t = this.target(ctx, f.size, priv, 0.6, undefined, kind === "store");
    let b = this.base(ctx, t, f.k, f.size, f.max, pre);
    if (!b) {
      f = forms.find((x) => x.k === "i" && x.size === f.size)!;
      b = this.base(ctx, t, "i", 1, 0, pre)!;
    }
    const { reg, off, deps } = b;
    let word: number | { c: number };
    let dst = -1;
    if (kind === "load") {
      if (fp) {
        dst = r.int(32);
        word = f.name === "flw" ? E.flw(dst, reg, off) : f.name === "fld" ? E.fld(dst, reg, off)
          : f.name === "flh" ? E.flh(dst, reg, off)
          : f.name === "c.fld" ? { c: E.cFld(r.range(8, 15), reg, off) } : { c: E.cFldsp(dst, off) };
        dst = -1;
      } else if (f.k === "i") {
        dst = this.dest(ctx);
        word = E.load(f.name as E.LoadOp, dst, reg, off);
      } else if (f.k === "cl") {
        dst = this.cdest(ctx) ?? 8;
        word = { c: f.name === "c.lw" ? E.cLw(dst, reg, off) : E.cLd(dst, reg, off) };
      } else {
        dst = this.dest(ctx, false);
        word = { c: f.name === "c.lwsp" ? E.cLwsp(dst, off) : E.cLdsp(dst, off) };
      }
    } else {
      const s = f.k === "cl" ? r.range(8, 15) : fp ? r.int(32) : this.src();
      if (fp) {
        word = f.name === "fsw" ? E.fsw(s, reg, off) : f.name === "fsd" ? E.fsd(s, reg, off)
          : f.name === "fsh" ? E.fsh(s, reg, off)
          : f.name === "c.fsd" ? { c: E.cFsd(s, reg, off) } : { c: E.cFsdsp(s, off) };
      } else if (f.k === "i") word = E.store(f.name as E.StoreOp, s, reg, off);
      else if (f.k === "cl") word = { c: f.name === "c.sw" ? E.cSw(s, reg, off) : E.cSd(s, reg, off) };
      else word = { c: f.name === "c.swsp" ? E.cSwsp(s, off) : E.cSdsp(s, off) };
    }
    const u = this.leaf(`${f.name} @${hex(t)}`, [word], deps);
    if (dst >= 0) this.kill(ctx, dst);
    return [...pre, u];
  }

  /** A pointer register holding exactly `t` (reuses a known one). */
  private exact(ctx: Ctx, t: bigint, pre: Unit[]): { reg: number; deps: number[] } {
    for (const [reg, k] of ctx.known) {
      if (reg !== 0 && k.v === t && this.rng.bool(0.8)) return { reg, deps: k.def >= 0 ? [k.def] : [] };
    }
    const reg = this.dest(ctx, false);
    const u = this.defPtr(ctx, reg, t);
    pre.push(u);
    return { reg, deps: [u.id] };
  }

  private amo(ctx: Ctx): Unit[] {
    const r = this.rng;
    const d = r.bool(0.5);
    const size = d ? 8 : 4;
    const pre: Unit[] = [];
    // Faulting AMOs get load causes on QEMU 7.2: the comparator maps them (EXCLUSIONS.md #3).
    // Under paging only the identity view, which is always readable and writable: on a page
    // that is readable but not writable QEMU 7.2 sets A before the store fault (EXCLUSIONS.md #10).
    const paging = ctx.mode !== PRIV_M && ctx.xlate !== 0;
    const t = this.target(ctx, size, undefined, 0.9, paging ? (v) => v.name === "ident" : undefined);
    const { reg, deps } = this.exact(ctx, t, pre);
    const op = r.pick(["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu"] as const);
    const rd = this.dest(ctx);
    const u = this.leaf(`${op}.${d ? "d" : "w"} @${hex(t)}`, [E.amo(op, d, rd, reg, this.src(), r.bool(0.3), r.bool(0.3))], deps);
    this.kill(ctx, rd);
    return [...pre, u];
  }

  /** LR, a few ALU instructions, SC (a constrained LR/SC sequence), after clearing any reservation. */
  private lrsc(ctx: Ctx): Unit {
    const r = this.rng;
    const words: number[] = [];
    const tmp = this.dest(ctx, false);
    words.push(...E.liSeq(tmp, BigInt(this.lay.misc + LY.M_SCDUMMY)));
    words.push(E.amo("sc", true, 0, tmp, 0));
    this.kill(ctx, tmp);
    const d = r.bool(0.5);
    // Same size as the LR: an SC of another size is outside the constrained LR/SC loop rules,
    // so it may fail or succeed by the implementation's choice (EXCLUSIONS.md #8).
    const d2 = d;
    const t = this.target(ctx, d ? 8 : 4, undefined, 0.9);
    // The SC goes to the LR's address, sometimes elsewhere. EXCLUSIONS.md #1: QEMU 7.2 lets a
    // misaligned SC without a reservation fail quietly where the spec requires an exception,
    // so the SC address is always aligned (the LR's may not be).
    let tq = r.bool(0.1) ? U64(t + BigInt(r.pick([4, 8, -8, 1, 64]))) : t;
    tq &= ~BigInt(d2 ? 7 : 3);
    const p = this.dest(ctx, false);
    words.push(...E.liSeq(p, t));
    let q = p;
    if (tq !== t) {
      do q = this.dest(ctx, false); while (q === p);
      words.push(...E.liSeq(q, tq));
    }
    let rd1: number;
    do rd1 = this.dest(ctx); while (rd1 === p || rd1 === q);
    words.push(E.amo("lr", d, rd1, p, 0, r.bool(0.3), r.bool(0.3)));
    for (let i = r.int(4); i > 0; i--) {
      let rd: number;
      do rd = this.dest(ctx); while (rd === p || rd === q);
      words.push(r.bool(0.5) ? E.addi(rd, this.src(), this.imm12()) : E.rr(r.pick(["add", "xor", "sub", "or"] as const), rd, this.src(), this.src()));
      this.kill(ctx, rd);
    }
    const rd2 = this.dest(ctx);
    words.push(E.amo("sc", d2, rd2, q, this.src(), r.bool(0.3), r.bool(0.3)));
    // Now and then a second SC with no LR in between: it must fail. Only where the first SC
    // cannot fault (the data region's identity mapping is always RW): after a trap the
    // reservation may or may not survive (EXCLUSIONS.md #A).
    let rd3 = 0;
    const identity = t >= BigInt(this.lay.data) && t < BigInt(this.lay.data + LY.DATA_SIZE);
    if (identity && rd2 !== q && r.bool(0.25)) { // q still holds the SC's (aligned) address
      rd3 = this.dest(ctx);
      words.push(E.amo("sc", d2, rd3, q, this.src()));
    }
    this.kill(ctx, p, q, rd1, rd2, rd3);
    const u = this.leaf(`lr.${d ? "d" : "w"}/sc.${d2 ? "d" : "w"} @${hex(t)}${tq !== t ? " sc @" + hex(tq) : ""}`, words);
    if (rd1 !== p && rd2 !== p && rd3 !== p) ctx.known.set(p, { v: t, def: u.id });
    return u;
  }

  /** Loads and stores to physical addresses with nothing behind them: access faults. */
  private bus(ctx: Ctx): Unit {
    const r = this.rng;
    const size = r.pick([1, 2, 4, 8]);
    // aligned: EXCLUSIONS.md #2
    const addr = r.pick([0n, 8n, BigInt(LY.RAM_END), BigInt(LY.RAM_END + 0x1000), 0x10_0000_0000n]) + BigInt(r.int(8) & ~(size - 1));
    const p = this.dest(ctx, false);
    const words = E.liSeq(p, addr);
    const rd = this.dest(ctx);
    if (r.bool(0.5)) words.push(E.load(size === 1 ? "lbu" : size === 2 ? "lh" : size === 4 ? "lw" : "ld", rd, p, 0));
    else words.push(E.store(size === 1 ? "sb" : size === 2 ? "sh" : size === 4 ? "sw" : "sd", this.src(), p, 0));
    this.kill(ctx, p, rd);
    return this.leaf(`bus error @${hex(addr)}`, words);
  }

  // ---- control flow

  private childCtx(ctx: Ctx, known: Map<number, Known>, reserve: number[] = []): Ctx {
    return { ...ctx, known, reserved: new Set([...ctx.reserved, ...reserve]), depth: ctx.depth + 1 };
  }

  private ifUnit(ctx: Ctx): Unit {
    const r = this.rng;
    const u = this.alloc(this.custom("if", 1, () => {}));
    const child = this.childCtx(ctx, new Map(ctx.known));
    const body = this.block(child, r.range(1, 10));
    u.children = body;
    // Afterwards only pointers both paths agree on stay known.
    for (const [reg, k] of [...ctx.known]) {
      const c = child.known.get(reg);
      if (!c || c.v !== k.v || c.def !== k.def) ctx.known.delete(reg);
    }
    const small = body.reduce((n, b) => n + maxBytes(b), 0) <= 240;
    const rs1 = r.range(8, 15);
    const compressed = small && r.bool(0.3);
    const op = r.pick(Object.keys(E.BRANCH_F3) as E.BranchOp[]);
    const rs1b = this.src(), rs2b = this.src();
    const cop = r.bool(0.5) ? "c.beqz" : "c.bnez";
    u.desc = compressed ? `${cop} ${xn(rs1)} (if)` : `${op} ${xn(rs1b)}, ${xn(rs2b)} (if)`;
    u.emit = (e) => {
      const end = new Label("endif");
      if (compressed) e.cur.cBranch(cop, rs1, end);
      else e.cur.branch(op, rs1b, rs2b, end);
      e.body(body, u.id);
      e.cur.place(end);
    };
    return u;
  }

  private loop(ctx: Ctx): Unit {
    const r = this.rng;
    const rc = this.dest(ctx, false);
    const iters = r.range(1, 4);
    const init = E.liSeq(rc, BigInt(iters));
    const u = this.alloc(this.custom("loop", init.length + 2, () => {}));
    const child = this.childCtx(ctx, new Map(), [rc]);
    const body = this.block(child, r.range(2, 14));
    u.children = body;
    ctx.known = child.known;
    this.kill(ctx, rc);
    const bytes = body.reduce((n, b) => n + maxBytes(b), 0);
    const back = rc >= 8 && rc <= 15 && bytes <= 230 && r.bool(0.4) ? "c.bnez" : r.pick(["bne", "blt", "bltu"] as const);
    const dec = r.bool(0.5) ? "c.addi" : "addi";
    u.desc = `loop ${xn(rc)} x${iters} (${back})`;
    u.emit = (e) => {
      const top = new Label("loop");
      e.cur.all(init);
      e.cur.place(top);
      e.body(body, u.id);
      if (dec === "c.addi") e.cur.i16(E.cAddi(rc, -1)); else e.cur.i32(E.addi(rc, rc, -1));
      if (back === "c.bnez") e.cur.cBranch("c.bnez", rc, top);
      else if (back === "bne") e.cur.branch("bne", rc, 0, top);
      else e.cur.branch(back, 0, rc, top);
    };
    return u;
  }

  private call(ctx: Ctx): Unit {
    const r = this.rng;
    let link = r.bool(0.6) ? X.ra : this.dest(ctx, false);
    if (ctx.reserved.has(link)) link = this.dest(ctx, false);
    let via: "jal" | "jalr" | "c.jalr" = r.pick(["jal", "jal", "jalr", "c.jalr"] as const);
    if (via === "c.jalr" && link !== X.ra) via = "jalr";
    let tmp = 0;
    if (via !== "jal") {
      do tmp = this.dest(ctx, false); while (tmp === link);
    }
    const u = this.alloc(this.custom("call", (via === "jal" ? 1 : 3) + 2, () => {}));
    this.kill(ctx, link, tmp);
    const child = this.childCtx(ctx, new Map(ctx.known), [link]);
    const body = this.block(child, r.range(1, 10));
    u.children = body;
    ctx.known = child.known;
    const bytes = body.reduce((n, b) => n + maxBytes(b), 0);
    const skipC = bytes <= 1900 && r.bool(0.5);
    const retC = r.bool(0.5);
    u.desc = `call via ${via} link ${xn(link)}`;
    u.emit = (e) => {
      const sub = new Label("sub"), after = new Label("after");
      if (via === "jal") e.cur.jal(link, sub);
      else {
        e.cur.la(tmp, sub);
        if (via === "jalr") e.cur.i32(E.jalr(link, tmp, 0)); else e.cur.i16(E.cJalr(tmp));
      }
      if (skipC) e.cur.cJ(after); else e.cur.jal(0, after);
      e.cur.place(sub);
      e.body(body, u.id);
      if (retC) e.cur.i16(E.cJr(link)); else e.cur.i32(E.jalr(0, link, 0));
      e.cur.place(after);
    };
    return u;
  }

  /** A forward jump over bytes that never execute. */
  private skip(): Unit {
    const r = this.rng;
    const junk: Array<number | { c: number }> = [];
    for (let i = r.range(1, 6); i > 0; i--) junk.push(r.bool(0.5) ? r.u32() : { c: r.int(0x10000) });
    const c = r.bool(0.5);
    const u = this.alloc(this.custom(`skip ${junk.length} junk`, 1, (e) => {
      const end = new Label("skip");
      if (c) e.cur.cJ(end); else e.cur.jal(0, end);
      for (const w of junk) typeof w === "number" ? e.cur.i32(w) : e.cur.i16(w.c);
      e.cur.place(end);
    }));
    return u;
  }

  // ---- traps and odd encodings

  private trap(_ctx: Ctx): Unit {
    const r = this.rng;
    switch (r.weighted({ ecall: 3, ebreak: 2, cebreak: 1, zero: 1, ones: 1, custom: 2 })) {
      case "ecall": return this.leaf("ecall", [E.ECALL]);
      case "ebreak": return this.leaf("ebreak", [E.EBREAK]);
      case "cebreak": return this.leaf("c.ebreak", [{ c: E.C_EBREAK }]);
      case "zero": return this.leaf("illegal 0x0000", [{ c: 0 }]);
      case "ones": return this.leaf("illegal 0xffffffff", [0xffffffff]);
      default: {
        const w = ((r.u32() & ~0x7f) | r.pick([0x0b, 0x2b, 0x5b, 0x7b])) >>> 0;
        return this.leaf(`custom opcode ${hex(w)}`, [w]);
      }
    }
  }

  /**
   * A random encoding inside an opcode whose instructions touch nothing but registers (or
   * are reserved): both systems must agree on which are legal and what they do.
   */
  private randomEncoding(ctx: Ctx): Unit {
    const r = this.rng;
    const scrub = (w: number) => {
      const rd = (w >>> 7) & 31;
      if (ctx.reserved.has(rd) || ctx.known.has(rd)) w = (w & ~(31 << 7)) | (this.dest(ctx) << 7);
      this.kill(ctx, (w >>> 7) & 31);
      return w >>> 0;
    };
    const opcodes = [0x13, 0x1b, 0x33, 0x3b, 0x33, 0x3b, 0x13];
    if (!this.fp) opcodes.push(0x53, 0x43, 0x07, 0x27);
    else opcodes.push(0x53);
    const kind = r.weighted({ op: 6, bad: 2, c: 3 });
    if (kind === "op") {
      let raw: number;
      do raw = ((r.u32() & ~0x7f) | r.pick(opcodes)) >>> 0; while (qemuWrong(raw)); // rd is no part of what it checks
      const w = scrub(raw);
      return this.leaf(`random ${hex(w)}`, [w]);
    }
    if (kind === "bad") {
      // reserved funct3 values of opcodes that would otherwise touch memory or control flow
      const base = r.pick([[0x03, 7], [0x23, 4], [0x23, 5], [0x23, 6], [0x23, 7], [0x63, 2], [0x63, 3],
        [0x67, 1], [0x67, 5], [0x0f, 2], [0x0f, 5], [0x73, 4], [0x2f, 0], [0x2f, 5]]);
      const w = scrub(((r.u32() & ~0x707f) | (base[1] << 12) | base[0]) >>> 0);
      return this.leaf(`reserved ${hex(w)}`, [w]);
    }
    // Compressed: quadrant/funct3 combinations without memory access or control transfer.
    for (;;) {
      const h = r.int(0x10000);
      const q = h & 3, f3 = h >>> 13;
      if (q === 3) continue;
      const rd = (h >>> 7) & 31, rs2 = (h >>> 2) & 31;
      const crdLow = 8 + ((h >>> 2) & 7), crdHigh = 8 + ((h >>> 7) & 7);
      let written = -1;
      if (q === 0) {
        if (f3 === 0) { if (((h >>> 5) & 0xff) === 0) continue; written = crdLow; }
        else if (f3 === 4) written = -1; // reserved
        else if (!this.fp && (f3 === 1 || f3 === 5)) written = -1; // c.fld/c.fsd without F/D: illegal
        else continue;
      } else if (q === 1) {
        if (f3 === 5 || f3 === 6 || f3 === 7) continue;
        if (f3 === 1 && rd === 0) continue; // reserved
        if (f3 === 3 && ((h >>> 12) & 1) === 0 && rs2 === 0) continue; // nzimm = 0: reserved
        if (f3 === 4 && ((h >>> 10) & 3) === 3 && ((h >>> 12) & 1) === 1 && ((h >>> 5) & 3) >= 2) continue; // reserved
        written = f3 === 4 ? crdHigh : rd;
      } else {
        if (f3 === 2 || f3 === 3 || f3 === 6 || f3 === 7) continue;
        if (f3 === 1 || f3 === 5) { if (this.fp) continue; written = -1; }
        else if (f3 === 4) {
          if (rs2 === 0) continue; // c.jr / c.jalr / c.ebreak
          written = rd;
        } else written = rd;
      }
      if (written >= 0 && (ctx.reserved.has(written) || (written === X.sp && ctx.known.has(X.sp)))) continue;
      if (written > 0) this.kill(ctx, written);
      return this.leaf(`random c ${hex(h)}`, [{ c: h }]);
    }
  }

  private fence(): Unit {
    const r = this.rng;
    switch (r.int(4)) {
      case 0: return this.leaf("fence", [E.fence(r.int(16), r.int(16))]);
      case 1: return this.leaf("fence.i", [E.FENCE_I]);
      case 2: return this.leaf("fence.tso", [E.fence(3, 3, 8)]);
      default: return this.leaf("pause", [E.fence(1, 0)]);
    }
  }

  // ---- F and D

  private fpUnit(ctx: Ctx): Unit[] {
    const r = this.rng;
    const fmt: E.Fmt = r.bool(0.2) ? 2 : r.bool(0.5) ? 1 : 0;
    const sd = FMT_NAME[fmt];
    // f0-f15 mostly hold doubles, f16-f31 mostly singles and f24-f31 halves too, so values
    // stay varied (mixing formats turns most of them into canonical NaNs quickly).
    const f = () => (r.bool(0.85) ? (fmt === 2 ? 24 + r.int(8) : (fmt ? 0 : 16) + r.int(16)) : r.int(32));
    // Static rounding modes, often dynamic; rarely a reserved one (illegal instruction).
    const rm = (allowBad = true) => (allowBad && r.bool(0.03) ? r.pick([5, 6]) : r.pick([0, 1, 2, 3, 4, 7, 7, 7]));
    const intDest = () => { const rd = this.dest(ctx); this.kill(ctx, rd); return rd; };
    switch (r.weighted({
      arith: 25, fma: 10, sqrt: 4, sgnj: 6, minmax: 6, cmp: 6, class: 3, toInt: 6, fromInt: 6, cvt: 4,
      mvx: 3, mvf: 3, load: 7, store: 5, csr: 3, fli: 6,
    })) {
      case "arith": {
        const op = r.pick([...E.FP_ARITH]);
        return [this.leaf(`${op}.${sd}`, [E.fpArith(op, fmt, f(), f(), f(), rm())])];
      }
      case "fma": {
        const op = r.pick(["fmadd", "fmsub", "fnmsub", "fnmadd"] as const);
        return [this.leaf(`${op}.${sd}`, [E.fma(op, fmt, f(), f(), f(), f(), rm())])];
      }
      case "sqrt": return [this.leaf(`fsqrt.${sd}`, [E.fsqrt(fmt, f(), f(), rm())])];
      case "sgnj": {
        const k = r.int(3) as 0 | 1 | 2;
        return [this.leaf(`fsgnj${["", "n", "x"][k]}.${sd}`, [E.fsgnj(k, fmt, f(), f(), f())])];
      }
      case "minmax": {
        const max = r.bool(0.5);
        return [this.leaf(`f${max ? "max" : "min"}.${sd}`, [E.fminmax(max, fmt, f(), f(), f())])];
      }
      case "cmp": {
        const k = r.int(3) as 0 | 1 | 2;
        return [this.leaf(`f${["le", "lt", "eq"][k]}.${sd}`, [E.fcmp(k, fmt, intDest(), f(), f())])];
      }
      case "class": return [this.leaf(`fclass.${sd}`, [E.fclass(fmt, intDest(), f())])];
      case "toInt": {
        const ik = r.int(4) as 0 | 1 | 2 | 3;
        return [this.leaf(`fcvt.${["w", "wu", "l", "lu"][ik]}.${sd}`, [E.fcvtToInt(ik, fmt, intDest(), f(), rm())])];
      }
      case "fromInt": {
        const ik = r.int(4) as 0 | 1 | 2 | 3;
        return [this.leaf(`fcvt.${sd}.${["w", "wu", "l", "lu"][ik]}`, [E.fcvtFromInt(ik, fmt, f(), this.src(), rm(false))])];
      }
      case "cvt": { // to `fmt` from another format; the widening ones never round
        const from = r.pick(([0, 1, 2] as E.Fmt[]).filter((x) => x !== fmt));
        const widens = fmt === 1 || (fmt === 0 && from === 2);
        return [this.leaf(`fcvt.${sd}.${FMT_NAME[from]}`, [E.fcvtFF(fmt, from, r.int(32), r.int(32), rm(!widens))])];
      }
      case "mvx": return [this.leaf(`fmv.x.${fmt === 0 ? "w" : sd}`, [E.fmvToInt(fmt, intDest(), f())])];
      case "mvf": return [this.leaf(`fmv.${fmt === 0 ? "w" : sd}.x`, [E.fmvFromInt(fmt, f(), this.src())])];
      case "load": return this.mem(ctx, "load", true);
      case "store": return this.mem(ctx, "store", true);
      case "csr": return [this.fpCsr(ctx)];
      default: {
        const tmp = this.dest(ctx, false);
        this.kill(ctx, tmp);
        const v = this.fpValue();
        return [this.leaf(`f <- ${hex(v)}`, [...E.liSeq(tmp, v), E.fmvFromInt(1, f(), tmp)])];
      }
    }
  }

  /** FS = Off for one FP instruction (illegal), then back to Dirty; M- or S-mode. */
  private fpOff(ctx: Ctx): Unit {
    const r = this.rng;
    const tmp = this.dest(ctx, false);
    this.kill(ctx, tmp);
    const status = ctx.mode === PRIV_M ? CSR.mstatus : CSR.sstatus;
    const f = () => r.int(32);
    const op = r.pick([
      E.fpArith("fadd", 1, f(), f(), f(), 0), E.fmvFromInt(0, f(), r.range(1, 31)), E.fsgnj(0, 1, f(), f(), f()),
      E.csr("csrrs", 0, CSR.fflags, 0), E.csr("csrrw", 0, CSR.frm, r.range(1, 31)), E.fcmp(2, 0, 0, f(), f()),
    ]);
    return this.leaf(`FS off: ${hex(op)}`, [...E.liSeq(tmp, MS.FS), E.csrc(status, tmp), op, E.csrs(status, tmp)]);
  }

  // ---- CSRs

  /** CSR instruction with a register or immediate source; `rd` may be x0. */
  private csrOp(ctx: Ctx, num: number, desc: string, src?: number): Unit {
    const r = this.rng;
    const op = r.pick(["csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"] as const);
    const rd = r.bool(0.3) ? 0 : this.dest(ctx);
    const s = src ?? (op.endsWith("i") ? r.int(32) : this.src());
    this.kill(ctx, rd);
    return this.leaf(`${op} ${desc}`, [E.csr(op, rd, num, s)]);
  }

  /** fflags/frm/fcsr accesses; frm gets a reserved value (5-7) only now and then. */
  private fpCsr(ctx: Ctx): Unit {
    const r = this.rng;
    const num = r.pick([CSR.fflags, CSR.frm, CSR.fcsr]);
    if (r.bool(0.3)) return this.csrOp(ctx, num, "fp csr");
    const frm = BigInt(r.bool(0.9) ? r.int(5) : r.range(5, 7));
    const v = num === CSR.fflags ? BigInt(r.int(32)) : num === CSR.frm ? frm : (frm << 5n) | BigInt(r.int(32));
    return this.csrWrite(ctx, num, v, num === CSR.fflags ? "fflags" : num === CSR.frm ? "frm" : "fcsr");
  }

  /** A CSR instruction whose written bits are limited to `mask` (any op, register or immediate). */
  private csrMasked(ctx: Ctx, num: number, mask: bigint, desc: string): Unit {
    const r = this.rng;
    const op = r.pick(["csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"] as const);
    const rd = r.bool(0.3) ? 0 : this.dest(ctx);
    if (op.endsWith("i")) {
      this.kill(ctx, rd);
      return this.leaf(`${op} ${desc}`, [E.csr(op, rd, num, r.int(32) & Number(mask & 31n))]);
    }
    const tmp = this.dest(ctx, false);
    let v = (r.bool(0.5) ? r.u64() : this.interesting()) & mask;
    // MPP = 2 is reserved, and QEMU 7.2 stores it (EXCLUSIONS.md #19): write MPP = 2 never, and
    // set or clear MPP's two bits only together (one bit alone can turn 3 or 0 into 2).
    if (num === CSR.mstatus && op === "csrrw" && ((v >> 11n) & 3n) === 2n) v &= ~MS.MPP;
    if (num === CSR.mstatus && op !== "csrrw" && (v & MS.MPP) !== 0n) v |= MS.MPP;
    this.kill(ctx, tmp, rd);
    return this.leaf(`${op} ${desc}, ${hex(v)}`, [...E.liSeq(tmp, v), E.csr(op, rd, num, tmp)]);
  }

  /** CSRRW of a chosen value (through a scratch register). */
  private csrWrite(ctx: Ctx, num: number, v: bigint, desc: string, extra: number[] = []): Unit {
    const tmp = this.dest(ctx, false);
    // The old mcause/scause never goes to a register: QEMU's AMO causes are only normalized in
    // the trap log and the dumped CSRs (EXCLUSIONS.md #3).
    const cause = num === CSR.mcause || num === CSR.scause;
    const rd = cause || this.rng.bool(0.5) ? 0 : this.dest(ctx);
    this.kill(ctx, tmp, rd);
    return this.leaf(`csrrw ${desc} = ${hex(v)}`, [...E.liSeq(tmp, v), E.csr("csrrw", rd, num, tmp), ...extra]);
  }

  private causeValue(): bigint {
    const r = this.rng;
    return r.bool(0.3) ? (1n << 63n) | BigInt(r.pick([1, 3, 5, 7, 9, 11])) : BigInt(r.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15]));
  }

  private satpValue(xlate: 0 | 8 | 9): bigint {
    const asid = BigInt(this.rng.int(0x10000));
    if (xlate === 0) return 0n;
    const root = xlate === 8 ? this.lay.pt : this.lay.pt + PAGE;
    return (BigInt(xlate) << 60n) | (asid << 44n) | (BigInt(root) >> 12n);
  }

  /** M-mode CSR accesses (user profile: anything deterministic; priv M segments: a subset). */
  private csrM(ctx: Ctx): Unit {
    const r = this.rng;
    const user = !this.priv;
    const k = r.weighted({
      sscratch: user ? 2 : 0, sepc: 2, stval: 1, mepc: 2, mtval: 1, mcause: 1, scause: 1,
      satp: user ? 1 : 0, mie: user ? 1 : 0, mip: user ? 1 : 0, medeleg: user ? 1 : 0, mideleg: user ? 1 : 0,
      mstatus: user ? 1 : 0, fcsr: 1, ro: 1, none: 1, counter: 1, envcfg: user ? 0.5 : 0, counteren: user ? 0.5 : 0,
    });
    // EXCLUSIONS.md #4: QEMU 7.2 keeps bit 0 of mepc/sepc; only even values are written.
    if (k === "mepc" || k === "sepc") return this.csrMasked(ctx, CSR[k], ~1n, k);
    switch (k) {
      case "mcause": return this.csrWrite(ctx, CSR.mcause, this.causeValue(), "mcause");
      case "scause": return this.csrWrite(ctx, CSR.scause, this.causeValue(), "scause");
      case "satp": return this.csrWrite(ctx, CSR.satp, this.satpValue(r.pick([0, 8, 9] as const)), "satp", [E.sfenceVma(0, 0)]);
      case "fcsr": return this.fpCsr(ctx);
      // Values restricted to the fields both implement per the spec (EXCLUSIONS.md #3, #4).
      // Without F/D under test, FS stays 0 (QEMU has F and D, so FS != 0 would enable them).
      // MPRV stays 0: every trap's MRET sets MPP = U, and QEMU 7.2 keeps using translations
      // cached for the old MPP (EXCLUSIONS.md #9); the priv profile tests MPRV in controlled units.
      // FS stays as the prologue set it (0, or 3 with F/D): QEMU 7.2 leaves FS Clean when an
      // instruction changes only fflags (EXCLUSIONS.md #20); the fpOff unit covers FS = Off.
      case "mstatus": return this.csrMasked(ctx, CSR.mstatus, MSTATUS_COMMON & ~MS.FS & ~MS.MPRV, "mstatus");
      case "mie": return this.csrMasked(ctx, CSR.mie, 0xaaan, "mie");
      case "mip": return this.csrMasked(ctx, CSR.mip, 0xaaan, "mip");
      case "mideleg": return this.csrMasked(ctx, CSR.mideleg, 0xaaan, "mideleg");
      // EXCLUSIONS.md #5: QEMU 7.2 lets medeleg[11] (and [10]) be set; only defined causes here.
      case "medeleg": return this.csrMasked(ctx, CSR.medeleg, 0xb3ffn, "medeleg");
      // FIOM is the only field for what both implement (no Zicbom/Zicboz, Svpbmt, Sstc); QEMU
      // 7.2 lets CBIE/CBCFE/CBZE (7:4), PBMTE (62) and STCE (63) be set anyway (EXCLUSIONS.md #16)
      case "envcfg": return r.bool(0.5) ? this.csrMasked(ctx, CSR.menvcfg, ~0xc0000000000000f0n & ((1n << 64n) - 1n), "menvcfg")
        : this.csrMasked(ctx, CSR.senvcfg, ~0xc0000000000000f0n & ((1n << 64n) - 1n), "senvcfg");
      // The user profile stays in M-mode, where the counters they enable are never read. They
      // are 32-bit registers; QEMU 7.2 keeps 64 bits (EXCLUSIONS.md #17).
      case "counteren": return this.csrMasked(ctx, r.bool(0.5) ? CSR.mcounteren : CSR.scounteren, 0xffffffffn, "counteren");
      case "ro": {
        // Writes to read-only CSRs are illegal. EXCLUSIONS.md #6: QEMU 7.2 takes a CSRRS/CSRRC
        // whose rs1 (not x0) holds zero for a read, so the source register is made non-zero.
        const num = r.pick([CSR.mhartid, CSR.mvendorid, CSR.cycle, CSR.instret, CSR.time]);
        const op = r.pick(["csrrw", "csrrs", "csrrc"] as const);
        const tmp = this.dest(ctx, false);
        this.kill(ctx, tmp);
        return this.leaf(`${op} read-only ${hex(num)}`, [...E.liSeq(tmp, BigInt(r.range(1, 4095))), E.csr(op, 0, num, tmp)]);
      }
      case "none": return this.csrOp(ctx, r.pick([0x7c0, 0x800, 0x5c0, 0xbc0, 0x9c0, 0x8ff]), "unimplemented CSR");
      case "counter": return this.leaf("csrr x0, counter", [E.csrr(0, r.pick([CSR.cycle, CSR.time, CSR.instret]))]);
      default: return this.csrOp(ctx, (CSR as Record<string, number>)[k], k);
    }
  }

  private csrS(ctx: Ctx): Unit {
    const r = this.rng;
    const k = r.weighted({ sepc: 2, stval: 1, scause: 1, sstatus: 2, fcsr: 1, none: 0.5 });
    switch (k) {
      case "sepc": return this.csrMasked(ctx, CSR.sepc, ~1n, "sepc");
      case "scause": return this.csrWrite(ctx, CSR.scause, this.causeValue(), "scause");
      case "sstatus": {
        const bits = [MS.SUM, MS.MXR, MS.SIE, MS.SPIE, MS.SPP].filter(() => r.bool(0.4)).reduce((a, b) => a | b, 0n);
        const tmp = this.dest(ctx, false);
        this.kill(ctx, tmp);
        return this.leaf(`sstatus bits ${hex(bits)}`, [...E.liSeq(tmp, bits), r.bool(0.5) ? E.csrs(CSR.sstatus, tmp) : E.csrc(CSR.sstatus, tmp)]);
      }
      case "fcsr": return this.fpCsr(ctx);
      case "none": return this.csrOp(ctx, r.pick([0x7c0, 0x5c0, 0x9c0]), "unimplemented CSR");
      default: return this.csrOp(ctx, (CSR as Record<string, number>)[k], k);
    }
  }

  /** Privileged operations that are illegal in the current mode (or by TVM/TW/TSR). */
  private privIllegal(ctx: Ctx): Unit {
    const r = this.rng;
    const opts: Array<[string, number]> = [
      ["mret", E.MRET], ["csrr mstatus", E.csrr(this.dest(ctx), CSR.mstatus)], ["csrr cycle", E.csrr(this.dest(ctx), CSR.cycle)],
      ["csrr time", E.csrr(this.dest(ctx), CSR.time)], ["csrw mscratch", E.csrw(CSR.mscratch, this.src())],
      ["csrr instret", E.csrr(this.dest(ctx), CSR.instret)], ["csrr mhartid", E.csrr(this.dest(ctx), CSR.mhartid)],
    ];
    if (ctx.mode === PRIV_U) {
      opts.push(["sret", E.SRET], ["wfi", E.WFI], ["sfence.vma", E.sfenceVma(this.src(), this.src())],
        ["csrr sstatus", E.csrr(this.dest(ctx), CSR.sstatus)], ["csrr satp", E.csrr(this.dest(ctx), CSR.satp)],
        ["csrw sscratch", E.csrw(CSR.sscratch, this.src())], ["csrr sepc", E.csrr(this.dest(ctx), CSR.sepc)]);
    } else {
      if (ctx.tsr) opts.push(["sret (TSR)", E.SRET]);
      if (ctx.tw) opts.push(["wfi (TW)", E.WFI]);
      if (ctx.tvm) {
        opts.push(["sfence.vma (TVM)", E.sfenceVma(this.src(), this.src())], ["csrr satp (TVM)", E.csrr(this.dest(ctx), CSR.satp)],
          ["csrw satp (TVM)", E.csrw(CSR.satp, this.src())]);
      }
    }
    const [desc, w] = r.pick(opts);
    this.kill(ctx, (w >>> 7) & 31);
    return this.leaf(desc, [w]);
  }

  /**
   * Self-modifying code (M-mode: code pages are not writable below M). A slot executes once,
   * is overwritten by a store, FENCE.I makes the store visible to fetches, and the slot
   * executes again as the new instruction.
   */
  private smc(ctx: Ctx): Unit {
    const r = this.rng;
    const regs: number[] = [];
    while (regs.length < 4) {
      const x = this.dest(ctx, false);
      if (!regs.includes(x)) regs.push(x);
    }
    const [rc, rp, rv, rd] = regs;
    const aluWord = () => r.pick([
      E.addi(rd, rd, r.range(-2048, 2047)), E.rr("xor", rd, rd, this.src()), E.rr("mul", rd, rd, this.src()),
      E.shiftImm("srai", rd, rd, r.int(64)), E.rrw("addw", rd, rd, this.src()),
    ]);
    const compressed = r.bool(0.3);
    const old = compressed ? E.cAddi(rd, r.range(1, 31)) : aluWord();
    const neu = compressed ? E.cSlli(rd, r.range(1, 63)) : aluWord();
    const li = E.liSeq(rv, BigInt(neu));
    this.kill(ctx, rc, rp, rv, rd);
    const n = 1 + 1 + 2 + li.length + 4;
    const u = this.alloc(this.custom(`self-modifying: ${hex(old)} -> ${hex(neu)}`, n, (e) => {
      const top = new Label("smc"), slot = new Label("slot");
      const a = e.cur;
      a.i32(E.addi(rc, 0, 2));
      a.place(top);
      a.place(slot);
      if (compressed) a.i16(old); else a.i32(old);
      a.la(rp, slot);
      a.all(li);
      a.i32(E.store(compressed ? "sh" : "sw", rv, rp, 0));
      a.i32(E.FENCE_I);
      a.i32(E.addi(rc, rc, -1));
      a.branch("bne", rc, 0, top);
    }));
    return u;
  }

  /** Reads CLINT registers that do not move (msip, mtimecmp), in M-mode. */
  private clintRead(ctx: Ctx): Unit {
    const r = this.rng;
    const [p, rd] = this.twoRegs(ctx);
    this.kill(ctx, p, rd);
    const which = r.int(3);
    const addr = which === 0 ? LY.CLINT : LY.CLINT + LY.CLINT_MTIMECMP + (which === 2 ? 4 : 0);
    const op = which === 1 ? r.pick(["ld", "lw", "lwu"] as const) : "lw";
    return this.leaf(`${op} CLINT+${hex(addr - LY.CLINT)}`, [...E.liSeq(p, BigInt(addr)), E.load(op, rd, p, 0)]);
  }

  // ---- privileged scenarios

  /** Interrupt sources and enables in M-mode. Sources are raised with their enable off. */
  private intrM(ctx: Ctx): Unit {
    const r = this.rng;
    const [tmp, tmp2] = this.twoRegs(ctx);
    this.kill(ctx, tmp, tmp2);
    const w: number[] = [];
    let desc: string;
    switch (r.int(6)) {
      case 0: // MSIP through the CLINT
        w.push(...E.liSeq(tmp, 1n << BigInt(IRQ.MSI)), E.csrc(CSR.mie, tmp), ...E.liSeq(tmp, BigInt(LY.CLINT)),
          E.addi(tmp2, 0, 1), E.store("sw", tmp2, tmp, 0));
        desc = "raise MSIP (CLINT)";
        break;
      case 1: // MTIP: mtimecmp = 0
        w.push(...E.liSeq(tmp, 1n << BigInt(IRQ.MTI)), E.csrc(CSR.mie, tmp), ...E.liSeq(tmp, BigInt(LY.CLINT + LY.CLINT_MTIMECMP)),
          E.store("sd", 0, tmp, 0));
        desc = "raise MTIP (mtimecmp = 0)";
        break;
      case 2: { // software-writable S-level bits of mip
        const bits = [IRQ.SSI, IRQ.STI, IRQ.SEI].filter(() => r.bool(0.5)).reduce((a, b) => a | (1 << b), 0);
        w.push(...E.liSeq(tmp, BigInt(bits)), r.bool(0.7) ? E.csrs(CSR.mip, tmp) : E.csrc(CSR.mip, tmp));
        desc = `mip bits ${hex(bits)}`;
        break;
      }
      case 3: { // enables
        const bits = [IRQ.SSI, IRQ.MSI, IRQ.STI, IRQ.MTI, IRQ.SEI].filter(() => r.bool(0.5)).reduce((a, b) => a | (1 << b), 0);
        w.push(...E.liSeq(tmp, BigInt(bits)), r.bool(0.7) ? E.csrs(CSR.mie, tmp) : E.csrc(CSR.mie, tmp));
        desc = `mie bits ${hex(bits)}`;
        break;
      }
      case 4: { // delegation
        const bits = [IRQ.SSI, IRQ.STI, IRQ.SEI].filter(() => r.bool(0.5)).reduce((a, b) => a | (1 << b), 0);
        w.push(...E.liSeq(tmp, BigInt(bits)), E.csrw(CSR.mideleg, tmp));
        desc = `mideleg = ${hex(bits)}`;
        break;
      }
      default: { // global enables
        const bits = [MS.MIE, MS.SIE, MS.MPIE, MS.SPIE].filter(() => r.bool(0.5)).reduce((a, b) => a | b, 0n);
        w.push(...E.liSeq(tmp, bits), r.bool(0.6) ? E.csrs(CSR.mstatus, tmp) : E.csrc(CSR.mstatus, tmp));
        desc = `mstatus bits ${hex(bits)}`;
      }
    }
    return this.leaf(desc, w);
  }

  private intrS(ctx: Ctx): Unit {
    const r = this.rng;
    const tmp = this.dest(ctx, false);
    this.kill(ctx, tmp);
    switch (r.int(3)) {
      case 0: return this.leaf("sip.SSIP", [E.addi(tmp, 0, 2), r.bool(0.7) ? E.csrs(CSR.sip, tmp) : E.csrc(CSR.sip, tmp)]);
      case 1: {
        const bits = [IRQ.SSI, IRQ.STI, IRQ.SEI].filter(() => r.bool(0.5)).reduce((a, b) => a | (1 << b), 0);
        return this.leaf(`sie bits ${hex(bits)}`, [...E.liSeq(tmp, BigInt(bits)), r.bool(0.7) ? E.csrs(CSR.sie, tmp) : E.csrc(CSR.sie, tmp)]);
      }
      default: return this.leaf("sstatus.SIE", [E.csr(r.bool(0.6) ? "csrrsi" : "csrrci", 0, CSR.sstatus, 2)]);
    }
  }

  /** WFI in M-mode with an interrupt pending and enabled in mie but MIE clear: it falls through. */
  private wfiM(ctx: Ctx): Unit {
    const [tmp, tmp2] = this.twoRegs(ctx);
    this.kill(ctx, tmp, tmp2);
    return this.leaf("wfi with MSIP pending", [
      E.csr("csrrci", 0, CSR.mstatus, 8),
      ...E.liSeq(tmp, 1n << BigInt(IRQ.MSI)), E.csrc(CSR.mie, tmp),
      ...E.liSeq(tmp2, BigInt(LY.CLINT)), E.addi(tmp, 0, 1), E.store("sw", tmp, tmp2, 0),
      ...E.liSeq(tmp, 1n << BigInt(IRQ.MSI)), E.csrs(CSR.mie, tmp),
      E.WFI,
      E.csrc(CSR.mie, tmp), E.store("sw", 0, tmp2, 0),
    ]);
  }

  /**
   * WFI in S-mode (TW = 0) with SSIP delegated, pending and enabled in sie but SIE clear: it
   * falls through; the interrupt is withdrawn again before anything can take it.
   */
  private wfiS(ctx: Ctx): Unit {
    const tmp = this.dest(ctx, false);
    this.kill(ctx, tmp);
    return this.leaf("wfi (S) with SSIP pending", [
      E.csr("csrrci", 0, CSR.sstatus, 2), E.addi(tmp, 0, 2), E.csrs(CSR.sie, tmp), E.csrs(CSR.sip, tmp),
      E.WFI, E.csrc(CSR.sip, tmp),
    ]);
  }

  /** Loads and stores with MPRV set: translated and checked as MPP. */
  private mprv(ctx: Ctx): Unit {
    const r = this.rng;
    const mpp: Priv = r.pick([PRIV_U, PRIV_S, PRIV_S] as const);
    const tmp = this.dest(ctx, false);
    const words: number[] = [...E.liSeq(tmp, MS.MPP), E.csrc(CSR.mstatus, tmp)];
    const extra = [MS.SUM, MS.MXR].filter(() => r.bool(0.3)).reduce((a, b) => a | b, 0n);
    words.push(...E.liSeq(tmp, MS.MPRV | (mpp === PRIV_S ? MS.MPP_S : 0n) | extra), E.csrs(CSR.mstatus, tmp));
    const sub = this.ctx(PRIV_M, ctx.xlate);
    sub.reserved = new Set([...ctx.reserved, tmp]);
    const nAcc = r.range(1, 4);
    for (let j = 0; j < nAcc; j++) {
      if (j > 0) {
        // Re-assert MPP before each access: a trap taken by an earlier access returns with
        // MPP = U, and QEMU 7.2 keeps using the translations cached for the old MPP
        // (EXCLUSIONS.md #9). The CSR write makes QEMU flush them.
        words.push(...E.liSeq(tmp, MS.MPP), E.csrc(CSR.mstatus, tmp));
        words.push(...E.liSeq(tmp, MS.MPRV | (mpp === PRIV_S ? MS.MPP_S : 0n) | extra), E.csrs(CSR.mstatus, tmp));
      }
      const units = this.mem(sub, r.bool(0.5) ? "load" : "store", false, mpp);
      for (const u of units) { this.count -= u.n; this.nextId--; }
      // The accesses are generated as ordinary units (pointer definitions included), then
      // taken back out of the tree and inlined into this leaf: an MPRV sequence must stay whole
      // when the shrinker deletes units. Compressed parcels are kept as negative numbers.
      for (const u of units) {
        const a = new Area("tmp", 0, 64);
        const e = new Emitter(a, a, new Set(), {});
        u.emit(e);
        const b = a.bytes();
        for (let o = 0; o < b.length;) {
          if ((b[o] & 3) === 3) { words.push((b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0); o += 4; }
          else { words.push(-1 - (b[o] | (b[o + 1] << 8))); o += 2; }
        }
      }
    }
    words.push(...E.liSeq(tmp, MS.MPRV | extra), E.csrc(CSR.mstatus, tmp));
    // the accesses defined and loaded registers of their own: forget every pointer
    ctx.known.clear();
    const ws: Array<number | { c: number }> = words.map((w) => (w < 0 ? { c: -1 - w } : w));
    return this.leaf(`MPRV accesses as ${privName(mpp)}`, ws);
  }

  /** Rewrites an alias PTE with new permissions, then SFENCE.VMA. */
  private ptemod(ctx: Ctx): Unit {
    const r = this.rng;
    const lay = this.lay;
    const al0 = lay.pt + 5 * PAGE, al1 = lay.pt + 4 * PAGE;
    const choice = r.weighted({ data: 6, snip: 2, mega: 1, giga: 1, tera: 0.5 });
    let addr: number, va: bigint, pte: bigint;
    if (choice === "data") {
      const idx = r.pick([0, 1, 2, 3, 4, 5, 6, 7, LY.AL0_WNR, LY.AL0_HOLE, LY.AL0_PTR]);
      const page = idx < 8 ? idx % 4 : idx === LY.AL0_HOLE ? 1 : 0;
      addr = al0 + 8 * idx;
      va = LY.VA_ALIAS + BigInt(idx * PAGE);
      pte = pteLeaf(lay.data + page * PAGE, this.perm({ x: false }));
    } else if (choice === "snip") {
      const idx = r.pick([LY.AL0_USNIP, LY.AL0_USNIP + 1, LY.AL0_SSNIP, LY.AL0_SSNIP + 1]);
      const pa = idx < LY.AL0_SSNIP ? lay.usnip + (idx - LY.AL0_USNIP) * PAGE : lay.ssnip + (idx - LY.AL0_SSNIP) * PAGE;
      addr = al0 + 8 * idx;
      va = LY.VA_ALIAS + BigInt(idx * PAGE);
      pte = pteLeaf(pa, this.perm({ x: true, w: false, u: idx < LY.AL0_SSNIP }));
    } else if (choice === "mega") {
      addr = al1 + 8; va = LY.VA_MEGA; pte = pteLeaf(lay.region2m, this.perm({ x: false }));
    } else if (choice === "giga") {
      addr = lay.pt + 3 * 8; va = LY.VA_GIGA; pte = pteLeaf(LY.DRAM_BASE, this.perm({ x: false }));
    } else {
      addr = lay.pt + PAGE + 8; va = LY.VA_TERA; pte = pteLeaf(0, this.perm({ x: false }));
    }
    const [tmp, tmp2] = this.twoRegs(ctx);
    this.kill(ctx, tmp, tmp2);
    const words = [...E.liSeq(tmp, pte), ...E.liSeq(tmp2, BigInt(addr)), E.store("sd", tmp, tmp2, 0)];
    // rs2 = x0: every address space (a narrower fence may legally keep stale entries)
    if (r.bool(0.5)) words.push(E.sfenceVma(0, 0));
    else words.push(...E.liSeq(tmp2, va + BigInt(r.int(PAGE))), E.sfenceVma(tmp2, 0));
    return this.leaf(`pte ${hex(addr)} = ${hex(pte)}`, words);
  }

  /** Random PTE permissions for a leaf (V usually set). */
  private perm(o: { x?: boolean; w?: boolean; u?: boolean }): bigint {
    const r = this.rng;
    let p = 0n;
    if (r.bool(0.93)) p |= PTE.V;
    if (r.bool(0.8)) p |= PTE.R;
    if (o.w ?? r.bool(0.6)) p |= PTE.W;
    if (o.x ?? r.bool(0.5)) p |= PTE.X;
    if (o.u ?? r.bool(0.5)) p |= PTE.U;
    if (r.bool(0.3)) p |= PTE.G;
    if (r.bool(0.6)) p |= PTE.A;
    if (r.bool(0.5)) p |= PTE.D;
    if ((p & (PTE.R | PTE.W | PTE.X)) === 0n) p |= PTE.R; // keep it a leaf
    return p;
  }

  private satpSwitch(ctx: Ctx): Unit {
    const x = this.rng.pick([0, 8, 9] as const);
    const u = this.csrWrite(ctx, CSR.satp, this.satpValue(x), `satp (${x ? "Sv" + (x === 8 ? 39 : 48) : "bare"})`, [E.sfenceVma(0, 0)]);
    ctx.xlate = x;
    ctx.known.clear();
    return u;
  }

  private sfence(ctx: Ctx): Unit {
    const r = this.rng;
    return this.leaf("sfence.vma", [E.sfenceVma(r.bool(0.5) ? 0 : this.src(), r.bool(0.7) ? 0 : this.src())]);
  }

  /** Calls into an alias snippet (code reached through a 4 KiB alias mapping). */
  private snippetCall(ctx: Ctx): Unit {
    const r = this.rng;
    const area = ctx.mode === PRIV_U ? "ucode" : "main";
    const entries = this.snipEntries[area];
    const pa = r.pick(entries);
    const snipBase = area === "ucode" ? this.lay.usnip : this.lay.ssnip;
    const idx = area === "ucode" ? LY.AL0_USNIP : LY.AL0_SSNIP;
    const va = LY.VA_ALIAS + BigInt(idx * PAGE + (pa - snipBase));
    return this.callTo(ctx, va, `call snippet @${hex(va)}`);
  }

  /** Jumps to an address whose fetch faults; the handler returns to ra. */
  private fetchFault(ctx: Ctx): Unit {
    const r = this.rng;
    const paging = ctx.mode !== PRIV_M && ctx.xlate !== 0;
    let va: bigint;
    if (!paging) va = r.pick([0n, BigInt(LY.RAM_END), 0x10_0000_0000n]) + 4n * BigInt(r.int(4));
    else {
      // never an executable view: code reached through an alias must not trap (the handlers
      // read the trapping instruction at its physical address)
      const views = this.views(ctx).filter((v) => !["phys", "usnipv", "ssnipv"].includes(v.name));
      const v = r.pick(views);
      if (v.name === "walkbus") this.walkbusUsed = true;
      va = v.base + BigInt(r.int(v.len / 2) * 2);
      if (r.bool(0.2)) {
        // the other mode's snippet page: U pages are never executable in S, nor S pages in U
        const idx = ctx.mode === PRIV_U ? LY.AL0_SSNIP : LY.AL0_USNIP;
        va = LY.VA_ALIAS + BigInt(idx * PAGE + 2 * r.int(PAGE / 2));
      }
    }
    return this.callTo(ctx, va, `fetch fault @${hex(va)}`);
  }

  private callTo(ctx: Ctx, va: bigint, desc: string): Unit {
    const r = this.rng;
    let tmp: number;
    do tmp = this.dest(ctx, false); while (tmp === X.ra);
    const words: Array<number | { c: number }> = E.liSeq(tmp, va);
    words.push(r.bool(0.5) ? E.jalr(X.ra, tmp, 0) : { c: E.cJalr(tmp) });
    this.kill(ctx, tmp, X.ra, ...SNIP_REGS);
    return this.leaf(desc, words);
  }

  // ---- segments (priv profile)

  /**
   * A segment: from M-mode, set delegation, translation, status and enables, enter the target
   * mode, run a random block there, then climb back to M through promotion ecalls.
   */
  private segment(): Unit {
    const r = this.rng;
    const mode: Priv = r.pick([PRIV_U, PRIV_U, PRIV_S, PRIV_S, PRIV_M] as const);
    const xlate = r.weighted({ "0": 2, "8": 4.5, "9": 3.5 });
    const x = Number(xlate) as 0 | 8 | 9;
    const medeleg0 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 15].filter(() => r.bool(0.4)).reduce((a, b) => a | (1 << b), 0);
    const mideleg0 = [IRQ.SSI, IRQ.STI, IRQ.SEI].filter(() => r.bool(0.5)).reduce((a, b) => a | (1 << b), 0);
    const flags = {
      SIE: r.bool(0.4), MPIE: r.bool(0.5), SPIE: r.bool(0.5), SPP: r.bool(0.5), SUM: r.bool(0.5),
      MXR: r.bool(0.3), TVM: r.bool(0.2), TW: r.bool(0.25), TSR: r.bool(0.2), MIE: r.bool(0.3),
    };
    // With TSR the S-mode handler could not return (its SRET is illegal): delegate nothing.
    let medeleg = flags.TSR ? 0 : medeleg0;
    const mideleg = flags.TSR ? 0 : mideleg0;
    let ms = mode === PRIV_M ? MS.MPP_M : mode === PRIV_S ? MS.MPP_S : 0n;
    if (this.fp) ms |= MS.FS;
    for (const [k, on] of Object.entries(flags)) if (on) ms |= (MS as Record<string, bigint>)[k];
    const mie = [IRQ.SSI, IRQ.MSI, IRQ.STI, IRQ.MTI, IRQ.SEI].filter(() => r.bool(0.4)).reduce((a, b) => a | (1 << b), 0);
    const satp = this.satpValue(x);
    const pending = r.bool(0.25) ? r.pick(["ssip", "stip", "seip", "msip", "mtip"] as const) : undefined;
    const ctx = this.ctx(mode, x);
    ctx.tvm = flags.TVM; ctx.tw = flags.TW; ctx.tsr = flags.TSR; ctx.mideleg = mideleg;
    const u = this.alloc(this.custom("segment", 0, () => {}));
    this.walkbusUsed = false;
    const body = this.block(ctx, r.range(20, 150));
    u.children = body;
    // QEMU 7.2 takes a walk into memory that does not answer for a page fault, not an access
    // fault (EXCLUSIONS.md #18): delegate each page-fault cause like its access-fault twin.
    if (this.walkbusUsed) {
      for (const [pf, af] of [[12, 1], [13, 5], [15, 7]]) {
        medeleg = (medeleg & ~(1 << pf)) | (((medeleg >> af) & 1) << pf);
      }
    }
    // QEMU 7.2 reports faulting AMOs with load causes (EXCLUSIONS.md #3); so that the trap at
    // least goes to the same handler, the load and store/AMO causes are delegated alike.
    if (preorder(body).some((b) => b.desc.startsWith("amo"))) {
      for (const [ld, st] of [[4, 6], [5, 7], [13, 15]]) {
        medeleg = (medeleg & ~(1 << st)) | (((medeleg >> ld) & 1) << st);
      }
    }
    const T = X.t0, T2 = X.t1;
    const pre: number[] = [E.csrw(CSR.mie, 0), ...E.liSeq(T, BigInt(LY.CLINT)), E.store("sw", 0, T, 0),
      ...E.liSeq(T, BigInt(LY.CLINT + LY.CLINT_MTIMECMP)), E.addi(T2, 0, -1), E.store("sd", T2, T, 0),
      ...E.liSeq(T, 0x222n), E.csrc(CSR.mip, T),
      ...E.liSeq(T, BigInt(medeleg)), E.csrw(CSR.medeleg, T),
      ...E.liSeq(T, BigInt(mideleg)), E.csrw(CSR.mideleg, T),
      ...E.liSeq(T, satp), E.csrw(CSR.satp, T), E.sfenceVma(0, 0),
      ...E.liSeq(T, ms), E.csrw(CSR.mstatus, T)];
    if (pending === "ssip" || pending === "stip" || pending === "seip") {
      pre.push(E.addi(T, 0, pending === "ssip" ? 2 : pending === "stip" ? 32 : 512), E.csrs(CSR.mip, T));
    } else if (pending === "msip") {
      pre.push(...E.liSeq(T, BigInt(LY.CLINT)), E.addi(T2, 0, 1), E.store("sw", T2, T, 0));
    } else if (pending === "mtip") {
      pre.push(...E.liSeq(T, BigInt(LY.CLINT + LY.CLINT_MTIMECMP)), E.store("sd", 0, T, 0));
    }
    pre.push(...E.liSeq(T, BigInt(mie)), E.csrw(CSR.mie, T));
    // Enabling may have taken an interrupt in M-mode, and its MRET left MPP = U and MPIE = 1:
    // set both again just before this segment's MRET.
    if (mode !== PRIV_M) {
      pre.push(...E.liSeq(T, MS.MPP | MS.MPIE), E.csrc(CSR.mstatus, T));
      const bits = ms & (MS.MPP | MS.MPIE);
      if (bits) pre.push(...E.liSeq(T, bits), E.csrs(CSR.mstatus, T));
    }
    const deleg8 = (medeleg & (1 << 8)) !== 0;
    const nPost = mode === PRIV_M ? 0 : mode === PRIV_S ? 6 : deleg8 ? 12 : 6;
    u.n = pre.length + (mode === PRIV_M ? 0 : 4) + nPost;
    this.count += u.n;
    u.desc = `segment ${privName(mode)} ${x ? "Sv" + (x === 8 ? 39 : 48) : "bare"} medeleg=${hex(medeleg)} ` +
      `mideleg=${hex(mideleg)} mstatus=${hex(ms)} mie=${hex(mie)}${pending ? " pending " + pending : ""}`;
    u.emit = (e) => {
      const main = e.main;
      main.all(pre);
      if (mode === PRIV_M) { e.body(body, u.id); return; }
      const target = new Label("segment"), back = new Label("back");
      const area = mode === PRIV_U ? e.ucode : main;
      main.la(T, target);
      main.i32(E.csrw(CSR.mepc, T));
      main.i32(E.MRET);
      e.cur = area;
      area.place(target);
      e.body(body, u.id);
      const promote = (a: Area, marker: number, to: Label) => {
        a.align(8);
        a.i32(E.ECALL);
        a.data([marker & 0xff, (marker >>> 8) & 0xff, (marker >>> 16) & 0xff, marker >>> 24]);
        a.addr64(to);
      };
      if (mode === PRIV_U && deleg8) {
        const stub = new Label("stub");
        promote(area, LY.MARKER_TO_S, stub);
        main.align(8);
        main.place(stub);
        promote(main, LY.MARKER_TO_M, back);
      } else {
        promote(area, LY.MARKER_TO_M, back);
      }
      e.cur = main;
      main.place(back);
    };
    return u;
  }

  // ---- page tables and snippets

  private pageTables(): void {
    const r = this.rng;
    const lay = this.lay;
    const pt = (i: number) => lay.pt + i * PAGE;
    const root39 = pt(0), root48 = pt(1), id1 = pt(2), id0 = pt(3), al1 = pt(4), al0 = pt(5);
    const put = (addr: number, value: bigint, what: string) => this.ptes.push({ addr, value, what });
    const g = () => (r.bool(0.3) ? PTE.G : 0n);
    // identity map of the slot
    const slotIdx = (lay.base - lay.region2m) / PAGE;
    const fill = (off: number, pages: number, flags: bigint, what: string) => {
      this.fills.push({ addr: id0 + 8 * (slotIdx + off / PAGE), first: pteLeaf(lay.base + off, flags), count: pages, what });
    };
    fill(LY.MAIN_OFF, LY.MAIN_SIZE / PAGE, PTE.V | PTE.R | PTE.X | PTE.A | g(), "main code");
    fill(LY.UCODE_OFF, LY.UCODE_SIZE / PAGE, PTE.V | PTE.R | PTE.X | PTE.U | PTE.A | g(), "U code");
    fill(LY.MISC_OFF, LY.MISC_SIZE / PAGE, PTE.V | PTE.R | PTE.W | PTE.A | PTE.D | g(), "misc");
    fill(LY.PT_OFF, LY.PT_SIZE / PAGE, PTE.V | PTE.R | PTE.W | PTE.A | PTE.D | g(), "page tables");
    for (let p = 0; p < LY.DATA_SIZE / PAGE; p++) {
      // always RW and U (AMOs under paging use this view: EXCLUSIONS.md #10)
      let f = PTE.V | PTE.R | PTE.W | PTE.U | g();
      if (r.bool(0.5)) f |= PTE.A;
      if (r.bool(0.4)) f |= PTE.D;
      put(id0 + 8 * (slotIdx + (LY.DATA_OFF + p * PAGE) / PAGE), pteLeaf(lay.data + p * PAGE, f), `data page ${p}`);
    }
    put(id1 + 8 * ((lay.region2m - LY.DRAM_BASE) >> 21), ptePtr(id0), "id1 -> id0");
    put(root39 + 8 * 2, ptePtr(id1), "root39[2] -> id1");
    put(root39 + 8 * 8, ptePtr(al1), "root39[8] -> al1");
    put(root39 + 8 * 511, ptePtr(al1), "root39[511] -> al1");
    put(root39 + 8 * 9, ptePtr(LY.RAM_END), "root39[9] -> a table where no memory answers");
    put(root39 + 8 * 3, pteLeaf(LY.DRAM_BASE, this.perm({ x: false })), "giga alias");
    put(root39 + 8 * 4, pteLeaf(LY.DRAM_BASE + 0x20_0000, this.perm({ x: false })), "misaligned gigapage");
    const rsvdBit = BigInt(r.range(54, 63));
    put(root39 + 8 * 5, pteLeaf(LY.DRAM_BASE, PTE.V | PTE.R | PTE.W | PTE.U | PTE.A | PTE.D) | (1n << rsvdBit), `reserved bit ${rsvdBit}`);
    put(root48 + 8 * 0, ptePtr(root39), "root48[0] -> root39");
    put(root48 + 8 * 511, ptePtr(root39), "root48[511] -> root39");
    put(root48 + 8 * 1, pteLeaf(0, this.perm({ x: false })), "terapage");
    put(al1 + 8 * 0, ptePtr(al0), "al1[0] -> al0");
    put(al1 + 8 * 1, pteLeaf(lay.region2m, this.perm({ x: false })), "megapage");
    put(al1 + 8 * 2, pteLeaf(lay.region2m + PAGE, this.perm({ x: false })), "misaligned megapage");
    // 4 KiB aliases: data view A (mostly U), view B (mostly S), snippets, odd entries
    const baseA = PTE.V | PTE.R | PTE.W | PTE.U | (r.bool(0.5) ? PTE.A : 0n) | (r.bool(0.5) ? PTE.D : 0n);
    const baseB = PTE.V | PTE.R | PTE.W | (r.bool(0.5) ? PTE.A : 0n) | (r.bool(0.5) ? PTE.D : 0n);
    for (let p = 0; p < 4; p++) {
      put(al0 + 8 * (LY.AL0_DATA_A + p), pteLeaf(lay.data + p * PAGE, r.bool(0.2) ? this.perm({ x: false }) : baseA), `alias A ${p}`);
      put(al0 + 8 * (LY.AL0_DATA_B + p), pteLeaf(lay.data + p * PAGE, r.bool(0.2) ? this.perm({ x: false }) : baseB), `alias B ${p}`);
    }
    for (let p = 0; p < 2; p++) {
      const snip = (u: boolean) => {
        let f = PTE.V | PTE.X | (u ? PTE.U : 0n) | (r.bool(0.5) ? PTE.R : 0n) | (r.bool(0.6) ? PTE.A : 0n) | g();
        if (r.bool(0.15)) f &= ~PTE.V;
        if (r.bool(0.1)) f = (f & ~PTE.X) | PTE.R;
        return f;
      };
      put(al0 + 8 * (LY.AL0_USNIP + p), pteLeaf(lay.usnip + p * PAGE, snip(true)), `U snippet page ${p}`);
      put(al0 + 8 * (LY.AL0_SSNIP + p), pteLeaf(lay.ssnip + p * PAGE, snip(false)), `S snippet page ${p}`);
    }
    put(al0 + 8 * LY.AL0_WNR, pteLeaf(lay.data, PTE.V | PTE.W | PTE.U | PTE.A | PTE.D), "W without R");
    put(al0 + 8 * LY.AL0_PTR, ptePtr(lay.data), "pointer at level 0");
    const edge = PTE.V | PTE.R | PTE.W | PTE.U | PTE.A | PTE.D;
    put(al0 + 8 * LY.AL0_EDGE, pteLeaf(lay.data + 3 * PAGE, edge), "edge: data page 3");
    put(al0 + 8 * (LY.AL0_EDGE + 1), pteLeaf(LY.RAM_END, edge), "edge: nothing behind it");
    put(al0 + 8 * LY.AL0_EDGE2, pteLeaf(lay.base + LY.SCRATCH_OFF, edge), "edge 2: scratch page");
    put(al0 + 8 * (LY.AL0_EDGE2 + 1), pteLeaf(LY.RAM_END + PAGE, edge), "edge 2: nothing behind it");
  }

  /** Straight-line ALU snippets ending in a return, two per snippet page pair, one crossing pages. */
  private makeSnippets(): void {
    for (const area of ["main", "ucode"] as const) {
      const base = area === "main" ? this.lay.ssnip : this.lay.usnip;
      const r = this.rng;
      const snips: Array<{ at: number; words: Array<number | { c: number }> }> = [];
      const body = () => {
        const w: Array<number | { c: number }> = [];
        for (let i = r.range(1, 6); i > 0; i--) {
          const rd = r.pick(SNIP_REGS);
          w.push(r.bool(0.3) ? { c: E.cAddi(rd, r.range(-32, 31)) } : E.rr(r.pick(["add", "xor", "mul", "sub", "srl"] as const), rd, r.range(0, 31), r.range(0, 31)));
        }
        w.push(r.bool(0.5) ? { c: E.cJr(X.ra) } : E.jalr(0, X.ra, 0));
        return w;
      };
      snips.push({ at: base + 2 * r.range(0, 64), words: body() });
      // one whose 32-bit instruction straddles the two pages
      const w = body();
      const head: Array<number | { c: number }> = [];
      for (let i = r.range(0, 3); i > 0; i--) head.push({ c: E.cAddi(r.pick(SNIP_REGS), 1) });
      const headBytes = head.length * 2;
      snips.push({ at: base + PAGE - 2 - headBytes, words: [...head, E.rr("add", X.t4, X.t5, X.t6), ...w] });
      snips.push({ at: base + PAGE + 2 * r.range(200, 800), words: body() });
      for (const s of snips) this.snipEntries[area].push(s.at);
      this.snippets.push({
        area,
        code: (a: Area) => {
          for (const s of snips) {
            a.org(s.at);
            for (const x of s.words) typeof x === "number" ? a.i32(x) : a.i16(x.c);
          }
        },
      });
    }
  }
}

export function xn(r: number): string { return `x${r}`; }

// The shape of a generated program: a tree of units (the random body), the static choices
// the runtime code needs (initial registers, page-table entries, snippets, data bytes), and
// the emitter that turns a program, minus any deleted units, into code.
import { Area, Label } from "./asm.js";
import type { SlotLayout } from "./layout.js";

export type Profile = "user" | "priv";

export interface GenOptions {
  profile: Profile;
  /** Static instructions in the random body (at least). */
  length: number;
  /** F/D instruction classes, f0-f31 and fcsr in the dump. */
  fp: boolean;
  /** Program slot (address) in the image. */
  slot: number;
}

/** One piece of the random body. Leaves emit instructions; compounds wrap children. */
export interface Unit {
  id: number;
  desc: string;
  /** Units whose effect this one relies on (pointer definitions): deleting them deletes this. */
  deps: number[];
  /** Instructions this unit emits itself (children not counted). */
  n: number;
  emit(e: Emitter): void;
  children?: Unit[];
}

/** A page-table entry the prologue stores: physical address and value. */
export interface PteStore { addr: number; value: bigint; what: string }
/** A run of consecutive leaf PTEs: `count` entries from `addr`, the PPN advancing by one page. */
export interface PteFill { addr: number; first: bigint; count: number; what: string }

export interface Program {
  name: string;
  opts: GenOptions;
  layout: SlotLayout;
  body: Unit[];
  /** Every unit in pre-order (compounds before their children). */
  units: Unit[];
  xinit: bigint[];
  finit: bigint[];
  fcsrInit: number;
  /** Vectored mtvec/stvec. */
  mvec: boolean;
  svec: boolean;
  ptes: PteStore[];
  fills: PteFill[];
  /** Snippet code (alias execution) for the S and U snippet pages, emitted at fixed places. */
  snippets: { area: "main" | "ucode"; code: (a: Area) => void }[];
  data: Uint8Array;
  tags: string[];
}

/** Emits a program body: tracks the deleted units and the area being written. */
export class Emitter {
  cur: Area;
  /** Continuation after the current U-mode segment (set by the segment wrapper). */
  constructor(readonly main: Area, readonly ucode: Area, readonly deleted: Set<number>, readonly labels: Record<string, Label>) {
    this.cur = main;
  }

  setUnit(id: number): void {
    this.main.unit = id;
    this.ucode.unit = id;
  }

  body(units: Unit[] | undefined, owner: number): void {
    if (!units) return;
    for (const u of units) {
      if (this.deleted.has(u.id)) continue;
      this.setUnit(u.id);
      u.emit(this);
    }
    this.setUnit(owner);
  }
}

/** Upper bound of the bytes a unit emits (4 per instruction). */
export function maxBytes(u: Unit): number {
  let n = u.n * 4;
  for (const c of u.children ?? []) n += maxBytes(c);
  return n;
}

/** Flattens units in pre-order. */
export function preorder(units: Unit[], out: Unit[] = []): Unit[] {
  for (const u of units) {
    out.push(u);
    if (u.children) preorder(u.children, out);
  }
  return out;
}

/**
 * Closes a set of deleted units: children of deleted compounds and units that depend on
 * deleted units are deleted too.
 */
export function closeDeleted(prog: Program, deleted: Iterable<number>): Set<number> {
  const out = new Set(deleted);
  const walk = (units: Unit[], parentGone: boolean) => {
    for (const u of units) {
      const gone = parentGone || out.has(u.id) || u.deps.some((d) => out.has(d));
      if (gone) out.add(u.id);
      if (u.children) walk(u.children, gone);
    }
  };
  walk(prog.body, false);
  return out;
}

/** Static instruction count of the body without the deleted units. */
export function bodySize(prog: Program, deleted: Set<number>): number {
  let n = 0;
  for (const u of prog.units) if (!deleted.has(u.id)) n += u.n;
  return n;
}

// A flattened device tree writer (Devicetree Specification v0.4, chapter 5: header, memory
// reservation block, structure block, strings block; version 17). Nodes are built as plain
// objects; values are encoded with the helpers below. Browser-safe.

export type FdtValue = Uint8Array;

export interface FdtNode {
  name: string;
  props: [string, FdtValue][];
  children: FdtNode[];
}

export function node(name: string, props: [string, FdtValue][] = [], children: FdtNode[] = []): FdtNode {
  return { name, props, children };
}

const enc = new TextEncoder();

/** Big-endian 32-bit cells. */
export function u32(...cells: number[]): FdtValue {
  const out = new Uint8Array(4 * cells.length);
  const v = new DataView(out.buffer);
  cells.forEach((c, i) => v.setUint32(4 * i, c >>> 0));
  return out;
}

/** 64-bit values as pairs of cells (#address-cells = #size-cells = 2). */
export function u64(...values: number[]): FdtValue {
  return u32(...values.flatMap((x) => [Math.floor(x / 2 ** 32), x % 2 ** 32]));
}

/** A string, or a string list. */
export function str(...strings: string[]): FdtValue {
  const parts = strings.map((s) => enc.encode(s + "\0"));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export const empty: FdtValue = new Uint8Array(0);

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_END = 9;

/**
 * Encodes the tree rooted at `root` (whose name must be ""). `extra` bytes of free space are
 * left at the end, so firmware can add nodes in place (OpenSBI does).
 */
export function encodeFdt(root: FdtNode, extra = 0, bootCpu = 0): Uint8Array {
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const struct: number[] = [];
  const word = (w: number) => { struct.push((w >>> 24) & 0xff, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff); };
  const pad = () => { while (struct.length % 4) struct.push(0); };
  const nameOff = (s: string) => {
    let off = stringOffsets.get(s);
    if (off === undefined) {
      off = strings.length;
      stringOffsets.set(s, off);
      for (const b of enc.encode(s)) strings.push(b);
      strings.push(0);
    }
    return off;
  };
  const walk = (n: FdtNode) => {
    word(FDT_BEGIN_NODE);
    for (const b of enc.encode(n.name)) struct.push(b);
    struct.push(0); pad();
    for (const [k, v] of n.props) {
      word(FDT_PROP); word(v.length); word(nameOff(k));
      for (const b of v) struct.push(b);
      pad();
    }
    for (const c of n.children) walk(c);
    word(FDT_END_NODE);
  };
  walk(root);
  word(FDT_END);
  const offRsv = 40, offStruct = offRsv + 16, offStrings = offStruct + struct.length;
  const used = offStrings + strings.length;
  const total = (used + extra + 7) & ~7;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, FDT_MAGIC); v.setUint32(4, total); v.setUint32(8, offStruct); v.setUint32(12, offStrings);
  v.setUint32(16, offRsv); v.setUint32(20, 17); v.setUint32(24, 16); v.setUint32(28, bootCpu);
  v.setUint32(32, strings.length); v.setUint32(36, struct.length);
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}

// From programs to bytes: emit one program (minus deleted units) into its slot, and put
// several slots plus a boot stub into one image (an ELF file for QEMU, segments for the
// in-process run). Programs in an image run one after the other: each epilogue jumps to the
// address in its misc area's NEXT word, the next program's entry or the finisher.
import { Area, type InsnMark } from "./asm.js";
import * as E from "./encode.js";
import { X } from "./csrs.js";
import * as LY from "./layout.js";
import { Emitter, type Program } from "./program.js";
import { emitRuntime, newRuntimeLabels } from "./runtime.js";

export interface Segment { addr: number; bytes: Uint8Array }

export interface Built {
  prog: Program;
  deleted: Set<number>;
  segments: Segment[];
  /** Physical address of the program's entry point. */
  entry: number;
  /** Instruction addresses, tagged with the unit that emitted them (-1: runtime code). */
  marks: InsnMark[];
  main: Area;
  ucode: Area;
  bodyStart: number;
  /** The 32-bit word at a physical code address of this program, if it is in a code area. */
  wordAt(addr: bigint): number | undefined;
}

/** Emits a program. `dumpData` makes the epilogue print the data region and page tables. */
export function build(prog: Program, deleted: Set<number> = new Set(), dumpData = false): Built {
  const lay = prog.layout;
  const main = new Area("main", lay.main, LY.MAIN_SIZE - LY.SNIP_SIZE);
  const ucode = new Area("ucode", lay.ucode, LY.UCODE_SIZE - LY.SNIP_SIZE);
  const L = newRuntimeLabels();
  emitRuntime(main, prog, L, dumpData);
  const bodyStart = main.pc;
  const e = new Emitter(main, ucode, deleted, {});
  e.body(prog.body, -1);
  main.unit = -1;
  main.jal(0, L.epilogue);
  main.resolve();
  ucode.resolve();
  // Snippet pages sit at the end of each code area, after whatever the body used.
  const snipMain = new Area("ssnip", lay.ssnip, LY.SNIP_SIZE);
  const snipU = new Area("usnip", lay.usnip, LY.SNIP_SIZE);
  for (const s of prog.snippets) {
    const a = s.area === "main" ? snipMain : snipU;
    a.unit = -2;
    s.code(a);
  }
  const misc = new Uint8Array(LY.M_LOG);
  const enc = new TextEncoder();
  prog.tags.forEach((t, i) => misc.set(enc.encode(t).subarray(0, 8), LY.M_TAGS + 8 * i));
  const segments: Segment[] = [
    { addr: main.base, bytes: main.bytes() },
    { addr: lay.misc, bytes: misc },
    { addr: lay.data, bytes: prog.data },
  ];
  if (ucode.size) segments.push({ addr: ucode.base, bytes: ucode.bytes() });
  if (snipMain.size) segments.push({ addr: snipMain.base, bytes: snipMain.bytes() });
  if (snipU.size) segments.push({ addr: snipU.base, bytes: snipU.bytes() });
  const areas = [main, ucode, snipMain, snipU];
  const wordAt = (addr: bigint): number | undefined => {
    for (const a of areas) {
      const off = Number(addr - BigInt(a.base));
      if (off >= 0 && off + 4 <= a.size) {
        const b = a.bytes();
        return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
      }
    }
    return undefined;
  };
  return {
    prog, deleted, segments, entry: L.entry.value,
    marks: [...main.marks, ...ucode.marks, ...snipMain.marks, ...snipU.marks],
    main, ucode, bodyStart, wordAt,
  };
}

const FINISH = LY.DRAM_BASE + 0x100;

/** The segments of an image running `progs` in order, ending with the finisher. */
export function imageSegments(progs: Built[]): Segment[] {
  const boot = new Area("boot", LY.DRAM_BASE, 0x200);
  boot.li(X.t0, progs.length ? progs[0].entry : FINISH);
  boot.i32(E.jalr(0, X.t0, 0));
  boot.org(FINISH);
  boot.li(X.t0, LY.FINISHER);
  boot.li(X.t1, 0x5555);
  boot.i32(E.store("sw", X.t1, X.t0, 0));
  boot.i32(E.jal(0, 0));
  const segs: Segment[] = [{ addr: boot.base, bytes: boot.bytes().slice() }];
  const slots = new Set<number>();
  progs.forEach((b, i) => {
    if (slots.has(b.prog.layout.slot)) throw new Error(`two programs in slot ${b.prog.layout.slot}`);
    slots.add(b.prog.layout.slot);
    const next = i + 1 < progs.length ? progs[i + 1].entry : FINISH;
    for (const s of b.segments) {
      let bytes = s.bytes;
      if (s.addr === b.prog.layout.misc) {
        bytes = bytes.slice();
        new DataView(bytes.buffer).setBigUint64(LY.M_NEXT, BigInt(next), true);
      }
      segs.push({ addr: s.addr, bytes });
    }
  });
  return segs;
}

/** A minimal little-endian ELF64 executable for RISC-V: one PT_LOAD per segment. */
export function elfFile(segs: Segment[], entry = LY.DRAM_BASE): Uint8Array {
  const phoff = 64;
  const phsize = 56 * segs.length;
  let off = phoff + phsize;
  const offsets = segs.map((s) => {
    off = (off + 15) & ~15;
    const o = off;
    off += s.bytes.length;
    return o;
  });
  const out = new Uint8Array(off);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELFCLASS64, little-endian, version 1, SysV
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 243, true); // EM_RISCV
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(entry), true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setBigUint64(40, 0n, true); // no section headers
  dv.setUint32(48, 0x1 | 0x4, true); // e_flags: RVC, double-float ABI
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, segs.length, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, 0, true);
  dv.setUint16(62, 0, true);
  segs.forEach((s, i) => {
    const p = phoff + 56 * i;
    dv.setUint32(p, 1, true); // PT_LOAD
    dv.setUint32(p + 4, 7, true); // RWX
    dv.setBigUint64(p + 8, BigInt(offsets[i]), true);
    dv.setBigUint64(p + 16, BigInt(s.addr), true);
    dv.setBigUint64(p + 24, BigInt(s.addr), true);
    dv.setBigUint64(p + 32, BigInt(s.bytes.length), true);
    dv.setBigUint64(p + 40, BigInt(s.bytes.length), true);
    dv.setBigUint64(p + 48, 16n, true);
    out.set(s.bytes, offsets[i]);
  });
  return out;
}

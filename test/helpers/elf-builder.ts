// Builds small ELF64 little-endian files by hand (gABI layout) for loader tests and test guests:
// ELF header, program headers, segment bytes, then .symtab/.strtab/.shstrtab and the section
// header table. `layout` says where everything went so tests can corrupt single fields.
import type { Asm } from "./rv-asm.js";

export interface SegmentSpec {
  paddr: bigint | number;
  vaddr?: bigint | number;
  data: Uint8Array;
  /** Default: data.length. */
  memsz?: bigint | number;
  /** Default: PF_R | PF_W | PF_X. */
  flags?: number;
  /** Default PT_LOAD (1). */
  type?: number;
  align?: bigint | number;
}

export interface ElfSpec {
  entry: bigint | number;
  segments: SegmentSpec[];
  symbols?: Record<string, bigint | number>;
  /** Header overrides. */
  machine?: number;
  type?: number;
  /** Omit the section headers (and so the symbols). */
  noSections?: boolean;
}

export interface ElfLayout {
  phoff: number;
  shoff: number;
  /** File offset of each segment's data. */
  segmentOffsets: number[];
  symtabOffset: number;
  strtabOffset: number;
  /** Index of the .symtab/.strtab section headers. */
  symtabIndex: number;
  strtabIndex: number;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

export function buildElf(spec: ElfSpec): { bytes: Uint8Array; layout: ElfLayout } {
  const phnum = spec.segments.length;
  const phoff = 64;
  let pos = phoff + phnum * 56;
  const segmentOffsets: number[] = [];
  for (const s of spec.segments) {
    pos = align(pos, 16);
    segmentOffsets.push(pos);
    pos += s.data.length;
  }
  // String and symbol tables.
  const enc = new TextEncoder();
  const names = Object.keys(spec.symbols ?? {});
  const strParts: number[] = [0];
  const nameOffsets: number[] = [];
  for (const n of names) { nameOffsets.push(strParts.length); strParts.push(...enc.encode(n), 0); }
  const strtab = Uint8Array.from(strParts);
  const shstrNames = ["", ".symtab", ".strtab", ".shstrtab"];
  const shParts: number[] = [];
  const shNameOff: number[] = [];
  for (const n of shstrNames) { shNameOff.push(shParts.length); shParts.push(...enc.encode(n), 0); }
  const shstrtab = Uint8Array.from(shParts);
  const symtabSize = 24 * (names.length + 1);

  const withSections = !spec.noSections;
  pos = align(pos, 8);
  const symtabOffset = pos; if (withSections) pos += symtabSize;
  const strtabOffset = pos; if (withSections) pos += strtab.length;
  const shstrtabOffset = pos; if (withSections) pos += shstrtab.length;
  pos = align(pos, 8);
  const shoff = withSections ? pos : 0;
  const shnum = withSections ? 4 : 0;
  const total = pos + shnum * 64;

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  dv.setUint16(16, spec.type ?? 2, true);
  dv.setUint16(18, spec.machine ?? 243, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(spec.entry), true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint32(48, 0x5, true); // e_flags: EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, phnum, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, shnum, true);
  dv.setUint16(62, withSections ? 3 : 0, true);

  spec.segments.forEach((s, i) => {
    const p = phoff + i * 56;
    dv.setUint32(p, s.type ?? 1, true);
    dv.setUint32(p + 4, s.flags ?? 7, true);
    dv.setBigUint64(p + 8, BigInt(segmentOffsets[i]), true);
    dv.setBigUint64(p + 16, BigInt(s.vaddr ?? s.paddr), true);
    dv.setBigUint64(p + 24, BigInt(s.paddr), true);
    dv.setBigUint64(p + 32, BigInt(s.data.length), true);
    dv.setBigUint64(p + 40, BigInt(s.memsz ?? s.data.length), true);
    dv.setBigUint64(p + 48, BigInt(s.align ?? 16), true);
    out.set(s.data, segmentOffsets[i]);
  });

  if (withSections) {
    names.forEach((n, k) => {
      const e = symtabOffset + 24 * (k + 1);
      dv.setUint32(e, nameOffsets[k], true);
      out[e + 4] = (1 << 4) | 0; // STB_GLOBAL, STT_NOTYPE
      dv.setUint16(e + 6, 0xfff1, true); // SHN_ABS: no section to point at
      dv.setBigUint64(e + 8, BigInt.asUintN(64, BigInt(spec.symbols![n])), true);
    });
    out.set(strtab, strtabOffset);
    out.set(shstrtab, shstrtabOffset);
    const sh = (i: number, name: number, type: number, off: number, size: number, link: number, info: number, entsize: number) => {
      const b = shoff + i * 64;
      dv.setUint32(b, name, true);
      dv.setUint32(b + 4, type, true);
      dv.setBigUint64(b + 24, BigInt(off), true);
      dv.setBigUint64(b + 32, BigInt(size), true);
      dv.setUint32(b + 40, link, true);
      dv.setUint32(b + 44, info, true);
      dv.setBigUint64(b + 48, 1n, true);
      dv.setBigUint64(b + 56, BigInt(entsize), true);
    };
    sh(1, shNameOff[1], 2, symtabOffset, symtabSize, 2, 1, 24);
    sh(2, shNameOff[2], 3, strtabOffset, strtab.length, 0, 0, 0);
    sh(3, shNameOff[3], 3, shstrtabOffset, shstrtab.length, 0, 0, 0);
  }
  return {
    bytes: out,
    layout: { phoff, shoff, segmentOffsets, symtabOffset, strtabOffset, symtabIndex: 1, strtabIndex: 2 },
  };
}

/**
 * A one-segment guest ELF from an assembled program: entry at the assembler's base, symbols
 * `tohost`/`fromhost` from the labels of those names when defined.
 */
export function guestElf(asm: Asm, extra: { memsz?: number } = {}): Uint8Array {
  const data = asm.bytes();
  const symbols: Record<string, number> = {};
  for (const name of ["tohost", "fromhost"]) if (asm.has(name)) symbols[name] = asm.addr(name);
  return buildElf({
    entry: asm.base,
    segments: [{ paddr: asm.base, data, memsz: extra.memsz }],
    symbols,
  }).bytes;
}

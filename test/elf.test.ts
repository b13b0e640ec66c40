import { describe, expect, it } from "vitest";
import { ElfError, parseElf, isElf } from "../src/machine/elf.js";
import { buildElf, type ElfSpec } from "./helpers/elf-builder.js";

const code = Uint8Array.from([0x13, 0, 0, 0, 0x6f, 0, 0, 0]); // nop; j .
const base: ElfSpec = {
  entry: 0x8000_0000,
  segments: [
    { paddr: 0x8000_0000, data: code, flags: 5 },
    { paddr: 0x8000_1000, data: Uint8Array.of(1, 2, 3), memsz: 0x100, flags: 6 },
  ],
  symbols: { tohost: 0x8000_1000, fromhost: 0x8000_1008, _start: 0x8000_0000 },
};

/** A valid ELF, then `edit` applied to its bytes through a DataView. */
function corrupt(edit: (dv: DataView, bytes: Uint8Array, layout: ReturnType<typeof buildElf>["layout"]) => void, spec = base): Uint8Array {
  const { bytes, layout } = buildElf(spec);
  edit(new DataView(bytes.buffer), bytes, layout);
  return bytes;
}

function refusal(bytes: Uint8Array): string {
  try {
    parseElf(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return (e as Error).message;
  }
  throw new Error("parseElf accepted the file");
}

describe("parseElf: a valid file", () => {
  it("returns entry, PT_LOAD segments and symbols", () => {
    const img = parseElf(buildElf(base).bytes);
    expect(img.entry).toBe(0x8000_0000n);
    expect(img.type).toBe(2);
    expect(img.flags).toBe(5);
    expect(img.segments).toHaveLength(2);
    expect(img.segments[0]).toMatchObject({ index: 0, paddr: 0x8000_0000n, vaddr: 0x8000_0000n, filesz: 8, memsz: 8n, flags: 5 });
    expect(img.segments[1]).toMatchObject({ index: 1, paddr: 0x8000_1000n, filesz: 3, memsz: 0x100n, flags: 6 });
    expect(img.segments[1].offset).toBeGreaterThan(0);
    expect(img.symbols.get("tohost")).toBe(0x8000_1000n);
    expect(img.symbols.get("fromhost")).toBe(0x8000_1008n);
    expect(img.symbols.get("_start")).toBe(0x8000_0000n);
    expect(img.interp).toBeUndefined();
    expect(img.phnum).toBe(2);
  });

  it("accepts ET_DYN, ignores non-PT_LOAD headers and reads PT_INTERP", () => {
    const interp = new TextEncoder().encode("/lib/ld-linux-riscv64-lp64d.so.1\0");
    const img = parseElf(buildElf({
      ...base, type: 3,
      segments: [...base.segments, { paddr: 0, data: interp, type: 3 }, { paddr: 0, data: new Uint8Array(4), type: 0x6474e551 }],
    }).bytes);
    expect(img.type).toBe(3);
    expect(img.segments).toHaveLength(2);
    expect(img.interp).toBe("/lib/ld-linux-riscv64-lp64d.so.1");
  });

  it("works without section headers (no symbols) and on a subarray with an offset", () => {
    const { bytes } = buildElf({ ...base, noSections: true });
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const img = parseElf(padded.subarray(3));
    expect(img.symbols.size).toBe(0);
    expect(img.segments).toHaveLength(2);
  });

  it("keeps zero-sized segments but does not count them as overlapping", () => {
    const img = parseElf(buildElf({
      ...base, segments: [...base.segments, { paddr: 0x8000_0000, data: new Uint8Array(0) }],
    }).bytes);
    expect(img.segments).toHaveLength(3);
  });

  it("prefers a global definition over an earlier local one and skips undefined symbols", () => {
    const bytes = corrupt((dv, b, l) => {
      const sym = (k: number) => l.symtabOffset + 24 * k;
      b[sym(1) + 4] = 0x00; // symbol 1 `tohost` (0x80001000): local
      dv.setUint32(sym(3), dv.getUint32(sym(1), true), true); // symbol 3: also named `tohost`, global, 0x80000000
      dv.setUint16(sym(2) + 6, 0, true); // symbol 2 `fromhost`: undefined (SHN_UNDEF)
    });
    const img = parseElf(bytes);
    expect(img.symbols.get("tohost")).toBe(0x8000_0000n);
    expect(img.symbols.has("fromhost")).toBe(false);
    expect(img.symbols.has("_start")).toBe(false);
  });

  it("a local symbol counts when it is the only definition; later locals do not replace it", () => {
    const bytes = corrupt((dv, b, l) => {
      const sym = (k: number) => l.symtabOffset + 24 * k;
      b[sym(1) + 4] = 0x00;
      b[sym(3) + 4] = 0x00;
      dv.setUint32(sym(3), dv.getUint32(sym(1), true), true);
    });
    expect(parseElf(bytes).symbols.get("tohost")).toBe(0x8000_1000n);
  });

  it("isElf looks only at the magic number", () => {
    expect(isElf(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46))).toBe(true);
    expect(isElf(Uint8Array.of(0x7f, 0x45, 0x4c))).toBe(false);
    expect(isElf(Uint8Array.of(0x13, 0, 0, 0))).toBe(false);
  });
});

describe("parseElf: refusals say why", () => {
  const cases: [string, () => Uint8Array, RegExp][] = [
    ["empty file", () => new Uint8Array(0), /not an ELF file \(only 0 bytes\)/],
    ["no magic", () => new TextEncoder().encode("#!/bin/sh\necho hi\n"), /not an ELF file \(no \\x7fELF magic/],
    ["e_ident cut short", () => buildElf(base).bytes.slice(0, 10), /truncated ELF header: 10 bytes, e_ident needs 16/],
    ["32-bit", () => corrupt((_, b) => { b[4] = 1; }), /32-bit ELF \(ELFCLASS32\) is not supported/],
    ["bad class", () => corrupt((_, b) => { b[4] = 7; }), /invalid ELF class 7/],
    ["big-endian", () => corrupt((_, b) => { b[5] = 2; }), /big-endian ELF \(ELFDATA2MSB\) is not supported/],
    ["bad data encoding", () => corrupt((_, b) => { b[5] = 0; }), /invalid ELF data encoding 0/],
    ["bad ident version", () => corrupt((_, b) => { b[6] = 0; }), /unsupported ELF version 0 in e_ident/],
    ["header cut short", () => buildElf(base).bytes.slice(0, 40), /truncated ELF header: 40 bytes, an ELF64 header needs 64/],
    ["x86-64", () => corrupt((dv) => dv.setUint16(18, 62, true)), /wrong machine: e_machine is 62 \(x86-64\), expected 243 \(RISC-V\)/],
    ["unknown machine", () => corrupt((dv) => dv.setUint16(18, 9999, true)), /wrong machine: e_machine is 9999, expected 243/],
    ["relocatable object", () => corrupt((dv) => dv.setUint16(16, 1, true)), /not an executable: ELF ET_REL/],
    ["core dump", () => corrupt((dv) => dv.setUint16(16, 4, true)), /not an executable: ELF ET_CORE/],
    ["e_version", () => corrupt((dv) => dv.setUint32(20, 2, true)), /unsupported ELF version 2 in e_version/],
    ["e_ehsize", () => corrupt((dv) => dv.setUint16(52, 52, true)), /invalid e_ehsize 52/],
    ["no program headers", () => corrupt((dv) => dv.setUint16(56, 0, true)), /no program headers: nothing to load/],
    ["e_phentsize too small", () => corrupt((dv) => dv.setUint16(54, 32, true)), /invalid e_phentsize 32/],
    ["program headers past the end", () => corrupt((dv) => dv.setBigUint64(32, 0xffff_ffffn, true)), /program header table offset e_phoff 0xffffffff is beyond the end of the file/],
    ["too many program headers", () => corrupt((dv) => dv.setUint16(56, 5000, true)), /program headers \(5000 × 56 bytes at 0x40\) are out of the file/],
    ["e_phoff = 0", () => corrupt((dv) => dv.setBigUint64(32, 0n, true)), /e_phoff is 0 but e_phnum is 2: no program header table/],
    ["e_shstrndx out of range", () => corrupt((dv) => dv.setUint16(62, 9, true)), /section name table index e_shstrndx 9 does not exist \(4 sections\)/],
    ["filesz > memsz", () => corrupt((dv, _, l) => dv.setBigUint64(l.phoff + 56 + 40, 2n, true)), /segment 1 \(PT_LOAD at 0x80001000\): p_filesz 0x3 is larger than p_memsz 0x2/],
    ["segment data past the end", () => corrupt((dv, _, l) => dv.setBigUint64(l.phoff + 8, 0x10_0000n, true)), /segment 0 \(PT_LOAD at 0x80000000\): segment data \(0x8 bytes at file offset 0x100000\) is out of the file/],
    ["segment filesz past the end", () => corrupt((dv, _, l) => {
      dv.setBigUint64(l.phoff + 32, 0xffff_ffff_ffffn, true);
      dv.setBigUint64(l.phoff + 40, 0xffff_ffff_ffffn, true);
    }), /segment 0 .*segment data \(0xffffffffffff bytes at file offset 0x[0-9a-f]+\) is out of the file/],
    ["segment wraps the address space", () => corrupt((dv, _, l) => {
      dv.setBigUint64(l.phoff + 24, 0xffff_ffff_ffff_fff0n, true);
      dv.setBigUint64(l.phoff + 16, 0xffff_ffff_ffff_fff0n, true);
      dv.setBigUint64(l.phoff + 40, 0x100n, true);
    }), /segment 0 \(PT_LOAD at 0xfffffffffffffff0\): p_paddr \+ p_memsz wraps around/],
    ["overlapping segments", () => buildElf({
      ...base, segments: [{ paddr: 0x8000_0000, data: code, memsz: 0x2000 }, base.segments[1]],
    }).bytes, /segments 0 and 1 overlap in physical memory \(\[0x80000000, 0x80002000\) and \[0x80001000, 0x80001100\)\)/],
    ["section headers past the end", () => corrupt((dv) => dv.setBigUint64(40, 0x7fff_0000n, true)), /section header table offset e_shoff 0x7fff0000 is beyond the end of the file/],
    ["too many sections", () => corrupt((dv) => dv.setUint16(60, 900, true)), /section header table \(900 × 64 bytes at 0x[0-9a-f]+\) is out of the file/],
    ["e_shentsize too small", () => corrupt((dv) => dv.setUint16(58, 40, true)), /invalid e_shentsize 40/],
    ["section contents past the end", () => corrupt((dv, _, l) => dv.setBigUint64(l.shoff + 2 * 64 + 32, 0x10000n, true)), /section 2: contents \(0x10000 bytes at file offset 0x[0-9a-f]+\) are out of the file/],
    ["symbol table entsize", () => corrupt((dv, _, l) => dv.setBigUint64(l.shoff + 64 + 56, 8n, true)), /section 1 \(symbol table\): invalid sh_entsize 8/],
    ["symbol table without string table", () => corrupt((dv, _, l) => dv.setUint32(l.shoff + 64 + 40, 77, true)), /section 1 \(symbol table\): string table index 77 does not exist/],
    ["symbol table linked to a non-string table", () => corrupt((dv, _, l) => dv.setUint32(l.shoff + 64 + 40, 1, true)), /section 1 \(symbol table\): linked section 1 is not a string table/],
    ["symbol name outside its string table", () => corrupt((dv, _, l) => dv.setUint32(l.symtabOffset + 24, 5000, true)), /section 1 \(symbol table\): symbol 1 name offset 5000 is outside its string table/],
    ["unterminated symbol name", () => corrupt((dv, b, l) => {
      const strSize = Number(dv.getBigUint64(l.shoff + 2 * 64 + 32, true));
      b[l.strtabOffset + strSize - 1] = 0x41; // last NUL of the table gone
    }), /symbol 3 name is not NUL-terminated/],
    ["PN_XNUM without section 0", () => corrupt((dv) => { dv.setUint16(56, 0xffff, true); dv.setBigUint64(40, 0n, true); }), /e_phnum is PN_XNUM/],
  ];
  it.each(cases)("%s", (_name, make, message) => {
    expect(refusal(make())).toMatch(message);
  });

  it("reads extended numbering (PN_XNUM: the count in section 0's sh_info)", () => {
    const bytes = corrupt((dv, _, l) => { dv.setUint16(56, 0xffff, true); dv.setUint32(l.shoff + 44, 2, true); });
    expect(parseElf(bytes).segments).toHaveLength(2);
  });

  it("never throws anything but ElfError on truncated input", () => {
    const { bytes } = buildElf(base);
    for (let n = 0; n < bytes.length; n++) {
      try { parseElf(bytes.slice(0, n)); } catch (e) { expect(e, `length ${n}`).toBeInstanceOf(ElfError); }
    }
  });

  it("never throws anything but ElfError on corrupted input (seeded fuzz)", () => {
    const { bytes } = buildElf(base);
    let seed = 0x1234567;
    const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    for (let k = 0; k < 3000; k++) {
      const b = bytes.slice();
      const edits = 1 + (rnd() % 4);
      for (let e = 0; e < edits; e++) {
        const at = rnd() % b.length;
        b[at] = rnd() % 3 === 0 ? 0xff : rnd() & 0xff;
      }
      try { parseElf(b); } catch (e) { expect(e, `case ${k}`).toBeInstanceOf(ElfError); }
    }
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { DRAM_BASE, Exit, Hart } from "../src/core/hart.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { ElfError } from "../src/machine/elf.js";
import { LoadError, loadElf, loadRaw } from "../src/machine/loader.js";
import { buildElf, type ElfSpec } from "./helpers/elf-builder.js";
import { Asm } from "./helpers/rv-asm.js";

let module: WebAssembly.Module;
beforeAll(() => { module = loadCoreModule(); });

const MEM = 64 << 10; // [0x80000000, 0x80010000)
const newHart = () => new Hart(module, { memSize: MEM });
const bytes = (...b: number[]) => Uint8Array.from(b);

/** RAM filled with 0xAA so untouched and zeroed bytes can be told apart. */
function dirtyHart(): Hart {
  const h = newHart();
  h.ram.fill(0xaa);
  return h;
}

function loadError(hart: Hart, elf: Uint8Array): string {
  try {
    loadElf(hart, elf);
  } catch (e) {
    expect(e instanceof LoadError || e instanceof ElfError).toBe(true);
    return (e as Error).message;
  }
  throw new Error("loadElf accepted the image");
}

describe("loadElf", () => {
  it("copies p_filesz bytes to p_paddr, zeroes up to p_memsz, leaves the rest of RAM alone", () => {
    const hart = dirtyHart();
    const elf = buildElf({
      entry: 0x8000_0000,
      segments: [
        { paddr: 0x8000_0000, data: bytes(0x13, 0, 0, 0) },
        { paddr: 0x8000_2000, data: bytes(1, 2, 3), memsz: 0x1000 },
      ],
      symbols: { tohost: 0x8000_3000, fromhost: 0x8000_3008 },
    }).bytes;
    const r = loadElf(hart, elf);
    expect(r.entry).toBe(0x8000_0000n);
    expect(r.tohost).toBe(0x8000_3000);
    expect(r.fromhost).toBe(0x8000_3008);
    const ram = hart.ram;
    expect([...ram.subarray(0, 4)]).toEqual([0x13, 0, 0, 0]);
    expect(ram[4]).toBe(0xaa);
    expect([...ram.subarray(0x2000, 0x2003)]).toEqual([1, 2, 3]);
    expect(ram.subarray(0x2003, 0x3000).every((b) => b === 0)).toBe(true);
    expect(ram[0x3000]).toBe(0xaa);
    expect(ram[0x1fff]).toBe(0xaa);
  });

  it("returns 0 for absent tohost/fromhost", () => {
    const r = loadElf(newHart(), buildElf({ entry: 0x8000_0000, segments: [{ paddr: 0x8000_0000, data: bytes(0x13, 0, 0, 0) }] }).bytes);
    expect(r.tohost).toBe(0);
    expect(r.fromhost).toBe(0);
  });

  it("loads at p_paddr and translates the entry point and symbols when p_vaddr differs", () => {
    const hart = newHart();
    const r = loadElf(hart, buildElf({
      entry: 0xffff_ffff_8000_0010n,
      segments: [{ paddr: 0x8000_1000, vaddr: 0xffff_ffff_8000_0000n, data: new Uint8Array(0x40).fill(7), flags: 5 }],
      symbols: { tohost: 0xffff_ffff_8000_0020n },
    }).bytes);
    expect(r.entry).toBe(0x8000_1010n);
    expect(r.tohost).toBe(0x8000_1020);
    expect(hart.ram[0x1000]).toBe(7);
  });

  it("loads code that the hart then runs (and reloading replaces decoded code)", () => {
    const hart = newHart();
    const prog = (v: number) => new Asm().li("a0", v).label("x").j("x").bytes();
    const img = (v: number) => buildElf({ entry: 0x8000_0000, segments: [{ paddr: 0x8000_0000, data: prog(v) }] }).bytes;
    hart.reset(loadElf(hart, img(42)).entry);
    expect(hart.run(10)).toBe(Exit.Budget);
    expect(hart.x(10)).toBe(42n);
    hart.reset(loadElf(hart, img(99)).entry);
    hart.run(10);
    expect(hart.x(10)).toBe(99n);
  });

  const outside: [string, ElfSpec["segments"], RegExp][] = [
    ["below RAM", [{ paddr: 0x1000, data: bytes(1) }], /segment 0 \[0x1000, 0x1001\) lies outside guest RAM \[0x80000000, 0x80010000\)/],
    ["past the end of RAM", [{ paddr: 0x8001_0000, data: bytes(1) }], /segment 0 \[0x80010000, 0x80010001\) lies outside guest RAM/],
    ["straddling the end of RAM", [{ paddr: 0x8000_f000, data: bytes(1), memsz: 0x2000 }], /segment 0 \[0x8000f000, 0x80011000\) lies outside guest RAM/],
    ["far above (64-bit)", [{ paddr: 0x1_0000_0000_0000n, data: bytes(1) }], /segment 0 \[0x1000000000000, 0x1000000000001\) lies outside/],
  ];
  it.each(outside)("refuses a segment %s", (_n, segments, message) => {
    expect(loadError(newHart(), buildElf({ entry: 0x8000_0000, segments }).bytes)).toMatch(message);
  });

  it("writes nothing when any segment is refused (no half-loaded image)", () => {
    const hart = dirtyHart();
    const before = hart.ram.slice();
    const elf = buildElf({
      entry: 0x8000_0000,
      segments: [
        { paddr: 0x8000_0000, data: new Uint8Array(0x100).fill(0x11), memsz: 0x800 }, // fine
        { paddr: 0x8000_1000, data: new Uint8Array(0x10).fill(0x22) }, // fine
        { paddr: 0x8000_fff0, data: new Uint8Array(0x20).fill(0x33) }, // crosses the end of RAM
      ],
    }).bytes;
    expect(loadError(hart, elf)).toMatch(/segment 2 \[0x8000fff0, 0x80010010\) lies outside guest RAM/);
    expect(hart.ram).toEqual(before);
  });

  it("writes nothing for a malformed file either", () => {
    const hart = dirtyHart();
    const before = hart.ram.slice();
    const { bytes: elf, layout } = buildElf({
      entry: 0x8000_0000,
      segments: [{ paddr: 0x8000_0000, data: new Uint8Array(0x100).fill(0x11) }, { paddr: 0x8000_1000, data: bytes(1) }],
    });
    new DataView(elf.buffer).setBigUint64(layout.phoff + 56 + 8, 0xffffffn, true); // segment 1 data out of file
    expect(loadError(hart, elf)).toMatch(/segment 1 .*out of the file/);
    expect(hart.ram).toEqual(before);
  });

  it("refuses an entry point outside RAM or misaligned", () => {
    const seg = [{ paddr: 0x8000_0000, data: bytes(0x13, 0, 0, 0) }];
    expect(loadError(newHart(), buildElf({ entry: 0x1000, segments: seg }).bytes)).toMatch(/entry point 0x1000 is outside guest RAM/);
    expect(loadError(newHart(), buildElf({ entry: 0x8000_0001, segments: seg }).bytes)).toMatch(/entry point 0x80000001 is not 2-byte aligned/);
  });

  it("refuses tohost/fromhost symbols that are misaligned or outside RAM", () => {
    const seg = [{ paddr: 0x8000_0000, data: bytes(0x13, 0, 0, 0) }];
    expect(loadError(newHart(), buildElf({ entry: 0x8000_0000, segments: seg, symbols: { tohost: 0x8000_0004 } }).bytes))
      .toMatch(/HTIF symbol `tohost` at 0x80000004 is not 8-byte aligned/);
    expect(loadError(newHart(), buildElf({ entry: 0x8000_0000, segments: seg, symbols: { fromhost: 0x4000_0000 } }).bytes))
      .toMatch(/HTIF symbol `fromhost` at 0x40000000 is outside guest RAM/);
  });

  it("refuses dynamically linked programs and images with nothing to load", () => {
    const interp = new TextEncoder().encode("/lib/ld.so\0");
    expect(loadError(newHart(), buildElf({
      entry: 0x8000_0000,
      segments: [{ paddr: 0x8000_0000, data: bytes(0x13, 0, 0, 0) }, { paddr: 0, data: interp, type: 3 }],
    }).bytes)).toMatch(/dynamically linked program \(interpreter \/lib\/ld.so\)/);
    expect(loadError(newHart(), buildElf({ entry: 0x8000_0000, segments: [{ paddr: 0x8000_0000, data: new Uint8Array(0) }] }).bytes))
      .toMatch(/no loadable segments/);
  });

  it("loads a bss-only segment and large zero fills", () => {
    const hart = dirtyHart();
    loadElf(hart, buildElf({
      entry: 0x8000_0000,
      segments: [{ paddr: 0x8000_0000, data: bytes(0x13, 0, 0, 0) }, { paddr: 0x8000_1000, data: new Uint8Array(0), memsz: 0xf000 }],
    }).bytes);
    expect(hart.ram.subarray(0x1000).every((b) => b === 0)).toBe(true);
  });
});

describe("loadRaw", () => {
  it("copies the image to the start of RAM by default, or to a given address", () => {
    const hart = dirtyHart();
    expect(loadRaw(hart, bytes(1, 2, 3)).entry).toBe(BigInt(DRAM_BASE));
    expect([...hart.ram.subarray(0, 4)]).toEqual([1, 2, 3, 0xaa]);
    expect(loadRaw(hart, bytes(9), 0x8000_0100).entry).toBe(0x8000_0100n);
    expect(hart.ram[0x100]).toBe(9);
  });

  it("refuses images that do not fit, writing nothing", () => {
    const hart = dirtyHart();
    const before = hart.ram.slice();
    expect(() => loadRaw(hart, new Uint8Array(MEM + 1))).toThrow(/raw image \[0x80000000, 0x80010001\) does not fit in guest RAM \[0x80000000, 0x80010000\)/);
    expect(() => loadRaw(hart, bytes(1, 2), 0x8000_ffff)).toThrow(LoadError);
    expect(() => loadRaw(hart, bytes(1), 0x1000)).toThrow(LoadError);
    expect(() => loadRaw(hart, new Uint8Array(0))).toThrow(/empty image/);
    expect(hart.ram).toEqual(before);
  });
});

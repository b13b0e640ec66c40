// Loads a guest image into a Hart's RAM: ELF64 PT_LOAD segments at their physical addresses
// (p_paddr, no relocation), or a raw binary at a physical address. Every check runs before the
// first byte is written, so a refused image leaves RAM untouched.
// Browser-safe.
import { DRAM_BASE, type Hart } from "../core/hart.js";
import { ElfError, parseElf, PF_X, type ElfImage, type ElfSegment } from "./elf.js";

/** The image does not fit the machine (segments outside RAM and the like). */
export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LoadError";
  }
}

export interface LoadedElf {
  /** Physical entry point (e_entry, translated through its segment when p_vaddr ≠ p_paddr). */
  entry: bigint;
  /** Physical address of the `tohost` symbol, 0 if the image has none. */
  tohost: number;
  /** Physical address of the `fromhost` symbol, 0 if the image has none. */
  fromhost: number;
  image: ElfImage;
}

const hex = (v: bigint | number) => "0x" + v.toString(16);

function ramRange(hart: Hart): string {
  return `[${hex(DRAM_BASE)}, ${hex(DRAM_BASE + hart.memSize)})`;
}

/**
 * Virtual → physical through the loadable segments (for e_entry and symbol values, which the
 * ELF gives as virtual addresses). Addresses no segment maps are returned unchanged.
 */
function toPhysical(segments: ElfSegment[], va: bigint, preferExec: boolean): bigint {
  let hit: ElfSegment | undefined;
  for (const s of segments) {
    if (va >= s.vaddr && va < s.vaddr + s.memsz) {
      if (!hit || (preferExec && (s.flags & PF_X) !== 0 && (hit.flags & PF_X) === 0)) hit = s;
    }
  }
  return hit ? va - hit.vaddr + hit.paddr : va;
}

function symbolAddress(hart: Hart, image: ElfImage, name: string): number {
  const v = image.symbols.get(name);
  if (v === undefined) return 0;
  const pa = toPhysical(image.segments, v, false);
  if (pa % 8n !== 0n) throw new LoadError(`HTIF symbol \`${name}\` at ${hex(pa)} is not 8-byte aligned`);
  const ram = BigInt(DRAM_BASE);
  if (pa < ram || pa + 8n > ram + BigInt(hart.memSize)) {
    throw new LoadError(`HTIF symbol \`${name}\` at ${hex(pa)} is outside guest RAM ${ramRange(hart)}`);
  }
  return Number(pa);
}

/**
 * Loads an ELF64 RISC-V executable into `hart`'s RAM. Throws ElfError for a malformed file and
 * LoadError for one that does not fit this machine; in both cases nothing has been written.
 * Does not touch the hart's registers: the caller sets pc (and the HTIF mailboxes).
 */
export function loadElf(hart: Hart, bytes: Uint8Array): LoadedElf {
  const image = parseElf(bytes);
  if (image.interp !== undefined) {
    throw new LoadError(`dynamically linked program (interpreter ${image.interp}): a bare-metal guest must be statically linked`);
  }
  const ram = BigInt(DRAM_BASE);
  const ramEnd = ram + BigInt(hart.memSize);
  const loads = image.segments.filter((s) => s.memsz > 0n);
  if (loads.length === 0) throw new LoadError("no loadable segments (every PT_LOAD is empty)");
  for (const s of loads) {
    if (s.paddr < ram || s.paddr + s.memsz > ramEnd) {
      throw new LoadError(`segment ${s.index} [${hex(s.paddr)}, ${hex(s.paddr + s.memsz)}) lies outside guest RAM ${ramRange(hart)}`);
    }
  }
  const entry = toPhysical(image.segments, image.entry, true);
  if (entry < ram || entry >= ramEnd) {
    throw new LoadError(`entry point ${hex(entry)} is outside guest RAM ${ramRange(hart)}`);
  }
  if (entry % 2n !== 0n) throw new LoadError(`entry point ${hex(entry)} is not 2-byte aligned`);
  const tohost = symbolAddress(hart, image, "tohost");
  const fromhost = symbolAddress(hart, image, "fromhost");

  // Everything checked: write.
  const ramBytes = hart.ram;
  for (const s of loads) {
    const pa = Number(s.paddr);
    if (s.filesz > 0) hart.writePhys(pa, bytes.subarray(s.offset, s.offset + s.filesz));
    const zeroLen = Number(s.memsz) - s.filesz;
    if (zeroLen > 0) {
      const start = pa + s.filesz - DRAM_BASE;
      ramBytes.fill(0, start, start + zeroLen);
      hart.invalidate(pa + s.filesz, zeroLen);
    }
  }
  return { entry, tohost, fromhost, image };
}

/** Copies a raw binary image to physical `pa` (default: start of RAM). Nothing is written if it does not fit. */
export function loadRaw(hart: Hart, bytes: Uint8Array, pa: number = DRAM_BASE): { entry: bigint } {
  if (!Number.isSafeInteger(pa) || pa < 0) throw new LoadError(`invalid load address ${pa}`);
  if (bytes.length === 0) throw new LoadError("empty image");
  if (!hart.isRam(pa, bytes.length)) {
    throw new LoadError(`raw image [${hex(pa)}, ${hex(pa + bytes.length)}) does not fit in guest RAM ${ramRange(hart)}`);
  }
  hart.writePhys(pa, bytes);
  return { entry: BigInt(pa) };
}

export { ElfError };

// Guest RAM as devices see it for DMA: bytes at physical [base, base + bytes.length), and a
// callback for every range a device writes (the core drops decoded instructions there).
// Browser-safe.
export interface GuestRam {
  readonly base: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** The device wrote [pa, pa+len). */
  written(pa: number, len: number): void;
}

/** True if [pa, pa+len) lies inside guest RAM (len may be 0). */
export function inRam(ram: GuestRam, pa: number, len: number): boolean {
  return Number.isSafeInteger(pa) && pa >= ram.base && len >= 0 && pa + len <= ram.base + ram.bytes.length;
}

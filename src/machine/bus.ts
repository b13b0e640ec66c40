// The MMIO bus: physical address ranges mapped to devices, each seeing only offsets inside
// its window. insert() refuses empty and overlapping ranges; lookup is a binary search over
// the sorted ranges (with the last hit remembered: device accesses come in runs); a miss, an
// access that runs past the window's end, or a device's refusal is a bus error. Browser-safe.
import { BUS_ERROR, type AccessSize, type Device } from "../devices/device.js";

export interface BusRange {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly device: Device;
  /** Accesses that reached the device (statistics: MMIO exits by device). */
  hits: number;
}

export class Bus {
  private ranges: BusRange[] = [];
  private last: BusRange | undefined;

  insert(name: string, base: number, size: number, device: Device): void {
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || base < 0 || size <= 0) {
      throw new RangeError(`bus: ${name}: empty or invalid range 0x${base.toString(16)}+0x${size.toString(16)}`);
    }
    for (const r of this.ranges) {
      if (base < r.base + r.size && r.base < base + size) {
        throw new RangeError(`bus: ${name} at 0x${base.toString(16)}+0x${size.toString(16)} overlaps ${r.name} at 0x${r.base.toString(16)}+0x${r.size.toString(16)}`);
      }
    }
    this.ranges.push({ name, base, size, device, hits: 0 });
    this.ranges.sort((a, b) => a.base - b.base);
  }

  get entries(): readonly BusRange[] { return this.ranges; }

  /** The range holding `pa`, or undefined. */
  find(pa: number): BusRange | undefined {
    const l = this.last;
    if (l !== undefined && pa >= l.base && pa < l.base + l.size) return l;
    const rs = this.ranges;
    let lo = 0, hi = rs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = rs[mid];
      if (pa < r.base) hi = mid - 1;
      else if (pa >= r.base + r.size) lo = mid + 1;
      else { this.last = r; return r; }
    }
    return undefined;
  }

  /** Reads at physical `pa`; BUS_ERROR when nothing answers. */
  read(pa: number, size: AccessSize): number {
    const r = this.find(pa);
    if (r === undefined || pa + size > r.base + r.size) return BUS_ERROR;
    r.hits++;
    return r.device.read(pa - r.base, size);
  }

  /** Writes at physical `pa`; false when nothing takes it. */
  write(pa: number, size: AccessSize, value: number, high: number): boolean {
    const r = this.find(pa);
    if (r === undefined || pa + size > r.base + r.size) return false;
    r.hits++;
    return r.device.write(pa - r.base, size, value, high);
  }
}

// Core-local interruptor (SiFive CLINT register layout, as on QEMU `virt`): msip at 0x0,
// mtimecmp at 0x4000, mtime at 0xbff8. One hart, so one msip and one mtimecmp.
import { S_MIP_HW, S_MTIMECMP, S_MTIME_ADJ } from "./layout";
import { MIP_MSIP, hostClock, mtimeNow, updateTimerLine } from "./state";

const MSIP: u64 = 0x0;
const MTIMECMP: u64 = 0x4000;
const MTIME: u64 = 0xbff8;

// @ts-ignore: decorator
@inline function part(v: u64, off: u64, size: u32): u64 {
  // off is 0 or 4 within a 64-bit register; size 4 or 8 (smaller accesses read zero-extended)
  const shifted = v >> (off << 3);
  return size >= 8 ? shifted : shifted & ((<u64>1 << (<u64>size << 3)) - 1);
}

// @ts-ignore: decorator
@inline function merge(old: u64, off: u64, size: u32, v: u64): u64 {
  if (size >= 8) return v;
  const sh = off << 3;
  const mask = ((<u64>1 << (<u64>size << 3)) - 1) << sh;
  return (old & ~mask) | ((v << sh) & mask);
}

export function clintRead(off: u64, size: u32): u64 {
  if (off < 4) return part((load<u64>(S_MIP_HW) & MIP_MSIP) != 0 ? 1 : 0, off, size);
  if (off >= MTIMECMP && off < MTIMECMP + 8) return part(load<u64>(S_MTIMECMP), off - MTIMECMP, size);
  if (off >= MTIME && off < MTIME + 8) return part(mtimeNow(), off - MTIME, size);
  return 0;
}

export function clintWrite(off: u64, size: u32, v: u64): void {
  if (off < 4) {
    if (off == 0) {
      const hw = load<u64>(S_MIP_HW);
      store<u64>(S_MIP_HW, (v & 1) != 0 ? hw | MIP_MSIP : hw & ~MIP_MSIP);
    }
    return;
  }
  if (off >= MTIMECMP && off < MTIMECMP + 8) {
    store<u64>(S_MTIMECMP, merge(load<u64>(S_MTIMECMP), off - MTIMECMP, size, v));
    updateTimerLine();
    return;
  }
  if (off >= MTIME && off < MTIME + 8) {
    const now = merge(mtimeNow(), off - MTIME, size, v);
    store<u64>(S_MTIME_ADJ, now - <u64>hostClock());
    updateTimerLine();
  }
}

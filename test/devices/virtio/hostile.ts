// A virtio driver in a test: guest RAM as bytes, register writes as a driver makes them, and a
// seeded generator of malformed descriptor chains. Used by the hostile-chain tests and by
// scripts/virtio-fuzz.ts (the long run).
import type { IrqLine } from "../../../src/devices/device.js";
import type { GuestRam } from "../../../src/devices/virtio/memory.js";
import { type VirtioBackend, VirtioTransport, STATUS_ACKNOWLEDGE, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FEATURES_OK } from "../../../src/devices/virtio/mmio.js";

export const BASE = 0x8000_0000;
export const RAM_SIZE = 1 << 20;
export const DESC = BASE + 0x1000, AVAIL = BASE + 0x2000, USED = BASE + 0x3000, DATA = BASE + 0x10000;

export function makeRam(): GuestRam & { writes: number } {
  const bytes = new Uint8Array(RAM_SIZE);
  const ram = { base: BASE, bytes, view: new DataView(bytes.buffer), writes: 0, written() { ram.writes++; } };
  return ram;
}

/** A transport with `backend`, negotiated and with queue q live at DESC/AVAIL/USED, size 16. */
export function driver(backend: VirtioBackend, ram: GuestRam, irq: IrqLine = { irq: 1, set() {} }): VirtioTransport {
  const t = new VirtioTransport(backend, ram, irq);
  const w = (o: number, v: number) => t.write(o, 4, v, 0);
  w(0x70, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
  w(0x24, 1); w(0x20, 1); // VERSION_1
  w(0x24, 0); w(0x20, 0);
  w(0x70, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
  for (let q = 0; q < backend.queueSizes.length; q++) {
    w(0x30, q); w(0x38, 16);
    w(0x80, DESC + q * 0x100 - BASE + BASE); w(0x84, 0);
    w(0x90, AVAIL + q * 0x100); w(0x94, 0);
    w(0xa0, USED + q * 0x100); w(0xa4, 0);
    w(0x44, 1);
  }
  w(0x70, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
  return t;
}

export interface Desc { addr: number; len: number; flags: number; next: number }

/** Writes descriptors at `table` and makes head available on queue q, then notifies. */
export function post(t: VirtioTransport, ram: GuestRam, q: number, descs: Desc[], head = 0, availIdx?: number): void {
  const v = ram.view;
  const table = DESC + q * 0x100;
  descs.forEach((d, i) => {
    const o = table - BASE + 16 * i;
    v.setUint32(o, d.addr % 2 ** 32, true); v.setUint32(o + 4, Math.floor(d.addr / 2 ** 32), true);
    v.setUint32(o + 8, d.len >>> 0, true); v.setUint16(o + 12, d.flags, true); v.setUint16(o + 14, d.next, true);
  });
  const avail = AVAIL + q * 0x100 - BASE;
  const idx = availIdx ?? ((v.getUint16(avail + 2, true) + 1) & 0xffff);
  v.setUint16(avail + 4 + 2 * ((idx - 1) & 15), head, true);
  v.setUint16(avail + 2, idx, true);
  t.write(0x50, 4, q, 0);
}

/** Seeded generator of descriptor tables that are mostly wrong. */
export function randomDescs(rnd: () => number): { descs: Desc[]; head: number } {
  const n = 1 + (rnd() % 16);
  const pick = (): number => {
    switch (rnd() % 8) {
      case 0: return DATA + (rnd() % 0x1000);
      case 1: return BASE + RAM_SIZE - (rnd() % 64);
      case 2: return rnd() * 2 ** 20 + rnd();
      case 3: return 0;
      case 4: return DESC + 16 * (rnd() % 16);
      default: return DATA + 512 * (rnd() % 64);
    }
  };
  const lens = [0, 1, 15, 16, 17, 512, 4096, 0xffffffff, 0x80000000, 64 * 1024 + 1];
  const descs: Desc[] = [];
  for (let i = 0; i < n; i++) {
    descs.push({ addr: pick(), len: rnd() % 3 === 0 ? lens[rnd() % lens.length] : rnd() % 8192, flags: rnd() % 8, next: rnd() % 20 });
  }
  return { descs, head: rnd() % 18 };
}

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
}

// virtio-blk requests through the transport, as a driver queues them: IN, OUT, FLUSH, GET_ID,
// DISCARD, WRITE_ZEROES, a read-only disk, ranges past the end, unknown types, and requests
// without a header or status byte.
import { describe, expect, it } from "vitest";
import { CowOverlay, MemoryDisk } from "../../../src/devices/virtio/blk/backend.js";
import { BLK_S_IOERR, BLK_S_OK, BLK_S_UNSUPP, BLK_T_DISCARD, BLK_T_FLUSH, BLK_T_GET_ID, BLK_T_IN, BLK_T_OUT, VirtioBlk } from "../../../src/devices/virtio/blk/blk.js";
import { BASE, DATA, driver, makeRam, post } from "./hostile.js";

const NEXT = 1, WRITE = 2;
const HDR = DATA, BUF = DATA + 0x1000, STATUS = DATA + 0x3000;

function setup(disk = new MemoryDisk(new Uint8Array(64 * 1024))) {
  const ram = makeRam();
  const blk = new VirtioBlk(disk, "serial-42");
  const t = driver(blk, ram);
  const request = (type: number, sector: number, data: { len: number; write: boolean } | undefined) => {
    ram.view.setUint32(HDR - BASE, type, true);
    ram.view.setUint32(HDR - BASE + 8, sector, true);
    ram.bytes[STATUS - BASE] = 0xff;
    const descs = [{ addr: HDR, len: 16, flags: NEXT, next: 1 }];
    if (data) descs.push({ addr: BUF, len: data.len, flags: NEXT | (data.write ? WRITE : 0), next: 2 });
    descs.push({ addr: STATUS, len: 1, flags: WRITE, next: 0 });
    if (!data) descs[0].next = 1;
    post(t, ram, 0, descs);
    return ram.bytes[STATUS - BASE];
  };
  return { ram, blk, t, disk, request };
}

describe("virtio-blk", () => {
  it("writes and reads sectors, flushes, and reports its serial", () => {
    const { ram, request, disk, blk } = setup();
    ram.bytes.fill(0x42, BUF - BASE, BUF - BASE + 1024);
    expect(request(BLK_T_OUT, 3, { len: 1024, write: false })).toBe(BLK_S_OK);
    expect(disk.bytes.subarray(3 * 512, 5 * 512).every((b) => b === 0x42)).toBe(true);
    ram.bytes.fill(0, BUF - BASE, BUF - BASE + 1024);
    expect(request(BLK_T_IN, 4, { len: 512, write: true })).toBe(BLK_S_OK);
    expect(ram.bytes[BUF - BASE]).toBe(0x42);
    expect(request(BLK_T_FLUSH, 0, undefined)).toBe(BLK_S_OK);
    expect(request(BLK_T_GET_ID, 0, { len: 20, write: true })).toBe(BLK_S_OK);
    expect(new TextDecoder().decode(ram.bytes.subarray(BUF - BASE, BUF - BASE + 9))).toBe("serial-42");
    expect(blk.stats).toMatchObject({ reads: 1, writes: 1, flushes: 1, errors: 0 });
  });

  it("discards (reads back zero), refuses ranges past the end, odd lengths and unknown types", () => {
    const { ram, request, disk } = setup(new MemoryDisk(new Uint8Array(64 * 1024).fill(7)));
    const seg = new DataView(ram.bytes.buffer, BUF - BASE, 16);
    seg.setUint32(0, 2, true); seg.setUint32(8, 2, true); // sectors 2..3
    expect(request(BLK_T_DISCARD, 0, { len: 16, write: false })).toBe(BLK_S_OK);
    expect(disk.bytes.subarray(1024, 2048).every((b) => b === 0)).toBe(true);
    expect(disk.bytes[2048]).toBe(7);
    expect(request(BLK_T_IN, 127, { len: 1024, write: true })).toBe(BLK_S_IOERR); // past the end (128 sectors)
    expect(request(BLK_T_IN, 0, { len: 100, write: true })).toBe(BLK_S_IOERR); // not whole sectors
    expect(request(99, 0, undefined)).toBe(BLK_S_UNSUPP);
  });

  it("a read-only disk answers writes with IOERR and offers VIRTIO_BLK_F_RO", () => {
    const { ram, request, blk } = setup(new MemoryDisk(new Uint8Array(4096), true));
    expect((blk.features >> 5n) & 1n).toBe(1n);
    expect(request(BLK_T_OUT, 0, { len: 512, write: false })).toBe(BLK_S_IOERR);
    void ram;
  });

  it("a request without a status byte completes with length 0 and no write", () => {
    const { ram, t } = setup();
    ram.view.setUint32(HDR - BASE, BLK_T_IN, true);
    post(t, ram, 0, [{ addr: HDR, len: 16, flags: 0, next: 0 }]);
    const usedLen = ram.view.getUint32(0x3000 + 4 + 4, true);
    expect(usedLen).toBe(0);
    expect(t.lastError).toBe("");
  });

  it("the copy-on-write overlay keeps the base untouched and reads back what was written", () => {
    const base = new MemoryDisk(new Uint8Array(16 * 1024).fill(1));
    const cow = new CowOverlay(base);
    cow.write(4000, new Uint8Array(200).fill(9)); // spans two 4 KiB chunks
    const back = new Uint8Array(300);
    cow.read(3950, back);
    expect(back[49]).toBe(1);
    expect(back[50]).toBe(9);
    expect(back[249]).toBe(9);
    expect(back[250]).toBe(1);
    expect(base.bytes.every((b) => b === 1)).toBe(true);
    expect(cow.chunks.size).toBe(2);
  });
});

// Hostile virtqueues: every named malformed chain gets a device error (NEEDS_RESET with the
// reason) or an error status, never a throw; seeded random chains against blk, console and rng
// never throw, never write outside RAM, and leave a neighbour device untouched.
import { describe, expect, it } from "vitest";
import { MemoryDisk } from "../../../src/devices/virtio/blk/backend.js";
import { VirtioBlk } from "../../../src/devices/virtio/blk/blk.js";
import { VirtioConsole } from "../../../src/devices/virtio/console.js";
import { STATUS_NEEDS_RESET } from "../../../src/devices/virtio/mmio.js";
import { VirtioRng } from "../../../src/devices/virtio/rng.js";
import { VirtioNet } from "../../../src/devices/virtio/net.js";
import { BASE, DATA, DESC, RAM_SIZE, driver, lcg, makeRam, post, randomDescs } from "./hostile.js";

const NEXT = 1, WRITE = 2, INDIRECT = 4;
const rng = () => new VirtioRng((b) => b.fill(0xab));

const hostile: [string, Parameters<typeof post>[2], number, RegExp][] = [
  ["a descriptor loop", [{ addr: DATA, len: 16, flags: NEXT | WRITE, next: 1 }, { addr: DATA, len: 16, flags: NEXT | WRITE, next: 0 }], 0, /longer than the queue/],
  ["a next index outside the table", [{ addr: DATA, len: 16, flags: NEXT | WRITE, next: 200 }], 0, /next index outside/],
  ["a head outside the table", [], 99, /head index outside/],
  ["a buffer outside RAM", [{ addr: BASE + RAM_SIZE - 8, len: 64, flags: WRITE, next: 0 }], 0, /outside guest RAM/],
  ["an address past 2^53", [{ addr: 2 ** 60, len: 8, flags: WRITE, next: 0 }], 0, /outside guest RAM/],
  ["lengths that overflow 4 GiB", Array.from({ length: 3 }, (_, i) => ({ addr: BASE, len: 0xffffffff, flags: NEXT | WRITE, next: i + 1 })), 0, /outside guest RAM|past 4 GiB/],
  ["a nested indirect table", [{ addr: DESC + 0x80, len: 16, flags: INDIRECT, next: 0 }], 0, /indirect table outside|nested|indirect/],
  ["an indirect table of 17 bytes", [{ addr: DATA, len: 17, flags: INDIRECT, next: 0 }], 0, /multiple of 16/],
  ["an indirect descriptor with NEXT", [{ addr: DATA, len: 32, flags: INDIRECT | NEXT, next: 1 }], 0, /with the NEXT flag/],
  ["readable after writable", [{ addr: DATA, len: 16, flags: NEXT | WRITE, next: 1 }, { addr: DATA, len: 16, flags: 0, next: 0 }], 0, /readable buffer after/],
];

describe("virtio: hostile descriptor chains", () => {
  it.each(hostile)("%s sets DEVICE_NEEDS_RESET with the reason", (_name, descs, head, why) => {
    const ram = makeRam();
    const t = driver(rng(), ram);
    if (_name === "a nested indirect table") {
      // the indirect table at DESC+0x80 itself holds an indirect descriptor
      const o = DESC + 0x80 - BASE;
      ram.view.setUint32(o, DATA, true); ram.view.setUint32(o + 8, 16, true); ram.view.setUint16(o + 12, INDIRECT, true);
    }
    expect(() => post(t, ram, 0, descs, head)).not.toThrow();
    expect(t.deviceStatus & STATUS_NEEDS_RESET).toBe(STATUS_NEEDS_RESET);
    expect(t.lastError).toMatch(why);
  });

  it("an available index that runs ahead of the queue is a broken driver", () => {
    const ram = makeRam();
    const t = driver(rng(), ram);
    post(t, ram, 0, [{ addr: DATA, len: 16, flags: WRITE, next: 0 }], 0, 500);
    expect(t.lastError).toMatch(/available index runs ahead/);
  });

  it("queues outside RAM are refused when enabled", () => {
    const ram = makeRam();
    const t = driver(rng(), ram);
    t.write(0x70, 4, 0, 0); // reset
    t.write(0x30, 4, 0, 0); t.write(0x38, 4, 16, 0);
    t.write(0x80, 4, 0, 0); t.write(0x84, 4, 0x10, 0); // desc at 2^36
    t.write(0x44, 4, 1, 0);
    expect(t.read(0x44, 4)).toBe(0);
    expect(t.lastError).toMatch(/rings outside RAM/);
  });

  it("a well-formed chain still works after a reset", () => {
    const ram = makeRam();
    const t = driver(rng(), ram);
    post(t, ram, 0, [{ addr: DATA, len: 16, flags: NEXT | WRITE, next: 0 }], 0);
    expect(t.lastError).not.toBe("");
    ram.bytes.fill(0, 0x2000, 0x4000); // the driver resets, clears its rings and sets up again
    const t2 = driver(rng(), ram);
    post(t2, ram, 0, [{ addr: DATA, len: 32, flags: WRITE, next: 0 }], 0);
    expect(t2.lastError).toBe("");
    expect(ram.bytes[DATA - BASE]).toBe(0xab);
    expect(t2.completed[0]).toBe(1);
  });

  const count = Number(process.env.VIRTIO_FUZZ_COUNT ?? 3000);
  it.each(["blk", "console", "rng", "net"])(`%s survives ${count} seeded random chains; its neighbour stays intact`, (kind) => {
    const rnd = lcg(kind.length * 7919);
    const neighbour = makeRam();
    neighbour.bytes.fill(0x5a);
    const nt = driver(rng(), neighbour);
    for (let i = 0; i < count; i++) {
      const ram = makeRam();
      const backend = kind === "blk" ? new VirtioBlk(new MemoryDisk(new Uint8Array(64 * 1024))) : kind === "console" ? new VirtioConsole(() => {})
        : kind === "net" ? new VirtioNet(Uint8Array.of(2, 0, 0, 0, 0, 1), () => {}) : rng();
      const t = driver(backend, ram);
      if (backend instanceof VirtioConsole) backend.receive(t, new Uint8Array(100));
      if (backend instanceof VirtioNet) backend.receive(new Uint8Array(60).fill(0xff)); // a frame waits for the guest
      const { descs, head } = randomDescs(rnd);
      const q = rnd() % backend.queueSizes.length;
      expect(() => post(t, ram, q, descs, head)).not.toThrow();
      expect(ram.bytes.length).toBe(RAM_SIZE);
    }
    expect(neighbour.bytes.every((b, i) => b === 0x5a || (i >= 0x1000 && i < 0x4000))).toBe(true);
    expect(nt.lastError).toBe("");
  }, Math.max(10_000, count * 1.5));
});

// Token-bucket rate limiters (Firecracker's model) on a fake clock, and virtio-net holding a
// frame back until its transmit limit allows it.
import { describe, expect, it } from "vitest";
import { RateLimiter, rateLimiterProblem } from "../../src/devices/rate-limiter.js";
import { VirtioNet, NET_HDR_BYTES } from "../../src/devices/virtio/net.js";
import { MemoryDisk } from "../../src/devices/virtio/blk/backend.js";
import { BLK_S_OK, BLK_T_IN, VirtioBlk } from "../../src/devices/virtio/blk/blk.js";
import { BASE, DATA, driver, makeRam, post } from "./virtio/hostile.js";

describe("rate limiter", () => {
  it("lets a full bucket through, then refills evenly over its refill time", () => {
    let t = 0;
    const r = new RateLimiter({ bandwidth: { size: 1000, refillTimeMs: 1000 } }, () => t);
    expect(r.consume(600)).toBe(true);
    expect(r.consume(600)).toBe(false);
    expect(r.waitMs(600)).toBe(200);
    t = 199;
    expect(r.consume(600)).toBe(false);
    t = 200;
    expect(r.consume(600)).toBe(true);
    expect(r.throttled).toBe(2);
  });

  it("spends a one-time burst first; counts operations; lets an operation larger than the bucket through when it is full", () => {
    let t = 0;
    const r = new RateLimiter({ bandwidth: { size: 100, oneTimeBurst: 500, refillTimeMs: 1000 }, ops: { size: 2, refillTimeMs: 1000 } }, () => t);
    expect(r.consume(550)).toBe(true); // burst 500 + 50 of the bucket
    expect(r.consume(50)).toBe(true);
    expect(r.consume(1)).toBe(false); // ops: two per second
    t = 500;
    expect(r.consume(1)).toBe(true);
    t = 10_000;
    expect(r.consume(5000)).toBe(true); // larger than the bucket: once it is full
    expect(r.consume(1)).toBe(false);
  });

  it("names what is wrong with a configuration", () => {
    expect(rateLimiterProblem({ bandwidth: { size: 0, refillTimeMs: 10 } })).toBe("bandwidth.size: a positive integer");
    expect(rateLimiterProblem({ ops: { size: 1, refillTimeMs: 0 } })).toBe("ops.refillTimeMs: a positive integer (ms)");
    expect(rateLimiterProblem({ burst: {} } as never)).toBe("unknown bucket 'burst'");
    expect(rateLimiterProblem({ bandwidth: { size: 5, refillTimeMs: 5 } })).toBeUndefined();
  });

  it("virtio-net holds a frame the transmit limit does not allow yet, and sends it when polled later", async () => {
    const ram = makeRam();
    const sent: number[] = [];
    const net = new VirtioNet(Uint8Array.of(2, 0, 0, 0, 0, 1), (f) => sent.push(f.length), { tx: { bandwidth: { size: 1000, refillTimeMs: 100 } } });
    const t = driver(net, ram);
    const frame = (i: number) => {
      const at = DATA + 0x800 * i;
      ram.bytes.fill(0x11, at - BASE, at - BASE + NET_HDR_BYTES + 600);
      post(t, ram, 1, [0, 1, 2].map((j) => ({ addr: DATA + 0x800 * j, len: NET_HDR_BYTES + 600, flags: 0, next: 0 })), i);
    };
    frame(0);
    frame(1);
    expect(sent).toEqual([600]); // the second waits for tokens
    expect(t.completed[1]).toBe(1);
    expect(net.poll(t)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(net.poll(t)).toBe(Infinity);
    expect(sent).toEqual([600, 600]);
    expect(t.completed[1]).toBe(2);
  });

  it("virtio-blk holds a request its limit does not allow yet (ops bucket), and serves it when polled later", async () => {
    const ram = makeRam();
    const blk = new VirtioBlk(new MemoryDisk(new Uint8Array(64 * 1024)), "d", { ops: { size: 1, refillTimeMs: 30 } });
    const t = driver(blk, ram);
    const HDR = DATA, BUF = DATA + 0x1000, STATUS = DATA + 0x3000;
    const read = (head: number) => {
      const o = HDR - BASE + 0x100 * head;
      ram.view.setUint32(o, BLK_T_IN, true);
      ram.bytes[STATUS - BASE + head] = 0xff;
      post(t, ram, 0, [
        { addr: HDR + 0x100 * head, len: 16, flags: 1, next: 1 }, { addr: BUF, len: 512, flags: 3, next: 2 }, { addr: STATUS + head, len: 1, flags: 2, next: 0 },
      ], 0);
    };
    read(0);
    expect(ram.bytes[STATUS - BASE]).toBe(BLK_S_OK);
    read(1); // the descriptors are rewritten: the same table serves the second request
    expect(t.completed[0]).toBe(1); // held: one operation per 30 ms
    expect(blk.poll(t)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(blk.poll(t)).toBe(Infinity);
    expect(t.completed[0]).toBe(2);
    expect(t.lastError).toBe("");
  });
});

// virtio-net through the transport, as a driver queues frames: transmit (the header stripped,
// the frame forwarded whole), runt and oversized frames dropped and counted, receive into
// posted buffers (header with num_buffers = 1), buffers too small, a full receive queue, the
// MAC in the configuration space, save and restore.
import { describe, expect, it } from "vitest";
import { MAX_FRAME, NET_HDR_BYTES, VIRTIO_NET_F_MAC, VirtioNet } from "../../../src/devices/virtio/net.js";
import { BASE, DATA, driver, makeRam, post } from "./hostile.js";

const WRITE = 2;
const MAC = Uint8Array.of(0x02, 0x77, 0x76, 1, 2, 3);
const frame = (n: number, fill = 0x42) => { const f = new Uint8Array(n).fill(fill); f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0); f.set(MAC, 6); return f; };

function setup() {
  const ram = makeRam();
  const sent: Uint8Array[] = [];
  const net = new VirtioNet(MAC, (f) => sent.push(f));
  const t = driver(net, ram);
  const transmit = (payload: Uint8Array) => {
    ram.bytes.fill(0, DATA - BASE, DATA - BASE + NET_HDR_BYTES);
    ram.bytes.set(payload, DATA - BASE + NET_HDR_BYTES);
    post(t, ram, 1, [{ addr: DATA, len: NET_HDR_BYTES + payload.length, flags: 0, next: 0 }]);
  };
  const rxBuffer = (len: number) => post(t, ram, 0, [{ addr: DATA + 0x4000, len, flags: WRITE, next: 0 }]);
  const usedLen = (q: number) => { const used = 0x3000 + q * 0x100; const idx = (ram.view.getUint16(used + 2, true) - 1) & 15; return ram.view.getUint32(used + 4 + 8 * idx + 4, true); };
  return { ram, net, t, sent, transmit, rxBuffer, usedLen };
}

describe("virtio-net", () => {
  it("offers its MAC; transmits a frame without the header, counted", () => {
    const { net, t, sent, transmit } = setup();
    expect((t.offered >> VIRTIO_NET_F_MAC) & 1n).toBe(1n);
    expect(Array.from({ length: 6 }, (_, i) => t.read(0x100 + i, 1))).toEqual([...MAC]);
    const f = frame(100);
    transmit(f);
    expect(sent).toHaveLength(1);
    expect([...sent[0]]).toEqual([...f]);
    expect(net.stats).toMatchObject({ txFrames: 1, txBytes: 100, txErrors: 0 });
  });

  it("drops and counts runt and oversized frames; the device stays healthy", () => {
    const { net, t, sent, transmit } = setup();
    transmit(new Uint8Array(10));
    transmit(new Uint8Array(MAX_FRAME + 1));
    transmit(frame(MAX_FRAME)); // the largest accepted
    expect(sent.map((f) => f.length)).toEqual([MAX_FRAME]);
    expect(net.stats.txErrors).toBe(2);
    expect(t.lastError).toBe("");
    expect(t.completed[1]).toBe(3);
  });

  it("receives into posted buffers after a header with num_buffers 1; a buffer too small drops the frame", () => {
    const { ram, net, rxBuffer, usedLen } = setup();
    const f = frame(200, 7);
    net.receive(f);
    expect(net.pendingFrames).toBe(1);
    rxBuffer(1526);
    expect(net.pendingFrames).toBe(0);
    expect(usedLen(0)).toBe(NET_HDR_BYTES + 200);
    const o = DATA + 0x4000 - BASE;
    expect(ram.view.getUint16(o + 10, true)).toBe(1);
    expect([...ram.bytes.subarray(o + NET_HDR_BYTES, o + NET_HDR_BYTES + 200)]).toEqual([...f]);
    net.receive(frame(1000));
    rxBuffer(500);
    expect(usedLen(0)).toBe(0);
    expect(net.stats).toMatchObject({ rxFrames: 1, rxBytes: 200, rxDropped: 1 });
  });

  it("bounds the frames waiting for the guest", () => {
    const { net } = setup();
    for (let i = 0; i < 300; i++) net.receive(frame(60));
    expect(net.pendingFrames).toBe(256);
    expect(net.stats.rxDropped).toBe(44);
  });

  it("saves and restores the frames waiting; refuses a malformed state", () => {
    const { net } = setup();
    net.receive(frame(64, 9));
    const other = new VirtioNet(MAC, () => {});
    other.restore(structuredClone(net.save()));
    expect(other.pendingFrames).toBe(1);
    expect(() => other.restore({ queue: [[1, 2, 3]] })).toThrow(/malformed/);
    expect(() => new VirtioNet(new Uint8Array(5), () => {})).toThrow(/6 bytes/);
  });
});

// virtio-input, the host's keyboard: the configuration a driver queries (name, ids, the keys it
// has), key sequences delivered as evdev events once the driver posts buffers, whole sequences
// queued or dropped, buffers too small skipped, the status queue drained, save and restore.
import { describe, expect, it } from "vitest";
import { EV_KEY, EV_SYN, KEY_DELETE, KEY_LEFTALT, KEY_LEFTCTRL, KEY_POWER, VirtioInput } from "../../../src/devices/virtio/input.js";
import { DATA, BASE, driver, makeRam, post, type Desc } from "./hostile.js";

const WRITE = 2;

function setup() {
  const ram = makeRam();
  const kbd = new VirtioInput();
  const t = driver(kbd, ram);
  const cfg = (select: number, subsel: number) => {
    t.write(0x100, 1, select, 0);
    t.write(0x101, 1, subsel, 0);
    const size = t.read(0x102, 1);
    return Uint8Array.from({ length: size }, (_, i) => t.read(0x108 + i, 1));
  };
  // Posts n event buffers of `len` bytes each (one descriptor per chain).
  const buffers = (n: number, len = 8, q = 0) => {
    const descs: Desc[] = Array.from({ length: n }, (_, i) => ({ addr: DATA + 16 * i, len, flags: WRITE, next: 0 }));
    for (let i = 0; i < n; i++) post(t, ram, q, descs, i);
  };
  const event = (i: number) => {
    const o = DATA + 16 * i - BASE;
    return [ram.view.getUint16(o, true), ram.view.getUint16(o + 2, true), ram.view.getUint32(o + 4, true)];
  };
  return { ram, kbd, t, cfg, buffers, event };
}

describe("virtio-input keyboard", () => {
  it("answers the driver's configuration queries, and size 0 for what it does not have", () => {
    const { cfg, t } = setup();
    expect(t.read(0x008, 4)).toBe(18); // device id
    expect(new TextDecoder().decode(cfg(0x01, 0))).toBe("wasmvisor keyboard");
    expect([...cfg(0x03, 0)]).toEqual([0x06, 0, 0, 0, 1, 0, 1, 0]); // BUS_VIRTUAL, product 1, version 1
    const keys = cfg(0x11, EV_KEY);
    const has = (k: number) => ((keys[k >> 3] >> (k & 7)) & 1) === 1;
    expect([KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE, KEY_POWER].every(has)).toBe(true);
    expect(has(30)).toBe(false); // KEY_A
    expect(cfg(0x11, 2).length).toBe(0); // EV_REL: none
    expect(cfg(0x12, 0).length).toBe(0); // no absolute axes
    expect(cfg(0x42, 0).length).toBe(0); // an unknown select
    t.write(0x108, 4, 0xffffffff, 0); // the driver may not write there: ignored
    expect(new TextDecoder().decode(cfg(0x01, 0))).toBe("wasmvisor keyboard");
  });

  it("queues a key sequence until the driver posts buffers, then delivers it as evdev events in order", () => {
    const { kbd, t, buffers, event } = setup();
    expect(kbd.press(t, [KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE])).toBe(true);
    expect(kbd.pendingEvents).toBe(8);
    buffers(5);
    expect(kbd.pendingEvents).toBe(3);
    buffers(3);
    expect(kbd.pendingEvents).toBe(0);
    // The ring's last 3 entries were written by the second batch at buffers 0..2 of the table.
    expect([event(0), event(1), event(2)]).toEqual([[EV_KEY, KEY_LEFTALT, 0], [EV_KEY, KEY_LEFTCTRL, 0], [EV_SYN, 0, 0]]);
    expect(kbd.delivered).toBe(8);
    expect(t.completed[0]).toBe(8);
    expect(t.lastError).toBe("");
  });

  it("delivers press before release, ctrl and alt held around Delete", () => {
    const { kbd, t, buffers, event } = setup();
    buffers(8);
    kbd.press(t, [KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE]);
    expect(Array.from({ length: 8 }, (_, i) => event(i))).toEqual([
      [EV_KEY, KEY_LEFTCTRL, 1], [EV_KEY, KEY_LEFTALT, 1], [EV_KEY, KEY_DELETE, 1], [EV_SYN, 0, 0],
      [EV_KEY, KEY_DELETE, 0], [EV_KEY, KEY_LEFTALT, 0], [EV_KEY, KEY_LEFTCTRL, 0], [EV_SYN, 0, 0],
    ]);
  });

  it("skips a buffer too small for an event, drains the status queue, and drops whole sequences past its bound", () => {
    const { kbd, t, buffers } = setup();
    buffers(2, 4); // 4 bytes: too small
    kbd.press(t, [KEY_POWER]);
    expect(t.completed[0]).toBe(2);
    expect(kbd.pendingEvents).toBe(4); // nothing lost
    buffers(3, 8, 1); // LED updates on the status queue: consumed
    expect(t.completed[1]).toBe(3);
    let accepted = 0;
    while (kbd.press(t, [KEY_POWER])) accepted++;
    expect(kbd.pendingEvents % 4).toBe(0); // never a partial sequence
    expect(accepted).toBeGreaterThan(10);
    expect(t.lastError).toBe("");
  });

  it("saves and restores its queue and selection; refuses a malformed state", () => {
    const { kbd, t, cfg } = setup();
    cfg(0x01, 0);
    kbd.press(t, [KEY_POWER]);
    const s = kbd.save();
    const other = new VirtioInput();
    other.restore(structuredClone(s));
    expect(other.pendingEvents).toBe(4);
    expect(other.config()[0]).toBe(0x01);
    expect(() => other.restore({ ...s, events: [1, 2] })).toThrow(/malformed/);
    expect(() => other.restore({ ...s, select: 300 })).toThrow(/malformed/);
  });
});

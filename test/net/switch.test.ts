// The host's virtual switches: learning, flooding, unicast to the learned port only, no
// traffic between switches, ageing, a bounded table, detaching; MAC parsing and derivation.
import { describe, expect, it } from "vitest";
import { AGEING_MS, MAC_TABLE_MAX, Network, formatMac, macForId, parseMac } from "../../src/net/switch.js";

const frame = (dst: number[], src: number[]) => Uint8Array.from([...dst, ...src, 0x08, 0x00, ...new Array(46).fill(0)]);
const A = [2, 0, 0, 0, 0, 0xa], B = [2, 0, 0, 0, 0, 0xb], C = [2, 0, 0, 0, 0, 0xc], BCAST = [255, 255, 255, 255, 255, 255];

function lan(now = () => 0) {
  const net = new Network(now);
  const got: Record<string, Uint8Array[]> = { a: [], b: [], c: [], x: [] };
  const sw = net.switch("lan");
  const ports = { a: sw.attach("a", (f) => got.a.push(f)), b: sw.attach("b", (f) => got.b.push(f)), c: sw.attach("c", (f) => got.c.push(f)) };
  const x = net.switch("other").attach("x", (f) => got.x.push(f));
  return { net, sw, got, ports, x };
}

describe("virtual switch", () => {
  it("floods broadcasts and unknown destinations, then sends to the learned port only", () => {
    const { got, ports } = lan();
    ports.a.send(frame(BCAST, A));
    expect([got.a.length, got.b.length, got.c.length]).toEqual([0, 1, 1]);
    ports.b.send(frame(A, B)); // a is learned: only a gets it
    expect([got.a.length, got.b.length, got.c.length]).toEqual([1, 1, 1]);
    ports.a.send(frame(B, A));
    expect([got.a.length, got.b.length, got.c.length]).toEqual([1, 2, 1]);
    ports.a.send(frame(C, A)); // c unknown: flooded
    expect([got.a.length, got.b.length, got.c.length]).toEqual([1, 3, 2]);
    expect(ports.a.counts).toEqual({ in: 3, out: 1 });
  });

  it("keeps switches apart", () => {
    const { got, ports, x } = lan();
    ports.a.send(frame(BCAST, A));
    x.send(frame(BCAST, C));
    expect(got.x).toHaveLength(0);
    expect(got.a).toHaveLength(0);
  });

  it("forgets addresses after ageing and when a port leaves; bounds the table", () => {
    let t = 0;
    const { got, ports, sw } = lan(() => t);
    ports.b.send(frame(BCAST, B));
    ports.a.send(frame(B, A));
    expect(got.c).toHaveLength(1); // only the broadcast
    t = AGEING_MS + 1;
    ports.a.send(frame(B, A)); // aged out: flooded again
    expect(got.c).toHaveLength(2);
    ports.b.detach();
    ports.a.send(frame(B, A));
    expect(got.b).toHaveLength(2); // nothing after it left
    for (let i = 0; i < MAC_TABLE_MAX + 100; i++) ports.c.send(frame(BCAST, [2, 1, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255]));
    expect(sw.portCount).toBe(2);
    ports.a.send(frame([2, 1, 0, 0, 0, 0], A)); // the oldest forged address was evicted: flooded to c
    expect(got.c.at(-1)![11]).toBe(0x0a);
  });

  it("ignores runts; parses, derives and formats MACs", () => {
    const { got, ports } = lan();
    ports.a.send(new Uint8Array(10));
    expect(got.b).toHaveLength(0);
    expect(formatMac(parseMac("02:77:76:AB:cd:01"))).toBe("02:77:76:ab:cd:01");
    expect(() => parseMac("01:00:5e:00:00:01")).toThrow(/multicast/);
    expect(() => parseMac("02:77:76")).toThrow(/not a MAC/);
    expect(formatMac(macForId("web"))).toMatch(/^02:77:76(:[0-9a-f]{2}){3}$/);
    expect(formatMac(macForId("web"))).toBe(formatMac(macForId("web")));
    expect(formatMac(macForId("web"))).not.toBe(formatMac(macForId("db")));
  });
});

// Live migration between two hosts in one process, over an in-memory transport: a guest that
// writes memory all the time arrives with exactly the RAM and hart state it had when the source
// stopped it, after several pre-copy rounds; the sealed channel refuses a wrong secret and any
// altered, dropped or replayed message; malformed page batches and state records are refused
// before anything is written; a failure at any point leaves the VM running on the source.
import { describe, expect, it } from "vitest";
import { DRAM_BASE } from "../../src/core/hart.js";
import { Hypervisor } from "../../src/hypervisor/hypervisor.js";
import type { Host } from "../../src/hypervisor/host.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { ChannelAuthError, SecureChannel, type Transport } from "../../src/migration/channel.js";
import { applyPages, checkPages, encodePages, PageBatchError, splitBatch } from "../../src/migration/pages.js";
import { parseState, stateMessage } from "../../src/migration/protocol.js";
import { migrateOut } from "../../src/migration/source.js";
import { acceptMigration } from "../../src/migration/target.js";
import { Asm } from "../helpers/rv-asm.js";
import { until } from "../helpers/wait.js";

const SECRET = "correct horse battery staple";

/** Two ends of an in-memory transport; `tap` sees (and may change or drop) what a→b carries, `back` what b→a does. */
function pipe(tap?: (m: Uint8Array, n: number) => Uint8Array | undefined | "cut", back?: (m: Uint8Array, n: number) => Uint8Array | undefined | "cut"): [Transport, Transport] {
  const make = () => ({ queue: [] as Uint8Array[], waiting: [] as { res: (m: Uint8Array) => void; rej: (e: Error) => void }[], closed: false });
  const ends = [make(), make()];
  const count = [0, 0];
  const deliver = (to: number, m: Uint8Array) => {
    const e = ends[to];
    if (e.closed) return;
    const w = e.waiting.shift();
    if (w) w.res(m); else e.queue.push(m);
  };
  const close = () => {
    for (const e of ends) { e.closed = true; for (const w of e.waiting.splice(0)) w.rej(new Error("closed")); }
  };
  const end = (me: number): Transport => ({
    send: async (bytes) => {
      if (ends[me].closed) throw new Error("closed");
      let m: Uint8Array | undefined | "cut" = bytes.slice();
      const t = me === 0 ? tap : back;
      if (t) m = t(m, count[me]++);
      if (m === "cut") { close(); throw new Error("cut"); }
      if (m) deliver(1 - me, m);
      await Promise.resolve();
    },
    receive: () => {
      const e = ends[me];
      const m = e.queue.shift();
      if (m) return Promise.resolve(m);
      if (e.closed) return Promise.reject(new Error("closed"));
      return new Promise((res, rej) => e.waiting.push({ res, rej }));
    },
    close,
  });
  return [end(0), end(1)];
}

/** A bare-metal guest that writes a counter across 300 pages, round and round, forever. */
function writer(): Uint8Array {
  const a = new Asm();
  a.li("s0", DRAM_BASE + 0x10000).li("s1", 300).li("t0", 0);
  a.label("outer").mv("t1", "s0").mv("t2", "s1");
  a.label("inner").addi("t0", "t0", 1).sd("t0", 0, "t1").li("t3", 4096).add("t1", "t1", "t3").addi("t2", "t2", -1).bnez("t2", "inner").j("outer");
  return a.bytes();
}

const module = loadCoreModule();
const config = (id: string) => ({ id, memSize: 4 << 20, boot: { kind: "bare" as const, image: writer(), mode: "full" as const } });

function hosts(): { src: Hypervisor; dst: Hypervisor } {
  return { src: new Hypervisor(module), dst: new Hypervisor(module) };
}

const target = (dst: Host, secret = SECRET) => ({
  secret,
  define: (id: string) => { dst.create(config(id)); },
  undefine: (id: string) => dst.delete(id),
});

describe("live migration", () => {
  it("a guest writing memory all the time arrives with the RAM and hart state it had when it stopped", async () => {
    const { src, dst } = hosts();
    src.create(config("w"));
    src.start("w");
    await until(() => src.vms.get("w")!.stats().instructions > 2_000_000);
    // What the source had at the stop, and what the target has before it runs on.
    let atStop: { ram: Uint8Array; state: Uint8Array } | undefined;
    let atResume: { ram: Uint8Array; state: Uint8Array } | undefined;
    const grab = (h: Hypervisor) => { const m = h.vms.get("w")!.machine!; return { ram: m.hart.ram.slice(), state: m.hart.saveState() }; };
    const finish = src.migrationFinish.bind(src);
    src.migrationFinish = (id, body) => { const r = finish(id, body); atStop = grab(src); return r; };
    const resume = dst.resume.bind(dst);
    dst.resume = (id) => { atResume = grab(dst); resume(id); };
    const [a, b] = pipe();
    const incoming = acceptMigration(dst, b, target(dst));
    const report = await migrateOut(src, "w", a, { secret: SECRET, stopPages: 8 });
    await incoming;
    expect(src.vms.has("w")).toBe(false);
    expect(dst.vms.get("w")!.state).toBe("running");
    expect(report.rounds).toBeGreaterThanOrEqual(3); // pre-copy went round while the guest wrote
    expect(report.roundPages[0]).toBeGreaterThanOrEqual(300);
    expect(Buffer.from(atResume!.ram).equals(Buffer.from(atStop!.ram))).toBe(true);
    // The state block is the same but for the clock offset, which the target moves on.
    const clockAt = 0x400 + 0xe0;
    const strip = (s: Uint8Array) => { const c = s.slice(); c.fill(0, clockAt, clockAt + 8); return c; };
    expect(Buffer.from(strip(atResume!.state)).equals(Buffer.from(strip(atStop!.state)))).toBe(true);
    // And it keeps running there.
    const n = dst.vms.get("w")!.stats().instructions;
    await until(() => dst.vms.get("w")!.stats().instructions > n + 1_000_000);
    src.close(); dst.close();
  });

  it("a paused VM arrives paused; the guest's clock moves on by the time in transit, never back", async () => {
    const { src, dst } = hosts();
    src.create(config("p"));
    src.start("p");
    await until(() => src.vms.get("p")!.stats().instructions > 1_000_000);
    src.pause("p");
    const before = src.vms.get("p")!.machine!.hart.mtime;
    const [a, b] = pipe((m) => m); // through, unchanged
    const incoming = acceptMigration(dst, b, target(dst));
    await migrateOut(src, "p", a, { secret: SECRET });
    expect((await incoming).running).toBe(false);
    expect(dst.vms.get("p")!.state).toBe("paused");
    expect(dst.vms.get("p")!.machine!.hart.mtime).toBeGreaterThan(before);
    src.close(); dst.close();
  });

  it("a wrong secret, an altered, dropped or replayed message: the target refuses, the VM runs on at the source", async () => {
    let replayed: Uint8Array | undefined;
    const cases: [string, string, ((m: Uint8Array, n: number) => Uint8Array | undefined | "cut") | undefined][] = [
      ["wrong secret", "another secret, also long", undefined],
      ["a flipped bit in a page batch", SECRET, (m, n) => { if (n === 3) m[m.length >> 1] ^= 4; return m; }],
      ["a dropped message", SECRET, (m, n) => (n === 3 ? undefined : m)],
      ["a replayed message", SECRET, (m, n) => { if (n === 2) replayed = m; return n === 4 ? replayed : m; }],
      ["the stream cut in the middle", SECRET, (m, n) => (n === 4 ? "cut" : m)],
    ];
    for (const [what, secret, tap] of cases) {
      const { src, dst } = hosts();
      src.create(config("v"));
      src.start("v");
      await until(() => src.vms.get("v")!.stats().instructions > 500_000);
      const [a, b] = pipe(tap);
      const incoming = acceptMigration(dst, b, target(dst, secret)).catch((e: Error) => e);
      await expect(migrateOut(src, "v", a, { secret: SECRET }), what).rejects.toThrow(/migration/);
      const got = await incoming;
      expect(got, what).toBeInstanceOf(Error);
      if (what === "wrong secret") expect(got).toBeInstanceOf(ChannelAuthError);
      expect(src.vms.get("v")!.state, what).toBe("running");
      expect(dst.vms.has("v"), what).toBe(false);
      const n = src.vms.get("v")!.stats().instructions;
      await until(() => src.vms.get("v")!.stats().instructions > n + 500_000);
      // A second try, on a clean line, works: nothing was left half-done on either side.
      const [c, d] = pipe();
      const again = acceptMigration(dst, d, target(dst));
      await migrateOut(src, "v", c, { secret: SECRET });
      await again;
      expect(dst.vms.get("v")!.state, what).toBe("running");
      src.close(); dst.close();
    }
  });

  it("a target that refuses the VM (the id exists there) leaves it running at the source", async () => {
    const { src, dst } = hosts();
    src.create(config("dup"));
    src.start("dup");
    dst.create(config("dup"));
    await until(() => src.vms.get("dup")!.stats().instructions > 500_000);
    const [a, b] = pipe();
    const incoming = acceptMigration(dst, b, target(dst)).catch((e: Error) => e);
    await expect(migrateOut(src, "dup", a, { secret: SECRET })).rejects.toThrow(/the target refused: a VM 'dup' exists on this host/);
    expect(await incoming).toBeInstanceOf(Error);
    expect(src.vms.get("dup")!.state).toBe("running");
    expect(dst.vms.get("dup")!.state).toBe("created"); // its own VM, untouched
    src.close(); dst.close();
  });

  it("a lost confirmation after the hand-over keeps the VM paused at the source, never running twice", async () => {
    const { src, dst } = hosts();
    src.create(config("u"));
    src.start("u");
    await until(() => src.vms.get("u")!.stats().instructions > 500_000);
    // The target's line goes as it confirms the GO (its messages: challenge, READY, RESTORED, RESUMED).
    const [a, b] = pipe(undefined, (m, n) => (n === 3 ? "cut" : m));
    const incoming = acceptMigration(dst, b, target(dst)).catch((e: Error) => e);
    await expect(migrateOut(src, "u", a, { secret: SECRET })).rejects.toThrow(/stays paused here/);
    await incoming;
    expect(src.vms.get("u")!.state).toBe("paused");
    expect(dst.vms.get("u")!.state).toBe("running");
    src.close(); dst.close();
  });
});

describe("migration pieces", () => {
  it("a page batch round-trips; a malformed one is refused with nothing written", () => {
    const ram = new Uint8Array(16 * 4096);
    ram[3 * 4096 + 7] = 1; ram[9 * 4096] = 2;
    const batch = encodePages(ram, [3, 4, 9], false); // 4 is zero: a record without bytes
    expect(batch.length).toBe(3 * 4 + 2 * 4096);
    expect(checkPages(batch, ram.length)).toBe(3);
    const into = new Uint8Array(16 * 4096).fill(0xee);
    applyPages(into, batch);
    expect(into.subarray(3 * 4096, 5 * 4096)).toEqual(ram.subarray(3 * 4096, 5 * 4096));
    expect(into[9 * 4096]).toBe(2);
    expect(into[0]).toBe(0xee);
    const small = new Uint8Array(8 * 4096);
    expect(() => applyPages(small, batch)).toThrow(PageBatchError); // page 9 is past its end
    expect(small.every((b) => b === 0)).toBe(true);
    expect(() => applyPages(into, batch.subarray(0, batch.length - 1))).toThrow(/truncated/);
    expect(() => applyPages(into, batch.subarray(0, 2))).toThrow(/truncated/);
    expect(splitBatch(batch, 4104).map((p) => checkPages(p, ram.length))).toEqual([2, 1]);
    expect(splitBatch(batch, 100).map((p) => checkPages(p, ram.length))).toEqual([1, 1, 1]); // a page fits any part
  });

  it("STATE records out of range are refused", () => {
    const good = stateMessage(3, new Uint8Array([65, 66]), new Uint8Array([1, 2, 3])).subarray(1);
    expect(parseState(good).consoleRing).toEqual(new Uint8Array([65, 66]));
    const forged = (rec: string) => {
      const j = new TextEncoder().encode(rec);
      const m = new Uint8Array(4 + j.length + 8);
      new DataView(m.buffer).setUint32(0, j.length, true);
      m.set(j, 4);
      return m;
    };
    expect(() => parseState(forged('{"sinceSavedMs": -1, "consoleBytes": 0}'))).toThrow(/sinceSavedMs/);
    expect(() => parseState(forged('{"sinceSavedMs": 1, "consoleBytes": 999}'))).toThrow(/console length/);
    expect(() => parseState(forged("[]"))).toThrow(/not a JSON object/);
    expect(() => parseState(new Uint8Array([255, 255, 255, 255]))).toThrow(/out of range/);
  });

  it("the channel opens what it sealed, and nothing else", async () => {
    const [a, b] = pipe();
    const [sa, sb] = await Promise.all([SecureChannel.connect(a, SECRET), SecureChannel.accept(b, SECRET)]);
    await sa.send(new Uint8Array([1, 2, 3]));
    expect(await sb.receive()).toEqual(new Uint8Array([1, 2, 3]));
    await sb.send(new Uint8Array([4]));
    expect(await sa.receive()).toEqual(new Uint8Array([4]));
  }, 10_000);
});

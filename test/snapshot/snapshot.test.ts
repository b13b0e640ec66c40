// Whole-machine snapshots: a running Linux VM saved at its prompt and restored into a new
// machine answers on its console as before, with its time continuing; a bare-metal guest
// resumed mid-run finishes as an uninterrupted one; damaged or mismatched snapshots are
// refused with a clear error.
import { describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/machine.js";
import { bootToPrompt } from "../../src/machine/console-session.js";
import { DEFAULT_CONSOLE } from "../../src/machine/linux-boot.js";
import { SnapshotError, crc32 } from "../../src/snapshot/format.js";
import { L } from "../../src/core/abi.gen.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { sumGuest } from "../helpers/guests.js";
import { bundled } from "../system/linux-session.js";

const mod = loadCoreModule();


async function untilText(get: () => string, re: RegExp, ms = 60_000) {
  const t = Date.now();
  while (!re.test(get())) {
    if (Date.now() - t > ms) throw new Error(`timeout waiting for ${re}: ${get().slice(-500)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("snapshots", () => {
  it("a bare-metal guest saved mid-run and resumed elsewhere ends as an uninterrupted run", () => {
    const opts = { memSize: 1 << 20, clock: "virtual" as const };
    const whole = new Machine(mod, opts);
    whole.load(sumGuest(300_000));
    const want = whole.runSync();
    const a = new Machine(mod, opts);
    a.load(sumGuest(300_000));
    expect(a.runSync({ maxInstructions: 250_000 }).reason).toBe("limit");
    const snap = a.snapshot();
    const b = Machine.fromSnapshot(mod, opts, snap);
    const got = b.runSync();
    expect(got.reason).toBe("exit");
    expect(got.exitCode).toBe(want.exitCode);
    expect(b.hart.steps).toBe(whole.hart.steps);
    expect(snap.length).toBeLessThan(64 * 1024); // RAM is sparse: only the pages in use
  });

  it("a Linux VM saved at its prompt answers on its console after a restore, its time continuing", async () => {
    const b = bundled();
    const opts = { memSize: 256 << 20, mode: "para" as const };
    const images = { kernel: b.kernel, initrd: b.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` };
    const { machine: a } = await bootToPrompt(mod, opts, images, "para");
    const mtime = a.hart.mtime;
    const snap = a.snapshot();
    let out2 = "";
    const c = Machine.fromSnapshot(mod, { ...opts, output: (x) => { out2 += new TextDecoder().decode(x); } }, snap);
    expect(c.hart.mtime >= mtime).toBe(true);
    const run2 = c.run();
    c.input(new TextEncoder().encode("echo restored $((6 * 7)); date +%s\n"));
    await untilText(() => out2, /restored 42\r?\n(\d+)\r?\n/);
    const secs = Number(/restored 42\r?\n(\d+)/.exec(out2)![1]);
    expect(Math.abs(secs - Date.now() / 1000)).toBeLessThan(60);
    c.input(new TextEncoder().encode("poweroff\n"));
    expect((await run2).reason).toBe("exit");
  }, 120_000);

  it("refuses damaged, truncated and mismatched snapshots with a SnapshotError", () => {
    const opts = { memSize: 1 << 20, clock: "virtual" as const };
    const a = new Machine(mod, opts);
    a.load(sumGuest(1000));
    a.runSync({ maxInstructions: 500 });
    const snap = a.snapshot();
    let s = 7;
    const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
    const messages = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const bad = snap.slice(0, i % 3 === 0 ? rnd() % snap.length : snap.length);
      if (i % 3 !== 0) bad[rnd() % bad.length] ^= 1 << (rnd() % 8);
      let err: unknown;
      try { Machine.fromSnapshot(mod, opts, bad); } catch (e) { err = e; }
      expect(err, `case ${i}`).toBeInstanceOf(SnapshotError);
      messages.add((err as Error).message.replace(/\d+/g, "N"));
    }
    expect([...messages].some((m) => /checksum mismatch/.test(m))).toBe(true);
    expect(() => Machine.fromSnapshot(mod, { ...opts, memSize: 2 << 20 }, snap)).toThrow(/has 1048576 bytes of RAM, this one 2097152/);
    expect(() => Machine.fromSnapshot(mod, { ...opts, mode: "para" }, snap)).toThrow(/full-mode VM, this board is para/);
    expect(() => Machine.fromSnapshot(mod, { ...opts, virtioConsole: true }, snap)).toThrow(/devices differ/);
    expect(() => Machine.fromSnapshot(mod, opts, new TextEncoder().encode("not a snapshot at all, really"))).toThrow(/bad magic/);
    // A hostile snapshot with a valid checksum: its hart claims more RAM than the instance has.
    const evil = snap.slice();
    const v = new DataView(evil.buffer);
    const state = 16 + v.getUint32(12, true) + 4 + 4;
    v.setBigUint64(state + L.S_RAM_SIZE, 1n << 31n, true);
    v.setUint32(evil.length - 4, crc32(evil.subarray(0, evil.length - 4)), true);
    expect(() => Machine.fromSnapshot(mod, opts, evil)).toThrow(/hart state: RAM size 2147483648 is not this hart's 1048576/);
  });
});

describe("snapshots carry the disks' in-memory overlays", () => {
  it("what the guest wrote over its disk image comes back on restore; a chunk that fits no disk is refused", async () => {
    const { CowOverlay, MemoryDisk } = await import("../../src/devices/virtio/blk/backend.js");
    const base = new MemoryDisk(new Uint8Array(64 * 1024).fill(3), true);
    const opts = (overlay: InstanceType<typeof CowOverlay>) => ({ memSize: 2 << 20, disks: [{ backend: overlay }] });
    const src = new CowOverlay(base);
    const a = new Machine(mod, opts(src));
    a.load(sumGuest(1000));
    await a.run({ maxInstructions: 500 });
    src.write(4096 * 3 + 10, new Uint8Array(100).fill(0xee)); // as a guest's writes land
    src.write(0, new Uint8Array(512).fill(0x11));
    const snap = a.snapshot();
    const dst = new CowOverlay(base);
    Machine.fromSnapshot(mod, opts(dst), snap);
    expect(dst.overlayBytes).toBe(2 * 4096);
    expect(dst.flatten()).toEqual(src.flatten());
    expect(base.bytes.every((b) => b === 3)).toBe(true);
    // A board whose disk is smaller: the chunk of the larger disk does not fit.
    const small = new CowOverlay(new MemoryDisk(new Uint8Array(8192), true));
    expect(() => Machine.fromSnapshot(mod, { memSize: 2 << 20, disks: [{ backend: small }] }, snap)).toThrow(SnapshotError);
    expect(small.overlayBytes).toBe(0); // nothing half-restored
    // A disk with no copy-on-write overlay cannot take the chunks.
    expect(() => Machine.fromSnapshot(mod, { memSize: 2 << 20, disks: [{ backend: new MemoryDisk(new Uint8Array(64 * 1024)) }] }, snap))
      .toThrow(/has no copy-on-write overlay/);
  });
});

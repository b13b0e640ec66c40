// The copy-on-write overlay kept in files (serve --state-dir): reads see the base until a chunk
// is written, writes never reach the base, what was flushed is there when the overlay is opened
// again, and a damaged index or an overlay of another image is refused.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryDisk } from "../../src/devices/virtio/blk/backend.js";
import { OverlayError, PersistentOverlay } from "../../src/node/persistent-overlay.js";

const fresh = () => join(mkdtempSync(join(tmpdir(), "wasmvisor-overlay-")), "vda");

describe("persistent overlay", () => {
  it("keeps writes in its files, never in the base; a reopened overlay reads what was flushed", () => {
    const base = new MemoryDisk(new Uint8Array(64 * 1024).fill(7));
    const path = fresh();
    const o = new PersistentOverlay(base, path, "base.img");
    o.write(4000, new Uint8Array(200).fill(9)); // across chunks 0 and 1, both partial
    o.write(3 * 4096, new Uint8Array(4096).fill(5)); // chunk 3 whole
    const back = new Uint8Array(300);
    o.read(3950, back);
    expect([back[49], back[50], back[249], back[250]]).toEqual([7, 9, 9, 7]);
    expect(base.bytes.every((b) => b === 7)).toBe(true);
    expect(o.chunks).toBe(3);
    o.close();
    expect(readFileSync(`${path}.index`).length).toBe(12);
    const again = new PersistentOverlay(base, path, "base.img");
    const all = new Uint8Array(64 * 1024);
    again.read(0, all);
    expect([all[3999], all[4000], all[4199], all[4200], all[3 * 4096], all[4 * 4096]]).toEqual([7, 9, 9, 7, 5, 7]);
    again.close();
  });

  it("after a flush, writes that followed it leave the flushed chunks readable when the host dies", () => {
    const base = new MemoryDisk(new Uint8Array(16 * 1024));
    const path = fresh();
    const o = new PersistentOverlay(base, path, "b");
    o.write(0, new Uint8Array(4096).fill(1));
    o.flush();
    o.write(8192, new Uint8Array(4096).fill(2)); // not flushed: the host "dies" here (no close)
    const after = new PersistentOverlay(base, path, "b");
    const got = new Uint8Array(16 * 1024);
    after.read(0, got);
    expect(got[0]).toBe(1);
    expect(got[8192]).toBe(0); // unflushed: not in the index, so the base shows
    after.close();
  });

  it("refuses a damaged index and an overlay made over another image", () => {
    const base = new MemoryDisk(new Uint8Array(8192));
    const path = fresh();
    new PersistentOverlay(base, path, "a.img").close();
    expect(() => new PersistentOverlay(base, path, "other.img")).toThrow(/made over another disk \(a\.img 8192\), not other\.img 8192/);
    expect(() => new PersistentOverlay(new MemoryDisk(new Uint8Array(4096)), path, "a.img")).toThrow(OverlayError);
    writeFileSync(`${path}.index`, Buffer.from([1, 2, 3]));
    expect(() => new PersistentOverlay(base, path, "a.img")).toThrow(/damaged \(its length 3 is not a multiple of 4\)/);
    writeFileSync(`${path}.index`, Buffer.from([9, 0, 0, 0]));
    expect(() => new PersistentOverlay(base, path, "a.img")).toThrow(/chunk 9 is past the end of a 8192-byte disk/);
    PersistentOverlay.remove(path);
    expect(() => new PersistentOverlay(base, path, "other.img").close()).not.toThrow();
  });
});

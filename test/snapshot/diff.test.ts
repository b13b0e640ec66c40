// Diff and compressed snapshots: a Diff holds only the pages written since the last snapshot to
// a file (the core's dirty-page log), merged onto its base it is byte for byte the Full snapshot
// taken at the same moment, and a chain of Diff files loads as one; compressed files load as
// plain ones; every misuse and damage is refused with a SnapshotError.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/machine.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { readSnapshotFile, writeSnapshotFile } from "../../src/node/snapshot-files.js";
import { compressSnapshot, expandSnapshot } from "../../src/snapshot/codec.js";
import { crc32, mergeDiff, parseSnapshot, SnapshotError, snapshotId, ZERO_RECORD } from "../../src/snapshot/format.js";
import { pageWriterGuest } from "../helpers/guests.js";

const mod = loadCoreModule();
const opts = { memSize: 2 << 20, clock: "virtual" as const };
const dir = mkdtempSync(join(tmpdir(), "wasmvisor-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tracked(): Machine {
  const m = new Machine(mod, opts);
  m.load(pageWriterGuest());
  m.trackDirtyPages();
  return m;
}

/** Byte for byte (toEqual on a megabyte of bytes takes seconds). */
function same(a: Uint8Array, b: Uint8Array): void {
  expect(a.length).toBe(b.length);
  expect(Buffer.compare(a, b)).toBe(0);
}

const reseal = (s: Uint8Array) => { new DataView(s.buffer, s.byteOffset).setUint32(s.length - 4, crc32(s.subarray(0, s.length - 4)), true); return s; };

describe("Diff snapshots", () => {
  it("merged onto its base, a Diff is the Full snapshot of the same moment; it holds only the pages written since", () => {
    const m = tracked();
    m.runSync({ maxInstructions: 600 }); // about 100 pages written
    const full = m.snapshot(undefined, true, { type: "Full", path: "/base" });
    m.runSync({ maxInstructions: 3000 }); // every page of the buffer again, with new values
    m.hart.writePhys(0x80100000 + 5 * 4096, new Uint8Array(4096)); // a page that held data is zeros now
    const diff = m.snapshot(undefined, true, { type: "Diff", path: "/diff1" });
    const ref = m.snapshot(); // not to a file: the next Diff still counts from /diff1
    same(mergeDiff(full, diff), ref);
    const d = parseSnapshot(diff);
    expect(d.header.diff).toEqual({ path: "/base", crc: new DataView(full.buffer).getUint32(full.length - 4, true) });
    expect(d.pages.find((p) => p.index === 256 + 5)?.at).toBe(-1); // a zero record
    expect(parseSnapshot(full).pages.some((p) => p.index === 256 + 5)).toBe(true);

    m.runSync({ maxInstructions: 60 }); // 10 pages
    const diff2 = m.snapshot(undefined, true, { type: "Diff", path: "/diff2" });
    const ref2 = m.snapshot();
    const pages2 = parseSnapshot(diff2).pages.length;
    expect(pages2).toBeGreaterThanOrEqual(10);
    expect(pages2).toBeLessThanOrEqual(12); // the buffer pages, the stack or mailbox page at most
    expect(diff2.length).toBeLessThan(ref2.length / 5);
    // Onto the merge of a chain, a Diff is checked against the snapshot it was made on.
    expect(() => mergeDiff(mergeDiff(full, diff), diff2)).toThrow(/made on another base/);
    same(mergeDiff(mergeDiff(full, diff), diff2, snapshotId(diff)), ref2);

    // The merged snapshot runs on exactly as the original does.
    const c = Machine.fromSnapshot(mod, opts, mergeDiff(mergeDiff(full, diff), diff2, snapshotId(diff)));
    m.runSync({ maxInstructions: 5000 });
    c.runSync({ maxInstructions: 5000 });
    expect(c.hart.steps).toBe(m.hart.steps);
    expect(Buffer.compare(c.hart.ram, m.hart.ram)).toBe(0);
  });

  it("a reboot's cleared RAM counts as written", () => {
    const m = tracked();
    m.runSync({ maxInstructions: 600 });
    m.snapshot(undefined, true, { type: "Full", path: "/base" });
    m.hart.clearRam();
    expect(m.hart.takeDirtyPages().length).toBe(opts.memSize / 4096);
  });

  it("is refused without tracking, without a base, onto another base, alone, and when damaged", () => {
    const plain = new Machine(mod, opts);
    plain.load(pageWriterGuest());
    expect(() => plain.snapshot(undefined, true, { type: "Diff", path: "/d" })).toThrow(/needs dirty-page tracking/);
    const m = tracked();
    m.runSync({ maxInstructions: 600 });
    expect(() => m.snapshot(undefined, true, { type: "Diff", path: "/d" })).toThrow(/take a Full one first/);
    const full = m.snapshot(undefined, true, { type: "Full", path: "/base" });
    m.runSync({ maxInstructions: 100 });
    const other = m.snapshot(); // no file: not a base
    const diff = m.snapshot(undefined, true, { type: "Diff", path: "/d" });
    expect(() => mergeDiff(other, diff)).toThrow(/made on another base/);
    expect(() => mergeDiff(full, full)).toThrow(/not a Diff/);
    expect(() => mergeDiff(diff, diff)).toThrow(/base is itself a Diff/);
    expect(() => Machine.fromSnapshot(mod, opts, diff)).toThrow(/a Diff snapshot holds only what changed since \/base/);
    m.dropDiffBase(); // what a live migration does
    expect(() => m.snapshot(undefined, true, { type: "Diff", path: "/d2" })).toThrow(/take a Full one first/);
    // A zero record in a Full snapshot, a page record pointing past the end.
    const bad = full.slice();
    const first = parseSnapshot(full).pages[0].at - 4;
    const v = new DataView(bad.buffer);
    v.setUint32(first, v.getUint32(first, true) | ZERO_RECORD, true);
    expect(() => parseSnapshot(reseal(bad))).toThrow(/zero-page record in a Full snapshot/);
    const cut = reseal(diff.slice(0, diff.length - 4100));
    expect(() => mergeDiff(full, cut)).toThrow(SnapshotError);
  });

  it("loads a chain of Diff files as one, and says which link is missing or goes round", () => {
    const m = tracked();
    m.runSync({ maxInstructions: 600 });
    const paths = [join(dir, "full.snap"), join(dir, "d1.snap"), join(dir, "d2.snap")];
    writeSnapshotFile(paths[0], m.snapshot(undefined, true, { type: "Full", path: paths[0] }));
    m.runSync({ maxInstructions: 300 });
    writeSnapshotFile(paths[1], m.snapshot(undefined, true, { type: "Diff", path: paths[1] }), true); // compressed
    m.runSync({ maxInstructions: 300 });
    writeSnapshotFile(paths[2], m.snapshot(undefined, true, { type: "Diff", path: paths[2] }));
    same(readSnapshotFile(paths[2]), m.snapshot());
    rmSync(paths[1]);
    expect(() => readSnapshotFile(paths[2])).toThrow(/cannot read base snapshot .*d1\.snap: no such file/);
    // A Diff whose base is its own file.
    const loop = join(dir, "loop.snap");
    m.snapshot(undefined, true, { type: "Full", path: loop });
    m.runSync({ maxInstructions: 60 });
    writeSnapshotFile(loop, m.snapshot(undefined, true, { type: "Diff", path: loop }));
    expect(() => readSnapshotFile(loop)).toThrow(/go round in a circle/);
  });
});

describe("damaged Diffs and compressed snapshots", () => {
  it("are refused with a SnapshotError however they are cut or flipped (seeded)", () => {
    const m = tracked();
    m.runSync({ maxInstructions: 600 });
    const full = m.snapshot(undefined, true, { type: "Full", path: "/base" });
    m.runSync({ maxInstructions: 300 });
    const diff = m.snapshot(undefined, true, { type: "Diff", path: "/d" });
    const z = compressSnapshot(m.snapshot());
    let seed = 99;
    const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
    for (let i = 0; i < 200; i++) {
      for (const [what, good, use] of [["diff", diff, (b: Uint8Array) => mergeDiff(full, b)], ["compressed", z, (b: Uint8Array) => Machine.fromSnapshot(mod, opts, b)]] as const) {
        const bad = good.slice(0, i % 3 === 0 ? rnd() % good.length : good.length);
        if (i % 3 !== 0) bad[rnd() % bad.length] ^= 1 << (rnd() % 8);
        let err: unknown;
        try { use(bad); } catch (e) { err = e; }
        // A flip DEFLATE does not see (the padding after its last block) leaves the snapshot intact.
        if (err === undefined && what === "compressed") { same(expandSnapshot(bad), expandSnapshot(z)); continue; }
        expect(err, `${what} case ${i}`).toBeInstanceOf(SnapshotError);
      }
    }
  });
});

describe("compressed snapshots", () => {
  it("are smaller, load as the plain ones, and are refused when damaged or oversized", () => {
    const m = tracked();
    m.runSync({ maxInstructions: 3000 });
    const snap = m.snapshot();
    const z = compressSnapshot(snap);
    expect(z.length).toBeLessThan(snap.length / 4); // counters in mostly empty pages
    same(expandSnapshot(z), snap);
    const c = Machine.fromSnapshot(mod, opts, z);
    expect(Buffer.compare(c.hart.ram, m.hart.ram)).toBe(0);
    const damaged = z.slice(); damaged[40] ^= 0xff;
    expect(() => Machine.fromSnapshot(mod, opts, damaged)).toThrow(SnapshotError);
    const short = z.slice(); new DataView(short.buffer).setUint32(12, snap.length - 100, true); // more data than it declares
    expect(() => expandSnapshot(short)).toThrow(/compressed data is damaged/);
    const long = z.slice(); new DataView(long.buffer).setUint32(12, snap.length + 100, true);
    expect(() => expandSnapshot(long)).toThrow(/expands to \d+ bytes, its envelope says/);
    const huge = z.slice(); new DataView(huge.buffer).setUint32(12, 0xffffffff, true);
    expect(() => expandSnapshot(huge)).toThrow(/declares a length out of range/);
    const path = join(dir, "z.snap");
    writeFileSync(path, z);
    same(readSnapshotFile(path), snap);
  });
});

// The device tree the board generates, decoded by dtc (Debian device-tree-compiler): it has
// every entry of the address table, at the table's address, and nothing else.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { Board } from "../../src/machine/board.js";
import { Bus } from "../../src/machine/bus.js";
import { MemoryDisk } from "../../src/devices/virtio/blk/backend.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { BUS_ERROR, type Device } from "../../src/devices/device.js";
import { requireTool } from "../helpers/tools.js";

const dtc = () => requireTool("dtc", "device-tree-compiler");

describe("board address table and device tree", () => {
  it("dtc decodes the tree; it lists every table entry at its address and nothing else", () => {
    const board = new Board(loadCoreModule(), { memSize: 64 << 20, disks: [{ backend: new MemoryDisk(new Uint8Array(1 << 20)) }], virtioConsole: true });
    const dtb = board.deviceTree({ bootargs: "console=ttyS0", initrd: { start: 0x84000000, end: 0x84100000 } });
    const dts = execFileSync(dtc(), ["-I", "dtb", "-O", "dts", "-q", "-"], { input: dtb }).toString();
    const regs = [...dts.matchAll(/^\s*(\S+)@([0-9a-f]+) \{[^{}]*?reg = <((?:0x[0-9a-f]+ ?){4})>/gm)]
      .map((m) => { const c = m[3].trim().split(" ").map((x) => Number(x)); return { node: m[1], unit: Number.parseInt(m[2], 16), base: c[0] * 2 ** 32 + c[1], size: c[2] * 2 ** 32 + c[3] }; });
    const table = board.table.map((e) => ({ base: e.base, size: e.size })).sort((a, b) => a.base - b.base);
    expect(regs.map((r) => ({ base: r.base, size: r.size })).sort((a, b) => a.base - b.base)).toEqual(table);
    for (const r of regs) expect(r.unit).toBe(r.base); // unit address = reg
    expect(dts).toMatch(/bootargs = "console=ttyS0"/);
    const exts = ["zicbom", "zicbop", "zicboz", "zicntr", "zicond", "zicsr", "zifencei", "zihintpause", "zihpm", "zawrs",
      "zfh", "zfhmin", "zca", "zcd", "zba", "zbb", "zbc", "zbkb", "zbs", "zkt", "sstc", "svinval", "svnapot", "svpbmt"];
    expect(dts).toContain(`riscv,isa = "rv64imafdc_${exts.join("_")}"`);
    expect(dts).toContain(`riscv,isa-extensions = "${["i", "m", "a", "f", "d", "c", ...exts].join("\\0")}"`);
    expect(dts).toContain("riscv,cbom-block-size = <0x40>");
    expect(dts).toContain("riscv,cboz-block-size = <0x40>");
    expect(dts).toMatch(/linux,initrd-start = <0x00 0x84000000>/);
    // virtio slots get their interrupt from the table, in order: blk, console, rng, keyboard.
    for (const e of board.table.filter((x) => x.irq !== undefined)) {
      expect(dts).toMatch(new RegExp(`@${e.base.toString(16)} \\{[^}]*interrupts = <0x${e.irq!.toString(16).padStart(2, "0")}>`));
    }
    expect(board.table.map((e) => e.name)).toEqual(["test", "rtc", "clint", "plic", "uart", "virtio0-blk", "virtio1-console", "virtio2-rng", "virtio3-input", "ram"]);
  });

  it("puts a fresh rng-seed from the board's random source in /chosen, every tree its own", () => {
    let calls = 0;
    const counting = new Board(loadCoreModule(), { memSize: 16 << 20, rng: false, random: (b) => { calls++; b.fill(0xa5); } });
    const dts = execFileSync(dtc(), ["-I", "dtb", "-O", "dts", "-q", "-"], { input: counting.deviceTree() }).toString();
    // dtc shows 64 bytes as 16 cells.
    const seed = /chosen \{[^}]*rng-seed = <([0-9a-fx ]+)>;/.exec(dts);
    expect(seed?.[1].split(" ")).toEqual(Array(16).fill("0xa5a5a5a5"));
    expect(calls).toBe(1);
    // The default source is the host's crypto RNG: two trees (a boot and a reboot) differ.
    const board = new Board(loadCoreModule(), { memSize: 16 << 20 });
    const seeds = [board.deviceTree(), board.deviceTree()].map((t) => execFileSync(dtc(), ["-I", "dtb", "-O", "dts", "-q", "-"], { input: t }).toString())
      .map((t) => /rng-seed = <([0-9a-fx ]+)>;/.exec(t)![1]);
    expect(seeds[0].split(" ")).toHaveLength(16);
    expect(seeds[0]).not.toBe(seeds[1]);
  });

  it("routes MMIO through the same table: every device answers at its base", () => {
    const board = new Board(loadCoreModule(), { memSize: 64 << 20 });
    for (const e of board.table.filter((x) => x.device)) expect(board.bus.find(e.base)?.name).toBe(e.name);
    expect(board.bus.read(0x10008000, 4)).toBe(BUS_ERROR); // an empty virtio slot
    expect(board.bus.read(0x10001000, 4)).toBe(0x74726976); // "virt"
  });
});

describe("bus", () => {
  const dev = (size: number): Device => ({ size, read: () => 7, write: () => true, reset() {}, save: () => new Uint8Array(0), restore() {} });
  it("refuses empty and overlapping ranges", () => {
    const bus = new Bus();
    bus.insert("a", 0x1000, 0x1000, dev(0x1000));
    expect(() => bus.insert("b", 0x1800, 0x1000, dev(0x1000))).toThrow(/b at 0x1800\+0x1000 overlaps a/);
    expect(() => bus.insert("c", 0x3000, 0, dev(0))).toThrow(/empty/);
    bus.insert("d", 0x2000, 0x100, dev(0x100));
    expect(bus.read(0x2000, 4)).toBe(7);
    expect(bus.read(0x20fe, 4)).toBe(BUS_ERROR); // runs past the window
    expect(bus.read(0x2100, 1)).toBe(BUS_ERROR); // a hole
    expect(bus.write(0x5000, 4, 0, 0)).toBe(false);
  });
  it("leaves the keyboard out when disks take every other virtio slot, and says so when there are too many devices", () => {
    const disks = (n: number) => Array.from({ length: n }, () => ({ backend: new MemoryDisk(new Uint8Array(4096)) }));
    const full = new Board(loadCoreModule(), { memSize: 16 << 20, disks: disks(7) });
    expect(full.keyboard).toBeUndefined();
    expect(full.sendCtrlAltDel()).toBe(false);
    expect(full.table.filter((e) => e.name.startsWith("virtio")).map((e) => e.name).at(-1)).toBe("virtio7-rng");
    expect(() => new Board(loadCoreModule(), { memSize: 16 << 20, disks: disks(8) })).toThrow(/at most 8 virtio devices/);
  });
});

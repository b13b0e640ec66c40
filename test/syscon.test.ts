import { describe, expect, it } from "vitest";
import { Syscon, SYSCON_NONE, SYSCON_POWEROFF, SYSCON_RESET } from "../src/devices/syscon.js";
import { runGuest } from "./helpers/run-guest.js";
import { SYSCON, sysconGuest, trapGuest } from "./helpers/guests.js";

describe("Syscon device", () => {
  it("decodes pass, fail with a code, and reset; ignores everything else", () => {
    const s = new Syscon();
    expect(s.size).toBe(0x1000);
    s.write(0, 4, 0x5555);
    expect([s.request, s.exitCode]).toEqual([SYSCON_POWEROFF, 0]);
    s.write(0, 4, (42 << 16) | 0x3333);
    expect([s.request, s.exitCode]).toEqual([SYSCON_POWEROFF, 42]);
    s.write(0, 4, 0xffff_3333 >>> 0);
    expect(s.exitCode).toBe(0xffff);
    s.write(0, 4, 0x7777);
    expect(s.request).toBe(SYSCON_RESET);
    s.clear();
    for (const [off, size, v] of [[0, 4, 0x1234], [4, 4, 0x5555], [0, 1, 0x55], [8, 4, 0x3333]]) s.write(off, size, v);
    expect(s.request).toBe(SYSCON_NONE);
    s.write(0, 2, 0x5555); // 16-bit store: the status half only
    expect(s.request).toBe(SYSCON_POWEROFF);
    expect(s.read(0, 4)).toBe(0);
  });

  it("saves and restores its state", () => {
    const s = new Syscon();
    s.write(0, 4, (300 << 16) | 0x3333);
    const t = new Syscon();
    t.restore(s.save());
    expect([t.request, t.exitCode]).toEqual([SYSCON_POWEROFF, 300]);
    expect(() => t.restore(Uint8Array.of(9, 9))).toThrow(/not a saved syscon state/);
  });
});

describe("Syscon on the machine (0x100000, as on QEMU virt)", () => {
  it("0x5555 powers off with exit code 0", () => {
    expect(runGuest(sysconGuest(0x5555)).result).toMatchObject({ reason: "exit", exitCode: 0 });
  });

  it("(code << 16) | 0x3333 powers off with that failure code", () => {
    expect(runGuest(sysconGuest((5 << 16) | 0x3333)).result).toMatchObject({ reason: "exit", exitCode: 5 });
  });

  it("0x7777 is a reset request, a distinct outcome", () => {
    const { result } = runGuest(sysconGuest(0x7777));
    expect(result.reason).toBe("reset");
    expect(result.message).toMatch(/reset/);
  });

  it("reads of the finisher return 0 without a fault", () => {
    const { result } = runGuest(trapGuest((a) => {
      a.li("t1", SYSCON).lw("a0", 0, "t1").addi("a0", "a0", 33).slli("t0", "a0", 1).ori("t0", "t0", 1).sd("t0", 0, "s0").label("s").j("s");
    }));
    expect(result).toMatchObject({ reason: "exit", exitCode: 33 });
  });

  it("other device addresses are bus errors (store and load access faults)", () => {
    const store = runGuest(trapGuest((a) => { a.li("t1", 0x200000).sw("zero", 0, "t1"); }));
    expect(store.result).toMatchObject({ reason: "exit", exitCode: 7 });
    const load = runGuest(trapGuest((a) => { a.li("t1", 0x3000_0000).lw("t2", 0, "t1"); }));
    expect(load.result).toMatchObject({ reason: "exit", exitCode: 5 });
    const nearby = runGuest(trapGuest((a) => { a.li("t1", SYSCON + 0x2000).sw("zero", 0, "t1"); }));
    expect(nearby.result).toMatchObject({ reason: "exit", exitCode: 7 });
  });
});

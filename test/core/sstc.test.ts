// Sstc (stimecmp) and mcountinhibit, on the virtual clock so timing is exact.
import { describe, expect, it } from "vitest";
import { CSR, trapGuest } from "../helpers/guests.js";
import { runGuest } from "../helpers/run-guest.js";

const STIMECMP = 0x14d, MENVCFG = 0x30a, MCOUNTEREN = 0x306, MCOUNTINHIBIT = 0x320, MINSTRET = 0xb02, MIP = 0x344;

/** M-mode set-up, then `s` runs in S-mode (PMP open, counters enabled). */
function sGuest(stce: boolean, s: (a: import("../helpers/rv-asm.js").Asm) => void): Uint8Array {
  return trapGuest((a) => {
    a.li("t0", -1).csrw(CSR.pmpaddr0, "t0").li("t0", 0x1f).csrw(CSR.pmpcfg0, "t0");
    if (stce) a.li("t0", 1).slli("t0", "t0", 63).csrs(MENVCFG, "t0");
    a.li("t0", 2).csrw(MCOUNTEREN, "t0");
    a.li("t0", 0x20).csrs(CSR.mie, "t0"); // STIE
    a.li("t0", 1 << 11).csrs(CSR.mstatus, "t0"); // MPP = S
    a.la("t0", "smode").csrw(CSR.mepc, "t0").mret();
    a.label("smode");
    s(a);
  });
}

describe("Sstc", () => {
  it("raises STIP when time reaches stimecmp, at the deadline (a WFI wakes for it)", () => {
    const elf = sGuest(true, (a) => {
      a.csrr("t2", CSR.time).li("t3", 3000).add("t2", "t2", "t3").csrw(STIMECMP, "t2");
      a.label("w").wfi().j("w");
    });
    const { result, machine } = runGuest(elf);
    expect(result).toMatchObject({ reason: "exit", exitCode: 5 }); // supervisor timer interrupt (taken in M)
    expect(machine.hart.csr(0x342)).toBe((1n << 63n) | 5n);
    expect(result.instructions).toBeLessThan(100n);
    expect(machine.mtime()).toBeGreaterThanOrEqual(3000n);
  });

  it("stimecmp is illegal in S-mode while menvcfg.STCE is 0", () => {
    const { result } = runGuest(sGuest(false, (a) => { a.csrr("t2", STIMECMP); }));
    expect(result).toMatchObject({ reason: "exit", exitCode: 2 });
  });

  it("with STCE, mip.STIP follows stimecmp and ignores writes", () => {
    const elf = trapGuest((a) => {
      a.li("t0", 1).slli("t0", "t0", 63).csrs(MENVCFG, "t0");
      a.li("t0", -1).csrw(STIMECMP, "t0");
      a.li("t0", 0x20).csrs(MIP, "t0").csrr("t1", MIP).andi("t1", "t1", 0x20);
      a.csrw(STIMECMP, "zero").csrr("t2", MIP).andi("t2", "t2", 0x20);
      // exit code: (STIP after the write: 0) + (STIP with stimecmp = 0: 0x20) = 0x20
      a.add("a0", "t1", "t2").slli("t0", "a0", 1).ori("t0", "t0", 1).sd("t0", 0, "s0").label("x").j("x");
    });
    expect(runGuest(elf).result).toMatchObject({ reason: "exit", exitCode: 0x20 });
  });
});

describe("mcountinhibit", () => {
  it("IR stops minstret and holds its value; clearing it resumes counting from there", () => {
    const elf = trapGuest((a) => {
      a.li("t0", 4).csrw(MCOUNTINHIBIT, "t0").csrr("t1", MINSTRET);
      a.nop().nop().nop().nop().csrr("t2", MINSTRET); // stopped: the same value
      a.csrw(MCOUNTINHIBIT, "zero").nop().nop().csrr("t3", MINSTRET);
      // code = (t2 - t1) * 16 + (t3 - t2): 0 and a small positive count
      a.sub("t4", "t2", "t1").slli("t4", "t4", 4).sub("t5", "t3", "t2").add("a0", "t4", "t5");
      a.slli("t0", "a0", 1).ori("t0", "t0", 1).sd("t0", 0, "s0").label("x").j("x");
    });
    const { result } = runGuest(elf);
    expect(result.reason).toBe("exit");
    expect(result.exitCode >> 4).toBe(0);
    expect(result.exitCode & 15).toBeGreaterThan(0);
    expect(result.exitCode & 15).toBeLessThan(6);
  });
});

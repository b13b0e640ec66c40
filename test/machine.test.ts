import { describe, expect, it } from "vitest";
import { Machine } from "../src/machine/machine.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { runGuest } from "./helpers/run-guest.js";
import { CSR, exitGuest, helloGuest, loopGuest, timerGuest, trapGuest, wfiGuest } from "./helpers/guests.js";
import { Asm } from "./helpers/rv-asm.js";
import { guestElf } from "./helpers/elf-builder.js";

const machine = (opts: ConstructorParameters<typeof Machine>[1] = {}) =>
  new Machine(loadCoreModule(), { memSize: 1 << 20, ...opts });

describe("Machine: load", () => {
  it("recognises ELF by its magic number and reports entry and mailboxes", () => {
    const m = machine();
    const info = m.load(exitGuest(0));
    expect(info.format).toBe("elf");
    expect(info.entry).toBe(0x8000_0000n);
    expect(info.tohost).toBeGreaterThan(0x8000_0000);
    expect(info.fromhost).toBe(info.tohost + 8);
    expect(m.hart.pc).toBe(0x8000_0000n);
  });

  it("loads anything else as a raw image at 0x80000000 (no HTIF; the finisher still works)", () => {
    const raw = new Asm().li("t1", 0x100000).li("t0", (3 << 16) | 0x3333).sw("t0", 0, "t1").label("s").j("s").bytes();
    const m = machine({ clock: "virtual" });
    expect(m.load(raw)).toEqual({ entry: 0x8000_0000n, format: "raw", tohost: 0, fromhost: 0 });
    expect(m.runSync()).toMatchObject({ reason: "exit", exitCode: 3 });
  });

  it("can load and run a second guest on the same machine", () => {
    const out: number[] = [];
    const m = machine({ clock: "virtual", output: (b) => out.push(...b) });
    m.load(helloGuest("one\n", 1));
    expect(m.runSync()).toMatchObject({ reason: "exit", exitCode: 1 });
    m.load(helloGuest("two\n", 2));
    expect(m.runSync()).toMatchObject({ reason: "exit", exitCode: 2 });
    expect(new TextDecoder().decode(Uint8Array.from(out))).toBe("one\ntwo\n");
  });

  it("rejects bad options", () => {
    expect(() => machine({ memSize: 1000 })).toThrow(RangeError);
    expect(() => machine({ clock: "sundial" as "wall" })).toThrow(/clock must be/);
    const m = machine();
    m.load(loopGuest());
    expect(() => m.runSync({ maxInstructions: -1 })).toThrow(/maxInstructions/);
    expect(() => m.runSync({ sliceInstructions: 0 })).toThrow(/sliceInstructions/);
  });
});

describe("Machine: limits and slices", () => {
  it("stops after exactly maxInstructions, whatever the slice size", () => {
    for (const slice of [1, 7, 1000, undefined]) {
      const m = machine();
      m.load(loopGuest());
      const r = m.runSync({ maxInstructions: 12_345, sliceInstructions: slice });
      expect(r).toMatchObject({ reason: "limit", exitCode: -1, instructions: 12_345n });
      expect(r.message).toMatch(/instruction limit \(12345\) reached/);
    }
  });

  it("counts instructions per call and continues where it stopped", () => {
    const m = machine({ clock: "virtual" });
    m.load(helloGuest("abc", 0));
    const first = m.runSync({ maxInstructions: 20 });
    expect(first.instructions).toBe(20n);
    const rest = m.runSync();
    expect(rest.reason).toBe("exit");
    const whole = runGuest(helloGuest("abc", 0)).result.instructions;
    expect(first.instructions + rest.instructions).toBe(whole);
  });

  it("calls onSlice before every slice", () => {
    const m = machine();
    m.load(loopGuest());
    const pcs: bigint[] = [];
    m.runSync({ maxInstructions: 3, sliceInstructions: 1, onSlice: (h) => pcs.push(h.pc) });
    expect(pcs).toEqual([0x8000_0000n, 0x8000_0000n, 0x8000_0000n]);
  });
});

describe("Machine: timers, WFI and the virtual clock", () => {
  it("jumps the virtual clock to the timer deadline when the hart idles", () => {
    const { result, machine: m } = runGuest(timerGuest(50_000_000)); // 5 s of guest time
    expect(result).toMatchObject({ reason: "exit", exitCode: 7 }); // machine timer interrupt
    expect(result.instructions).toBeLessThan(100n); // no busy-waiting through 5 s
    expect(m.mtime()).toBeGreaterThanOrEqual(m.hart.mtimecmp);
  });

  it("is deterministic: same instructions and the same mtime, run after run and slice size", () => {
    const runs = [undefined, 3, 1].map((slice) => {
      const { result, machine: m } = runGuest(timerGuest(1234), { sliceInstructions: slice });
      return [result.reason, result.exitCode, result.instructions, m.mtime()];
    });
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it("runs mtime at instructions / 10", () => {
    const a = new Asm();
    a.la("s0", "tohost").li("t2", 100_000).label("l").addi("t2", "t2", -1).bnez("t2", "l");
    a.csrr("a0", CSR.time).slli("t0", "a0", 1).ori("t0", "t0", 1).sd("t0", 0, "s0").label("s").j("s");
    a.align(8).label("tohost").dword(0).label("fromhost").dword(0);
    const { result } = runGuest(guestElf(a));
    // 2 (la) + 2 (li) + 200,000 (loop) + 1 (csrr) instructions before the time read
    expect(result.exitCode).toBe(Math.floor(200_004 / 10));
  });

  it("finds the deadline also when the idle hart cannot read `time` (S-mode, mcounteren = 0)", () => {
    const elf = trapGuest((a) => {
      a.li("t1", 0x200bff8).ld("t2", 0, "t1").li("t3", 3_000_000).add("t2", "t2", "t3");
      a.li("t1", 0x2004000).sd("t2", 0, "t1");
      a.li("t0", 0x80).csrs(CSR.mie, "t0");
      a.li("t0", -1).csrw(CSR.pmpaddr0, "t0").li("t0", 0x1f).csrw(CSR.pmpcfg0, "t0"); // PMP: S may use all memory
      a.li("t0", 1 << 11).csrs(CSR.mstatus, "t0"); // MPP = S
      a.la("t0", "smode").csrw(CSR.mepc, "t0").mret();
      a.label("smode").wfi().j("smode");
    });
    const { result, machine: m } = runGuest(elf);
    expect(result).toMatchObject({ reason: "exit", exitCode: 7 });
    expect(result.instructions).toBeLessThan(100n);
    expect(m.mtime()).toBeGreaterThanOrEqual(m.hart.mtimecmp);
  });

  it("reports a deadlock when the hart waits with no timer deadline and no input can come", () => {
    const { result } = runGuest(wfiGuest());
    expect(result.reason).toBe("deadlock");
    expect(result.message).toMatch(/waits for an interrupt \(WFI at pc 0x80000004\) and no timer deadline is set/);
  });

  it("reports a deadlock when the deadline passes but the timer interrupt is disabled", () => {
    const { result } = runGuest(timerGuest(1000, { enable: false }));
    expect(result.reason).toBe("deadlock");
    expect(result.message).toMatch(/the timer interrupt is not enabled/);
  });

  it("with the wall clock, runSync skips idle time instead of sleeping", () => {
    const m = machine({ clock: "wall" });
    m.load(timerGuest(100_000_000)); // 10 s
    const r = m.runSync();
    expect(r).toMatchObject({ reason: "exit", exitCode: 7 });
    expect(r.seconds).toBeLessThan(5);
  });
});

describe("Machine: async run", () => {
  it("sleeps until the timer deadline with the wall clock", async () => {
    const m = machine({ clock: "wall" });
    m.load(timerGuest(200_000)); // 20 ms
    const t = performance.now();
    const r = await m.run();
    expect(r).toMatchObject({ reason: "exit", exitCode: 7 });
    expect(performance.now() - t).toBeGreaterThanOrEqual(15);
    expect(r.instructions).toBeLessThan(100n);
  });

  it("jumps the virtual clock like runSync", async () => {
    const m = machine({ clock: "virtual" });
    m.load(timerGuest(50_000_000));
    const r = await m.run();
    expect(r).toMatchObject({ reason: "exit", exitCode: 7 });
    expect(r.seconds).toBeLessThan(5);
  });

  it("lets other tasks run between slices and stops on abort", async () => {
    const m = machine();
    m.load(loopGuest());
    const ac = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => { if (++ticks === 3) ac.abort(); }, 1);
    const r = await m.run({ signal: ac.signal });
    clearInterval(timer);
    expect(r.reason).toBe("aborted");
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(r.instructions).toBeGreaterThan(0n);
  });

  it("waits for input while idle with no deadline; deadlock once input has ended", async () => {
    const m = machine({ clock: "virtual" });
    m.load(wfiGuest());
    let settled = false;
    const p = m.run().then((r) => { settled = true; return r; });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    m.input(Uint8Array.of(0x61));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    m.endInput();
    const r = await p;
    expect(r.reason).toBe("deadlock");
  });

  it("an abort also ends a wait for input", async () => {
    const m = machine();
    m.load(wfiGuest());
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 10);
    expect((await m.run({ signal: ac.signal })).reason).toBe("aborted");
  });

  it("flushes console output while running", async () => {
    const got: string[] = [];
    const m = machine({ output: (b) => got.push(new TextDecoder().decode(b)) });
    m.load(helloGuest("partial output\n", 0));
    expect((await m.run()).reason).toBe("exit");
    expect(got.join("")).toBe("partial output\n");
  });
});

describe("Machine: traps", () => {
  it("an ecall from M-mode traps to mtvec (cause 11)", () => {
    expect(runGuest(trapGuest((a) => { a.ecall(); })).result.exitCode).toBe(11);
  });
});

describe("Machine: UART console", () => {
  it("prints what the guest writes to the 16550 THR and feeds input to its receiver", () => {
    // Echo two received bytes, upper-cased, after a prompt; then power off through syscon.
    const a = new Asm();
    a.li("s0", 0x1000_0000).li("s1", 0x100000);
    for (const ch of "> ") a.li("t0", ch.charCodeAt(0)).sb("t0", 0, "s0");
    a.li("s2", 2);
    a.label("wait").lbu("t0", 5, "s0").andi("t0", "t0", 1).beqz("t0", "wait"); // LSR.DR
    a.lbu("t1", 0, "s0").addi("t1", "t1", -32).sb("t1", 0, "s0"); // RBR -> THR
    a.addi("s2", "s2", -1).bnez("s2", "wait");
    a.li("t0", 0x5555).sw("t0", 0, "s1").label("spin").j("spin");
    const out: number[] = [];
    const m = new Machine(loadCoreModule(), { memSize: 1 << 20, clock: "virtual", output: (b) => out.push(...b) });
    m.load(guestElf(a));
    m.input(new TextEncoder().encode("ok"));
    const r = m.runSync({ maxInstructions: 100_000 });
    expect(r.reason).toBe("exit");
    expect(r.exitCode).toBe(0);
    expect(new TextDecoder().decode(Uint8Array.from(out))).toBe("> OK");
  });
});

import { describe, expect, it } from "vitest";
import { runGuest } from "./helpers/run-guest.js";
import { echoGuest, exitGuest, helloGuest, mailboxes, syscallGuest } from "./helpers/guests.js";
import { Asm } from "./helpers/rv-asm.js";
import { guestElf } from "./helpers/elf-builder.js";
import { Machine } from "../src/machine/machine.js";
import { loadCoreModule } from "../src/node/core-module.js";

describe("HTIF exit", () => {
  it.each([0, 1, 7, 255, 1000, 2 ** 40])("tohost = (%d << 1) | 1 ends the run with that code", (code) => {
    const { result } = runGuest(exitGuest(code));
    expect(result).toMatchObject({ reason: "exit", exitCode: code });
  });

  it("stops right after the store to tohost (the store counts)", () => {
    const { result } = runGuest(exitGuest(7));
    expect(result.instructions).toBe(4n); // auipc + addi (la), addi (li), sd
  });

  it("ignores the command byte of an exit (device 0, bit 0 set)", () => {
    const { result } = runGuest(exitGuest((0x12n << 47n) | 3n)); // command bits 55:48 = 0x12
    expect(result).toMatchObject({ reason: "exit", exitCode: 3 });
  });
});

describe("HTIF console", () => {
  it("putchar writes bytes to the output and clears tohost", () => {
    const { result, output } = runGuest(helloGuest("hello, world\n", 3));
    expect(output).toBe("hello, world\n");
    expect(result).toMatchObject({ reason: "exit", exitCode: 3 });
  });

  it("passes UTF-8 through byte by byte", () => {
    const { output } = runGuest(helloGuest("grüße → ok\n"));
    expect(output).toBe("grüße → ok\n");
  });

  it("getchar answers from the input queue through fromhost", () => {
    const { result, output } = runGuest(echoGuest(), { input: "abc\nrest" });
    expect(output).toBe("ABC\n");
    expect(result).toMatchObject({ reason: "exit", exitCode: 4 });
  });

  it("getchar waits when no input is queued, and is answered when input arrives later", async () => {
    const chunks: string[] = [];
    const m = new Machine(loadCoreModule(), { memSize: 1 << 20, clock: "virtual", output: (b) => chunks.push(new TextDecoder().decode(b)) });
    m.load(echoGuest());
    let r = m.runSync({ maxInstructions: 10_000 });
    expect(r.reason).toBe("limit"); // polling fromhost
    expect(m.htif.pendingReads).toBe(1);
    m.input(new TextEncoder().encode("x"));
    r = m.runSync({ maxInstructions: 10_000 });
    expect(r.reason).toBe("limit");
    expect(chunks.join("")).toBe("X");
    // and with the async runner: input arrives while the guest polls
    setTimeout(() => m.input(new TextEncoder().encode("yz\n")), 5);
    r = await m.run({ maxInstructions: 500_000_000 });
    expect(r).toMatchObject({ reason: "exit", exitCode: 4 });
    expect(chunks.join("")).toBe("XYZ\n");
  });
});

describe("HTIF system call proxy (magic_mem)", () => {
  it("SYS_write to stdout, then SYS_exit with the returned length", () => {
    const { result, output } = runGuest(syscallGuest("written by SYS_write\n"));
    expect(output).toBe("written by SYS_write\n");
    expect(result).toMatchObject({ reason: "exit", exitCode: 21 });
  });

  it("SYS_write to fd 2 is console output too", () => {
    const { output, result } = runGuest(syscallGuest("err\n", { fd: 2 }));
    expect(output).toBe("err\n");
    expect(result.exitCode).toBe(4);
  });

  it("SYS_write to another fd returns -EBADF", () => {
    const { output, result } = runGuest(syscallGuest("x", { fd: 5, bias: 100 }));
    expect(output).toBe("");
    expect(result.exitCode).toBe(100 - 9);
  });

  it("unknown system calls return -ENOSYS and are counted", () => {
    const { output, result, machine } = runGuest(syscallGuest("x", { which: 1234, bias: 100 }));
    expect(output).toBe("");
    expect(result.exitCode).toBe(100 - 38);
    expect(machine.htif.unknownCommands).toBe(1);
  });
});

describe("HTIF robustness", () => {
  /** Writes `value` to tohost, waits until the host clears it, then exits with 9. */
  function commandGuest(value: bigint): Uint8Array {
    const a = new Asm();
    a.la("s0", "tohost").li("t0", value).sd("t0", 0, "s0");
    a.label("w").ld("t1", 0, "s0").bnez("t1", "w");
    a.li("t0", (9 << 1) | 1).sd("t0", 0, "s0").label("spin").j("spin");
    return guestElf(mailboxes(a));
  }

  it.each([
    ["an unknown device", 0x05n << 56n],
    ["an unknown console command", (0x01n << 56n) | (0x07n << 48n) | 0x41n],
    ["a syscall with magic_mem outside RAM", 0x1000n],
    ["a syscall with misaligned magic_mem", 0x8000_0004n],
  ])("ignores %s: clears tohost, counts it, keeps running", (_name, value) => {
    const { result, output, machine } = runGuest(commandGuest(value));
    expect(result).toMatchObject({ reason: "exit", exitCode: 9 });
    expect(output).toBe("");
    expect(machine.htif.unknownCommands).toBe(1);
  });

  it("a guest without tohost never exits through HTIF", () => {
    const a = new Asm();
    a.li("t0", 1).label("spin").j("spin");
    const { result } = runGuest(guestElf(a), { maxInstructions: 1000 });
    expect(result.reason).toBe("limit");
  });

  it("setMailboxes refuses addresses outside RAM or misaligned", () => {
    const m = new Machine(loadCoreModule(), { memSize: 1 << 20 });
    expect(() => m.setHtif(0x1000, 0)).toThrow(/HTIF tohost 0x1000 must be an 8-byte aligned address in guest RAM/);
    expect(() => m.setHtif(0x8000_0000, 0x8000_0004)).toThrow(/HTIF fromhost/);
    m.setHtif(0x8000_0000, 0x8000_0008);
    expect(m.htif.tohost).toBe(0x8000_0000);
  });
});

describe("HTIF as a device", () => {
  it("reads and writes its mailboxes by offset, and saves/restores them (checked against RAM)", async () => {
    const { Machine } = await import("../src/machine/machine.js");
    const { loadCoreModule } = await import("../src/node/core-module.js");
    const m = new Machine(loadCoreModule(), { memSize: 1 << 20 });
    m.setHtif(0x80001000, 0x80001008);
    expect(m.htif.write(0, 8, 0x1234, 0x1, )).toBe(true);
    expect(m.hart.readPhys64(0x80001000)).toBe(0x1_0000_1234n);
    expect(m.htif.read(0, 8)).toBe(0x1_0000_1234);
    expect(m.htif.read(8, 4)).toBe(-1);
    const saved = m.htif.save();
    const small = new Machine(loadCoreModule(), { memSize: 4096 });
    expect(() => small.htif.restore(saved)).toThrow(/not in this machine's RAM/);
    const other = new Machine(loadCoreModule(), { memSize: 1 << 20 });
    other.htif.restore(saved);
    expect(other.htif.tohost).toBe(0x80001000);
  });
});

// Small hand-assembled guest programs (bare metal, M-mode, loaded at 0x80000000) for host-side
// tests: HTIF exit/console/syscalls, the syscon finisher, timers and WFI.
import { Asm } from "./rv-asm.js";
import { guestElf } from "./elf-builder.js";

export const CLINT_MTIMECMP = 0x2004000;
export const CLINT_MTIME = 0x200bff8;
export const SYSCON = 0x100000;
export const CSR = { mstatus: 0x300, mie: 0x304, mtvec: 0x305, mepc: 0x341, mcause: 0x342, time: 0xc01, pmpcfg0: 0x3a0, pmpaddr0: 0x3b0 };
const PUTCHAR = 0x0101n << 48n;
const GETCHAR = 0x0100n << 48n;

/** Appends the HTIF mailboxes (8-byte aligned) at the end of a program. */
export function mailboxes(a: Asm): Asm {
  return a.align(8).label("tohost").dword(0).label("fromhost").dword(0);
}

/** Emits: exit through HTIF with the code in register `reg` (clobbers t0, needs s0 = &tohost). */
function exitWithReg(a: Asm, reg: string): Asm {
  return a.slli("t0", reg, 1).ori("t0", "t0", 1).sd("t0", 0, "s0").label("exit_spin").j("exit_spin");
}

/** Writes `code` to tohost as (code << 1) | 1. */
export function exitGuest(code: number | bigint): Uint8Array {
  const a = new Asm();
  a.la("s0", "tohost").li("t0", (BigInt(code) << 1n) | 1n).sd("t0", 0, "s0").label("spin").j("spin");
  return guestElf(mailboxes(a));
}

/** Prints `text` with HTIF putchar, then exits with `code`. */
export function helloGuest(text: string, code = 0): Uint8Array {
  const a = new Asm();
  a.la("s0", "tohost").la("a0", "msg");
  a.label("loop").lbu("a1", 0, "a0").beqz("a1", "done");
  a.li("t0", PUTCHAR).or("t0", "t0", "a1").sd("t0", 0, "s0");
  a.label("busy").ld("t1", 0, "s0").bnez("t1", "busy"); // Spike style: wait for the host to clear tohost
  a.addi("a0", "a0", 1).j("loop");
  a.label("done").li("a1", code);
  exitWithReg(a, "a1");
  a.label("msg").asciz(text);
  return guestElf(mailboxes(a));
}

/**
 * Reads console input with HTIF getchar and echoes each byte (upper-cased if a letter) until a
 * newline; exits with the number of bytes read.
 */
export function echoGuest(): Uint8Array {
  const a = new Asm();
  a.la("s0", "tohost").la("s1", "fromhost").li("s2", 0);
  a.label("next").li("t0", GETCHAR).sd("t0", 0, "s0");
  a.label("poll").ld("t1", 0, "s1").beqz("t1", "poll");
  a.sd("zero", 0, "s1").andi("a1", "t1", 0xff);
  // upper-case a..z
  a.li("t2", 0x61).blt("a1", "t2", "put").li("t2", 0x7a).blt("t2", "a1", "put").addi("a1", "a1", -32);
  a.label("put").li("t0", PUTCHAR).or("t0", "t0", "a1").sd("t0", 0, "s0");
  a.addi("s2", "s2", 1).li("t2", 10).addi("t3", "a1", 0).bne("t3", "t2", "next");
  exitWithReg(a, "s2");
  return guestElf(mailboxes(a));
}

/**
 * riscv-tests style system calls through magic_mem: SYS_write(fd, msg, len), then
 * SYS_exit(return value of the write + `bias`). With `which` another syscall number is used
 * first and the exit code is its return value + bias.
 */
export function syscallGuest(text: string, opts: { fd?: number; which?: number; bias?: number } = {}): Uint8Array {
  const len = new TextEncoder().encode(text).length;
  const a = new Asm();
  a.la("s0", "tohost").la("s1", "fromhost").la("a0", "magic").la("a1", "msg");
  a.li("t0", opts.which ?? 64).sd("t0", 0, "a0");
  a.li("t0", opts.fd ?? 1).sd("t0", 8, "a0");
  a.sd("a1", 16, "a0");
  a.li("t0", len).sd("t0", 24, "a0");
  a.fence().sd("a0", 0, "s0");
  a.label("wait").ld("t1", 0, "s1").beqz("t1", "wait");
  a.sd("zero", 0, "s1").fence().ld("s3", 0, "a0");
  a.addi("s3", "s3", opts.bias ?? 0);
  a.li("t0", 93).sd("t0", 0, "a0").sd("s3", 8, "a0").fence().sd("a0", 0, "s0");
  a.label("spin").j("spin");
  a.label("msg").asciz(text).align(8).label("magic").space(64);
  return guestElf(mailboxes(a));
}

/** One 32-bit store of `value` to the SiFive test finisher, then an endless loop. */
export function sysconGuest(value: number): Uint8Array {
  const a = new Asm();
  a.li("t1", SYSCON).li("t0", value).sw("t0", 0, "t1").label("spin").j("spin");
  return guestElf(mailboxes(a));
}

/**
 * Installs a trap handler that exits with mcause's low byte (and leaves mepc in a1), then runs
 * `body`. The exit code tells which trap ended the program: 5 load access fault, 7 store access
 * fault, 7 machine timer interrupt (interrupt bit dropped), and so on.
 */
export function trapGuest(body: (a: Asm) => void): Uint8Array {
  const a = new Asm();
  a.la("s0", "tohost").la("t0", "handler").csrw(CSR.mtvec, "t0");
  body(a);
  a.li("a0", 0xee); // fell through: exit 0xee
  exitWithReg(a, "a0");
  a.align(4).label("handler").csrr("a0", CSR.mcause).andi("a0", "a0", 0xff).csrr("a1", CSR.mepc);
  a.slli("t0", "a0", 1).ori("t0", "t0", 1).sd("t0", 0, "s0").label("hspin").j("hspin");
  return guestElf(mailboxes(a));
}

/** Sets mtimecmp = mtime + `ticks`, optionally enables the timer interrupt, and waits in WFI. */
export function timerGuest(ticks: number, opts: { enable?: boolean } = {}): Uint8Array {
  return trapGuest((a) => {
    a.li("t1", CLINT_MTIME).ld("t2", 0, "t1").li("t3", ticks).add("t2", "t2", "t3");
    a.li("t1", CLINT_MTIMECMP).sd("t2", 0, "t1");
    if (opts.enable !== false) {
      a.li("t0", 0x80).csrs(CSR.mie, "t0"); // MTIE
      a.csrrsi("zero", CSR.mstatus, 8); // MIE
    }
    a.label("idle").wfi().j("idle");
  });
}

/** WFI forever with no timer deadline. */
export function wfiGuest(): Uint8Array {
  const a = new Asm();
  a.label("idle").wfi().j("idle");
  return guestElf(mailboxes(a));
}

/** An endless loop (`j .`). */
export function loopGuest(): Uint8Array {
  const a = new Asm();
  a.label("spin").j("spin");
  return guestElf(mailboxes(a));
}

/** Sums 1..n in a loop, then exits with the low byte of the sum (plus `code`) through HTIF. */
export function sumGuest(n: number, code = 0, mask = 0xff): Uint8Array {
  const a = new Asm();
  a.la("s0", "tohost").li("t1", n).li("t2", 0);
  a.label("l").add("t2", "t2", "t1").addi("t1", "t1", -1).bnez("t1", "l");
  a.andi("t2", "t2", mask).addi("t2", "t2", code).slli("t0", "t2", 1).ori("t0", "t0", 1).sd("t0", 0, "s0").label("x").j("x");
  return guestElf(mailboxes(a));
}

/** Writes its counter into page (counter mod 256) of RAM's second MiB, forever: 6 instructions a page. */
export function pageWriterGuest(): Uint8Array {
  const a = new Asm();
  a.li("s1", 0x80100000).li("t1", 1);
  a.label("l").andi("t3", "t1", 255).slli("t3", "t3", 12).add("t3", "t3", "s1").sd("t1", 0, "t3").addi("t1", "t1", 1).j("l");
  return guestElf(mailboxes(a));
}

/** Prints `char` forever through HTIF putchar (a guest flooding its console). */
export function floodGuest(char = "A"): Uint8Array {
  const a = new Asm();
  a.la("s0", "tohost").li("t0", (0x0101n << 48n) | BigInt(char.charCodeAt(0))).label("l").sd("t0", 0, "s0").j("l");
  return guestElf(mailboxes(a));
}

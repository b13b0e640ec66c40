// Signals of a container thread: its process's dispositions (rt_sigaction) and the signals
// pending for the process, shared by its threads; the thread's own blocked mask
// (rt_sigprocmask), the signals pending for it alone (a fault's, SIGPIPE, tkill), and delivery
// to a handler: a signal for the process goes to whichever of its threads does not block it and
// runs first, as Linux picks one. The host saves the
// interrupted context (kept on the host, where the program cannot forge it), writes a signal
// frame (siginfo, ucontext with the registers) below the stack pointer, and starts the handler
// with its return address at a trampoline page that calls rt_sigreturn. Default actions: the
// ones Linux ignores are ignored, the others end the process (no core dumps, no stops).
import type { Hart } from "../core/hart.js";
import { PAGE, PROT_EXEC, PROT_READ, type AddressSpace } from "./address-space.js";
import { STACK_TOP } from "./exec.js";
import { E, num, SIG } from "./linux-abi.js";

const SIG_DFL = 0n, SIG_IGN = 1n;
const SA_SIGINFO = 4, SA_RESTART = 0x10000000, SA_RESETHAND = 0x80000000, SA_NODEFER = 0x40000000;
/** Signals whose default action is to be ignored (signal(7)): CHLD, CONT, URG, WINCH, and the stops. */
const IGNORED_BY_DEFAULT = new Set([SIG.CHLD, 18, 19, 20, 21, 22, 23, 28]);
const UNBLOCKABLE = (1n << BigInt(SIG.KILL - 1)) | (1n << 18n); // SIGKILL, SIGSTOP
const bit = (sig: number) => 1n << BigInt(sig - 1);

/** Where the sigreturn trampoline sits: the page above the stack. */
export const TRAMPOLINE = STACK_TOP;
// addi a7, zero, 139 (rt_sigreturn); ecall
const TRAMPOLINE_CODE = Uint8Array.of(0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00);

interface Action { handler: bigint; flags: number; mask: bigint }
interface Saved { regs: bigint[]; pc: bigint; mask: bigint }
/** What the threads of a process share: the dispositions, and the signals sent to the process. */
interface ProcessSignals { actions: Action[]; pending: bigint }

const newProcessSignals = (): ProcessSignals => ({ actions: Array.from({ length: 65 }, () => ({ handler: SIG_DFL, flags: 0, mask: 0n })), pending: 0n });

export class Signals {
  /** The blocked mask, and the signals pending for this thread alone. */
  mask = 0n;
  pending = 0n;
  /** The mask to put back after the next delivery (sigsuspend's caller's). */
  restoreMask: bigint | undefined;
  /** The contexts its handlers interrupted (this thread's). */
  private readonly saved: Saved[] = [];

  constructor(private readonly proc: ProcessSignals = newProcessSignals()) {}

  private get actions(): Action[] { return this.proc.actions; }

  /** A child's copy (fork): the same dispositions and mask, nothing pending. */
  fork(): Signals {
    const s = new Signals({ actions: this.actions.map((a) => ({ ...a })), pending: 0n });
    s.mask = this.mask;
    return s;
  }

  /** A new thread of the process (clone with CLONE_THREAD): the same dispositions, the creator's mask, nothing pending for it. */
  thread(): Signals {
    const s = new Signals(this.proc);
    s.mask = this.mask;
    return s;
  }

  /** After execve: handlers back to the default (ignored signals stay ignored), nothing saved. */
  exec(): void {
    for (const a of this.actions) if (a.handler !== SIG_IGN) { a.handler = SIG_DFL; a.flags = 0; a.mask = 0n; }
    this.saved.length = 0;
  }

  /** rt_sigaction(sig, act, oact, size): struct sigaction is {handler, flags, mask} (24 bytes, no restorer on RISC-V). */
  sigaction(memory: AddressSpace, sig: number, act: number, oact: number): number {
    if (sig < 1 || sig > 64) return -E.INVAL;
    const a = this.actions[sig];
    if (oact !== 0) {
      const b = new Uint8Array(24), v = new DataView(b.buffer);
      v.setBigUint64(0, a.handler, true); v.setBigUint64(8, BigInt(a.flags >>> 0), true); v.setBigUint64(16, a.mask, true);
      memory.write(oact, b);
    }
    if (act !== 0) {
      if (sig === SIG.KILL || sig === 19) return -E.INVAL;
      const v = new DataView(memory.read(act, 24).buffer);
      this.actions[sig] = { handler: v.getBigUint64(0, true), flags: Number(v.getBigUint64(8, true) & 0xffffffffn), mask: v.getBigUint64(16, true) };
      if (this.actions[sig].handler === SIG_IGN) { this.pending &= ~bit(sig); this.proc.pending &= ~bit(sig); }
    }
    return 0;
  }

  /** rt_sigprocmask(how, set, oset): 0 block, 1 unblock, 2 set. */
  sigprocmask(memory: AddressSpace, how: number, set: number, oset: number): number {
    if (oset !== 0) { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, this.mask, true); memory.write(oset, b); }
    if (set === 0) return 0;
    const m = memory.readU64(set);
    if (how === 0) this.mask |= m;
    else if (how === 1) this.mask &= ~m;
    else if (how === 2) this.mask = m;
    else return -E.INVAL;
    this.mask &= ~UNBLOCKABLE;
    return 0;
  }

  /** rt_sigpending(set, size): the signals pending for this thread or its process (those it blocks wait there). */
  sigpending(memory: AddressSpace, set: number): number {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, this.pending | this.proc.pending, true);
    memory.write(set, b);
    return 0;
  }

  /** Whether `sig` is set to be ignored (SIG_IGN). */
  ignores(sig: number): boolean { return this.actions[sig].handler === SIG_IGN; }

  /** Whether `sig` would be dropped at once (ignored, by SIG_IGN or by default). */
  private dropped(sig: number): boolean {
    const h = this.actions[sig].handler;
    return h === SIG_IGN || (h === SIG_DFL && IGNORED_BY_DEFAULT.has(sig));
  }

  /** A signal sent to the process (kill): pending for any of its threads, unless it is ignored. */
  raise(sig: number): void {
    if (!this.dropped(sig)) this.proc.pending |= bit(sig);
  }

  /** A signal for this thread alone (its fault, SIGPIPE from its write, tkill). */
  raiseThread(sig: number): void {
    if (!this.dropped(sig)) this.pending |= bit(sig);
  }

  /** The lowest pending signal (this thread's or the process's) the mask lets through, or 0. */
  deliverable(): number {
    if (this.pending === 0n && this.proc.pending === 0n) return 0; // the common case, asked after every system call: no BigInt arithmetic
    const ready = (this.pending | this.proc.pending) & ~this.mask;
    if (ready === 0n) return 0;
    for (let s = 1; s <= 64; s++) if (ready & bit(s)) return s;
    return 0;
  }

  /**
   * Whether the next deliverable signal interrupts a blocked call (it returns -EINTR before the
   * handler runs): it has a handler installed without SA_RESTART. With SA_RESTART, or by a
   * default action, the call is made again (or the process ends).
   */
  interrupts(): boolean {
    const sig = this.deliverable();
    if (!sig) return false;
    const a = this.actions[sig];
    return a.handler !== SIG_DFL && a.handler !== SIG_IGN && (a.flags & SA_RESTART) === 0;
  }

  /** sigsuspend(mask): waits with `mask` until a signal can be delivered; then -EINTR. */
  suspend(mask: bigint): boolean {
    const old = this.mask;
    this.mask = mask & ~UNBLOCKABLE;
    if (this.deliverable()) { this.restoreMask = old; return true; }
    this.mask = old;
    return false;
  }

  /**
   * Delivers the next deliverable signal: to its handler (the hart then runs the handler), or
   * by its default action. Returns the signal that ends the process, or 0.
   */
  deliver(hart: Hart, memory: AddressSpace): number {
    const sig = this.deliverable();
    if (!sig) return 0;
    if (this.pending & bit(sig)) this.pending &= ~bit(sig); else this.proc.pending &= ~bit(sig);
    const a = this.actions[sig];
    if (a.handler === SIG_DFL) return IGNORED_BY_DEFAULT.has(sig) ? 0 : sig;
    if (a.handler === SIG_IGN) return 0;
    const regs = Array.from({ length: 32 }, (_, i) => hart.x(i));
    const old = this.restoreMask ?? this.mask;
    this.restoreMask = undefined;
    this.saved.push({ regs, pc: hart.pc, mask: old });
    // The frame: siginfo (128 bytes), then a ucontext whose mcontext holds pc and x1..x31. It
    // goes on the current stack (alternate signal stacks are not used).
    const UC = 128, MCONTEXT = UC + 176, SIZE = UC + 960;
    const sp = Number((BigInt.asUintN(64, regs[2]) - 128n - BigInt(SIZE)) & ~15n); // past the red zone, 16-aligned
    const frame = new Uint8Array(SIZE), v = new DataView(frame.buffer);
    v.setInt32(0, sig, true); // si_signo
    v.setBigUint64(UC + 40, old, true); // uc_sigmask
    v.setBigUint64(MCONTEXT, hart.pc, true);
    for (let i = 1; i < 32; i++) v.setBigUint64(MCONTEXT + 8 * i, regs[i], true);
    try {
      memory.write(sp, frame);
    } catch {
      this.saved.pop();
      return SIG.SEGV; // no room for the frame: as Linux, a SIGSEGV that ends it
    }
    if (a.flags & SA_RESETHAND) a.handler = SIG_DFL;
    this.mask |= a.mask | (a.flags & SA_NODEFER ? 0n : bit(sig));
    this.mask &= ~UNBLOCKABLE;
    hart.setX(2, BigInt(sp));
    hart.setX(1, BigInt(TRAMPOLINE));
    hart.setX(10, BigInt(sig));
    hart.setX(11, a.flags & SA_SIGINFO ? BigInt(sp) : 0n);
    hart.setX(12, a.flags & SA_SIGINFO ? BigInt(sp + UC) : 0n);
    hart.pc = a.handler;
    return 0;
  }

  /** rt_sigreturn: the context the last delivery interrupted, back in the hart; false if none. */
  sigreturn(hart: Hart): boolean {
    const s = this.saved.pop();
    if (!s) return false;
    for (let i = 1; i < 32; i++) hart.setX(i, s.regs[i]);
    hart.pc = s.pc;
    this.mask = s.mask & ~UNBLOCKABLE;
    return true;
  }
}

/** Maps the sigreturn trampoline into a new address space (read and execute). */
const TRAMPOLINE_PAGE = new Map([[TRAMPOLINE, TRAMPOLINE_CODE]]);

export function mapTrampoline(memory: AddressSpace): void {
  memory.mapContents(TRAMPOLINE, PAGE, PROT_READ | PROT_EXEC, TRAMPOLINE_PAGE, 0); // one page for every process (image 0)
}

/** The argument of sigsuspend: a sigset in user memory. */
export const readSigset = (memory: AddressSpace, at: bigint) => memory.readU64(num(at));

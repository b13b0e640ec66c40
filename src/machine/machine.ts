// A minimal board around one hart: RAM at 0x80000000, the in-core CLINT, HTIF through the
// guest's tohost/fromhost symbols, the SiFive test finisher (syscon) at 0x100000 and an
// ns16550A UART console at 0x10000000 (polled). Every
// other physical address is a bus error. Loads a guest (ELF or raw) and runs it in slices.
// Browser-safe: the compiled core module and an output callback are passed in.
//
// Time. mtime counts 10 MHz ticks and comes from one of two clocks:
//   "wall"     elapsed real time since the machine was created;
//   "virtual"  instructions executed / 10 (a nominal 100 MHz hart): deterministic.
// When the hart idles in WFI the host skips ahead to the next timer deadline (mtimecmp): the
// virtual clock always jumps, and runSync() (which never sleeps) makes the wall clock jump
// too; run() with the wall clock sleeps until the deadline, new input or an abort.
import { DRAM_BASE, Exit, Hart, type MmioHandler } from "../core/hart.js";
import { InputQueue, OutputBuffer } from "./console.js";
import { isElf } from "./elf.js";
import { HTIF_EXIT, Htif } from "./htif.js";
import { loadElf, loadRaw } from "./loader.js";
import { SYSCON_BASE, SYSCON_NONE, SYSCON_RESET, SYSCON_SIZE, Syscon } from "../devices/syscon.js";
import { UART16550_BASE, UART16550_SIZE, Uart16550 } from "../devices/uart16550.js";

export interface MachineOptions {
  /** Guest RAM in bytes (multiple of 4 KiB, at most 2 GiB); default 128 MiB. */
  memSize?: number;
  /** Source of mtime; default "wall". */
  clock?: "wall" | "virtual";
  /** Console output (HTIF putchar, SYS_write). */
  output?: (bytes: Uint8Array) => void;
}

export interface RunResult {
  /**
   * exit: the guest powered off (HTIF exit, SYS_exit, syscon); reset: the guest asked for a
   * reset (syscon 0x7777); limit: maxInstructions executed; deadlock: the hart waits for an
   * interrupt nothing can raise; fatal: the core cannot continue; aborted: the signal fired.
   */
  reason: "exit" | "reset" | "limit" | "deadlock" | "fatal" | "aborted";
  /** The guest's exit code for "exit", otherwise -1. */
  exitCode: number;
  /** Instructions executed by this call. */
  instructions: bigint;
  /** Wall-clock seconds this call took. */
  seconds: number;
  message?: string;
}

export interface RunOptions {
  /** Stop with reason "limit" after this many instructions (in this call). Default: no limit. */
  maxInstructions?: number;
  /** Instructions per core run() slice; default 200,000 (DESIGN.md: keep it near 1e5–1e6). */
  sliceInstructions?: number;
  /** Called before every slice (with sliceInstructions 1: before every instruction). */
  onSlice?: (hart: Hart) => void;
}

export interface AsyncRunOptions extends RunOptions {
  signal?: AbortSignal;
}

export interface LoadInfo {
  entry: bigint;
  format: "elf" | "raw";
  tohost: number;
  fromhost: number;
}

export const DEFAULT_MEM_SIZE = 128 << 20;
export const DEFAULT_SLICE = 200_000;
const NO_DEADLINE = 0xffff_ffff_ffff_ffffn;
/** Deadlines further than this (in ticks, ~14 years) count as none: the clock could not reach them exactly. */
const FAR_TICKS = 2n ** 52n;
/** Longest single sleep of run() with the wall clock (it re-checks after). */
const MAX_SLEEP_MS = 1000;
/** run() yields to the event loop at least this often (ms). */
const YIELD_MS = 4;

// Slice outcomes.
const STEP_RUN = 0;
const STEP_DONE = 1;
const STEP_IDLE = 2;
// Idle outcomes: ticks to wait (> 0), or one of these.
const IDLE_RUN_AGAIN = 0;
const IDLE_NO_WAKE = -1;

const now = () => performance.now();

export class Machine {
  readonly hart: Hart;
  readonly syscon = new Syscon();
  /** ns16550A console at 0x10000000 (polled: there is no interrupt controller yet). */
  readonly uart: Uart16550;
  readonly htif: Htif;
  private readonly consoleIn = new InputQueue();
  private readonly consoleOut: OutputBuffer;
  private readonly virtual: boolean;
  private readonly t0 = now();
  /** Instructions executed (retired or trapped): limits and the virtual clock count these. */
  private readonly steps: () => number;
  /** Ticks added to the clock: idle time skipped. */
  private skew = 0;
  private lastIdleInstret = -1;
  private wake: (() => void) | undefined;
  // Result of the current run, set by finish().
  private doneReason: RunResult["reason"] = "exit";
  private doneCode = -1;
  private doneMessage: string | undefined;

  constructor(module: WebAssembly.Module, options: MachineOptions = {}) {
    this.virtual = options.clock === "virtual";
    if (options.clock !== undefined && options.clock !== "wall" && options.clock !== "virtual") {
      throw new RangeError(`clock must be "wall" or "virtual", got ${String(options.clock)}`);
    }
    const sink = options.output ?? (() => {});
    this.consoleOut = new OutputBuffer(sink);
    const syscon = this.syscon;
    const consoleOut = this.consoleOut;
    const uart = this.uart = new Uart16550({ onTx: (byte) => consoleOut.push(byte) });
    const mmio: MmioHandler = {
      read: (pa, size) => {
        if (pa >= UART16550_BASE && pa < UART16550_BASE + UART16550_SIZE) return uart.read(pa - UART16550_BASE, size);
        if (pa >= SYSCON_BASE && pa < SYSCON_BASE + SYSCON_SIZE) return syscon.read(pa - SYSCON_BASE, size);
        this.hart.busError();
        return 0;
      },
      write: (pa, size, value) => {
        if (pa >= UART16550_BASE && pa < UART16550_BASE + UART16550_SIZE) {
          uart.write(pa - UART16550_BASE, size, value);
          return;
        }
        if (pa >= SYSCON_BASE && pa < SYSCON_BASE + SYSCON_SIZE) {
          syscon.write(pa - SYSCON_BASE, size, value);
          if (syscon.request !== SYSCON_NONE) this.hart.requestExit(); // power off now, not at slice end
          return;
        }
        this.hart.busError();
      },
    };
    // The core reads the clock while the Hart is being built (reset): no instruction has run yet.
    let hart: Hart | undefined;
    hart = new Hart(module, {
      memSize: options.memSize ?? DEFAULT_MEM_SIZE,
      clock: () => this.ticks(hart),
      mmio,
    });
    this.hart = hart;
    this.steps = () => this.hart.steps;
    this.htif = new Htif(this.hart, this.consoleOut, this.consoleIn);
  }

  private ticks(hart: Hart | undefined): number {
    if (this.virtual) return Math.floor((hart ? hart.steps : 0) / 10) + this.skew;
    return Math.floor((now() - this.t0) * 10_000) + this.skew;
  }

  /**
   * Loads a guest: an ELF64 (when the image starts with the ELF magic) at its physical
   * segment addresses, else a raw binary at the start of RAM. Resets the hart to M-mode at the
   * entry point and declares the HTIF mailboxes (ELF `tohost`/`fromhost` symbols; none for raw).
   * Throws ElfError/LoadError before writing anything if the image is malformed or does not fit.
   */
  load(image: Uint8Array): LoadInfo {
    let info: LoadInfo;
    if (isElf(image)) {
      const r = loadElf(this.hart, image);
      info = { entry: r.entry, format: "elf", tohost: r.tohost, fromhost: r.fromhost };
    } else {
      const r = loadRaw(this.hart, image, DRAM_BASE);
      info = { entry: r.entry, format: "raw", tohost: 0, fromhost: 0 };
    }
    this.hart.reset(info.entry);
    this.htif.setMailboxes(info.tohost, info.fromhost);
    this.syscon.clear();
    this.lastIdleInstret = -1;
    return info;
  }

  /** Sets the HTIF mailboxes by hand (e.g. for a raw image); 0 = none. */
  setHtif(tohost: number, fromhost: number): void { this.htif.setMailboxes(tohost, fromhost); }

  /**
   * Queues console input for the guest. Both consoles receive it (HTIF getchar and the UART's
   * receiver): a guest reads from the one it uses.
   */
  input(bytes: Uint8Array): void {
    this.consoleIn.push(bytes);
    this.uart.receive(bytes);
    if (this.htif.pendingReads > 0) this.htif.poll();
    this.wake?.();
  }

  /** No more console input will come (end of file): an idle guest with no timer is deadlocked. */
  endInput(): void {
    this.consoleIn.close();
    this.wake?.();
  }

  /** Current mtime in ticks. */
  mtime(): bigint {
    return this.hart.mtime;
  }

  /** Runs until the guest exits, the limit, a deadlock or a fatal error. Never sleeps. */
  runSync(opts: RunOptions = {}): RunResult {
    const { max, slice } = this.checkOptions(opts);
    const onSlice = opts.onSlice;
    const start = this.steps();
    const t = now();
    for (;;) {
      const done = this.steps() - start;
      if (done >= max) { this.finish("limit", -1, `instruction limit (${max}) reached`); break; }
      if (onSlice) onSlice(this.hart);
      const step = this.slice(Math.min(slice, max - done));
      if (step === STEP_DONE) break;
      if (step === STEP_IDLE) {
        const wait = this.idle();
        if (wait === IDLE_NO_WAKE) { this.finish("deadlock", -1, this.deadlockMessage()); break; }
        if (wait > 0) this.skew += wait;
      }
    }
    return this.result(start, t);
  }

  /**
   * Runs like runSync() but yields to the event loop between slices and, with the wall clock,
   * sleeps while the hart idles (until its timer deadline, new input or an abort).
   */
  async run(opts: AsyncRunOptions = {}): Promise<RunResult> {
    const { max, slice } = this.checkOptions(opts);
    const { signal, onSlice } = opts;
    const start = this.steps();
    const t = now();
    let lastYield = t;
    for (;;) {
      if (signal?.aborted) { this.finish("aborted", -1, "run aborted"); break; }
      const done = this.steps() - start;
      if (done >= max) { this.finish("limit", -1, `instruction limit (${max}) reached`); break; }
      if (onSlice) onSlice(this.hart);
      const step = this.slice(Math.min(slice, max - done));
      if (step === STEP_DONE) break;
      if (step === STEP_IDLE) {
        const wait = this.idle();
        if (wait === IDLE_NO_WAKE) {
          if (this.consoleIn.ended) { this.finish("deadlock", -1, this.deadlockMessage()); break; }
          // Input may still come (a future interrupting device could wake the hart): wait for it.
          this.consoleOut.flush();
          await this.sleep(Infinity, signal);
          lastYield = now();
          this.lastIdleInstret = -1;
        } else if (wait > 0) {
          if (this.virtual) {
            this.skew += wait;
          } else {
            this.consoleOut.flush();
            await this.sleep(Math.min(MAX_SLEEP_MS, wait / 10_000), signal);
            lastYield = now();
          }
        }
      }
      if (now() - lastYield >= YIELD_MS) {
        this.consoleOut.flush();
        await yieldToEventLoop();
        lastYield = now();
      }
    }
    return this.result(start, t);
  }

  private checkOptions(opts: RunOptions): { max: number; slice: number } {
    const max = opts.maxInstructions ?? Infinity;
    const slice = opts.sliceInstructions ?? DEFAULT_SLICE;
    if (!(max === Infinity || (Number.isSafeInteger(max) && max >= 0))) {
      throw new RangeError(`maxInstructions must be a non-negative integer, got ${max}`);
    }
    if (!Number.isInteger(slice) || slice < 1 || slice > 0xffff_ffff) {
      throw new RangeError(`sliceInstructions must be an integer in [1, 2^32), got ${slice}`);
    }
    this.doneReason = "exit";
    this.doneCode = -1;
    this.doneMessage = undefined;
    return { max, slice };
  }

  /** One core slice and the exit it ends with. */
  private slice(budget: number): number {
    const htif = this.htif;
    if (htif.pendingReads > 0) htif.poll();
    const exit = this.hart.run(this.virtual ? this.untilDeadline(budget) : budget);
    if (this.syscon.request !== SYSCON_NONE) {
      // The store to the finisher made the core return (Exit.Host) right after it.
      if (this.syscon.request === SYSCON_RESET) this.finish("reset", -1, "the guest requested a reset (syscon 0x7777)");
      else this.finish("exit", this.syscon.exitCode);
      this.syscon.clear();
      return STEP_DONE;
    }
    switch (exit) {
      case Exit.Budget:
        return STEP_RUN;
      case Exit.Htif:
        if (htif.handle() === HTIF_EXIT) { this.finish("exit", htif.exitCode); return STEP_DONE; }
        return STEP_RUN;
      case Exit.Idle:
        return STEP_IDLE;
      case Exit.Host:
        return STEP_RUN;
      default:
        this.finish("fatal", -1, `the hart stopped (fatal exit ${exit}) at pc 0x${this.hart.pc.toString(16)}`);
        return STEP_DONE;
    }
  }

  /**
   * With the virtual clock a slice ends where the timer deadline falls, so the core (which
   * raises MTIP at slice start) delivers the timer interrupt on time, deterministically.
   */
  private untilDeadline(budget: number): number {
    const cmp = this.hart.deadline;
    if (cmp === Infinity) return budget;
    const ticks = cmp - Number(this.mtime());
    if (ticks <= 0) return budget;
    return Math.max(1, Math.min(budget, ticks * 10));
  }

  /**
   * The hart idles in WFI. Returns ticks until its timer deadline (> 0), IDLE_RUN_AGAIN when
   * the deadline has passed (the next slice start raises the timer line), or IDLE_NO_WAKE when
   * no timer will wake it: no deadline, or a deadline passed while the hart still idles (the
   * timer interrupt is not enabled in mie).
   */
  private idle(): number {
    const cmp = this.hart.mtimecmp;
    if (cmp === NO_DEADLINE) return IDLE_NO_WAKE;
    const t = this.mtime();
    if (cmp > t) {
      const d = cmp - t;
      this.lastIdleInstret = -1;
      return d > FAR_TICKS ? IDLE_NO_WAKE : Number(d);
    }
    const n = this.steps();
    if (n === this.lastIdleInstret) return IDLE_NO_WAKE;
    this.lastIdleInstret = n;
    return IDLE_RUN_AGAIN;
  }

  private deadlockMessage(): string {
    const cmp = this.hart.mtimecmp;
    const why = cmp === NO_DEADLINE ? "no timer deadline is set"
      : cmp - this.mtime() > FAR_TICKS ? `the timer deadline 0x${cmp.toString(16)} is out of reach`
      : "the timer interrupt is not enabled";
    return `deadlock: the hart waits for an interrupt (WFI at pc 0x${this.hart.pc.toString(16)}) and ${why}`;
  }

  private finish(reason: RunResult["reason"], code: number, message?: string): void {
    this.doneReason = reason;
    this.doneCode = code;
    this.doneMessage = message;
  }

  private result(startInstret: number, t: number): RunResult {
    this.consoleOut.flush();
    const r: RunResult = {
      reason: this.doneReason,
      exitCode: this.doneCode,
      instructions: BigInt(this.steps() - startInstret),
      seconds: (now() - t) / 1000,
    };
    if (this.doneMessage !== undefined) r.message = this.doneMessage;
    return r;
  }

  /** Waits `ms` (Infinity: until woken), or less if input arrives or the signal aborts. */
  private sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.wake = undefined;
        resolve();
      };
      if (signal?.aborted) { resolve(); return; }
      this.wake = done;
      signal?.addEventListener("abort", done);
      if (ms !== Infinity) timer = setTimeout(done, Math.max(0, ms));
    });
  }
}

/** Lets other tasks run: setImmediate where there is one (Node), else a message-channel turn. */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  if (typeof g.setImmediate === "function") return new Promise((r) => { g.setImmediate!(r); });
  return new Promise((r) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { ch.port1.close(); r(); };
    ch.port2.postMessage(0);
  });
}

// The runner: drives a board's hart in slices, serves the exits (HTIF, syscon power-off and
// reboot, WFI idle), sleeps while the guest waits, and ends runs on a limit, a deadlock or a
// fatal error. One runner drives one board; the hypervisor's scheduler will drive many boards
// with its own loop over the same slice() step. Browser-safe.
//
// Time. mtime counts 10 MHz ticks and comes from one of two clocks (BoardClock):
//   "wall"     elapsed real time since the board was created;
//   "virtual"  instructions executed / 10 (a nominal 100 MHz hart): deterministic.
// Slices end at the next timer deadline (mtimecmp, or stimecmp with Sstc) so the interrupt is
// raised on time: exactly with the virtual clock, and from the measured instruction rate with
// the wall clock. When the hart idles in WFI the runner skips ahead to the deadline (the
// virtual clock always jumps, and runSync(), which never sleeps, makes the wall clock jump
// too); run() with the wall clock sleeps until the deadline, new input or an abort.
import { Exit, type Hart } from "../core/hart.js";
import { SYSCON_NONE, SYSCON_RESET } from "../devices/syscon.js";
import type { Board } from "./board.js";
import { HTIF_EXIT } from "./htif.js";

export interface RunResult {
  /**
   * exit: the guest powered off (HTIF exit, SYS_exit, syscon); reset: the guest asked for a
   * reset (syscon 0x7777) and no reboot handler is set; limit: maxInstructions executed;
   * deadlock: the hart waits for an interrupt nothing can raise; fatal: the core cannot
   * continue; aborted: the signal fired.
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

export const DEFAULT_SLICE = 200_000;
const NO_DEADLINE = 0xffff_ffff_ffff_ffffn;
/** Deadlines further than this (in ticks, ~14 years) count as none: the clock could not reach them exactly. */
const FAR_TICKS = 2n ** 52n;
/** Longest single sleep of run() with the wall clock (it re-checks after). */
const MAX_SLEEP_MS = 1000;
/** run() yields to the event loop at least this often (ms). */
const YIELD_MS = 4;

// Slice outcomes (also what step() returns to a scheduler).
export const STEP_RUN = 0;
export const STEP_DONE = 1;
export const STEP_IDLE = 2;
// Idle outcomes: ticks to wait (> 0), or one of these.
const IDLE_RUN_AGAIN = 0;
const IDLE_NO_WAKE = -1;

const now = () => performance.now();

export class Runner {
  readonly hart: Hart;
  /** Instructions executed (retired or trapped): limits and the virtual clock count these. */
  private readonly steps: () => number;
  private lastIdleInstret = -1;
  private wake: (() => void) | undefined;
  /** Measured guest instructions per clock tick (wall clock), for ending slices at deadlines. */
  private stepsPerTick = 30;
  /** Called when the guest asks for a reset; true if the board was rebooted (the run goes on). */
  onReset: (() => boolean) | undefined;
  /** Reboots performed during runs. */
  reboots = 0;
  // Result of the current run, set by finish().
  private doneReason: RunResult["reason"] = "exit";
  private doneCode = -1;
  private doneMessage: string | undefined;

  constructor(readonly board: Board) {
    this.hart = board.hart;
    this.steps = () => this.hart.steps;
  }

  /** Set by kick(): input arrived since the last slice, so the next sleep must not wait. */
  private kicked = false;

  /** Input arrived or the input ended: wake a sleeping run() (or keep the next sleep short). */
  kick(): void { this.kicked = true; this.wake?.(); }

  /** Forget idle bookkeeping after the guest was (re)loaded. */
  loaded(): void { this.lastIdleInstret = -1; }

  /** Current mtime in ticks. */
  mtime(): bigint { return this.hart.mtime; }

  /**
   * One slice of at most `budget` instructions, for a scheduler that drives many boards.
   * Returns STEP_RUN (runnable again), STEP_IDLE (waiting in WFI: `wakeInMs` says how long
   * until its timer deadline, Infinity when only input can wake it) or STEP_DONE (the guest
   * ended: `outcome` says how). Allocates nothing on the way.
   */
  step(budget: number): number {
    const r = this.slice(budget);
    if (r === STEP_IDLE) {
      const wait = this.idle();
      if (wait === IDLE_NO_WAKE) this.wakeInMs = this.deviceWakeMs;
      else if (wait === IDLE_RUN_AGAIN) return STEP_RUN;
      else if (this.board.clock.virtual) { this.board.clock.skew += wait; return STEP_RUN; }
      else this.wakeInMs = Math.min(wait / 10_000, this.deviceWakeMs);
      this.board.consoleOut.flush();
    }
    return r;
  }

  /** After step() returned STEP_IDLE: ms until the timer deadline (Infinity: none). */
  wakeInMs = Infinity;
  /** ms until a device wants service between slices (a rate limit's held work; Infinity: none). */
  private deviceWakeMs = Infinity;

  /** After step() returned STEP_DONE: how the guest ended. */
  get outcome(): { reason: RunResult["reason"]; exitCode: number; message: string | undefined } {
    return { reason: this.doneReason, exitCode: this.doneCode, message: this.doneMessage };
  }

  /** Why an idle guest cannot wake (for a deadlock report). */
  get stuckMessage(): string { return this.deadlockMessage(); }

  /** Runs until the guest exits, the limit, a deadlock or a fatal error. Never sleeps. */
  runSync(opts: RunOptions = {}): RunResult {
    const { max, slice } = this.checkOptions(opts);
    const onSlice = opts.onSlice;
    const start = this.steps();
    const t = now();
    for (;;) {
      const budget = this.nextBudget(start, max, slice, onSlice);
      if (budget < 0) break;
      const step = this.slice(budget);
      if (step === STEP_DONE) break;
      if (step === STEP_IDLE) {
        const wait = this.idle();
        if (wait === IDLE_NO_WAKE) { this.finish("deadlock", -1, this.deadlockMessage()); break; }
        if (wait > 0) this.board.clock.skew += wait;
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
      const budget = this.nextBudget(start, max, slice, onSlice);
      if (budget < 0) break;
      const step = this.slice(budget);
      if (step === STEP_DONE) break;
      if (step === STEP_IDLE) {
        const wait = this.idle();
        if (wait === IDLE_NO_WAKE) {
          if (this.board.consoleIn.ended && this.deviceWakeMs === Infinity) { this.finish("deadlock", -1, this.deadlockMessage()); break; }
          // Input may still come (or a device serve held work, and interrupt): wait for it.
          this.board.consoleOut.flush();
          await this.sleep(this.deviceWakeMs, signal);
          lastYield = now();
          this.lastIdleInstret = -1;
        } else if (wait > 0) {
          if (this.board.clock.virtual) {
            this.board.clock.skew += wait;
          } else {
            this.board.consoleOut.flush();
            await this.sleep(Math.min(MAX_SLEEP_MS, wait / 10_000, this.deviceWakeMs), signal);
            lastYield = now();
          }
        }
      }
      if (now() - lastYield >= YIELD_MS) {
        this.board.consoleOut.flush();
        await yieldToEventLoop();
        lastYield = now();
      }
    }
    return this.result(start, t);
  }

  /** The next slice's budget, or -1 when the run reached its instruction limit (finished). */
  private nextBudget(start: number, max: number, slice: number, onSlice: RunOptions["onSlice"]): number {
    const done = this.steps() - start;
    if (done >= max) { this.finish("limit", -1, `instruction limit (${max}) reached`); return -1; }
    if (onSlice) onSlice(this.hart);
    return Math.min(slice, max - done);
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
    const board = this.board, htif = board.htif, syscon = board.syscon;
    this.kicked = false;
    this.deviceWakeMs = board.poll();
    const t0 = board.clock.virtual ? 0 : board.clock.ticks(), s0 = this.steps();
    const exit = this.hart.run(this.untilDeadline(budget));
    if (!board.clock.virtual) this.measureRate(board.clock.ticks() - t0, this.steps() - s0);
    if (syscon.request !== SYSCON_NONE) {
      // The store to the finisher made the core return (Exit.Host) right after it.
      const reset = syscon.request === SYSCON_RESET;
      const code = syscon.exitCode;
      syscon.clear();
      if (reset) {
        if (this.onReset && this.onReset()) { this.reboots++; this.lastIdleInstret = -1; return STEP_RUN; }
        this.finish("reset", -1, "the guest requested a reset (syscon 0x7777)");
      } else {
        this.finish("exit", code);
      }
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
      case Exit.Sbi:
        this.board.serveHypercallExit();
        return STEP_RUN;
      default:
        this.finish("fatal", -1, `the hart stopped (fatal exit ${exit}) at pc 0x${this.hart.pc.toString(16)}`);
        return STEP_DONE;
    }
  }

  /**
   * A slice ends where the timer deadline falls, so the core (which raises the timer lines at
   * slice start) delivers the interrupt on time: exactly with the virtual clock (10 steps a
   * tick), from the measured rate with the wall clock.
   */
  private untilDeadline(budget: number): number {
    const cmp = this.hart.deadline;
    if (cmp === Infinity) return budget;
    const ticks = cmp - Number(this.mtime());
    if (ticks <= 0) return budget;
    const perTick = this.board.clock.virtual ? 10 : this.stepsPerTick;
    return Math.max(1, Math.min(budget, Math.ceil(ticks * perTick)));
  }

  private measureRate(ticks: number, steps: number): void {
    if (ticks <= 0 || steps < 10_000) return;
    const r = steps / ticks;
    this.stepsPerTick = this.stepsPerTick * 0.75 + r * 0.25;
  }

  /**
   * The hart idles in WFI. Returns ticks until its timer deadline (> 0), IDLE_RUN_AGAIN when
   * the deadline has passed (the next slice start raises the timer line), or IDLE_NO_WAKE when
   * no timer will wake it: no deadline, or a deadline passed while the hart still idles (the
   * timer interrupt is not enabled in mie).
   */
  private idle(): number {
    const cmp = this.hart.timerCompare;
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
    const cmp = this.hart.timerCompare;
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
    this.board.consoleOut.flush();
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
      if (signal?.aborted || this.kicked) { this.kicked = false; resolve(); return; }
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

// A container process: a static RV64 Linux program in U-mode on its own hart, whose kernel is
// the host. The hart runs in PARA_USER mode: every trap it takes (an ECALL, a page fault, an
// illegal instruction) ends run() with Exit.Trap, and the host answers the system call
// (./syscalls.ts) or delivers the signal the fault stands for (the process ends).
import { Exit, type Hart, Hart as HartClass, PRIV_U } from "../core/hart.js";
import { AddressSpace, PROT_EXEC, PROT_READ, PROT_WRITE } from "./address-space.js";
import { loadProgram } from "./exec.js";
import { SIG } from "./linux-abi.js";
import { callCounts, MMAP_BASE, type Kernel, type Output, systemCall } from "./syscalls.js";
import { stdFiles } from "./files.js";
import type { Tree } from "./vfs.js";

export interface ProcessOptions {
  /** The program (a static RV64 ELF) and its arguments; argv[0] is its name. */
  program: Uint8Array;
  argv: string[];
  env?: string[];
  /** Guest memory for the process (bytes, a multiple of 4 KiB); 64 MiB by default. */
  memSize?: number;
  hostname?: string;
  /** Where the process's standard output and error go. */
  stdout?: Output;
  stderr?: Output;
  /** Its standard input, all of it (end of file after). */
  stdin?: Uint8Array;
  /** The file tree it sees (read-only); none: no files but the standard streams. */
  tree?: Tree;
  /** The core module (src/node/core-module.ts or the browser's). */
  module: WebAssembly.Module;
  /** Instructions per run() slice between yields to the event loop. */
  slice?: number;
  /** Stop the process after this many instructions (the result says `limit`). */
  maxInstructions?: number;
}

/** How a process ended: exit status, or the signal that killed it. */
export interface ProcessResult {
  status: number;
  signal?: number;
  /** Linux's wait status encoding: (status << 8) or the signal number. */
  waitStatus: number;
  /** For a signal from a fault: the exception cause, where, and its value (mtval). */
  fault?: { cause: number; pc: bigint; tval: bigint };
  /** The process was stopped at the instruction limit (SIGKILL's status then). */
  limit?: boolean;
  /** Calls answered, by name, and those not implemented (answered -ENOSYS), by number. */
  calls: Map<string, number>;
  unknown: Map<number, number>;
  instructions: number;
}

// Exception causes (privileged spec 3.1.15) to the signal Linux delivers for them.
const SIGNAL_OF: Record<number, number> = {
  0: SIG.BUS, 1: SIG.SEGV, 2: SIG.ILL, 3: SIG.TRAP, 4: SIG.BUS, 5: SIG.SEGV, 6: SIG.BUS, 7: SIG.SEGV, 12: SIG.SEGV, 13: SIG.SEGV, 15: SIG.SEGV,
};

export class ContainerProcess {
  readonly hart: Hart;
  readonly memory: AddressSpace;
  private readonly kernel: Kernel;
  private readonly slice: number;
  private readonly maxInstructions: number;
  private ran = 0; // instructions so far

  constructor(o: ProcessOptions) {
    this.hart = new HartClass(o.module, { memSize: o.memSize ?? 64 << 20 });
    this.memory = new AddressSpace(this.hart);
    const random = crypto.getRandomValues(new Uint8Array(16));
    const loaded = loadProgram(this.memory, o.program, o.argv, o.env ?? [], random);
    this.hart.setPara("user");
    this.hart.writeCsr(0x180, this.memory.satp);
    this.hart.writeCsr(0x300, (this.hart.csr(0x300) ?? 0n) | (1n << 13n)); // mstatus.FS = Initial: FP on
    this.hart.priv = PRIV_U;
    this.hart.pc = BigInt(loaded.entry);
    this.hart.setX(2, BigInt(loaded.sp));
    this.slice = o.slice ?? 5_000_000;
    this.maxInstructions = o.maxInstructions ?? Infinity;
    this.kernel = {
      memory: this.memory, hart: this.hart, brk: loaded.brk, brkStart: loaded.brk, mmapNext: MMAP_BASE,
      hostname: o.hostname ?? "container",
      files: stdFiles(o.stdin ?? new Uint8Array(0), o.stdout ?? (() => {}), o.stderr ?? (() => {}), o.tree),
      counts: new Uint32Array(512), unknown: new Map(), exit: undefined, pid: 1,
    };
  }

  /** Runs the process to its end, yielding to the event loop between slices. */
  async run(): Promise<ProcessResult> {
    for (;;) {
      const r = this.step();
      this.ran += r.ran;
      const end = { calls: callCounts(this.kernel), unknown: this.kernel.unknown, instructions: this.ran };
      if (r.done) return { ...r.done, ...end };
      if (this.ran >= this.maxInstructions) return { ...killed(SIG.KILL), limit: true, ...end };
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** One slice: runs, answers the traps, until the budget is spent or the process ends. */
  private step(): { ran: number; done?: Omit<ProcessResult, "calls" | "unknown" | "instructions"> } {
    const h = this.hart;
    const start = h.steps;
    const slice = Math.min(this.slice, Math.max(1, this.maxInstructions - this.ran));
    while (h.steps - start < slice) {
      const exit = h.run(slice - (h.steps - start));
      if (exit === Exit.Budget) continue;
      if (exit !== Exit.Trap) return { ran: h.steps - start, done: killed(SIG.SEGV) }; // nothing else can happen in U-mode
      const cause = h.exitCause;
      if (cause === 8) { // ECALL from U: a system call
        systemCall(this.kernel);
        if (this.kernel.signal !== undefined) return { ran: h.steps - start, done: killed(this.kernel.signal) };
        if (this.kernel.exit !== undefined) {
          const status = this.kernel.exit & 0xff;
          return { ran: h.steps - start, done: { status, waitStatus: status << 8 } };
        }
        h.advancePc(4);
        continue;
      }
      const tval = h.exitValue;
      // A page fault on demand-paged memory: back the page, run the instruction again.
      const need = cause === 12 ? PROT_EXEC : cause === 13 ? PROT_READ : cause === 15 ? PROT_WRITE : 0;
      if (need && tval < BigInt(Number.MAX_SAFE_INTEGER) && this.memory.fault(Number(tval), need)) continue;
      return { ran: h.steps - start, done: { ...killed(SIGNAL_OF[cause] ?? SIG.SEGV), fault: { cause, pc: h.pc, tval } } };
    }
    return { ran: h.steps - start };
  }
}

function killed(signal: number): Omit<ProcessResult, "calls" | "unknown" | "instructions"> {
  return { status: 128 + signal, signal, waitStatus: signal };
}


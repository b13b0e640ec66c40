// A container: its processes (static RV64 Linux programs in U-mode whose kernel is the host,
// each an address space on a hart shared with other containers' processes), their process
// table and pids, the layered file tree they share, and the scheduler that runs them in turn
// (switching the hart's registers and page tables between them). fork copies the parent's
// private pages and shares its program's; execve gives the process a new address space with
// the new program; wait4 reaps
// zombies; a call that must wait (wait4, a pipe) blocks the process until something in the
// container changes. Threads (clone with CLONE_VM) share their process's hart and address
// space: the scheduler switches the hart's registers between them, as a uniprocessor kernel
// would, and futex waits and wakes among them. The container ends when its first process
// (pid 1) does: the others are killed with it.
import { Exit, type Hart } from "../core/hart.js";
import { CTX_BYTES, hartFor, offHart, saveContext, setContextPc, setContextX, SHARED_HART_RAM, switchTo, unreserveHart } from "./harts.js";
export { clearHartPool } from "./harts.js";
import { AddressSpace, HartMemory, MemoryBudget, OutOfMemory, PAGE, PROT_EXEC, PROT_READ, PROT_WRITE } from "./address-space.js";
import { checkProgram, ExecError, loadProgram } from "./exec.js";
import { closeFiles, inheritFiles, stdFiles, type Files, type Pipe } from "./files.js";
import { LayeredTree } from "./layers.js";
import { E, S_IFMT, S_IFREG, SIG } from "./linux-abi.js";
import { BLOCKED, REPLACED } from "./outcomes.js";
import { callCounts, clockNs, MMAP_BASE, type Kernel, type Output, type ProcessControl, systemCall } from "./syscalls.js";
import { FsError, fileBytes, resolve, type Tree } from "./vfs.js";
import { mapTrampoline, Signals } from "./signals.js";
import { PortSpace, type HostNetwork } from "./sockets.js";
import { ProcTree, type ProcInfo } from "./proc-tree.js";

export interface ContainerOptions {
  /** The core module (src/node/core-module.ts or the browser's). */
  module: WebAssembly.Module;
  /** The read-only base of the file tree (shared); none: an empty root. Writes go to a layer of the container's own. */
  tree?: Tree;
  /** Guest memory per process (bytes, a multiple of 4 KiB); 64 MiB by default. */
  memSize?: number;
  hostname?: string;
  /** Where standard output and error go. */
  stdout?: Output;
  stderr?: Output;
  /** Standard input: all of it (end of file after), or "stream": what input() gives, until endInput(). */
  stdin?: Uint8Array | "stream";
  /** Memory the container's processes may use in all (bytes); past it a page fault kills the process (SIGKILL, as Linux's OOM killer) and calls that need memory get ENOMEM. Default: no limit beyond memSize per process. */
  memoryLimit?: number;
  /** Instructions per run() slice of a process, between yields to the event loop. */
  slice?: number;
  /** Stop the container after this many instructions in all (the result says `limit`). */
  maxInstructions?: number;
  /** Most processes at once (zombies included); a fork beyond fails with EAGAIN. 64 by default. */
  maxProcesses?: number;
  /** The host side of the ports the container publishes (src/node/container-net.ts); none: no port is reachable from the host. */
  network?: HostNetwork;
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
  /** Calls answered in the container, by name, and those not implemented (answered -ENOSYS), by number. */
  calls: Map<string, number>;
  unknown: Map<number, number>;
  /** Instructions run by all the container's processes. */
  instructions: number;
  /** Processes the container started (pid 1 included). */
  processes: number;
  /** Processes killed because the container's memory limit was reached. */
  oomKills: number;
}

/**
 * What runFor() did: ran (there is more to run), is idle until `wakeAt` (performance.now() ms;
 * Infinity: until input, a connection from the host or stop()), or ended with `result`.
 */
export type ContainerSlice = { kind: "ran" } | { kind: "idle"; wakeAt: number } | { kind: "done"; result: ProcessResult };

type End = Omit<ProcessResult, "calls" | "unknown" | "instructions" | "processes" | "oomKills">;

// Exception causes (privileged spec 3.1.15) to the signal Linux delivers for them.
const SIGNAL_OF: Record<number, number> = {
  0: SIG.BUS, 1: SIG.SEGV, 2: SIG.ILL, 3: SIG.TRAP, 4: SIG.BUS, 5: SIG.SEGV, 6: SIG.BUS, 7: SIG.SEGV, 12: SIG.SEGV, 13: SIG.SEGV, 15: SIG.SEGV,
};
const CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000;
const CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000;
const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_CMD = 0x7f, FUTEX_CLOCK_REALTIME = 256;

const WNOHANG = 1;

// A container dropped without an end (never run to it, nor disposed): its pages and its
// reservation go back to the hart when it is collected.
const dropped = new FinalizationRegistry<{ module: WebAssembly.Module; mem: HartMemory; pages: number; spaces: Set<AddressSpace> }>((held) => {
  for (const s of held.spaces) s.release();
  unreserveHart(held.module, held.mem, held.pages);
});

/** clone's tid words: the child's tid at ptid (in the parent) and ctid (in the child's memory), and the one to clear at its end. */
function setTids(parent: Proc, child: Proc, flags: number, ptid: number, ctid: number): void {
  const tid = new Uint8Array(4);
  new DataView(tid.buffer).setInt32(0, child.pid, true);
  if (flags & CLONE_PARENT_SETTID) parent.memory.write(ptid, tid);
  if (flags & CLONE_CHILD_SETTID) child.memory.write(ctid, tid);
  if (flags & CLONE_CHILD_CLEARTID) child.clearTid = ctid;
}

function killed(signal: number): End {
  return { status: 128 + signal, signal, waitStatus: signal };
}

/** One process: the Kernel its system calls work on, and where it is in its life. */
export class Proc implements Kernel {
  hart!: Hart;
  memory!: AddressSpace;
  brkStart = 0;
  brk = 0;
  mmapNext = MMAP_BASE;
  exit: number | undefined = undefined;
  exitGroup = false;
  clearTid = 0;
  tgid: number;
  /** Its registers while another process or thread has the hart. */
  ctx: Uint8Array | undefined;
  /** When the sleep it is blocked in ends (performance.now() ms). */
  wakeAt: number | undefined;
  /** A FUTEX_WAIT it is blocked in: its address, and whether a FUTEX_WAKE came. */
  futexWait: { addr: number; woken: boolean } | undefined;
  sig = new Signals();
  /** Its arguments (the program's, since its last execve), and the instructions it has run. */
  argv: string[] = [];
  ran = 0;
  state: "run" | "blocked" | "zombie" = "run";
  /** The container's change count when it blocked: it runs again once that has moved. */
  blockedAt = -1;
  /** A vfork parent waits for its child to exec or end. */
  vforkChild: Proc | undefined;
  end: End | undefined;

  constructor(
    readonly pid: number, public ppid: number, public files: Files, readonly counts: Uint32Array,
    readonly unknown: Map<number, number>, readonly hostname: string, readonly control: ProcessControl,
  ) { this.tgid = pid; }

  /** A thread of a process (not its first). */
  get isThread(): boolean { return this.tgid !== this.pid; }
}

export class Container implements ProcessControl {
  readonly tree: LayeredTree;
  readonly ports: PortSpace;
  private readonly procs = new Map<number, Proc>();
  private nextPid = 1;
  private changes = 0;
  private ran = 0;
  private readonly counts = new Uint32Array(512);
  private readonly unknown = new Map<number, number>();
  private readonly memSize: number;
  private readonly slice: number;
  private readonly maxInstructions: number;
  private init: Proc | undefined;
  /** The hart (and its RAM) the container's processes run on, shared with other containers. */
  private readonly mem: HartMemory;
  get hart(): Hart { return this.mem.hart; }
  private readonly reservedPages: number;
  /** Its processes' address spaces that are not released yet. */
  private readonly spaces = new Set<AddressSpace>();
  /** The thread whose slice runs now (its system calls are being answered). */
  private current: Proc | undefined;
  private readonly budget: MemoryBudget;
  private readonly stdin: Pipe;
  private oomKills = 0;
  private lastRan = 0; // pid of the process that ran last
  private result: ProcessResult | undefined;
  /** Called whenever something in the container changes (input, a connection, stop()): an idle container may have work. */
  onWake: (() => void) | undefined;

  constructor(private readonly o: ContainerOptions) {
    this.tree = new LayeredTree(o.tree);
    this.ports = new PortSpace(() => this.changed(), o.network);
    this.memSize = o.memSize ?? 64 << 20;
    this.slice = o.slice ?? 5_000_000;
    this.maxInstructions = o.maxInstructions ?? Infinity;
    const limit = o.memoryLimit ?? this.memSize;
    if (!(Number.isInteger(limit) && limit >= 1 << 20 && limit <= SHARED_HART_RAM / 2)) throw new RangeError(`container memory limit must be a number of bytes from 1 MiB to 1 GiB, got ${limit}`);
    if (!(Number.isInteger(this.memSize) && this.memSize >= 1 << 20)) throw new RangeError(`container process memory must be a number of bytes from 1 MiB, got ${this.memSize}`);
    this.reservedPages = Math.floor(limit / PAGE);
    this.budget = new MemoryBudget(this.reservedPages);
    this.mem = hartFor(o.module, this.reservedPages);
    dropped.register(this, { module: o.module, mem: this.mem, pages: this.reservedPages, spaces: this.spaces }, this);
    const input = o.stdin ?? new Uint8Array(0);
    this.stdin = input === "stream" ? { chunks: [], size: 0, readers: 1, writers: 1 } : { chunks: input.length ? [input.slice()] : [], size: input.length, readers: 1, writers: 0 };
    const started = performance.now();
    this.tree.mount("proc", new ProcTree({
      processes: () => this.procInfo(), self: () => this.current?.tgid ?? 1,
      uptime: () => (performance.now() - started) / 1000, memTotal: this.memSize,
    }));
  }

  /** Starts the first process (pid 1): `program` with `argv` and `env`. Throws ExecError on a bad program. */
  start(program: Uint8Array, argv: string[], env: string[]): Proc {
    if (this.init) throw new Error("the container has started");
    const files = stdFiles(this.stdin, this.o.stdout ?? (() => {}), this.o.stderr ?? (() => {}), this.tree, this.ports, () => this.changed());
    const p = this.newProc(0, files);
    this.load(p, program, argv, env);
    this.init = p;
    return p;
  }

  /** What /proc shows: each process, with its threads counted in. */
  private procInfo(): ProcInfo[] {
    return [...this.procs.values()].filter((p) => !p.isThread).map((p) => {
      const threads = this.threadsOf(p);
      return {
        pid: p.pid, ppid: p.ppid, argv: p.argv, threads: threads.length,
        state: p.state === "zombie" ? "Z" : threads.includes(this.current!) ? "R" : "S",
        instructions: threads.reduce((n, t) => n + t.ran, 0), residentPages: p.memory.residentPages,
      };
    });
  }

  private newProc(ppid: number, files: Files): Proc {
    const p = new Proc(this.nextPid++, ppid, files, this.counts, this.unknown, this.o.hostname ?? "container", this);
    this.procs.set(p.pid, p);
    return p;
  }

  private wakeup: (() => void) | undefined;
  private stopped: End | undefined;

  private changed(): void {
    this.changes++;
    const w = this.wakeup;
    this.wakeup = undefined;
    w?.();
    this.onWake?.();
  }

  /**
   * Ends the container at once, wherever it is (its processes killed, its memory given back to
   * the hart): what a supervisor does with a container it drops. The result is SIGKILL's.
   */
  dispose(): void {
    if (this.result) return;
    const init = this.init;
    if (init && init.state !== "zombie") this.finishProcess(init, killed(SIG.KILL));
    this.ended(init?.end ?? killed(SIG.KILL));
  }

  /** Sends `sig` to the first process (docker stop's SIGTERM): its handler runs, or its default action. */
  signal(sig: number): void {
    const init = this.init;
    if (!init || init.state === "zombie") return;
    if (sig === SIG.KILL) { this.stop(); return; }
    init.sig.raise(sig);
    this.changed();
  }

  /** More standard input (with stdin "stream"); ignored after endInput(). */
  input(bytes: Uint8Array): void {
    if (this.stdin.writers === 0 || bytes.length === 0) return;
    this.stdin.chunks.push(bytes.slice());
    this.stdin.size += bytes.length;
    this.changed();
  }

  /** The end of standard input: reads past what is there get end of file. */
  endInput(): void {
    if (this.stdin.writers === 0) return;
    this.stdin.writers = 0;
    this.changed();
  }

  /**
   * Instructions its processes ran, system calls they made, processes started, pages its
   * processes map now (shared program pages too); and of the hart it shares with other
   * containers, the pages handed out, the program pages shared and the mappings of them beyond
   * the first (the pages sharing saves).
   */
  stats(): { instructions: number; systemCalls: number; processes: number; residentPages: number; hartPages: number; hartSharing: { pages: number; saved: number } } {
    let calls = 0;
    for (const n of this.counts) calls += n;
    for (const n of this.unknown.values()) calls += n;
    return { instructions: this.ran, systemCalls: calls, processes: this.nextPid - 1, residentPages: this.budget.used, hartPages: this.mem.usedPages, hartSharing: this.mem.sharing };
  }

  /** Pages the container's processes hold now (its memory use, in 4 KiB pages). */
  get residentPages(): number { return this.budget.used; }

  /** The container's processes now (pid, parent, arguments, state), as its /proc shows them. */
  processes(): ProcInfo[] { return this.procInfo(); }

  /** Ends the container from outside (its processes are killed with `signal`, SIGKILL by default). */
  stop(signal: number = SIG.KILL): void {
    this.stopped = killed(signal);
    this.changed();
  }

  /** An address space is gone: its pages go back to the hart. */
  private release(memory: AddressSpace): void {
    memory.release();
    this.spaces.delete(memory);
  }

  /** The budgets of a process's address space: its own memory size, and the container's limit. */
  private budgets(): MemoryBudget[] { return [new MemoryBudget(Math.floor(this.memSize / PAGE)), this.budget]; }

  /**
   * Gives `p` a new address space running `program` (the first process, and execve): its
   * registers zero but pc and sp, on the hart at once if it is there (an execve).
   */
  private load(p: Proc, program: Uint8Array, argv: string[], env: string[]): void {
    const memory = new AddressSpace(this.mem, this.budgets());
    this.spaces.add(memory);
    const loaded = loadProgram(memory, program, argv, env, crypto.getRandomValues(new Uint8Array(16)));
    mapTrampoline(memory);
    const ctx = new Uint8Array(CTX_BYTES);
    setContextPc(ctx, BigInt(loaded.entry));
    setContextX(ctx, 2, BigInt(loaded.sp));
    p.hart = this.mem.hart;
    p.memory = memory;
    p.ctx = ctx;
    p.argv = argv;
    p.brk = p.brkStart = loaded.brk;
    p.mmapNext = MMAP_BASE;
    offHart(p.hart, p); // its old registers and tables are gone: load these
  }

  // ---- process calls (ProcessControl) ----

  clone(k: Kernel, flags: number, stack: bigint, ptid: number, tls: bigint, ctid: number): number {
    const parent = k as Proc;
    const vfork = (flags & (CLONE_VM | CLONE_VFORK)) === (CLONE_VM | CLONE_VFORK);
    if (this.procs.size >= (this.o.maxProcesses ?? 64)) return -E.AGAIN;
    if (flags & CLONE_VM && !vfork) return this.thread(parent, flags, stack, ptid, tls, ctid);
    // A shared fd table or fs state without a shared address space: not answered.
    if (flags & (CLONE_THREAD | CLONE_FILES | CLONE_FS | CLONE_SIGHAND)) return -E.INVAL;
    let memory: AddressSpace;
    try {
      memory = parent.memory.fork(this.budgets());
      this.spaces.add(memory);
    } catch (e) {
      if (!(e instanceof OutOfMemory)) throw e;
      return -E.NOMEM;
    }
    const child = this.newProc(parent.pid, inheritFiles(parent.files));
    child.hart = parent.hart;
    child.memory = memory;
    child.brk = parent.brk; child.brkStart = parent.brkStart; child.mmapNext = parent.mmapNext;
    child.sig = parent.sig.fork();
    child.argv = parent.argv;
    // The parent's registers (it is on the hart, making this call), after the ecall, a0 = 0.
    const h = parent.hart;
    child.ctx = new Uint8Array(CTX_BYTES);
    saveContext(h, child.ctx);
    setContextPc(child.ctx, h.pc + 4n);
    setContextX(child.ctx, 10, 0n);
    if (stack !== 0n) setContextX(child.ctx, 2, stack);
    if (flags & CLONE_SETTLS) setContextX(child.ctx, 4, tls);
    setTids(parent, child, flags, ptid, ctid);
    // vfork: the copy stands in for the shared memory; the parent waits as it would.
    if (vfork) { parent.vforkChild = child; }
    this.changed();
    return child.pid;
  }

  /**
   * A thread of `parent`'s process: the same hart, address space, files and signal handlers;
   * its own registers (the caller's, with a0 = 0 after the ecall, sp and tp as given).
   */
  private thread(parent: Proc, flags: number, stack: bigint, ptid: number, tls: bigint, ctid: number): number {
    const need = CLONE_THREAD | CLONE_SIGHAND | CLONE_FILES | CLONE_FS;
    if ((flags & need) !== need) return -E.INVAL; // a shared address space but not the rest: not answered
    const t = this.newProc(parent.ppid, parent.files);
    t.tgid = parent.tgid;
    t.hart = parent.hart; t.memory = parent.memory; t.sig = parent.sig.thread(); t.argv = parent.argv;
    const h = parent.hart;
    const pc = h.pc;
    h.pc = pc + 4n; h.setX(10, 0n);
    const sp = h.x(2), tp = h.x(4);
    if (stack !== 0n) h.setX(2, stack);
    if (flags & CLONE_SETTLS) h.setX(4, tls);
    t.ctx = new Uint8Array(CTX_BYTES);
    saveContext(h, t.ctx);
    h.pc = pc; h.setX(2, sp); h.setX(4, tp); // the caller's own registers back (a0 is its result)
    setTids(parent, t, flags, ptid, ctid);
    this.changed();
    return t.pid;
  }

  sleep(k: Kernel, ms: number): number {
    const p = k as Proc;
    const now = performance.now();
    if (p.wakeAt === undefined) {
      if (ms <= 0) return 0;
      p.wakeAt = now + ms;
      return BLOCKED;
    }
    if (now < p.wakeAt) return BLOCKED;
    p.wakeAt = undefined;
    return 0;
  }

  expired(k: Kernel, ms: number): boolean {
    const p = k as Proc, now = performance.now();
    p.wakeAt ??= now + Math.max(0, ms);
    if (now < p.wakeAt) return false;
    p.wakeAt = undefined;
    return true;
  }

  endWait(k: Kernel): void { (k as Proc).wakeAt = undefined; }

  futex(k: Kernel, addr: number, op: number, val: number, timeout: bigint): number {
    const p = k as Proc;
    const cmd = op & FUTEX_CMD;
    if (addr % 4 !== 0) return -E.INVAL;
    if (cmd === FUTEX_WAIT || cmd === FUTEX_WAIT_BITSET) {
      const w = p.futexWait;
      const done = (r: number) => { p.futexWait = undefined; p.wakeAt = undefined; return r; };
      if (w && w.addr === addr && w.woken) return done(0);
      const now = new DataView(p.memory.read(addr, 4).buffer).getInt32(0, true);
      if (now !== val) return done(-E.AGAIN);
      if (timeout !== 0n) {
        // FUTEX_WAIT: a relative time; FUTEX_WAIT_BITSET: an absolute one, of CLOCK_REALTIME with FUTEX_CLOCK_REALTIME
        const v = new DataView(p.memory.read(Number(timeout), 16).buffer);
        let ns = v.getBigInt64(0, true) * 1_000_000_000n + v.getBigInt64(8, true);
        if (cmd === FUTEX_WAIT_BITSET) ns -= clockNs(op & FUTEX_CLOCK_REALTIME ? 0 : 1);
        if (this.expired(p, Number(ns) / 1e6)) { p.futexWait = undefined; return -E.TIMEDOUT; }
      }
      p.futexWait = { addr, woken: false };
      return BLOCKED;
    }
    if (cmd === FUTEX_WAKE || cmd === FUTEX_WAKE_BITSET) return this.wake(p.memory, addr, Math.max(0, val));
    return -E.NOSYS;
  }

  /** Wakes up to `n` threads waiting at `addr` in address space `memory`. */
  private wake(memory: AddressSpace, addr: number, n: number): number {
    let woken = 0;
    for (const t of this.procs.values()) {
      if (woken >= n) break;
      if (t.memory === memory && t.futexWait && t.futexWait.addr === addr && !t.futexWait.woken && t.state === "blocked") {
        t.futexWait.woken = true;
        woken++;
      }
    }
    if (woken) this.changed();
    return woken;
  }

  execve(k: Kernel, path: string, argv: string[], envp: string[]): number {
    const p = k as Proc;
    let file: string;
    try {
      file = resolve(this.tree, path, "/" + p.files.cwd);
    } catch (e) {
      if (e instanceof FsError) return -e.errno;
      throw e;
    }
    const st = this.tree.stat(file);
    if (!st) return -E.NOENT;
    if ((st.mode & S_IFMT) !== S_IFREG) return -E.ACCES;
    if ((st.mode & 0o111) === 0) return -E.ACCES;
    const program = fileBytes(this.tree, file, st.size); // shared with every process that runs it
    if (p.isThread) return -E.NOSYS; // execve from a thread other than the first: not answered
    const before = { memory: p.memory };
    // The program is checked before the old one is given up (a bad one leaves the caller as it was).
    try {
      checkProgram(program);
    } catch (e) {
      if (e instanceof ExecError) return -E.NOEXEC;
      throw e;
    }
    for (const t of this.threadsOf(p)) if (t !== p) this.procs.delete(t.pid); // the other threads end
    this.release(before.memory);
    try {
      this.load(p, program, argv.length ? argv : [path], envp);
    } catch (e) {
      // Past the checks, a program that does not fit in memory: the process cannot go on (as
      // Linux, which kills it once its old image is gone).
      if (e instanceof ExecError || e instanceof OutOfMemory) { this.finishProcess(p, killed(SIG.SEGV)); return REPLACED; }
      throw e;
    }
    closeFiles(p.files, true);
    p.sig.exec();
    this.releaseVforkParent(p);
    this.changed();
    return REPLACED;
  }

  wait4(k: Kernel, pid: number, status: number, options: number): number {
    const p = k as Proc;
    const mine = [...this.procs.values()].filter((c) => !c.isThread && c.ppid === p.tgid && (pid <= 0 || c.pid === pid));
    if (!mine.length) return -E.CHILD;
    const zombie = mine.find((c) => c.state === "zombie" && this.threadsOf(c).length === 1); // its threads all ended
    if (!zombie) return options & WNOHANG ? 0 : BLOCKED;
    if (status !== 0) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, zombie.end!.waitStatus, true);
      p.memory.write(status, b);
    }
    this.procs.delete(zombie.pid);
    return zombie.pid;
  }

  kill(k: Kernel, pid: number, sig: number, thread = false): number {
    if (sig < 0 || sig > 64) return -E.INVAL;
    const targets = pid > 0 ? [this.procs.get(pid)].filter((t) => t !== undefined)
      : [...this.procs.values()].filter((t) => !t.isThread && (t.tgid !== (k as Proc).tgid || pid === -1));
    const live = targets.filter((t) => t.state !== "zombie");
    if (!live.length) return -E.SRCH;
    if (sig === 0) return 0;
    for (const t of live) {
      if (sig === SIG.KILL) this.finishProcess(t, killed(sig));
      else if (thread) t.sig.raiseThread(sig); // that thread's (tkill, tgkill)
      else t.sig.raise(sig); // the process's: the first of its threads that does not block it takes it (its handler, or the default action)
    }
    this.changed();
    return 0;
  }

  private releaseVforkParent(child: Proc): void {
    for (const q of this.procs.values()) if (q.vforkChild === child) { q.vforkChild = undefined; }
  }

  /** The threads of `p`'s process, its first among them. */
  private threadsOf(p: Proc): Proc[] { return [...this.procs.values()].filter((t) => t.tgid === p.tgid); }

  /** Ends thread `t` alone (exit): its clear-tid word is zeroed and woken; the last one ends the process. */
  private finishThread(t: Proc, status: number): void {
    const rest = this.threadsOf(t).filter((o) => o !== t && o.state !== "zombie");
    if (!rest.length) { this.finishProcess(t, { status: status & 0xff, waitStatus: (status & 0xff) << 8 }); return; }
    this.clearChildTid(t);
    if (t.isThread) this.procs.delete(t.pid);
    else { t.state = "zombie"; t.end = { status: status & 0xff, waitStatus: (status & 0xff) << 8 }; } // the first waits for the rest
    offHart(t.hart, t);
    this.changed();
  }

  private clearChildTid(t: Proc): void {
    if (!t.clearTid) return;
    try { t.memory.write(t.clearTid, new Uint8Array(4)); } catch { /* unmapped: nothing to clear */ }
    this.wake(t.memory, t.clearTid, 1);
  }

  /** Ends `p`'s process, every thread of it (exit_group, a signal, the container's end). */
  private finishProcess(p: Proc, end: End): void {
    const threads = this.threadsOf(p);
    const leader = threads.find((t) => !t.isThread) ?? p;
    const others = threads.filter((t) => t !== leader);
    for (const t of others) this.procs.delete(t.pid);
    // A first thread that exited alone waits as a zombie for the others: now the process ends.
    if (leader.state === "zombie" && others.length) leader.state = "run";
    this.finish(leader, end);
  }

  /** Ends `p`: its files close, its children go to pid 1, and it waits to be reaped (a zombie). */
  private finish(p: Proc, end: End): void {
    if (p.state === "zombie") return;
    p.state = "zombie";
    p.end = end;
    closeFiles(p.files, false);
    if (p.memory) this.release(p.memory);
    if (p.hart) offHart(p.hart, p); // a zombie never runs again
    for (const c of this.procs.values()) if (c.ppid === p.pid) c.ppid = 1;
    const parent = this.procs.get(p.ppid);
    parent?.sig.raise(SIG.CHLD);
    // A parent that ignores SIGCHLD leaves no zombies (its children are reaped as they end).
    if (parent && parent.sig.ignores(SIG.CHLD) && p !== this.init) this.procs.delete(p.pid);
    this.releaseVforkParent(p);
    // An orphan (its parent gone, or pid 1 itself) is reaped at once.
    if (p !== this.init && !this.procs.has(p.ppid)) this.procs.delete(p.pid);
    this.changed();
  }

  // ---- running ----

  /** Runs the container until its first process ends, yielding to the event loop between slices. */
  async run(): Promise<ProcessResult> {
    for (;;) {
      const s = this.runFor(this.slice);
      if (s.kind === "done") return s.result;
      if (s.kind === "ran") { await new Promise<void>((resolve) => setImmediate(resolve)); continue; }
      // Idle: until the next sleep ends, or something comes from the host (input, a connection, stop()).
      await new Promise<void>((resolve) => {
        const timer = s.wakeAt !== Infinity ? setTimeout(resolve, Math.max(0, s.wakeAt - performance.now())) : undefined;
        this.wakeup = () => { if (timer) clearTimeout(timer); resolve(); };
      });
      this.wakeup = undefined;
    }
  }

  /** The container has ended with `e` (its first process's end): the rest is killed, its harts go to the pool. */
  private ended(e: End, limit = false): ContainerSlice {
    const init = this.init;
    for (const p of [...this.procs.values()]) this.finishProcess(p, killed(SIG.KILL));
    this.ports.closeAll();
    for (const s of this.spaces) s.release(); // (none should be left)
    this.spaces.clear();
    unreserveHart(this.o.module, this.mem, this.reservedPages);
    dropped.unregister(this);
    this.result = {
      ...e, ...(limit && { limit: true }), calls: init ? callCounts(init) : new Map(), unknown: this.unknown, instructions: this.ran,
      processes: this.nextPid - 1, oomKills: this.oomKills,
    };
    return { kind: "done", result: this.result };
  }

  /**
   * Runs the container's processes in turn for about `budget` instructions (fewer if they all
   * wait): a scheduler's slice of the container (src/hypervisor), or run()'s.
   */
  runFor(budget: number): ContainerSlice {
    const init = this.init;
    if (!init) throw new Error("the container has no process: start() one");
    if (this.result) return { kind: "done", result: this.result };
    let spent = 0;
    // Rounds in which nothing ran end the slice too: a process woken by a change runs its call
    // again and may block again at once.
    for (let idleRounds = 0; spent < budget && idleRounds < 4;) {
      if (this.stopped) { if (init.state !== "zombie") this.finishProcess(init, this.stopped); return this.ended(init.end!); }
      let progressed = false;
      const spentBefore = spent;
      // Round robin from the one after the process that ran last (a slice may end within a round).
      const all = [...this.procs.values()];
      const from = all.findIndex((p) => p.pid > this.lastRan);
      for (const p of from > 0 ? [...all.slice(from), ...all.slice(0, from)] : all) {
        if (p.state === "zombie" || p.vforkChild || !this.procs.has(p.pid)) continue; // (ended in this round)
        if (p.state === "blocked" && p.blockedAt === this.changes && !p.sig.deliverable() && !(p.wakeAt !== undefined && performance.now() >= p.wakeAt)) continue;
        const slice = Math.max(1, Math.min(this.slice, budget - spent, this.maxInstructions - this.ran));
        this.current = p;
        this.lastRan = p.pid;
        let r: ReturnType<Container["step"]>;
        try {
          r = this.step(p, slice);
        } catch (e) {
          if (!(e instanceof OutOfMemory)) throw e;
          // A page it touched cannot be backed within the container's memory limit: killed, as
          // Linux's OOM killer would.
          this.oomKills++;
          r = { ran: 0, end: killed(SIG.KILL) };
        }
        this.ran += r.ran;
        p.ran += r.ran;
        spent += r.ran;
        if (r.end) this.finishProcess(p, r.end);
        else if (r.threadExit !== undefined) this.finishThread(p, r.threadExit);
        if (p.state !== "blocked") progressed = true;
        if (init.state === "zombie") break;
        if (this.ran >= this.maxInstructions || spent >= budget) break;
      }
      if (init.state === "zombie") return this.ended(init.end!);
      if (this.ran >= this.maxInstructions) return this.ended(killed(SIG.KILL), true);
      if (!progressed && [...this.procs.values()].every((p) => p.state !== "run" && (p.state === "zombie" || p.blockedAt === this.changes || p.vforkChild))) {
        const sleepers = [...this.procs.values()].filter((p) => p.state === "blocked" && p.wakeAt !== undefined).map((p) => p.wakeAt!);
        if (sleepers.length || this.ports.external > 0 || this.stdin.writers > 0) return { kind: "idle", wakeAt: sleepers.length ? Math.min(...sleepers) : Infinity };
        // Every process waits for another: nothing can change any more (no input after its
        // end). As a kernel would leave them hanging, the container ends killed.
        this.finishProcess(init, killed(SIG.KILL));
        return this.ended(init.end!);
      }
      idleRounds = spent === spentBefore ? idleRounds + 1 : 0;
    }
    return { kind: "ran" };
  }

  /** One slice of `p`: runs, answers its traps, until the budget is spent, it blocks or it ends. */
  private step(p: Proc, slice: number): { ran: number; end?: End; threadExit?: number } {
    const h = p.hart;
    switchTo(h, p);
    const start = h.steps;
    // A signal sent since it last ran. A blocked call is made again first: sigsuspend then
    // returns (-EINTR, the handler runs), another call blocks again and the handler runs before
    // it is made again (SA_RESTART's way).
    if (p.state !== "blocked") {
      const ended = p.sig.deliver(h, p.memory);
      if (ended) return { ran: 0, end: killed(ended) };
    }
    p.state = "run";
    while (h.steps - start < slice) {
      const exit = h.run(slice - (h.steps - start));
      if (exit === Exit.Budget) continue;
      if (exit !== Exit.Trap) return { ran: h.steps - start, end: killed(SIG.SEGV) }; // nothing else can happen in U-mode
      const cause = h.exitCause;
      if (cause === 8) { // ECALL from U: a system call
        const ranBefore = h.steps - start; // (an execve resets the hart's count)
        const outcome = systemCall(p);
        if ((p.state as Proc["state"]) === "zombie" || !this.procs.has(p.pid)) return { ran: ranBefore }; // it ended itself, or its process (kill)
        if (p.exit !== undefined) {
          const status = p.exit & 0xff;
          if (!p.exitGroup) { const e = p.exit; p.exit = undefined; return { ran: h.steps - start, threadExit: e }; }
          return { ran: h.steps - start, end: { status, waitStatus: status << 8 } };
        }
        if (outcome === "blocked") {
          if (!p.sig.deliverable()) { p.state = "blocked"; p.blockedAt = this.changes; return { ran: h.steps - start }; }
          // A handler without SA_RESTART: the call ends with -EINTR, then the handler runs;
          // else the handler runs, then the call again.
          if (p.sig.interrupts()) { h.setX(10, BigInt(-E.INTR)); h.advancePc(4); p.wakeAt = undefined; p.futexWait = undefined; }
          const sig = p.sig.deliver(h, p.memory);
          if (sig) return { ran: h.steps - start, end: killed(sig) };
          continue;
        }
        if (outcome === "replaced") return { ran: ranBefore }; // the new program (or the interrupted context) goes on at the next slice
        h.advancePc(4);
        const sig = p.sig.deliver(h, p.memory); // one the call raised or let through (sigsuspend)
        if (sig) return { ran: h.steps - start, end: killed(sig) };
        if (p.vforkChild) return { ran: h.steps - start }; // the vfork parent waits
        continue;
      }
      const tval = h.exitValue;
      // A page fault on demand-paged memory: back the page, run the instruction again.
      const need = cause === 12 ? PROT_EXEC : cause === 13 ? PROT_READ : cause === 15 ? PROT_WRITE : 0;
      if (need && tval < BigInt(Number.MAX_SAFE_INTEGER) && p.memory.fault(Number(tval), need)) continue;
      return { ran: h.steps - start, end: { ...killed(SIGNAL_OF[cause] ?? SIG.SEGV), fault: { cause, pc: h.pc, tval } } };
    }
    return { ran: h.steps - start };
  }
}

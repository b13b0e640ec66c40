// The Linux system calls a container process makes, answered by the host (the RISC-V calling
// convention: number in a7, arguments in a0-a5, result or -errno in a0): memory (brk, mmap,
// munmap, mremap, mprotect), time, identity and randomness here; processes (clone, execve,
// wait4, exit, kill) through the container (./container.ts); files, pipes and the standard
// streams in ./files.ts. Calls not implemented answer -ENOSYS and are counted.
import type { Hart } from "../core/hart.js";
import { AddressSpace, BadAddress, OutOfMemory, PAGE, USER_TOP } from "./address-space.js";
import { E, i32, num, SIG, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, SYS, SYS_NAME, utsname } from "./linux-abi.js";
import { FILE_HANDLERS, type Files } from "./files.js";
import { SOCKET_HANDLERS } from "./socket-calls.js";
import { POLL_HANDLERS } from "./polling.js";
import { STACK_SIZE, STACK_TOP } from "./exec.js";
import { BLOCKED, REPLACED } from "./outcomes.js";
import { readSigset, type Signals } from "./signals.js";

/** What the system calls of one process work on. */
export interface Kernel {
  memory: AddressSpace;
  hart: Hart;
  brkStart: number;
  brk: number;
  /** Where the next mmap without an address goes (growing up, below the stack). */
  mmapNext: number;
  hostname: string;
  /** The open files, the file tree and the working directory (./files.ts). */
  files: Files;
  /** Calls answered, by number (see callCounts), and those not implemented. */
  counts: Uint32Array;
  unknown: Map<number, number>;
  /** Set by exit/exit_group: the status; exitGroup for exit_group (every thread ends). */
  exit: number | undefined;
  exitGroup?: boolean;
  /** The thread group's id: the process's pid (getpid); pid is the thread's own (gettid). */
  tgid: number;
  /** set_tid_address / CLONE_CHILD_CLEARTID: zeroed and woken (futex) when the thread ends. */
  clearTid?: number;
  /** Its signal dispositions, mask and pending signals (./signals.ts). */
  sig: Signals;
  pid: number;
  ppid: number;
  /** The container's process calls (none: a process on its own, which cannot fork or exec). */
  control?: ProcessControl;
}


/** What the container does for its processes' process calls (./container.ts). */
export interface ProcessControl {
  /** clone: a child process (threads are not answered: -ENOSYS). */
  clone(k: Kernel, flags: number, stack: bigint, ptid: number, tls: bigint, ctid: number): number;
  execve(k: Kernel, path: string, argv: string[], envp: string[]): number;
  wait4(k: Kernel, pid: number, status: number, options: number): number;
  /** kill(2) (pid: a process, or 0/-1 groups); with `thread`, tkill/tgkill: `pid` is a thread, the signal its own. */
  kill(k: Kernel, pid: number, sig: number, thread?: boolean): number;
  /** Blocks the caller for `ms` milliseconds of host time (0 when done). */
  sleep(k: Kernel, ms: number): number;
  /**
   * For a call that waits at most `ms` ms: whether that time has passed since its first try
   * (the process is woken then); `endWait` forgets the deadline of a wait that ended otherwise.
   */
  expired(k: Kernel, ms: number): boolean;
  endWait(k: Kernel): void;
  /** futex(addr, op, val, timeout): FUTEX_WAIT(_BITSET) and FUTEX_WAKE(_BITSET) among the threads of an address space. */
  futex(k: Kernel, addr: number, op: number, val: number, timeout: bigint): number;
}

/** A NULL-terminated array of string pointers in user memory (argv, envp). */
function strings(k: Kernel, at: number): string[] {
  const out: string[] = [];
  if (at === 0) return out;
  for (let i = 0; ; i++) {
    if (i >= 4096) throw new RangeError("argument list too long");
    const p = num(k.memory.readU64(at + 8 * i));
    if (p === 0) return out;
    out.push(k.memory.readString(p, 131072));
  }
}

export type Handler = (k: Kernel, a: bigint[]) => number;
/** Where a process's output goes; returns false once nobody reads it (a closed pipe). */
export type Output = (bytes: Uint8Array) => boolean | void;

/** Where mmap puts mappings without an address (the break grows up below it). */
export const MMAP_BASE = 0x20_0000_0000;

const up = (v: number) => Math.ceil(v / PAGE) * PAGE;

function timespec(ns: bigint): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, ns / 1_000_000_000n, true);
  v.setBigInt64(8, ns % 1_000_000_000n, true);
  return b;
}

/** The host's clock in ns: realtime (0) or monotonic (1 and the others). */
// The wall clocks: CLOCK_REALTIME, _COARSE, _ALARM and CLOCK_TAI (the rest count from an arbitrary start).
const WALL_CLOCKS = new Set([0, 5, 8, 11]);

export function clockNs(id: number): bigint {
  if (WALL_CLOCKS.has(id)) return BigInt(Date.now()) * 1_000_000n;
  return BigInt(Math.round(performance.now() * 1e6));
}

function mmap(k: Kernel, a: bigint[]): number {
  const addr = num(a[0]), len = num(a[1]), prot = num(a[2]), flags = num(a[3]);
  if (len <= 0 || (flags & (MAP_SHARED | MAP_PRIVATE)) === 0) return -E.INVAL;
  if ((flags & MAP_ANONYMOUS) === 0) return -E.BADF; // file mappings are not answered yet
  const size = up(len);
  let at: number;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    if (addr % PAGE !== 0 || addr + size > USER_TOP) return -E.INVAL;
    if ((flags & MAP_FIXED_NOREPLACE) && k.memory.anyMapped(addr, size)) return -E.EXIST;
    at = addr;
  } else {
    at = k.mmapNext;
    while (k.memory.anyMapped(at, size)) at += PAGE;
    if (at + size > STACK_TOP - STACK_SIZE) return -E.NOMEM;
    k.mmapNext = at + size;
  }
  k.memory.map(at, size, prot & 7, true); // demand-paged
  return at;
}

/** mremap: shrinks in place, grows in place if the pages after are free, else moves (MAYMOVE). */
function mremap(k: Kernel, a: bigint[]): number {
  const old = num(a[0]), oldSize = up(num(a[1])), newSize = up(num(a[2])), flags = num(a[3]);
  const MAYMOVE = 1;
  if (old % PAGE !== 0 || newSize <= 0 || (flags & ~MAYMOVE) !== 0) return -E.INVAL;
  if (!k.memory.allMapped(old, oldSize)) return -E.FAULT;
  if (newSize <= oldSize) {
    k.memory.unmap(old + newSize, oldSize - newSize);
    return old;
  }
  const prot = k.memory.protection(old);
  if (!k.memory.anyMapped(old + oldSize, newSize - oldSize) && old + newSize <= STACK_TOP - STACK_SIZE) {
    k.memory.map(old + oldSize, newSize - oldSize, prot, true);
    return old;
  }
  if (!(flags & MAYMOVE)) return -E.NOMEM;
  const at = mmap(k, [0n, BigInt(newSize), BigInt(prot), BigInt(MAP_PRIVATE | MAP_ANONYMOUS)]);
  if (at < 0) return at;
  k.memory.move(old, at, oldSize);
  return at;
}

function brk(k: Kernel, a: bigint[]): number {
  const want = num(a[0]);
  if (want === 0 || want < k.brkStart) return k.brk;
  const from = up(k.brk), to = up(want);
  if (to > from) {
    if (to > MMAP_BASE || k.memory.anyMapped(from, to - from)) return k.brk; // no room: unchanged
    k.memory.map(from, to - from, 3, true);
  } else if (to < from) k.memory.unmap(to, from - to);
  k.brk = want;
  return k.brk;
}

const HANDLERS = new Map<number, Handler>([
  [SYS.exit, (k, a) => { k.exit = i32(a[0]); return 0; }],
  [SYS.exit_group, (k, a) => { k.exit = i32(a[0]); k.exitGroup = true; return 0; }],
  [SYS.brk, brk],
  [SYS.mmap, mmap],
  [SYS.munmap, (k, a) => {
    const addr = num(a[0]), len = num(a[1]);
    if (addr % PAGE !== 0 || len <= 0) return -E.INVAL;
    k.memory.unmap(addr, up(len));
    return 0;
  }],
  [SYS.mremap, mremap],
  [SYS.mprotect, (k, a) => (k.memory.protect(num(a[0]), up(num(a[1])), num(a[2]) & 7) ? 0 : -E.NOMEM)],
  [SYS.madvise, () => 0],
  [SYS.set_tid_address, (k, a) => { k.clearTid = num(a[0]); return k.pid; }],
  [SYS.set_robust_list, () => 0],
  [SYS.rt_sigaction, (k, a) => k.sig.sigaction(k.memory, i32(a[0]), num(a[1]), num(a[2]))],
  [SYS.rt_sigprocmask, (k, a) => k.sig.sigprocmask(k.memory, i32(a[0]), num(a[1]), num(a[2]))],
  [SYS.rt_sigpending, (k, a) => k.sig.sigpending(k.memory, num(a[0]))],
  [SYS.sigaltstack, () => 0],
  // Waits until a signal the given mask lets through is there; its handler runs, then -EINTR.
  [SYS.rt_sigsuspend, (k, a) => (k.sig.suspend(readSigset(k.memory, a[0])) ? -E.INTR : BLOCKED)],
  [SYS.rt_sigreturn, (k) => { if (k.sig.sigreturn(k.hart)) return REPLACED; k.sig.raiseThread(SIG.SEGV); return -E.FAULT; }],
  [SYS.getpid, (k) => k.tgid], [SYS.gettid, (k) => k.pid], [SYS.getppid, (k) => k.ppid],
  [SYS.clone, (k, a) => (k.control ? k.control.clone(k, num(a[0]), a[1], num(a[2]), a[3], num(a[4])) : -E.NOSYS)],
  [SYS.execve, (k, a) => (k.control ? k.control.execve(k, k.memory.readString(num(a[0])), strings(k, num(a[1])), strings(k, num(a[2]))) : -E.NOSYS)],
  [SYS.wait4, (k, a) => (k.control ? k.control.wait4(k, i32(a[0]), num(a[1]), i32(a[2])) : -E.CHILD)],
  [SYS.kill, (k, a) => (k.control ? k.control.kill(k, i32(a[0]), i32(a[1])) : -E.PERM)],
  [SYS.tkill, (k, a) => (k.control && i32(a[0]) > 0 ? k.control.kill(k, i32(a[0]), i32(a[1]), true) : -E.INVAL)],
  [SYS.tgkill, (k, a) => (k.control && i32(a[1]) > 0 ? k.control.kill(k, i32(a[1]), i32(a[2]), true) : -E.INVAL)],
  [SYS.setpgid, () => 0],
  [SYS.getuid, () => 0], [SYS.geteuid, () => 0], [SYS.getgid, () => 0], [SYS.getegid, () => 0],
  [SYS.getpgid, (k) => k.pid], [SYS.setsid, (k) => k.pid], [SYS.umask, () => 0o022],
  [SYS.uname, (k, a) => { k.memory.write(num(a[0]), utsname(["Linux", k.hostname, "6.1.0-wasmvisor", "#1 SMP wasmvisor container", "riscv64", "(none)"])); return 0; }],
  [SYS.clock_gettime, (k, a) => { k.memory.write(num(a[1]), timespec(clockNs(i32(a[0])))); return 0; }],
  [SYS.clock_getres, (k, a) => { if (a[1] !== 0n) k.memory.write(num(a[1]), timespec(1n)); return 0; }],
  [SYS.gettimeofday, (k, a) => {
    if (a[0] !== 0n) { const t = timespec(clockNs(0)); const v = new DataView(t.buffer); v.setBigInt64(8, v.getBigInt64(8, true) / 1000n, true); k.memory.write(num(a[0]), t); }
    return 0;
  }],
  [SYS.getrandom, (k, a) => {
    const len = Math.min(num(a[1]), 1 << 20);
    k.memory.write(num(a[0]), crypto.getRandomValues(new Uint8Array(len)));
    return len;
  }],
  [SYS.prlimit64, (k, a) => { if (a[3] !== 0n) k.memory.write(num(a[3]), rlimit(i32(a[1]))); return 0; }],
  [SYS.getrlimit, (k, a) => { k.memory.write(num(a[1]), rlimit(i32(a[0]))); return 0; }],
  [SYS.sched_yield, () => 0],
  [SYS.sched_getaffinity, (k, a) => { const n = Math.min(num(a[1]), 8); const m = new Uint8Array(n); if (n) m[0] = 1; k.memory.write(num(a[2]), m); return n; }],
  [SYS.futex, (k, a) => (k.control ? k.control.futex(k, num(a[0]), i32(a[1]), i32(a[2]), a[3]) : -E.NOSYS)],
  [SYS.nanosleep, (k, a) => sleep(k, 1, 0, num(a[0]))],
  [SYS.clock_nanosleep, (k, a) => sleep(k, i32(a[0]), i32(a[1]), num(a[2]))],
]);

/** nanosleep / clock_nanosleep: the process waits until the time (TIMER_ABSTIME: a time of that clock). */
function sleep(k: Kernel, clock: number, flags: number, req: number): number {
  if (!k.control) return 0;
  const v = new DataView(k.memory.read(req, 16).buffer);
  const sec = v.getBigInt64(0, true), nsec = v.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return -E.INVAL;
  let ns = sec * 1_000_000_000n + nsec;
  if (flags & 1) ns -= clockNs(clock); // TIMER_ABSTIME
  return k.control.sleep(k, ns > 0n ? Number(ns) / 1e6 : 0);
}

function rlimit(resource: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  const lim = resource === 3 ? BigInt(STACK_SIZE) : -1n; // RLIMIT_STACK; the others unlimited
  v.setBigInt64(0, lim, true);
  v.setBigInt64(8, lim, true);
  return b;
}

const HANDLER_TABLE: (Handler | undefined)[] = [];
for (const [nr, f] of [...HANDLERS, ...FILE_HANDLERS, ...SOCKET_HANDLERS, ...POLL_HANDLERS]) HANDLER_TABLE[nr] = f;
const NO_ARGS: bigint[] = [];

/** The calls answered so far, by name. */
export function callCounts(k: Kernel): Map<string, number> {
  const m = new Map<string, number>();
  k.counts.forEach((n, nr) => { if (n) m.set(SYS_NAME.get(nr)!, n); });
  return m;
}

/**
 * Answers the system call the hart stopped at (a0-a7 in, a0 out): "done" (a0 holds the
 * result), "blocked" (nothing written: the call is made again later) or "replaced" (execve).
 */
export function systemCall(k: Kernel): "done" | "blocked" | "replaced" {
  const h = k.hart;
  const nr = h.xNumber(17);
  const handler = nr < HANDLER_TABLE.length ? HANDLER_TABLE[nr] : undefined;
  let result: number;
  if (!handler) {
    k.unknown.set(nr, (k.unknown.get(nr) ?? 0) + 1);
    result = -E.NOSYS;
  } else {
    k.counts[nr]++;
    // the arguments only for the handlers that take them (a getpid should cost little)
    const args = handler.length > 1 ? [h.x(10), h.x(11), h.x(12), h.x(13), h.x(14), h.x(15)] : NO_ARGS;
    try {
      result = handler(k, args);
    } catch (e) {
      if (e instanceof BadAddress || e instanceof RangeError) result = -E.FAULT;
      else if (e instanceof OutOfMemory) result = -E.NOMEM;
      else throw e;
    }
  }
  if (result === BLOCKED) return "blocked";
  if (result === REPLACED) return "replaced";
  h.setXNumber(10, result);
  return "done";
}

// The Linux system calls a container process makes, answered by the host (the RISC-V calling
// convention: number in a7, arguments in a0-a5, result or -errno in a0). This first set runs
// single-threaded static programs that compute and write: memory (brk, mmap, munmap,
// mprotect), standard input and output, time, identity, randomness and process exit. Calls not
// implemented answer -ENOSYS and are counted.
import type { Hart } from "../core/hart.js";
import { AddressSpace, BadAddress, OutOfMemory, PAGE, USER_TOP } from "./address-space.js";
import {
  AT_EMPTY_PATH, E, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, S_IFCHR,
  SYS, SYS_NAME, TCGETS, TIOCGWINSZ, stat, utsname,
} from "./linux-abi.js";
import { STACK_SIZE, STACK_TOP } from "./exec.js";

/** What the system calls of one process work on. */
export interface Kernel {
  memory: AddressSpace;
  hart: Hart;
  brkStart: number;
  brk: number;
  /** Where the next mmap without an address goes (growing up, below the stack). */
  mmapNext: number;
  hostname: string;
  stdin: Uint8Array;
  stdinPos: number;
  /** fd 1 and 2; false: nobody reads them any more. */
  out: [undefined, Output, Output];
  /** Calls answered, by number (see callCounts), and those not implemented. */
  counts: Uint32Array;
  unknown: Map<number, number>;
  /** Set by exit/exit_group: the status. */
  exit: number | undefined;
  /** Set when a call raises a signal that ends the process. */
  signal?: number;
  pid: number;
}

type Handler = (k: Kernel, a: bigint[]) => bigint | number;
/** Where a process's output goes; returns false once nobody reads it (a closed pipe). */
export type Output = (bytes: Uint8Array) => boolean | void;
const SIGPIPE = 13;

/** Where mmap puts mappings without an address (the break grows up below it). */
export const MMAP_BASE = 0x20_0000_0000;

const num = (v: bigint) => Number(BigInt.asIntN(64, v));
const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));
const up = (v: number) => Math.ceil(v / PAGE) * PAGE;

function writeOut(k: Kernel, fd: number, bytes: Uint8Array): number {
  if (fd !== 1 && fd !== 2) return -E.BADF;
  if (k.out[fd](bytes) === false) { // the reader is gone: SIGPIPE (no handlers yet: it ends the process)
    k.signal = SIGPIPE;
    return -E.PIPE;
  }
  return bytes.length;
}

/** iovecs {base u64, len u64} at `iov`. */
function iovecs(k: Kernel, iov: number, count: number): [number, number][] {
  if (count < 0 || count > 1024) throw new RangeError("iovcnt");
  const raw = k.memory.read(iov, count * 16);
  const v = new DataView(raw.buffer);
  return Array.from({ length: count }, (_, i) => [num(v.getBigUint64(i * 16, true)), num(v.getBigUint64(i * 16 + 8, true))]);
}

function readIn(k: Kernel, buf: number, len: number): number {
  const n = Math.min(len, k.stdin.length - k.stdinPos);
  if (n > 0) k.memory.write(buf, k.stdin.subarray(k.stdinPos, k.stdinPos + n));
  k.stdinPos += Math.max(n, 0);
  return Math.max(n, 0);
}

function timespec(ns: bigint): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, ns / 1_000_000_000n, true);
  v.setBigInt64(8, ns % 1_000_000_000n, true);
  return b;
}

/** The host's clock in ns: realtime (0) or monotonic (1 and the others). */
function clockNs(id: number): bigint {
  if (id === 0) return BigInt(Date.now()) * 1_000_000n;
  return BigInt(Math.round(performance.now() * 1e6));
}

function mmap(k: Kernel, a: bigint[]): number {
  const addr = num(a[0]), len = num(a[1]), prot = num(a[2]), flags = num(a[3]);
  if (len <= 0 || (flags & (MAP_SHARED | MAP_PRIVATE)) === 0) return -E.INVAL;
  if ((flags & MAP_ANONYMOUS) === 0) return -E.BADF; // no files open yet: the filesystem comes next
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
  [SYS.write, (k, a) => writeOut(k, i32(a[0]), k.memory.read(num(a[1]), num(a[2])))],
  [SYS.writev, (k, a) => {
    let n = 0;
    for (const [base, len] of iovecs(k, num(a[1]), i32(a[2]))) {
      const r = writeOut(k, i32(a[0]), k.memory.read(base, len));
      if (r < 0) return r;
      n += r;
    }
    return n;
  }],
  [SYS.read, (k, a) => (i32(a[0]) === 0 ? readIn(k, num(a[1]), num(a[2])) : -E.BADF)],
  [SYS.readv, (k, a) => {
    if (i32(a[0]) !== 0) return -E.BADF;
    let n = 0;
    for (const [base, len] of iovecs(k, num(a[1]), i32(a[2]))) n += readIn(k, base, len);
    return n;
  }],
  [SYS.close, (_k, a) => (i32(a[0]) >= 0 && i32(a[0]) <= 2 ? 0 : -E.BADF)],
  [SYS.exit, (k, a) => { k.exit = i32(a[0]); return 0; }],
  [SYS.exit_group, (k, a) => { k.exit = i32(a[0]); return 0; }],
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
  [SYS.set_tid_address, (k) => k.pid],
  [SYS.set_robust_list, () => 0],
  [SYS.rt_sigaction, (k, a) => { if (a[2] !== 0n) k.memory.write(num(a[2]), new Uint8Array(24)); return 0; }],
  [SYS.rt_sigprocmask, (k, a) => { if (a[2] !== 0n) k.memory.write(num(a[2]), new Uint8Array(8)); return 0; }],
  [SYS.sigaltstack, () => 0],
  [SYS.getpid, (k) => k.pid], [SYS.gettid, (k) => k.pid], [SYS.getppid, () => 0],
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
  [SYS.ioctl, (k, a) => {
    const fd = i32(a[0]), req = Number(a[1] & 0xffffffffn);
    if (fd < 0 || fd > 2) return -E.BADF;
    return req === TCGETS || req === TIOCGWINSZ ? -E.NOTTY : -E.NOTTY; // not a terminal
  }],
  [SYS.fstat, (k, a) => fstatFd(k, i32(a[0]), num(a[1]))],
  [SYS.newfstatat, (k, a) => ((num(a[3]) & AT_EMPTY_PATH) && k.memory.readString(num(a[1])) === "" ? fstatFd(k, i32(a[0]), num(a[2])) : -E.NOENT)],
  [SYS.readlinkat, () => -E.NOENT],
  [SYS.faccessat, () => -E.NOENT],
  [SYS.openat, () => -E.NOENT],
  [SYS.getcwd, (k, a) => { if (num(a[1]) < 2) return -E.RANGE; k.memory.write(num(a[0]), new TextEncoder().encode("/\0")); return 2; }],
  [SYS.ppoll, ppoll],
  [SYS.sched_yield, () => 0],
  [SYS.sched_getaffinity, (k, a) => { const n = Math.min(num(a[1]), 8); const m = new Uint8Array(n); if (n) m[0] = 1; k.memory.write(num(a[2]), m); return n; }],
  [SYS.futex, () => 0], // one thread: no one to wait for or wake
  [SYS.nanosleep, () => 0],
]);

/** ppoll: standard input is always readable (all of it is there, or its end), output writable. */
function ppoll(k: Kernel, a: bigint[]): number {
  const fds = num(a[0]), n = num(a[1]);
  if (n < 0 || n > 1024) return -E.INVAL;
  const buf = k.memory.read(fds, n * 8);
  const v = new DataView(buf.buffer);
  let ready = 0;
  const POLLIN = 1, POLLOUT = 4, POLLNVAL = 0x20;
  for (let i = 0; i < n; i++) {
    const fd = v.getInt32(i * 8, true), events = v.getInt16(i * 8 + 4, true);
    const revents = fd < 0 ? 0 : fd === 0 ? events & POLLIN : fd <= 2 ? events & POLLOUT : POLLNVAL;
    v.setInt16(i * 8 + 6, revents, true);
    if (revents) ready++;
  }
  k.memory.write(fds, buf);
  return ready;
}

function rlimit(resource: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  const lim = resource === 3 ? BigInt(STACK_SIZE) : -1n; // RLIMIT_STACK; the others unlimited
  v.setBigInt64(0, lim, true);
  v.setBigInt64(8, lim, true);
  return b;
}

function fstatFd(k: Kernel, fd: number, buf: number): number {
  if (fd < 0 || fd > 2) return -E.BADF;
  k.memory.write(buf, stat({ mode: S_IFCHR | 0o620, rdev: 0x8800n + BigInt(fd), blksize: 1024 }));
  return 0;
}

const HANDLER_TABLE: (Handler | undefined)[] = [];
for (const [nr, f] of HANDLERS) HANDLER_TABLE[nr] = f;
const NO_ARGS: bigint[] = [];

/** The calls answered so far, by name. */
export function callCounts(k: Kernel): Map<string, number> {
  const m = new Map<string, number>();
  k.counts.forEach((n, nr) => { if (n) m.set(SYS_NAME.get(nr)!, n); });
  return m;
}

/** Answers the system call the hart stopped at (a0-a7 in, a0 out). */
export function systemCall(k: Kernel): void {
  const h = k.hart;
  const nr = Number(h.x(17));
  const handler = nr < HANDLER_TABLE.length ? HANDLER_TABLE[nr] : undefined;
  let result: number | bigint;
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
  h.setX(10, BigInt(result));
}

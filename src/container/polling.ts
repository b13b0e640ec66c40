// Waiting for files of a container process: ppoll, and epoll (epoll_create1, epoll_ctl,
// epoll_pwait: the RISC-V generic ABI has no epoll_wait). Readiness is level-triggered for
// both: an fd is reported while it is ready (EPOLLET is taken as level-triggered, which a
// correct edge-triggered program also works with: it reads until EAGAIN); EPOLLONESHOT disables
// the fd after one report until EPOLL_CTL_MOD. A wait with nothing ready blocks the process until
// something in the container changes, or its timeout passes.
import { fd, install, lowestFree, PIPE_CAPACITY, type Open, type Watch } from "./files.js";
import { E, i32, num, SYS } from "./linux-abi.js";
import { BLOCKED } from "./outcomes.js";
import type { Handler, Kernel } from "./syscalls.js";

const POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20;
const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3, EPOLL_CLOEXEC = 0o2000000;
const EPOLLONESHOT = 1 << 30;
/** struct epoll_event on RISC-V: u32 events, then u64 data, naturally aligned (16 bytes; x86-64's is packed). */
const EVENT_BYTES = 16;

/** The events of `events` (POLLIN, POLLOUT) open file `o` is ready for, with POLLERR and POLLHUP as they apply. */
export function readiness(o: Open, events: number): number {
  if (o.kind === "socket") {
    const s = o.sock, st = s.stream;
    if (s.state === "listening") return s.backlog.length ? events & POLLIN : 0;
    if (st) return (st.rx.size > 0 || st.rx.writers === 0 ? events & POLLIN : 0) | (events & POLLOUT) | (st.rx.writers === 0 ? POLLHUP : 0);
    if (s.error) return POLLERR | POLLHUP | (events & POLLOUT); // a connection out that failed
    return 0;
  }
  if (o.kind === "pipe" && o.write) return o.pipe.readers === 0 ? POLLERR : o.pipe.size < PIPE_CAPACITY ? events & POLLOUT : 0;
  if (o.kind === "pipe" || o.kind === "in") return (o.pipe.size > 0 ? events & POLLIN : 0) | (o.pipe.writers === 0 ? POLLHUP : 0);
  if (o.kind === "epoll") return [...o.watch.values()].some((w) => !w.disabled && readiness(w.open, w.events) !== 0) ? events & POLLIN : 0;
  // output to the host never blocks; files are always ready
  return o.kind === "out" || (o.kind === "file" && o.write && !o.read) ? events & POLLOUT : events & (POLLIN | POLLOUT);
}

/**
 * Nothing is ready: BLOCKED until something changes, or at most `ms` (negative: no limit; 0:
 * at once): then the wait returns `none`.
 */
function nothingReady(k: Kernel, ms: number, none: number): number {
  if (ms < 0) return BLOCKED;
  if (ms > 0 && k.control && !k.control.expired(k, ms)) return BLOCKED;
  return none;
}

function epollOf(k: Kernel, a: bigint): Extract<Open, { kind: "epoll" }> | number {
  const o = fd(k, a);
  if (!o) return -E.BADF;
  return o.kind === "epoll" ? o : -E.INVAL;
}

export const POLL_HANDLERS: [number, Handler][] = [
  [SYS.ppoll, (k, a) => {
    const fds = num(a[0]), n = num(a[1]);
    if (n < 0 || n > 1024) return -E.INVAL;
    const buf = k.memory.read(fds, n * 8);
    const v = new DataView(buf.buffer);
    let ready = 0;
    for (let i = 0; i < n; i++) {
      const f = v.getInt32(i * 8, true), events = v.getInt16(i * 8 + 4, true);
      const o = k.files.fds.get(f);
      const revents = f < 0 ? 0 : !o ? POLLNVAL : readiness(o, events);
      v.setInt16(i * 8 + 6, revents, true);
      if (revents) ready++;
    }
    if (ready === 0) {
      // the timeout: a relative timespec, or none (NULL)
      let ms = -1;
      if (a[2] !== 0n) {
        const t = new DataView(k.memory.read(num(a[2]), 16).buffer);
        ms = Number(t.getBigInt64(0, true)) * 1000 + Number(t.getBigInt64(8, true)) / 1e6;
      }
      const r = nothingReady(k, ms, 0);
      if (r === BLOCKED) return r;
    } else k.control?.endWait(k);
    k.memory.write(fds, buf);
    return ready;
  }],
  [SYS.epoll_create1, (k, a) => {
    const flags = i32(a[0]);
    if (flags & ~EPOLL_CLOEXEC) return -E.INVAL;
    return install(k.files, lowestFree(k.files), { kind: "epoll", watch: new Map(), refs: 0 }, (flags & EPOLL_CLOEXEC) !== 0);
  }],
  [SYS.epoll_ctl, (k, a) => {
    const ep = epollOf(k, a[0]);
    if (typeof ep === "number") return ep;
    const f = i32(a[2]), op = i32(a[1]);
    const o = k.files.fds.get(f);
    if (!o) return -E.BADF;
    if (o === ep) return -E.INVAL;
    const have = ep.watch.get(f);
    if (op === EPOLL_CTL_DEL) { if (!have) return -E.NOENT; ep.watch.delete(f); return 0; }
    if (op !== EPOLL_CTL_ADD && op !== EPOLL_CTL_MOD) return -E.INVAL;
    const v = new DataView(k.memory.read(num(a[3]), EVENT_BYTES).buffer);
    const w: Watch = { open: o, events: v.getUint32(0, true), data: v.getBigUint64(8, true), disabled: false };
    if (op === EPOLL_CTL_ADD && have && have.open === o) return -E.EXIST;
    if (op === EPOLL_CTL_MOD && (!have || have.open !== o)) return -E.NOENT;
    ep.watch.set(f, w);
    k.files.changed();
    return 0;
  }],
  [SYS.epoll_pwait, (k, a) => { // (epfd, events, maxevents, timeout ms, sigmask, sigsetsize)
    const ep = epollOf(k, a[0]);
    if (typeof ep === "number") return ep;
    const max = i32(a[2]);
    if (max <= 0 || max > 65536) return -E.INVAL;
    const out = new Uint8Array(Math.min(max, ep.watch.size) * EVENT_BYTES), v = new DataView(out.buffer);
    let n = 0;
    for (const [f, w] of ep.watch) {
      if (n >= max) break;
      // An fd closed (or now another file) since it was added is no longer watched, as Linux
      // drops a closed file from every epoll set.
      if (k.files.fds.get(f) !== w.open) { ep.watch.delete(f); continue; }
      if (w.disabled) continue;
      const r = readiness(w.open, w.events | POLLERR | POLLHUP);
      if (!r) continue;
      v.setUint32(n * EVENT_BYTES, r, true);
      v.setBigUint64(n * EVENT_BYTES + 8, w.data, true);
      if (w.events & EPOLLONESHOT) w.disabled = true;
      n++;
    }
    if (n === 0) return nothingReady(k, i32(a[3]), 0);
    k.control?.endWait(k);
    k.memory.write(num(a[1]), out.subarray(0, n * EVENT_BYTES));
    return n;
  }],
];

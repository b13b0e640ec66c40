// The socket system calls of a container process (./sockets.ts holds the sockets and the
// container's ports): socket, bind, listen, accept, accept4, connect, getsockname,
// getpeername, sendto, recvfrom, setsockopt, getsockopt, shutdown.
import { fd, install, lowestFree, readPipe, type Open } from "./files.js";
import { E, i32, num, SYS } from "./linux-abi.js";
import { BLOCKED } from "./outcomes.js";
import { AF_INET, parseSockaddr, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, Socket, sockaddr } from "./sockets.js";
import type { Handler, Kernel } from "./syscalls.js";

function sockOf(k: Kernel, a: bigint): Socket | number {
  const o = fd(k, a);
  if (!o) return -E.BADF;
  return o.kind === "socket" ? o.sock : -E.NOTSOCK;
}

/** Writes a sockaddr_in to (addr, addrlen*) if addr is not NULL. */
function putAddr(k: Kernel, at: bigint, lenAt: bigint, addr: number, port: number): void {
  if (at === 0n) return;
  const len = new DataView(k.memory.read(num(lenAt), 4).buffer).getInt32(0, true);
  if (len < 0) throw new RangeError("addrlen");
  k.memory.write(num(at), sockaddr(addr, port).subarray(0, Math.min(16, len)));
  const n = new Uint8Array(4);
  new DataView(n.buffer).setInt32(0, 16, true);
  k.memory.write(num(lenAt), n);
}

/** bind's and connect's (fd, sockaddr, addrlen): the socket and the IPv4 address, or -errno. */
function withAddress(k: Kernel, a: bigint[]): { s: Socket; addr: number; port: number } | number {
  const s = sockOf(k, a[0]);
  if (typeof s === "number") return s;
  if (num(a[2]) < 16) return -E.INVAL;
  const at = parseSockaddr(k.memory.read(num(a[1]), 16));
  if (at.family !== AF_INET) return -E.AFNOSUPPORT;
  return { s, addr: at.addr, port: at.port };
}

function accept(k: Kernel, a: bigint[], flags: number): number {
  const l = sockOf(k, a[0]);
  if (typeof l === "number") return l;
  if (l.state !== "listening") return -E.INVAL;
  const s = l.backlog.shift();
  if (!s) return l.nonblock ? -E.AGAIN : BLOCKED;
  s.nonblock = (flags & SOCK_NONBLOCK) !== 0;
  const fd = install(k.files, lowestFree(k.files), { kind: "socket", sock: s, refs: 0 }, (flags & SOCK_CLOEXEC) !== 0);
  putAddr(k, a[1], a[2], s.peer.addr, s.peer.port);
  return fd;
}

export const SOCKET_HANDLERS: [number, Handler][] = [
  [SYS.socket, (k, a) => {
    const domain = i32(a[0]), type = i32(a[1]);
    if (domain !== AF_INET) return -E.AFNOSUPPORT;
    if ((type & 0xf) !== SOCK_STREAM) return -E.PROTONOSUPPORT; // TCP only for now
    const s = new Socket(k.files.ports);
    s.nonblock = (type & SOCK_NONBLOCK) !== 0;
    const o: Open = { kind: "socket", sock: s, refs: 0 };
    return install(k.files, lowestFree(k.files), o, (type & SOCK_CLOEXEC) !== 0);
  }],
  [SYS.bind, (k, a) => {
    const w = withAddress(k, a);
    if (typeof w === "number") return w;
    const { s } = w;
    if (s.state !== "new") return -E.INVAL;
    const port = w.port || s.space.ephemeral();
    if (s.space.inUse(port)) return -E.ADDRINUSE;
    s.port = port;
    s.state = "bound";
    return 0;
  }],
  [SYS.listen, (k, a) => {
    const s = sockOf(k, a[0]);
    if (typeof s === "number") return s;
    if (s.state === "listening") return 0;
    if (s.state === "new") s.port = s.space.ephemeral();
    else if (s.state !== "bound") return -E.INVAL;
    if (s.space.inUse(s.port)) return -E.ADDRINUSE;
    s.space.listen(s);
    return 0;
  }],
  [SYS.accept, (k, a) => accept(k, a, 0)],
  [SYS.accept4, (k, a) => accept(k, a, i32(a[3]))],
  [SYS.connect, (k, a) => {
    const w = withAddress(k, a);
    if (typeof w === "number") return w;
    const { s } = w;
    // A blocking connect out is made again until the host has its result.
    if (s.connectResult !== undefined) { const r = s.connectResult; s.connectResult = undefined; if (r < 0) s.error = 0; return r; }
    if (s.state === "connecting") return s.nonblock ? -E.ALREADY : BLOCKED;
    if (s.state === "connected") return -E.ISCONN;
    if (s.state === "listening") return -E.INVAL;
    return s.space.connect(s, w.addr, w.port);
  }],
  [SYS.getsockname, (k, a) => {
    const s = sockOf(k, a[0]);
    if (typeof s === "number") return s;
    putAddr(k, a[1], a[2], s.state === "connected" ? s.space.address : 0, s.port);
    return 0;
  }],
  [SYS.getpeername, (k, a) => {
    const s = sockOf(k, a[0]);
    if (typeof s === "number") return s;
    if (s.state !== "connected") return -E.NOTCONN;
    putAddr(k, a[1], a[2], s.peer.addr, s.peer.port);
    return 0;
  }],
  [SYS.sendto, (k, a) => { // (fd, buf, len, flags, addr, addrlen): on a stream, the address is ignored
    const s = sockOf(k, a[0]);
    if (typeof s === "number") return s;
    if (!s.stream) return -E.NOTCONN;
    const n = s.stream.send(k.memory.read(num(a[1]), Math.min(num(a[2]), 1 << 20))); // -EPIPE without a signal (MSG_NOSIGNAL's way)
    return n === BLOCKED && (s.nonblock || i32(a[3]) & 0x40 /* MSG_DONTWAIT */) ? -E.AGAIN : n;
  }],
  [SYS.recvfrom, (k, a) => {
    const s = sockOf(k, a[0]);
    if (typeof s === "number") return s;
    if (!s.stream) return -E.NOTCONN;
    const n = readPipe(k, s.stream.rx, num(a[1]), Math.min(Math.max(0, num(a[2])), 1 << 20));
    if (n === BLOCKED && (s.nonblock || i32(a[3]) & 0x40 /* MSG_DONTWAIT */)) return -E.AGAIN;
    if (n >= 0 && a[4] !== 0n) putAddr(k, a[4], a[5], s.peer.addr, s.peer.port);
    return n;
  }],
  [SYS.setsockopt, (k, a) => { const s = sockOf(k, a[0]); return typeof s === "number" ? s : 0; }], // options accepted, none changes anything
  [SYS.getsockopt, (k, a) => {
    const s = sockOf(k, a[0]);
    if (typeof s === "number") return s;
    if (a[3] === 0n) return -E.FAULT;
    const v = new Uint8Array(4); // every option reads 0 but SO_ERROR after a failed connection out (read once)
    if (i32(a[1]) === 1 /* SOL_SOCKET */ && i32(a[2]) === 4 /* SO_ERROR */) { new DataView(v.buffer).setInt32(0, s.error, true); s.error = 0; }
    const len = new DataView(k.memory.read(num(a[4]), 4).buffer).getInt32(0, true);
    k.memory.write(num(a[3]), v.subarray(0, Math.max(0, Math.min(4, len))));
    return 0;
  }],
  [SYS.shutdown, (k, a) => {
    const s = sockOf(k, a[0]);
    if (typeof s === "number") return s;
    if (!s.stream) return -E.NOTCONN;
    if (i32(a[1]) !== 0) s.stream.close(); // SHUT_WR or SHUT_RDWR: the peer reads its end
    return 0;
  }],
];

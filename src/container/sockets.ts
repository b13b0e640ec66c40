// TCP sockets of a container (AF_INET, SOCK_STREAM): the container has a port space of its own.
// A connection to a port of its own (127.0.0.1, 0.0.0.0 or its address) is a pair of in-memory
// streams between its two sockets; a port the container publishes takes connections from the
// host through a HostNetwork (src/node/container-net.ts: the host's TCP stack), and with one a
// connection to another address goes out through the host's TCP stack (10.0.2.2 is the host's
// loopback, as in user-mode networking); without one other addresses are unreachable. The system
// calls: socket, bind, listen, accept(4), connect, getsockname, getpeername, sendto, recvfrom,
// setsockopt, getsockopt, shutdown; read, write and poll on them come through ./files.ts.
// Browser-safe.
import { writePipe, type Pipe } from "./files.js";
import { E } from "./linux-abi.js";
import { BLOCKED } from "./outcomes.js";

export const AF_INET = 2, SOCK_STREAM = 1, SOCK_NONBLOCK = 0o4000, SOCK_CLOEXEC = 0o2000000;

/** One connection to a published port, from the host. */
export interface HostConnection {
  remote: { addr: number; port: number };
  onData(cb: (b: Uint8Array) => void): void;
  onEnd(cb: () => void): void;
  write(b: Uint8Array): void;
  end(): void;
}

/** The host side of a container's network: its published ports, and its connections out. */
export interface HostNetwork {
  /**
   * The container listens on `port`: if the port is published, connections to it from the host
   * come to `accept` until the returned handle is closed; undefined if it is not published.
   */
  listen(port: number, accept: (c: HostConnection) => void): { close(): void } | undefined;
  /** A connection out to IPv4 `addr`:`port`; `done` gets it, or undefined and the errno why not. */
  connect?(addr: number, port: number, done: (c: HostConnection | undefined, errno: number) => void): void;
}


/**
 * A connection's two ways: what a socket reads (rx), and how it sends: the bytes taken, BLOCKED
 * (the peer's buffer is full) or -EPIPE (the peer is gone).
 */
export interface Stream { rx: Pipe; send(b: Uint8Array): number; close(): void }

export class Socket {
  state: "new" | "bound" | "listening" | "connecting" | "connected" | "closed" = "new";
  /** A blocking connect's result once the host has it (0 or -errno), for the call made again. */
  connectResult: number | undefined;
  /** SO_ERROR: why a connection out failed (an errno), 0 if none. */
  error = 0;
  port = 0;
  peer = { addr: 0, port: 0 };
  /** Connections waiting for accept (listening). */
  readonly backlog: Socket[] = [];
  stream: Stream | undefined;
  nonblock = false;
  host: { close(): void } | undefined;
  refs = 0;

  constructor(readonly space: PortSpace) {}
}

const LOOPBACK = 0x7f000001;

/** A container's ports: which of its sockets listens where. */
export class PortSpace {
  private readonly listening = new Map<number, Socket>();
  private nextEphemeral = 32768;
  /** Host connections and listeners open: the container waits for them when nothing else can run. */
  external = 0;

  constructor(readonly changed: () => void, readonly host?: HostNetwork, readonly address = 0x0a000002) {}

  /** A free port for a socket that did not bind one (32768-60999, as Linux's default range). */
  ephemeral(): number {
    for (let i = 0; i < 28232; i++) {
      const p = this.nextEphemeral;
      this.nextEphemeral = p >= 60999 ? 32768 : p + 1;
      if (!this.listening.has(p)) return p;
    }
    return 0;
  }

  inUse(port: number): boolean { return this.listening.has(port); }

  listen(s: Socket): void {
    this.listening.set(s.port, s);
    s.state = "listening";
    s.host = this.host?.listen(s.port, (c) => this.fromHost(s, c));
    if (s.host) this.external++;
  }

  /** A connection from the host to listening socket `l`. */
  private fromHost(l: Socket, c: HostConnection): void {
    if (l.state !== "listening") { c.end(); return; }
    const s = new Socket(this);
    s.port = l.port;
    this.attach(s, c);
    l.backlog.push(s);
    this.changed();
  }

  /** `s` is connected through host connection `c`: what comes in fills its rx, what it sends goes out. */
  private attach(s: Socket, c: HostConnection): void {
    s.state = "connected";
    s.peer = c.remote;
    const rx: Pipe = { chunks: [], size: 0, readers: 1, writers: 1 };
    c.onData((b) => { rx.chunks.push(b); rx.size += b.length; this.changed(); });
    c.onEnd(() => { rx.writers = 0; this.changed(); });
    let open = true;
    this.external++;
    s.stream = {
      rx,
      send: (b) => { if (!open) return -E.PIPE; c.write(b.slice()); return b.length; },
      close: () => { if (open) { open = false; c.end(); this.external--; this.changed(); } },
    };
  }

  /**
   * connect(): to a listening socket of this container (the other end waits in its backlog),
   * or out through the host: BLOCKED until it is made (-EINPROGRESS for a non-blocking socket).
   */
  connect(s: Socket, addr: number, port: number): number {
    const local = (addr >>> 24) === 127 || addr === 0 || addr === this.address;
    if (!local) return this.connectOut(s, addr, port);
    const l = this.listening.get(port);
    if (!l) return -E.CONNREFUSED;
    const ab: Pipe = { chunks: [], size: 0, readers: 1, writers: 1 }; // s -> accepted
    const ba: Pipe = { chunks: [], size: 0, readers: 1, writers: 1 }; // accepted -> s
    const end = (p: Pipe, peer: Pipe) => ({
      rx: p,
      send: (b: Uint8Array) => (peer.readers === 0 ? -E.PIPE : writePipe(peer, b, this.changed)),
      close: () => { peer.writers = 0; p.readers = 0; this.changed(); },
    });
    if (!s.port) s.port = this.ephemeral();
    const a = new Socket(this);
    a.state = "connected";
    a.port = port;
    a.peer = { addr: LOOPBACK, port: s.port };
    a.stream = end(ab, ba);
    s.stream = end(ba, ab);
    s.state = "connected";
    s.peer = { addr: LOOPBACK, port };
    l.backlog.push(a);
    this.changed();
    return 0;
  }

  /** A connection out through the host's TCP stack. */
  private connectOut(s: Socket, addr: number, port: number): number {
    const host = this.host;
    if (!host?.connect) return -E.NETUNREACH; // a container without a network
    if (!s.port) s.port = this.ephemeral();
    s.state = "connecting";
    this.external++; // (the container waits for it)
    host.connect(addr, port, (c, errno) => {
      this.external--;
      if (s.state !== "connecting") { c?.end(); return; } // closed meanwhile
      if (c) {
        this.external++; // the connection's, until it closes
        this.attach(s, c);
        s.connectResult = 0;
      } else {
        s.state = "new";
        s.error = errno;
        s.connectResult = -errno;
      }
      this.changed();
    });
    return s.nonblock ? -E.INPROGRESS : BLOCKED;
  }

  close(s: Socket): void {
    if (s.state === "listening") {
      this.listening.delete(s.port);
      if (s.host) { s.host.close(); this.external--; }
      for (const c of s.backlog) c.stream?.close();
    }
    s.stream?.close();
    s.state = "closed";
    this.changed();
  }

  /** Closes every socket's host side (the container ended). */
  closeAll(): void {
    for (const s of [...this.listening.values()]) this.close(s);
  }
}

/** struct sockaddr_in: family (LE), port and address (network order), 8 zero bytes. */
export function sockaddr(addr: number, port: number): Uint8Array {
  const b = new Uint8Array(16), v = new DataView(b.buffer);
  v.setUint16(0, AF_INET, true);
  v.setUint16(2, port, false);
  v.setUint32(4, addr >>> 0, false);
  return b;
}

export function parseSockaddr(b: Uint8Array): { family: number; addr: number; port: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { family: v.getUint16(0, true), port: v.getUint16(2, false), addr: v.getUint32(4, false) };
}

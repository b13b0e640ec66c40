// Node-only: a container's network on the host's TCP stack (src/container/sockets.ts
// HostNetwork). A published container port takes the connections made to its host port and
// address (127.0.0.1 by default) once a socket of the container listens on it; a connection the
// container makes to another address is the host's (10.0.2.2: the host's loopback, as in
// user-mode networking).
import { connect as netConnect, createServer, type Server, type Socket as NetSocket } from "node:net";
import type { HostConnection, HostNetwork } from "../container/sockets.js";
import { E } from "../container/linux-abi.js";

function ipv4(a: string | undefined): number {
  const m = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a ?? "");
  return m ? ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0 : 0;
}

function connection(s: NetSocket): HostConnection {
  return {
    remote: { addr: ipv4(s.remoteAddress), port: s.remotePort ?? 0 },
    onData: (cb) => s.on("data", (b: Buffer) => cb(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))),
    onEnd: (cb) => { s.on("end", cb); s.on("error", cb); },
    write: (b) => { if (!s.destroyed) s.write(b); },
    end: () => s.end(),
  };
}

/** A container port reachable at a host port (0: one the host picks; see hostPort). */
export interface Publish { port: number; hostPort: number; hostAddress?: string }

/** The host's loopback as the container reaches it (user-mode networking's gateway). */
export const HOST_LOOPBACK_ALIAS = 0x0a000202;
// Node's error codes for a failed connection, as errnos.
const ERRNO: Record<string, number> = { ECONNREFUSED: E.CONNREFUSED, ETIMEDOUT: E.TIMEDOUT, EHOSTUNREACH: E.HOSTUNREACH, ENETUNREACH: E.NETUNREACH, ECONNRESET: E.CONNRESET, EADDRNOTAVAIL: E.ADDRNOTAVAIL };
const CONNECT_TIMEOUT_MS = 20_000;

export class PublishedPorts implements HostNetwork {
  private readonly servers = new Map<number, Server>();
  private readonly ports = new Map<number, Publish>();

  /** `ports`: container port -> host port, or a list of Publish. */
  constructor(ports: Map<number, number> | Publish[]) {
    if (ports instanceof Map) for (const [port, hostPort] of ports) this.ports.set(port, { port, hostPort });
    else for (const p of ports) this.ports.set(p.port, p);
  }

  listen(port: number, accept: (c: HostConnection) => void): { close(): void } | undefined {
    const pub = this.ports.get(port);
    if (pub === undefined) return undefined;
    const server = createServer((s) => accept(connection(s)));
    server.on("error", (e) => { // a host port in use: the container's listen still works inside
      process.stderr.write(`wasmvisor: container port ${port}: host port ${pub.hostPort}: ${e.message}\n`);
      this.servers.delete(port);
    });
    server.listen(pub.hostPort, pub.hostAddress ?? "127.0.0.1");
    this.servers.set(port, server);
    return { close: () => { server.close(); this.servers.delete(port); } };
  }

  connect(addr: number, port: number, done: (c: HostConnection | undefined, errno: number) => void): void {
    const host = addr === HOST_LOOPBACK_ALIAS ? "127.0.0.1" : [addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255, addr & 255].join(".");
    const s = netConnect({ host, port });
    let settled = false;
    const fail = (errno: number) => { if (!settled) { settled = true; s.destroy(); done(undefined, errno); } };
    s.setTimeout(CONNECT_TIMEOUT_MS, () => fail(E.TIMEDOUT));
    s.once("connect", () => {
      if (settled) return;
      settled = true;
      s.setTimeout(0);
      const c = connection(s);
      c.remote = { addr, port }; // as the container named it
      done(c, 0);
    });
    s.once("error", (e: NodeJS.ErrnoException) => fail(ERRNO[e.code ?? ""] ?? E.CONNREFUSED));
  }

  /** The host port container port `port` is reachable at, once it listens (undefined before). */
  hostPort(port: number): number | undefined {
    const a = this.servers.get(port)?.address();
    return a && typeof a === "object" ? a.port : undefined;
  }
}

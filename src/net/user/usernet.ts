// User-mode networking for one VM, the slirp model: no privileges on the host. The VM's NIC and
// this endpoint share a private switch; to the guest it is a router at 10.0.2.2 with a DNS
// server at 10.0.2.3 on 10.0.2.0/24, and a DHCP server (RFC 2131) that leases it 10.0.2.15.
// It answers ARP for those addresses and ICMP echo to them, turns the guest's outbound TCP
// connections and UDP datagrams into the host's own sockets (10.0.2.2 means the host's
// loopback; DNS to 10.0.2.3 goes to the host's resolver), and connects host ports to guest
// ports (port forwards: `tcp:127.0.0.1:8080-:80`). Browser-safe: the sockets are passed in.
import {
  buildArp, buildIpv4, buildTcp, buildUdp, echoReply, ETHERTYPE_ARP, ETHERTYPE_IPV4, etherType, ipText, parseArp, parseIp, parseIpv4,
  parseTcp, parseUdp, PROTO_ICMP, PROTO_TCP, PROTO_UDP, put32, TCP_ACK, TCP_RST, TCP_SYN, u32, type Ip, type Tcp,
} from "../packet.js";
import type { SwitchPort } from "../switch.js";
import { RTO_MS, TcpConnection } from "./tcp.js";
import type { HostSockets, HostTcp, HostUdp } from "./sockets.js";

export const GATEWAY = parseIp("10.0.2.2"), DNS = parseIp("10.0.2.3"), GUEST = parseIp("10.0.2.15"), NETMASK = parseIp("255.255.255.0");
const ROUTER_MAC = Uint8Array.of(0x52, 0x55, 0x0a, 0x00, 0x02, 0x02);
const BROADCAST_MAC = new Uint8Array(6).fill(0xff);
const LEASE_S = 86_400;
const UDP_IDLE_MS = 60_000;
const MAX_CONNECTIONS = 1024;
/** Host UDP sockets a guest may hold (one per source port); the least recently used goes first. */
const MAX_UDP_FLOWS = 256;

export interface PortForward { proto: "tcp"; hostAddress: string; hostPort: number; guestPort: number }

/** Parses `hostfwd=tcp:127.0.0.1:8080-:80` parts (the address defaults to 127.0.0.1). */
export function parseForward(text: string): PortForward {
  const m = /^tcp:(?:(\d{1,3}(?:\.\d{1,3}){3}))?:(\d{1,5})-(?:10\.0\.2\.15)?:(\d{1,5})$/.exec(text);
  const ok = m && Number(m[2]) <= 65535 && Number(m[3]) >= 1 && Number(m[3]) <= 65535;
  if (!ok) throw new RangeError(`'${text}' is not a port forward (expected tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT)`);
  if (m[1]) parseIp(m[1]);
  return { proto: "tcp", hostAddress: m[1] ?? "127.0.0.1", hostPort: Number(m[2]), guestPort: Number(m[3]) };
}

export interface UserNetStats { arp: number; dhcp: number; icmp: number; udp: number; tcpConnections: number; dropped: number }

export class UserNet {
  private port: SwitchPort | undefined;
  private guestMac: Uint8Array | undefined;
  private readonly tcp = new Map<string, TcpConnection>();
  private readonly udp = new Map<number, { sock: HostUdp; last: number }>();
  private readonly listeners: { close(): void }[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  // Source ports of the connections through the forwards start at a random point (RFC 6056): a
  // migrated guest still has connections of the last host's UserNet in TIME-WAIT, whose ports a
  // fixed start would reuse at once.
  private nextPort = 40_000 + Math.floor(Math.random() * 20_000);
  private ident = 1;
  readonly stats: UserNetStats = { arp: 0, dhcp: 0, icmp: 0, udp: 0, tcpConnections: 0, dropped: 0 };

  constructor(private readonly sockets: HostSockets, private readonly now: () => number = () => Date.now()) {}

  /**
   * The guest NIC's MAC address, known before the guest sends anything: a VM that arrived by
   * migration sends no DHCP request here, yet connections through the forwards must reach it.
   */
  knowGuest(mac: Uint8Array): void { this.guestMac ??= mac.slice(); }

  /** Joins the VM's private switch. */
  attach(port: SwitchPort): void {
    this.port = port;
    this.timer ??= setInterval(() => this.tick(), RTO_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * Listens for each forward on the host; resolves with the ports bound (a host port 0 picks
   * one). A port that cannot be bound is tried again every 20 ms for `retryMs` (a migration's
   * target on the same machine as its source waits for the source to let go of the ports).
   */
  async forward(forwards: PortForward[], retryMs = 0): Promise<number[]> {
    const bound: number[] = [];
    const until = Date.now() + retryMs;
    for (const f of forwards) {
      for (;;) {
        if (this.closed) throw new Error("the VM's network is closed");
        try {
          const l = await this.sockets.listenTcp(f.hostAddress, f.hostPort, (sock) => this.inbound(sock, f.guestPort));
          if (this.closed) { l.close(); throw new Error("the VM's network is closed"); }
          this.listeners.push(l);
          bound.push(l.port);
          break;
        } catch (e) {
          if (this.closed || Date.now() >= until) throw e;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
    return bound;
  }

  private closed = false;

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const l of this.listeners) l.close();
    for (const c of [...this.tcp.values()]) c.reset();
    for (const u of this.udp.values()) u.sock.close();
    this.udp.clear();
  }

  /** A frame from the switch (the guest's NIC). */
  deliver(frame: Uint8Array): void {
    const type = etherType(frame);
    if (type === ETHERTYPE_ARP) { this.arp(frame); return; }
    if (type !== ETHERTYPE_IPV4) return;
    const ip = parseIpv4(frame);
    if (!ip) { this.stats.dropped++; return; }
    this.guestMac = frame.slice(6, 12);
    if (ip.proto === PROTO_UDP) { const u = parseUdp(ip); if (u) this.udpIn(ip.src, ip.dst, u.srcPort, u.dstPort, u.payload); else this.stats.dropped++; }
    else if (ip.proto === PROTO_TCP) { const t = parseTcp(ip); if (t) this.tcpIn(ip.src, ip.dst, t); else this.stats.dropped++; }
    else if (ip.proto === PROTO_ICMP && (ip.dst === GATEWAY || ip.dst === DNS)) {
      const r = echoReply(ip.payload);
      if (r) { this.stats.icmp++; this.send(ip.dst, ip.src, PROTO_ICMP, r); }
    }
  }

  private send(src: Ip, dst: Ip, proto: number, payload: Uint8Array, dstMac = this.guestMac ?? BROADCAST_MAC): void {
    this.port?.send(buildIpv4(ROUTER_MAC, dstMac, src, dst, proto, payload, this.ident++ & 0xffff));
  }

  private arp(frame: Uint8Array): void {
    const a = parseArp(frame);
    if (!a || a.op !== 1 || (a.tpa & NETMASK) !== (GUEST & NETMASK) || a.tpa === GUEST || a.tpa === a.spa) return;
    this.stats.arp++;
    this.port?.send(buildArp(2, ROUTER_MAC, a.tpa, a.sha, a.spa, a.sha)); // every other address of the subnet is us
  }

  // DHCP (RFC 2131 4.3, options RFC 2132): DISCOVER gets an OFFER, REQUEST an ACK, of GUEST.
  private dhcp(msg: Uint8Array): void {
    if (msg.length < 240 || msg[0] !== 1 || u32(msg, 236) !== 0x63825363) return;
    let type = 0;
    for (let o = 240; o < msg.length && msg[o] !== 255;) {
      if (msg[o] === 0) { o++; continue; }
      if (o + 1 >= msg.length) return;
      if (msg[o] === 53 && msg[o + 1] === 1) type = msg[o + 2];
      o += 2 + msg[o + 1];
    }
    const reply = type === 1 ? 2 : type === 3 ? 5 : 0;
    if (!reply) return;
    this.stats.dhcp++;
    const r = new Uint8Array(300);
    r[0] = 2; r[1] = 1; r[2] = 6; r.set(msg.subarray(4, 8), 4); // xid
    put32(r, 16, GUEST); put32(r, 20, GATEWAY); r.set(msg.subarray(28, 44), 28); put32(r, 236, 0x63825363);
    const opts = [53, 1, reply, 54, 4, ...bytes(GATEWAY), 51, 4, ...bytes(LEASE_S), 1, 4, ...bytes(NETMASK), 3, 4, ...bytes(GATEWAY), 6, 4, ...bytes(DNS), 255];
    r.set(opts, 240);
    this.guestMac = msg.slice(28, 34);
    this.send(GATEWAY, 0xffffffff, PROTO_UDP, buildUdp(GATEWAY, 0xffffffff, 67, 68, r), BROADCAST_MAC);
  }

  private udpIn(src: Ip, dst: Ip, sport: number, dport: number, data: Uint8Array): void {
    if (dport === 67 && sport === 68) { this.dhcp(data); return; }
    if (src !== GUEST) return;
    this.stats.udp++;
    let u = this.udp.get(sport);
    if (u) { this.udp.delete(sport); this.udp.set(sport, u); } // most recently used last
    if (!u) {
      if (this.udp.size >= MAX_UDP_FLOWS) {
        const [oldest, flow] = this.udp.entries().next().value!;
        flow.sock.close();
        this.udp.delete(oldest);
      }
      const sock = this.sockets.udp();
      sock.on("message", (d, host, port) => {
        const from = host === this.sockets.dnsServer() && port === 53 ? DNS : host === "127.0.0.1" ? GATEWAY : safeIp(host);
        if (from === undefined) return;
        this.send(from, GUEST, PROTO_UDP, buildUdp(from, GUEST, port, sport, d));
      });
      u = { sock, last: 0 };
      this.udp.set(sport, u);
    }
    u.last = this.now();
    const host = dst === DNS ? this.sockets.dnsServer() : dst === GATEWAY ? "127.0.0.1" : ipText(dst);
    u.sock.send(data.slice(), host, dst === DNS ? 53 : dport);
  }

  private link(remote: Ip) {
    return {
      emit: (t: Omit<Tcp, "payload"> & { payload?: Uint8Array }) => this.send(remote, GUEST, PROTO_TCP, buildTcp(remote, GUEST, t)),
      now: this.now,
      closed: (c: TcpConnection) => { for (const [k, v] of this.tcp) if (v === c) this.tcp.delete(k); },
    };
  }

  private tcpIn(src: Ip, dst: Ip, t: Tcp): void {
    if (src !== GUEST) return;
    const key = `${t.srcPort}>${dst}:${t.dstPort}`;
    const c = this.tcp.get(key);
    if (c) { c.input(t); return; }
    if ((t.flags & (TCP_SYN | TCP_ACK | TCP_RST)) !== TCP_SYN || this.tcp.size >= MAX_CONNECTIONS || dst === DNS) {
      if (!(t.flags & TCP_RST)) this.rst(dst, t);
      return;
    }
    // Connect on the host first; the guest gets its SYN-ACK once that worked, a RST if not.
    const host = this.sockets.connectTcp(dst === GATEWAY ? "127.0.0.1" : ipText(dst), t.dstPort);
    const conn = new TcpConnection(t.srcPort, t.dstPort, host, this.link(dst), false);
    this.tcp.set(key, conn);
    this.stats.tcpConnections++;
    let connected = false;
    host.on("connect", () => { connected = true; conn.accept(t); });
    host.on("close", () => { if (!connected) { this.tcp.delete(key); this.rst(dst, t); } });
  }

  /** A host connection to a forwarded port: we open a TCP connection to the guest. */
  private inbound(sock: HostTcp, guestPort: number): void {
    if (this.tcp.size >= MAX_CONNECTIONS) { sock.destroy(); return; }
    const port = this.nextPort;
    this.nextPort = this.nextPort >= 60_000 ? 40_000 : this.nextPort + 1;
    const conn = new TcpConnection(guestPort, port, sock, this.link(GATEWAY), true);
    this.tcp.set(`${guestPort}>${GATEWAY}:${port}`, conn);
    this.stats.tcpConnections++;
    conn.open();
  }

  private rst(remote: Ip, t: Tcp): void {
    const len = t.payload.length + (t.flags & TCP_SYN ? 1 : 0);
    this.send(remote, GUEST, PROTO_TCP, buildTcp(remote, GUEST, { srcPort: t.dstPort, dstPort: t.srcPort, seq: t.flags & TCP_ACK ? t.ack : 0, ack: (t.seq + len) >>> 0, flags: TCP_RST | TCP_ACK, window: 0 }));
  }

  private tick(): void {
    for (const c of [...this.tcp.values()]) c.tick();
    const now = this.now();
    for (const [p, u] of this.udp) if (now - u.last > UDP_IDLE_MS) { u.sock.close(); this.udp.delete(p); }
  }
}

const bytes = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
function safeIp(text: string): Ip | undefined { try { return parseIp(text); } catch { return undefined; } }

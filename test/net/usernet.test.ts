// The user-mode network against a fake host (no sockets): ARP for the router's addresses, the
// DHCP lease, ICMP echo, malformed packets dropped, a guest TCP connection proxied to a host
// socket (handshake after the host connects, data both ways, FIN), a refused connect answered
// with RST, a port forward opening a connection into the guest, UDP and DNS forwarded.
import { describe, expect, it } from "vitest";
import {
  buildArp, buildIpv4, buildTcp, buildUdp, parseArp, parseIp, parseIpv4, parseTcp, parseUdp, PROTO_ICMP, PROTO_TCP, PROTO_UDP,
  TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Tcp,
} from "../../src/net/packet.js";
import { Switch } from "../../src/net/switch.js";
import type { HostSockets, HostTcp } from "../../src/net/user/sockets.js";
import { DNS, GATEWAY, GUEST, parseForward, UserNet } from "../../src/net/user/usernet.js";

const GMAC = Uint8Array.of(2, 0, 0, 0, 0, 0x15);
const BCAST = new Uint8Array(6).fill(0xff);

class FakeTcp implements HostTcp {
  written: Uint8Array[] = []; ended = false; destroyed = false; backlog = 0;
  bufferedBytes() { return this.backlog; }
  private h: Record<string, ((...a: never[]) => void)[]> = {};
  write(d: Uint8Array) { this.written.push(d); }
  end() { this.ended = true; }
  destroy() { this.destroyed = true; }
  pause() {} resume() {}
  on(e: string, fn: (...a: never[]) => void) { (this.h[e] ??= []).push(fn); }
  emit(e: string, ...a: unknown[]) { for (const f of this.h[e] ?? []) (f as (...x: unknown[]) => void)(...a); }
}

function setup() {
  const tcps: { host: string; port: number; sock: FakeTcp }[] = [];
  const udps: { sent: [Uint8Array, string, number][]; deliver?: (d: Uint8Array, h: string, p: number) => void; closed?: boolean }[] = [];
  let accept: ((s: HostTcp) => void) | undefined;
  const sockets: HostSockets = {
    connectTcp: (host, port) => { const sock = new FakeTcp(); tcps.push({ host, port, sock }); return sock; },
    udp: () => { const u: (typeof udps)[number] = { sent: [] }; udps.push(u); return { send: (d, h, p) => u.sent.push([d, h, p]), on: (_e, fn) => { u.deliver = fn; }, close() { u.closed = true; } }; },
    listenTcp: async (_h, port, onConn) => { accept = onConn; return { close() {}, port: port || 12345 }; },
    dnsServer: () => "192.0.2.53",
  };
  const sw = new Switch("user:test");
  const user = new UserNet(sockets, () => 0);
  user.attach(sw.attach("user", (f) => user.deliver(f)));
  const got: Uint8Array[] = [];
  const nic = sw.attach("guest", (f) => got.push(f));
  const ip = (dst: number, proto: number, payload: Uint8Array) => nic.send(buildIpv4(GMAC, Uint8Array.of(0x52, 0x55, 10, 0, 2, 2), GUEST, dst, proto, payload));
  const tcp = (dst: number, t: Partial<Tcp> & { srcPort: number; dstPort: number }) =>
    ip(dst, PROTO_TCP, buildTcp(GUEST, dst, { seq: 0, ack: 0, flags: 0, window: 65535, ...t }));
  const lastTcp = () => { const p = parseIpv4(got.at(-1)!)!; return parseTcp(p)!; };
  return { user, nic, got, ip, tcp, lastTcp, tcps, udps, sockets, accept: (s: HostTcp) => accept!(s) };
}

describe("user-mode network", () => {
  it("answers ARP for the router's addresses, not for the guest's own", () => {
    const { nic, got } = setup();
    nic.send(buildArp(1, GMAC, GUEST, new Uint8Array(6), GATEWAY, BCAST));
    const a = parseArp(got[0])!;
    expect([a.op, a.spa, a.tpa]).toEqual([2, GATEWAY, GUEST]);
    nic.send(buildArp(1, GMAC, GUEST, new Uint8Array(6), GUEST, BCAST));
    expect(got).toHaveLength(1);
  });

  it("leases 10.0.2.15 over DHCP with the router and DNS server", () => {
    const { nic, got } = setup();
    const dhcp = (type: number) => {
      const m = new Uint8Array(300);
      m[0] = 1; m[1] = 1; m[2] = 6; m.set([1, 2, 3, 4], 4); m.set(GMAC, 28);
      m.set([0x63, 0x82, 0x53, 0x63], 236); m.set([53, 1, type, 255], 240);
      nic.send(buildIpv4(GMAC, BCAST, 0, 0xffffffff, PROTO_UDP, buildUdp(0, 0xffffffff, 68, 67, m)));
      const r = parseUdp(parseIpv4(got.at(-1)!)!)!;
      return r.payload;
    };
    const offer = dhcp(1);
    expect([...offer.subarray(4, 8)]).toEqual([1, 2, 3, 4]);
    expect([...offer.subarray(16, 20)]).toEqual([10, 0, 2, 15]);
    const opts = [...offer.subarray(240, 275)];
    expect(opts.slice(0, 3)).toEqual([53, 1, 2]);
    expect(opts.join(",")).toContain("3,4,10,0,2,2"); // router
    expect(opts.join(",")).toContain("6,4,10,0,2,3"); // DNS
    expect(dhcp(3).subarray(240, 243)).toEqual(Uint8Array.of(53, 1, 5));
  });

  it("answers ping to the router; drops packets with a bad checksum, truncated or fragmented", () => {
    const { ip, got, user, nic } = setup();
    const echo = Uint8Array.of(8, 0, 0, 0, 0, 1, 0, 1, 0xaa, 0xbb);
    const sum = (() => { let s = 0; for (let i = 0; i < echo.length; i += 2) s += (echo[i] << 8) | (echo[i + 1] ?? 0); while (s > 0xffff) s = (s & 0xffff) + (s >>> 16); return ~s & 0xffff; })();
    echo[2] = sum >> 8; echo[3] = sum & 255;
    ip(GATEWAY, PROTO_ICMP, echo);
    const r = parseIpv4(got[0])!;
    expect([r.src, r.dst, r.payload[0], r.payload[8]]).toEqual([GATEWAY, GUEST, 0, 0xaa]);
    const bad = buildIpv4(GMAC, BCAST, GUEST, GATEWAY, PROTO_ICMP, echo);
    bad[24] ^= 1; // IP header checksum
    nic.send(bad);
    const frag = buildIpv4(GMAC, BCAST, GUEST, GATEWAY, PROTO_ICMP, echo);
    frag[20] |= 0x20; // more fragments
    nic.send(frag);
    nic.send(buildIpv4(GMAC, BCAST, GUEST, GATEWAY, PROTO_ICMP, echo).subarray(0, 30));
    expect(got).toHaveLength(1);
    expect(user.stats.dropped).toBe(3);
  });

  it("proxies a guest TCP connection: SYN-ACK once the host connected, data both ways, FIN both ways", () => {
    const { tcp, lastTcp, tcps, got } = setup();
    const dst = parseIp("93.184.216.34");
    tcp(dst, { srcPort: 5555, dstPort: 80, seq: 1000, flags: TCP_SYN, mss: 1460 });
    expect(tcps.map((t) => [t.host, t.port])).toEqual([["93.184.216.34", 80]]);
    expect(got).toHaveLength(0); // nothing until the host connects
    tcps[0].sock.emit("connect");
    const synAck = lastTcp();
    expect(synAck.flags).toBe(TCP_SYN | TCP_ACK);
    expect(synAck.ack).toBe(1001);
    const isn = synAck.seq;
    tcp(dst, { srcPort: 5555, dstPort: 80, seq: 1001, ack: isn + 1, flags: TCP_ACK | TCP_PSH, payload: new TextEncoder().encode("GET /") });
    expect(new TextDecoder().decode(tcps[0].sock.written[0])).toBe("GET /");
    expect(lastTcp().ack).toBe(1006);
    tcps[0].sock.emit("data", new TextEncoder().encode("HTTP/1.0 200"));
    const data = lastTcp();
    expect([data.seq, new TextDecoder().decode(data.payload)]).toEqual([isn + 1, "HTTP/1.0 200"]);
    tcps[0].sock.emit("end");
    const fin = lastTcp();
    expect(fin.flags & TCP_FIN).toBe(TCP_FIN);
    expect(fin.seq).toBe(isn + 1 + 12);
    tcp(dst, { srcPort: 5555, dstPort: 80, seq: 1006, ack: isn + 14, flags: TCP_ACK | TCP_FIN });
    expect(tcps[0].sock.ended).toBe(true);
    expect(lastTcp().ack).toBe(1007);
  });

  it("answers a connect the host refuses with RST; data out of order gets the ACK of what came", () => {
    const { tcp, lastTcp, tcps } = setup();
    tcp(GATEWAY, { srcPort: 6000, dstPort: 1, seq: 5, flags: TCP_SYN });
    expect(tcps[0].host).toBe("127.0.0.1"); // the router is the host's loopback
    tcps[0].sock.emit("close", true);
    const r = lastTcp();
    expect([r.flags & TCP_RST, r.ack]).toEqual([TCP_RST, 6]);
    tcp(GATEWAY, { srcPort: 6001, dstPort: 2, seq: 10, flags: TCP_SYN });
    tcps[1].sock.emit("connect");
    const isn = lastTcp().seq;
    tcp(GATEWAY, { srcPort: 6001, dstPort: 2, seq: 20, ack: isn + 1, flags: TCP_ACK, payload: Uint8Array.of(1, 2, 3) }); // a gap
    expect(tcps[1].sock.written).toHaveLength(0);
    expect(lastTcp().ack).toBe(11);
  });

  it("opens a port forward's connection into the guest", async () => {
    const { user, accept, lastTcp, tcp } = setup();
    expect(await user.forward([parseForward("tcp:127.0.0.1:0-:80")])).toEqual([12345]);
    const host = new FakeTcp();
    accept(host);
    const syn = lastTcp();
    expect([syn.flags, syn.dstPort]).toEqual([TCP_SYN, 80]);
    tcp(GATEWAY, { srcPort: 80, dstPort: syn.srcPort, seq: 7000, ack: syn.seq + 1, flags: TCP_SYN | TCP_ACK });
    expect(lastTcp().flags).toBe(TCP_ACK);
    host.emit("data", new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
    expect(new TextDecoder().decode(lastTcp().payload)).toBe("GET / HTTP/1.0\r\n\r\n");
    tcp(GATEWAY, { srcPort: 80, dstPort: syn.srcPort, seq: 7001, ack: syn.seq + 19, flags: TCP_ACK | TCP_PSH, payload: new TextEncoder().encode("hi") });
    expect(new TextDecoder().decode(host.written[0])).toBe("hi");
    expect(() => parseForward("udp:1-:2")).toThrow(/not a port forward/);
    expect(() => parseForward("tcp:127.0.0.1:8080-:0")).toThrow(/not a port forward/);
  });

  it("sends the guest's UDP from a host socket, DNS to the host's resolver, and brings the answers back", () => {
    const { ip, udps, got } = setup();
    ip(DNS, PROTO_UDP, buildUdp(GUEST, DNS, 3333, 53, Uint8Array.of(1, 2)));
    expect(udps[0].sent.map(([, h, p]) => [h, p])).toEqual([["192.0.2.53", 53]]);
    udps[0].deliver!(Uint8Array.of(9), "192.0.2.53", 53);
    const back = parseIpv4(got.at(-1)!)!;
    const u = parseUdp(back)!;
    expect([back.src, u.srcPort, u.dstPort, u.payload[0]]).toEqual([DNS, 53, 3333, 9]);
  });

  it("bounds what a guest can hold on the host: UDP flows, and data for a host socket that does not drain", () => {
    const { ip, udps, tcp, lastTcp, tcps } = setup();
    for (let p = 0; p < 300; p++) ip(parseIp("192.0.2.1"), PROTO_UDP, buildUdp(GUEST, parseIp("192.0.2.1"), 10_000 + p, 9, Uint8Array.of(p & 255)));
    expect(udps).toHaveLength(300);
    expect(udps.filter((u) => !u.closed)).toHaveLength(256); // the 44 least recently used were closed
    expect(udps[0].closed).toBe(true);
    const dst = parseIp("198.51.100.7");
    tcp(dst, { srcPort: 7000, dstPort: 80, seq: 1, flags: TCP_SYN });
    tcps[0].sock.emit("connect");
    const isn = lastTcp().seq;
    tcps[0].sock.backlog = 2 << 20; // the host peer reads nothing
    tcp(dst, { srcPort: 7000, dstPort: 80, seq: 2, ack: isn + 1, flags: TCP_ACK, payload: new Uint8Array(1000) });
    expect(tcps[0].sock.written).toHaveLength(0);
    const a = lastTcp();
    expect([a.ack, a.window]).toEqual([2, 0]); // nothing taken, the window closed
    tcps[0].sock.backlog = 0;
    tcp(dst, { srcPort: 7000, dstPort: 80, seq: 2, ack: isn + 1, flags: TCP_ACK, payload: new Uint8Array(1000) });
    expect(tcps[0].sock.written).toHaveLength(1);
    expect([lastTcp().ack, lastTcp().window]).toEqual([1002, 65535]);
  });
});

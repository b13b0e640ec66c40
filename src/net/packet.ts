// Ethernet II, ARP (RFC 826), IPv4 (RFC 791), ICMP echo (RFC 792), UDP (RFC 768) and TCP (RFC
// 9293) headers: parsed from a frame (null when malformed: wrong lengths, bad versions, IP
// options beyond the header length, fragments) and built with their checksums. Only what the
// user-mode network needs. Browser-safe.

export const ETH_HDR = 14, IP_HDR = 20, UDP_HDR = 8, TCP_HDR = 20;
export const ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806;
export const PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17;
export const TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10;

export type Ip = number; // IPv4 address as an unsigned 32-bit number

export const ipText = (a: Ip) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
export function parseIp(text: string): Ip {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new RangeError(`'${text}' is not an IPv4 address`);
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

/** The 16-bit ones' complement sum of `b[from, to)`, added to `sum` (not yet folded). */
function sum16(b: Uint8Array, from: number, to: number, sum = 0): number {
  let i = from;
  for (; i + 1 < to; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < to) sum += b[i] << 8;
  return sum;
}
const fold = (s: number) => { while (s > 0xffff) s = (s & 0xffff) + (s >>> 16); return (~s) & 0xffff; };

export interface Ipv4 { src: Ip; dst: Ip; proto: number; ttl: number; payload: Uint8Array; ident: number }
export interface Udp { srcPort: number; dstPort: number; payload: Uint8Array }
export interface Tcp { srcPort: number; dstPort: number; seq: number; ack: number; flags: number; window: number; payload: Uint8Array; mss?: number }
export interface Arp { op: number; sha: Uint8Array; spa: Ip; tha: Uint8Array; tpa: Ip }

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const put16 = (b: Uint8Array, o: number, v: number) => { b[o] = (v >>> 8) & 255; b[o + 1] = v & 255; };
const put32 = (b: Uint8Array, o: number, v: number) => { b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 255; b[o + 2] = (v >>> 8) & 255; b[o + 3] = v & 255; };

export const etherType = (f: Uint8Array) => (f.length >= ETH_HDR ? u16(f, 12) : -1);

export function parseArp(f: Uint8Array): Arp | null {
  if (f.length < ETH_HDR + 28 || u16(f, 14) !== 1 || u16(f, 16) !== ETHERTYPE_IPV4 || f[18] !== 6 || f[19] !== 4) return null;
  return { op: u16(f, 20), sha: f.slice(22, 28), spa: u32(f, 28), tha: f.slice(32, 38), tpa: u32(f, 38) };
}

export function buildArp(op: number, sha: Uint8Array, spa: Ip, tha: Uint8Array, tpa: Ip, dstMac: Uint8Array): Uint8Array {
  const f = new Uint8Array(ETH_HDR + 28);
  f.set(dstMac, 0); f.set(sha, 6); put16(f, 12, ETHERTYPE_ARP);
  put16(f, 14, 1); put16(f, 16, ETHERTYPE_IPV4); f[18] = 6; f[19] = 4; put16(f, 20, op);
  f.set(sha, 22); put32(f, 28, spa); f.set(tha, 32); put32(f, 38, tpa);
  return f;
}

export function parseIpv4(f: Uint8Array): Ipv4 | null {
  if (f.length < ETH_HDR + IP_HDR || (f[14] >> 4) !== 4) return null;
  const ihl = (f[14] & 15) * 4, total = u16(f, 16);
  if (ihl < IP_HDR || total < ihl || ETH_HDR + total > f.length) return null;
  if ((u16(f, 20) & 0x3fff) !== 0) return null; // a fragment (MF set or an offset): not reassembled
  if (fold(sum16(f, 14, 14 + ihl)) !== 0) return null;
  return { src: u32(f, 26), dst: u32(f, 30), proto: f[23], ttl: f[22], ident: u16(f, 18), payload: f.subarray(ETH_HDR + ihl, ETH_HDR + total) };
}

/** A frame carrying an IPv4 packet with `payload` (its transport checksum already in place). */
export function buildIpv4(srcMac: Uint8Array, dstMac: Uint8Array, src: Ip, dst: Ip, proto: number, payload: Uint8Array, ident = 0): Uint8Array {
  const f = new Uint8Array(ETH_HDR + IP_HDR + payload.length);
  f.set(dstMac, 0); f.set(srcMac, 6); put16(f, 12, ETHERTYPE_IPV4);
  f[14] = 0x45; put16(f, 16, IP_HDR + payload.length); put16(f, 18, ident); put16(f, 20, 0x4000); f[22] = 64; f[23] = proto;
  put32(f, 26, src); put32(f, 30, dst);
  put16(f, 24, fold(sum16(f, 14, 34)));
  f.set(payload, ETH_HDR + IP_HDR);
  return f;
}

function pseudo(src: Ip, dst: Ip, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

export function parseUdp(ip: Ipv4): Udp | null {
  const p = ip.payload;
  if (p.length < UDP_HDR) return null;
  const len = u16(p, 4);
  if (len < UDP_HDR || len > p.length) return null;
  if (u16(p, 6) !== 0 && fold(sum16(p, 0, len, pseudo(ip.src, ip.dst, PROTO_UDP, len))) !== 0) return null;
  return { srcPort: u16(p, 0), dstPort: u16(p, 2), payload: p.subarray(UDP_HDR, len) };
}

export function buildUdp(src: Ip, dst: Ip, srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
  const p = new Uint8Array(UDP_HDR + data.length);
  put16(p, 0, srcPort); put16(p, 2, dstPort); put16(p, 4, p.length); p.set(data, UDP_HDR);
  put16(p, 6, fold(sum16(p, 0, p.length, pseudo(src, dst, PROTO_UDP, p.length))) || 0xffff);
  return p;
}

export function parseTcp(ip: Ipv4): Tcp | null {
  const p = ip.payload;
  if (p.length < TCP_HDR) return null;
  const off = (p[12] >> 4) * 4;
  if (off < TCP_HDR || off > p.length) return null;
  if (fold(sum16(p, 0, p.length, pseudo(ip.src, ip.dst, PROTO_TCP, p.length))) !== 0) return null;
  let mss: number | undefined;
  for (let o = TCP_HDR; o < off;) { // options: only MSS is read
    const kind = p[o];
    if (kind === 0) break;
    if (kind === 1) { o++; continue; }
    const l = p[o + 1];
    if (l < 2 || o + l > off) return null;
    if (kind === 2 && l === 4) mss = u16(p, o + 2);
    o += l;
  }
  return { srcPort: u16(p, 0), dstPort: u16(p, 2), seq: u32(p, 4), ack: u32(p, 8), flags: p[13], window: u16(p, 14), payload: p.subarray(off), mss };
}

export function buildTcp(src: Ip, dst: Ip, t: Omit<Tcp, "payload"> & { payload?: Uint8Array }): Uint8Array {
  const opt = t.mss !== undefined ? 4 : 0, data = t.payload ?? new Uint8Array(0);
  const p = new Uint8Array(TCP_HDR + opt + data.length);
  put16(p, 0, t.srcPort); put16(p, 2, t.dstPort); put32(p, 4, t.seq); put32(p, 8, t.ack);
  p[12] = ((TCP_HDR + opt) / 4) << 4; p[13] = t.flags; put16(p, 14, t.window);
  if (t.mss !== undefined) { p[20] = 2; p[21] = 4; put16(p, 22, t.mss); }
  p.set(data, TCP_HDR + opt);
  put16(p, 16, fold(sum16(p, 0, p.length, pseudo(src, dst, PROTO_TCP, p.length))));
  return p;
}

/** An ICMP echo reply for an echo request's ICMP message, or null if it is not a valid request. */
export function echoReply(icmp: Uint8Array): Uint8Array | null {
  if (icmp.length < 8 || icmp[0] !== 8 || fold(sum16(icmp, 0, icmp.length)) !== 0) return null;
  const r = icmp.slice();
  r[0] = 0; r[2] = 0; r[3] = 0;
  put16(r, 2, fold(sum16(r, 0, r.length)));
  return r;
}

export { u16, u32, put16, put32 };

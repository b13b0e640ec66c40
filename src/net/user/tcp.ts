// One TCP connection between the guest and a host socket, terminated here (RFC 9293): the
// guest talks TCP to this endpoint, the host socket carries the byte stream. Either side may
// open it: the guest (a SYN to an outside address: we connect on the host, then answer) or the
// host (a port forward: we send the SYN). In-order data only (anything else is answered with
// an ACK of what we have, and the guest retransmits); what we send is kept until acknowledged,
// sent within the guest's window and MSS, and sent again from the first unacknowledged byte
// after RTO_MS without progress. A FIN is sent once the host side ended and everything before it
// was acknowledged; RST ends it at once. Browser-safe.
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Tcp } from "../packet.js";
import type { HostTcp } from "./sockets.js";

export const RTO_MS = 200;
const OUR_WINDOW = 65535;
const OUR_MSS = 1460;
/** Bytes from the host not yet acknowledged by the guest, before the host socket is paused. */
const SEND_BUFFER = 1 << 20;
/** Bytes for the host its socket has not sent yet, before the guest's data is refused (window 0). */
const HOST_BACKLOG = 1 << 20;

type State = "syn-sent" | "syn-received" | "established" | "closed";

export interface TcpLink {
  /** A segment to the guest, from the remote address of this connection. */
  emit(t: Omit<Tcp, "payload"> & { payload?: Uint8Array }): void;
  now(): number;
  closed(conn: TcpConnection): void;
}

export class TcpConnection {
  state: State;
  private sndUna: number; // oldest unacknowledged sequence number
  private sndNxt: number;
  private rcvNxt = 0;
  private peerWindow = 0;
  private peerMss = 536;
  private pending = new Uint8Array(0); // bytes from the host from sndUna on
  private hostEnded = false;
  private finSent = false;
  private guestEnded = false;
  private lastProgress = 0;
  private paused = false;
  private synced = false; // the handshake's first half happened (we accepted or sent a SYN)

  constructor(readonly guestPort: number, readonly remotePort: number, private readonly host: HostTcp, private readonly link: TcpLink, active: boolean) {
    const isn = (Math.random() * 2 ** 32) >>> 0;
    this.sndUna = isn;
    this.sndNxt = isn;
    this.state = active ? "syn-sent" : "syn-received";
    host.on("data", (d) => { this.fromHost(d); });
    host.on("end", () => { this.hostEnded = true; this.pump(); });
    host.on("close", (err) => {
      if (!this.synced) { this.close(); return; } // a connect that failed: the caller answers the guest
      if (err) this.reset(); else { this.hostEnded = true; this.pump(); }
    });
  }

  /** Guest-initiated: its SYN arrived and the host socket connected; answer with SYN-ACK. */
  accept(syn: Tcp): void {
    this.synced = true;
    this.rcvNxt = (syn.seq + 1) >>> 0;
    this.peerWindow = syn.window;
    this.peerMss = syn.mss ?? 536;
    this.link.emit(this.seg(TCP_SYN | TCP_ACK, this.sndNxt, { mss: OUR_MSS }));
    this.sndNxt = (this.sndNxt + 1) >>> 0;
    this.lastProgress = this.link.now();
  }

  /** Host-initiated (a port forward): send the SYN. */
  open(): void {
    this.synced = true;
    this.link.emit(this.seg(TCP_SYN, this.sndNxt, { mss: OUR_MSS, ack: false }));
    this.sndNxt = (this.sndNxt + 1) >>> 0;
    this.lastProgress = this.link.now();
  }

  private seg(flags: number, seq: number, o: { payload?: Uint8Array; mss?: number; ack?: boolean } = {}) {
    const withAck = o.ack ?? true;
    // The window closes while the host socket is backed up: a guest cannot fill the host's memory.
    const window = this.host.bufferedBytes() > HOST_BACKLOG ? 0 : OUR_WINDOW;
    return { srcPort: this.remotePort, dstPort: this.guestPort, seq, ack: withAck ? this.rcvNxt : 0, flags: withAck ? flags | TCP_ACK : flags, window, mss: o.mss, payload: o.payload };
  }

  /** A segment from the guest for this connection. */
  input(t: Tcp): void {
    if (this.state === "closed") return;
    if (t.flags & TCP_RST) { this.host.destroy(); this.close(); return; }
    if (this.state === "syn-sent") {
      if ((t.flags & (TCP_SYN | TCP_ACK)) !== (TCP_SYN | TCP_ACK) || t.ack !== this.sndNxt) { this.reset(); return; }
      this.rcvNxt = (t.seq + 1) >>> 0;
      this.peerMss = t.mss ?? 536;
      this.sndUna = t.ack;
      this.peerWindow = t.window;
      this.state = "established";
      this.link.emit(this.seg(0, this.sndNxt));
      this.pump();
      return;
    }
    if (t.flags & TCP_SYN) { // a retransmitted SYN: answer it again
      if (this.state === "syn-received") this.link.emit(this.seg(TCP_SYN | TCP_ACK, (this.sndNxt - 1) >>> 0, { mss: OUR_MSS }));
      return;
    }
    if (t.flags & TCP_ACK) this.acked(t.ack, t.window);
    if (this.state === "syn-received" && this.sndUna === this.sndNxt) this.state = "established";
    let ackNow = false;
    if (t.payload.length > 0 || (t.flags & TCP_FIN)) {
      if (t.seq !== this.rcvNxt) { this.link.emit(this.seg(0, this.sndNxt)); return; } // not in order: say what we have
      if (t.payload.length > 0 && this.host.bufferedBytes() > HOST_BACKLOG) { // no room: the guest sends it again
        this.link.emit(this.seg(0, this.sndNxt));
        return;
      }
      if (t.payload.length > 0 && !this.guestEnded) {
        this.host.write(t.payload.slice());
        this.rcvNxt = (this.rcvNxt + t.payload.length) >>> 0;
        ackNow = true;
      }
      if (t.flags & TCP_FIN && !this.guestEnded) {
        this.guestEnded = true;
        this.rcvNxt = (this.rcvNxt + 1) >>> 0;
        this.host.end();
        ackNow = true;
      }
    }
    if (ackNow) this.link.emit(this.seg(0, this.sndNxt));
    this.pump();
  }

  private acked(ack: number, window: number): void {
    const advanced = (ack - this.sndUna) >>> 0, inFlight = (this.sndNxt - this.sndUna) >>> 0;
    if (advanced > inFlight) return; // acknowledges what we never sent
    this.peerWindow = window;
    if (advanced === 0) return;
    const data = Math.min(advanced, this.pending.length);
    this.pending = this.pending.subarray(data);
    this.sndUna = ack;
    this.lastProgress = this.link.now();
    if (this.paused && this.pending.length < SEND_BUFFER / 2) { this.paused = false; this.host.resume(); }
    if (this.finSent && this.sndUna === this.sndNxt && this.guestEnded) this.close(); // both FINs acknowledged
  }

  private fromHost(d: Uint8Array): void {
    const all = new Uint8Array(this.pending.length + d.length);
    all.set(this.pending); all.set(d, this.pending.length);
    this.pending = all;
    if (!this.paused && this.pending.length > SEND_BUFFER) { this.paused = true; this.host.pause(); }
    this.pump();
  }

  /** Sends what the window allows, and the FIN when everything before it is out. */
  pump(): void {
    if (this.state !== "established") return;
    const mss = Math.min(OUR_MSS, this.peerMss);
    for (;;) {
      const sent = (this.sndNxt - this.sndUna) >>> 0; // bytes (and a FIN) in flight
      const unsent = this.pending.length - Math.min(sent, this.pending.length);
      const room = this.peerWindow - sent;
      if (unsent <= 0 || room <= 0) break;
      const n = Math.min(unsent, room, mss), from = this.pending.length - unsent;
      this.link.emit(this.seg(TCP_PSH, this.sndNxt, { payload: this.pending.subarray(from, from + n) }));
      this.sndNxt = (this.sndNxt + n) >>> 0;
    }
    if (this.hostEnded && !this.finSent && ((this.sndNxt - this.sndUna) >>> 0) === this.pending.length) {
      this.link.emit(this.seg(TCP_FIN, this.sndNxt));
      this.sndNxt = (this.sndNxt + 1) >>> 0;
      this.finSent = true;
    }
    if (this.finSent && this.guestEnded && this.sndUna === this.sndNxt) this.close();
  }

  /** Called every RTO_MS: sends again from the first unacknowledged byte when nothing moved. */
  tick(): void {
    if (this.state === "closed" || this.sndUna === this.sndNxt) return;
    if (this.link.now() - this.lastProgress < RTO_MS) return;
    this.lastProgress = this.link.now();
    if (this.state === "syn-sent") { this.sndNxt = this.sndUna; this.open(); return; }
    if (this.state === "syn-received") { this.link.emit(this.seg(TCP_SYN | TCP_ACK, this.sndUna, { mss: OUR_MSS })); return; }
    this.sndNxt = this.sndUna; // go back: data and the FIN again, as the window allows
    this.finSent = false;
    this.pump();
  }

  /** Tells the guest the connection is gone (the host side failed). */
  reset(): void {
    if (this.state === "closed") return;
    this.link.emit(this.seg(TCP_RST, this.sndNxt));
    this.host.destroy();
    this.close();
  }

  private close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.link.closed(this);
  }
}

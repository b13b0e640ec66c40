// Virtual switches between the VMs of a host: each is an L2 learning switch (IEEE 802.1D
// forwarding, no spanning tree: the topology is a star). A frame's source MAC is learned on the
// port it came in on; a unicast frame to a learned MAC goes to that port only, anything else
// (broadcast, multicast, an unknown destination) to every other port. Switches are named: VMs on
// different switches cannot reach each other. Entries age out after 300 s and the table is
// bounded, so a guest forging source addresses cannot grow it without limit. Browser-safe.

export const AGEING_MS = 300_000;
export const MAC_TABLE_MAX = 4096;

export interface SwitchPort {
  readonly name: string;
  /** A frame from this port into the switch. */
  send(frame: Uint8Array): void;
  /** Leaves the switch (its learned addresses are forgotten). */
  detach(): void;
  /** Frames the switch forwarded to / received from this port. */
  readonly counts: { in: number; out: number };
}

const macKey = (f: Uint8Array, at: number) => ((f[at] * 2 ** 40) + (f[at + 1] * 2 ** 32) + ((f[at + 2] << 24 | f[at + 3] << 16 | f[at + 4] << 8 | f[at + 5]) >>> 0));

interface Port extends SwitchPort { deliver: (frame: Uint8Array) => void }

export class Switch {
  private readonly ports = new Set<Port>();
  private readonly table = new Map<number, { port: Port; seen: number }>();

  constructor(readonly name: string, private readonly now: () => number = () => Date.now()) {}

  get portCount(): number { return this.ports.size; }

  /** Connects a port; `deliver` gets the frames the switch forwards to it. */
  attach(name: string, deliver: (frame: Uint8Array) => void): SwitchPort {
    const port: Port = {
      name, deliver, counts: { in: 0, out: 0 },
      send: (frame) => this.forward(port, frame),
      detach: () => {
        this.ports.delete(port);
        for (const [mac, e] of this.table) if (e.port === port) this.table.delete(mac);
      },
    };
    this.ports.add(port);
    return port;
  }

  private forward(from: Port, frame: Uint8Array): void {
    if (!this.ports.has(from) || frame.length < 14) return;
    from.counts.in++;
    const now = this.now();
    if ((frame[6] & 1) === 0) { // a unicast source is learned (a multicast source is bogus)
      const src = macKey(frame, 6);
      const e = this.table.get(src);
      if (e) { e.port = from; e.seen = now; this.table.delete(src); this.table.set(src, e); } // most recent last
      else {
        if (this.table.size >= MAC_TABLE_MAX) this.table.delete(this.table.keys().next().value!);
        this.table.set(src, { port: from, seen: now });
      }
    }
    if ((frame[0] & 1) === 0) {
      const e = this.table.get(macKey(frame, 0));
      if (e && now - e.seen < AGEING_MS) {
        if (e.port !== from) { e.port.counts.out++; e.port.deliver(frame); }
        return;
      }
    }
    for (const p of this.ports) {
      if (p === from) continue;
      p.counts.out++;
      p.deliver(frame);
    }
  }
}

/** The named switches of a host, made on first use. */
export class Network {
  private readonly switches = new Map<string, Switch>();
  constructor(private readonly now: () => number = () => Date.now()) {}

  switch(name: string): Switch {
    let s = this.switches.get(name);
    if (!s) { s = new Switch(name, this.now); this.switches.set(name, s); }
    return s;
  }

  get names(): string[] { return [...this.switches.keys()]; }
}

/** A MAC address as bytes from "52:54:00:12:34:56"; throws on anything else. */
export function parseMac(text: string): Uint8Array {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(text);
  if (!m) throw new RangeError(`'${text}' is not a MAC address (six hex bytes separated by colons)`);
  const b = Uint8Array.from(m.slice(1).map((x) => parseInt(x, 16)));
  if (b[0] & 1) throw new RangeError(`'${text}' is a multicast address, not a NIC's`);
  return b;
}

/** A stable, locally administered unicast MAC for a VM id (02:77:76 + 24 bits of its hash). */
export function macForId(id: string): Uint8Array {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return Uint8Array.of(0x02, 0x77, 0x76, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
}

export function formatMac(b: Uint8Array): string { return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(":"); }

// Node-only: the host sockets of the user-mode network (src/net/user/): TCP through node:net,
// UDP through node:dgram, the resolver from /etc/resolv.conf (127.0.0.1 if there is none).
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import type { HostSockets, HostTcp, HostUdp } from "../net/user/sockets.js";

function wrap(s: Socket): HostTcp {
  s.on("error", () => { /* reported by 'close' with hadError */ });
  return {
    write: (d) => { s.write(d); },
    bufferedBytes: () => s.writableLength,
    end: () => { s.end(); },
    destroy: () => { s.destroy(); },
    pause: () => { s.pause(); },
    resume: () => { s.resume(); },
    on: ((event: string, fn: (...a: any[]) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      if (event === "data") s.on("data", (b: Buffer) => (fn as (d: Uint8Array) => void)(new Uint8Array(b.buffer, b.byteOffset, b.length)));
      else s.on(event, fn);
    }) as HostTcp["on"],
  };
}

let resolver: string | undefined;

export const nodeSockets: HostSockets = {
  connectTcp(host, port) {
    const s = new Socket();
    const t = wrap(s);
    s.connect(port, host);
    return t;
  },
  udp(): HostUdp {
    const s = createSocket("udp4");
    s.on("error", () => { /* a datagram that cannot go is dropped, as on a network */ });
    return {
      send: (d, host, port) => { s.send(d, port, host); },
      on: (_e, fn) => { s.on("message", (m, r) => fn(new Uint8Array(m.buffer, m.byteOffset, m.length), r.address, r.port)); },
      close: () => { try { s.close(); } catch { /* closed */ } },
    };
  },
  listenTcp(host, port, onConnection) {
    return new Promise((resolve, reject) => {
      const server = createServer({ pauseOnConnect: false }, (s) => onConnection(wrap(s)));
      server.once("error", reject);
      server.listen(port, host, () => {
        const a = server.address();
        resolve({ close: () => server.close(), port: typeof a === "object" && a ? a.port : port });
      });
    });
  },
  dnsServer() {
    if (resolver === undefined) {
      let text = "";
      try { text = readFileSync("/etc/resolv.conf", "utf8"); } catch { /* none */ }
      resolver = /^nameserver\s+(\d+\.\d+\.\d+\.\d+)/m.exec(text)?.[1] ?? "127.0.0.1";
    }
    return resolver;
  },
};

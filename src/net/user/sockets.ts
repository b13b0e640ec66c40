// What the user-mode network needs of its host: outbound TCP and UDP sockets and listening TCP
// sockets for port forwards (Node: src/node/host-sockets.ts). Browser-safe (types only).

export interface HostTcp {
  write(data: Uint8Array): void;
  /** Bytes written but not yet sent by the host (its send buffer). */
  bufferedBytes(): number;
  /** Half-close: no more data from us. */
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
  on(event: "connect", fn: () => void): void;
  on(event: "data", fn: (data: Uint8Array) => void): void;
  /** The peer half-closed. */
  on(event: "end", fn: () => void): void;
  on(event: "close", fn: (hadError: boolean) => void): void;
}

export interface HostUdp {
  send(data: Uint8Array, host: string, port: number): void;
  on(event: "message", fn: (data: Uint8Array, host: string, port: number) => void): void;
  close(): void;
}

export interface HostSockets {
  connectTcp(host: string, port: number): HostTcp;
  udp(): HostUdp;
  /** Listens on host:port; resolves once it listens (rejects when it cannot). */
  listenTcp(host: string, port: number, onConnection: (socket: HostTcp) => void): Promise<{ close(): void; port: number }>;
  /** The host's DNS resolver (IP), for the guest's DNS forwarder. */
  dnsServer(): string;
}

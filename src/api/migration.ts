// Live migration over the network between two `wasmvisor serve` hosts: a WebSocket (over TCP)
// carries the sealed channel of src/migration/channel.ts. The target listens on its API port at
// GET /migrations/incoming (no access token: the migration secret authenticates the stream);
// the source connects to it when asked to (PUT /vms/{id}/migrate).
import { WebSocket } from "ws";
import type { Transport } from "../migration/channel.js";

/** Where a host takes migrations: the WebSocket's path on its API port. */
export const MIGRATION_PATH = "/migrations/incoming";

/** Largest message accepted: a page batch part (1 MiB and its records) or a VM's state. */
const MAX_MESSAGE = 64 << 20;
/** A connection that goes quiet this long in the middle of a migration has failed. */
const IDLE_MS = 30_000;

/** A WebSocket as a migration transport: messages in order, a failure rejects every wait. */
export function wsTransport(ws: WebSocket): Transport {
  const queue: Uint8Array[] = [];
  const waiting: { resolve: (m: Uint8Array) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | undefined;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => { fail(new Error(`the connection was idle for ${IDLE_MS / 1000} s`)); ws.terminate(); }, IDLE_MS);
    idle.unref();
  };
  const fail = (e: Error) => {
    clearTimeout(idle);
    failure ??= e;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  ws.binaryType = "nodebuffer";
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    touch();
    if (!isBinary) { fail(new Error("the other host sent a text message")); ws.terminate(); return; }
    const m = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const w = waiting.shift();
    if (w) w.resolve(m); else queue.push(m);
  });
  ws.on("close", (code: number, reason: Buffer) => fail(new Error(`the connection closed${reason.length ? ` (${reason.toString()})` : code === 1006 ? " abruptly" : ""}`)));
  ws.on("error", (e: Error) => fail(new Error(`connection error: ${e.message}`)));
  touch();
  return {
    send: (bytes) => new Promise((resolve, reject) => {
      if (failure) { reject(failure); return; }
      if (ws.readyState !== WebSocket.OPEN) { reject(new Error("the connection is not open")); return; }
      ws.send(bytes, { binary: true }, (e) => { if (e) reject(failure ?? e); else { touch(); resolve(); } });
    }),
    receive: () => {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    close: (reason) => {
      clearTimeout(idle);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, reason?.slice(0, 100));
    },
  };
}

/** Connects to the migration endpoint of the host at `destination` (HOST:PORT). */
export function connectMigration(destination: string): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${destination}${MIGRATION_PATH}`, { maxPayload: MAX_MESSAGE, handshakeTimeout: 10_000 });
    ws.once("open", () => resolve(wsTransport(ws)));
    ws.once("error", (e) => reject(new Error(`cannot reach ${destination}: ${e.message}`)));
    ws.once("unexpected-response", (_req, res) => { reject(new Error(`${destination} answered ${res.statusCode}: not a wasmvisor host that takes migrations`)); ws.terminate(); });
  });
}

export { MAX_MESSAGE as MAX_MIGRATION_MESSAGE };

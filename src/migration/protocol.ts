// The messages of a live migration, inside the sealed channel (channel.ts): a type byte, then
// the payload. In order:
//   source -> target  HELLO   JSON { version, id, core, memSize, body }: the VM to define
//   target -> source  READY   JSON {}  or  REFUSE JSON { message } (at any point: it gave up)
//   source -> target  PAGES   a page batch (pages.ts), as many as the rounds take
//   source -> target  STATE   u32 JSON length, JSON { sinceSavedMs, consoleBytes }, the console
//                             ring, then the VM's state (a snapshot without RAM)
//   target -> source  RESTORED   the VM is restored there, paused
//   source -> target  GO      JSON { run }: the commit point; the source will not run it again
//   target -> source  RESUMED    it has the GO: the VM runs (or stays paused) there from now
//   source -> target  ABORT   JSON { message }: the source gave up before GO
// Browser-safe.

export const PROTOCOL_VERSION = 1;

export const Msg = { HELLO: 1, READY: 2, REFUSE: 3, PAGES: 4, STATE: 5, RESTORED: 6, GO: 7, RESUMED: 8, ABORT: 9 } as const;
export type Msg = (typeof Msg)[keyof typeof Msg];

const NAMES: Record<number, string> = { 1: "HELLO", 2: "READY", 3: "REFUSE", 4: "PAGES", 5: "STATE", 6: "RESTORED", 7: "GO", 8: "RESUMED", 9: "ABORT" };

export class MigrationError extends Error {
  constructor(message: string) { super(`migration: ${message.replace(/^migration: /, "")}`); this.name = "MigrationError"; }
}

export function message(type: Msg, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(1 + payload.length);
  out[0] = type;
  out.set(payload, 1);
  return out;
}

export function jsonMessage(type: Msg, value: unknown): Uint8Array {
  return message(type, new TextEncoder().encode(JSON.stringify(value)));
}

/** A message's type and payload; throws MigrationError if it is not `expected` (one of them). */
export function expectMessage(m: Uint8Array, ...expected: Msg[]): { type: Msg; payload: Uint8Array } {
  const type = m[0] as Msg;
  const payload = m.subarray(1);
  if (type === Msg.REFUSE || type === Msg.ABORT) {
    const why = parseJson(payload) as { message?: unknown } | undefined;
    throw new MigrationError(`${type === Msg.REFUSE ? "the target refused" : "the source gave up"}: ${typeof why?.message === "string" ? why.message : "no reason given"}`);
  }
  if (!expected.includes(type)) throw new MigrationError(`expected ${expected.map((t) => NAMES[t]).join(" or ")}, got ${NAMES[type] ?? `message type ${type}`}`);
  return { type, payload };
}

export function parseJson(payload: Uint8Array): unknown {
  try { return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload)); } catch { return undefined; }
}

/** A JSON object payload, or MigrationError naming the message. */
export function jsonObject(payload: Uint8Array, what: string): Record<string, unknown> {
  const v = parseJson(payload);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new MigrationError(`${what}: not a JSON object`);
  return v as Record<string, unknown>;
}

/** STATE: the clock and console record, the console ring, the state snapshot. */
export function stateMessage(sinceSavedMs: number, consoleRing: Uint8Array, state: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ sinceSavedMs, consoleBytes: consoleRing.length }));
  const out = new Uint8Array(1 + 4 + json.length + consoleRing.length + state.length);
  out[0] = Msg.STATE;
  new DataView(out.buffer).setUint32(1, json.length, true);
  out.set(json, 5);
  out.set(consoleRing, 5 + json.length);
  out.set(state, 5 + json.length + consoleRing.length);
  return out;
}

export function parseState(payload: Uint8Array): { sinceSavedMs: number; consoleRing: Uint8Array; state: Uint8Array } {
  if (payload.length < 4) throw new MigrationError("STATE truncated");
  const n = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0, true);
  if (4 + n > payload.length) throw new MigrationError("STATE: record length out of range");
  const rec = jsonObject(payload.subarray(4, 4 + n), "STATE");
  const since = rec.sinceSavedMs, cb = rec.consoleBytes;
  if (typeof since !== "number" || !(since >= 0 && since < 600_000)) throw new MigrationError("STATE: sinceSavedMs out of range");
  if (typeof cb !== "number" || !Number.isInteger(cb) || cb < 0 || cb > 1 << 20 || 4 + n + cb > payload.length) throw new MigrationError("STATE: console length out of range");
  return { sinceSavedMs: since, consoleRing: payload.subarray(4 + n, 4 + n + cb), state: payload.subarray(4 + n + cb) };
}

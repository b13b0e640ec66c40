// Versioned device state as bytes: a JSON object { device, v, ... } encoded as UTF-8, so each
// device's saved state is plain data that restore() can check field by field. Browser-safe.

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
/** No device state is larger than this (queues of bytes included). */
export const MAX_STATE_BYTES = 1 << 20;

export type StateObject = Record<string, unknown>;

export function encodeState(device: string, v: number, fields: StateObject): Uint8Array {
  return enc.encode(JSON.stringify({ device, v, ...fields }));
}

/** Decodes and checks the envelope; throws RangeError naming the device. */
export function decodeState(bytes: Uint8Array, device: string, v: number): StateObject {
  const bad = (why: string) => new RangeError(`${device}: not a saved ${device} state (${why})`);
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_STATE_BYTES) throw bad("size");
  let obj: unknown;
  try { obj = JSON.parse(dec.decode(bytes)); } catch { throw bad("not JSON"); }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw bad("not an object");
  const o = obj as StateObject;
  if (o.device !== device) throw bad(`device ${String(o.device)}`);
  if (o.v !== v) throw bad(`version ${String(o.v)}, expected ${v}`);
  return o;
}

/** Field checkers: each throws RangeError with the device and field name. */
export class StateReader {
  constructor(private readonly device: string, private readonly o: StateObject) {}

  private fail(field: string, why: string): never {
    throw new RangeError(`${this.device}: saved state field '${field}' ${why}`);
  }

  int(field: string, min: number, max: number): number {
    const x = this.o[field];
    if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max) this.fail(field, `must be an integer in [${min}, ${max}]`);
    return x;
  }

  bool(field: string): boolean {
    const x = this.o[field];
    if (typeof x !== "boolean") this.fail(field, "must be a boolean");
    return x;
  }

  ints(field: string, length: number | [number, number], min: number, max: number): number[] {
    const x = this.o[field];
    const [lo, hi] = typeof length === "number" ? [length, length] : length;
    if (!Array.isArray(x) || x.length < lo || x.length > hi) this.fail(field, `must be an array of ${lo}..${hi} integers`);
    for (const e of x) {
      if (typeof e !== "number" || !Number.isInteger(e) || e < min || e > max) this.fail(field, `holds a value outside [${min}, ${max}]`);
    }
    return x as number[];
  }

  array(field: string, maxLength: number): unknown[] {
    const x = this.o[field];
    if (!Array.isArray(x) || x.length > maxLength) this.fail(field, `must be an array of at most ${maxLength}`);
    return x;
  }

  object(field: string): StateObject {
    const x = this.o[field];
    if (typeof x !== "object" || x === null || Array.isArray(x)) this.fail(field, "must be an object");
    return x as StateObject;
  }
}

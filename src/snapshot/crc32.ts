// CRC-32 (IEEE 802.3, reflected: zlib's), the snapshot format's checksum. Browser-safe: the
// JavaScript version runs anywhere (about 0.8 GB/s here); a Node host plugs in zlib's native one
// (src/node/core-module.ts; about 4.5 GB/s, which is most of a 256 MiB VM's restore time saved).

let impl: (bytes: Uint8Array) => number = crc32Js;

/** The CRC-32 of `bytes` (an unsigned 32-bit value). */
export function crc32(bytes: Uint8Array): number { return impl(bytes); }

/** Uses `f` (which must compute the same CRC-32, e.g. node:zlib's crc32) from now on. */
export function useNativeCrc32(f: (bytes: Uint8Array) => number): void {
  const probe = new Uint8Array([0x77, 0x61, 0x73, 0x6d, 0x76, 0x69, 0x73, 0x6f, 0x72]);
  if ((f(probe) >>> 0) !== crc32Js(probe)) throw new Error("useNativeCrc32: the function does not compute CRC-32");
  impl = (bytes) => f(bytes) >>> 0;
}

let tables: Uint32Array | undefined;
/** CRC-32 (IEEE 802.3, reflected, as zlib's) in JavaScript, eight bytes a step ("slicing-by-8"). */
export function crc32Js(bytes: Uint8Array): number {
  if (!tables) {
    tables = new Uint32Array(8 * 256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      tables[n] = c >>> 0;
    }
    for (let n = 0; n < 256; n++) {
      for (let t = 1; t < 8; t++) tables[t * 256 + n] = (tables[(t - 1) * 256 + n] >>> 8) ^ tables[tables[(t - 1) * 256 + n] & 0xff];
    }
  }
  const T = tables;
  let c = 0xffffffff;
  let i = 0;
  const n8 = bytes.length & ~7;
  for (; i < n8; i += 8) {
    const a = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) ^ c;
    const b = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    c = T[7 * 256 + (a & 0xff)] ^ T[6 * 256 + ((a >>> 8) & 0xff)] ^ T[5 * 256 + ((a >>> 16) & 0xff)] ^ T[4 * 256 + (a >>> 24)] ^
      T[3 * 256 + (b & 0xff)] ^ T[2 * 256 + ((b >>> 8) & 0xff)] ^ T[256 + ((b >>> 16) & 0xff)] ^ T[b >>> 24];
  }
  for (; i < bytes.length; i++) c = T[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

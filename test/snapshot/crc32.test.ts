// The snapshot checksum: the JavaScript CRC-32 and the native one a Node host plugs in agree.
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, crc32Js, useNativeCrc32 } from "../../src/snapshot/crc32.js";

describe("snapshot CRC-32", () => {
  it("the JavaScript and zlib versions agree on every length and offset", () => {
    let seed = 12345;
    const bytes = new Uint8Array(70_001).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (const [from, to] of [[0, 0], [0, 1], [3, 10], [1, 4096], [5, 70_001], [0, 70_001], [17, 33_333]]) {
      const b = bytes.subarray(from, to);
      expect(crc32Js(b), `${from}..${to}`).toBe(zlibCrc32(b) >>> 0);
      expect(crc32(b)).toBe(crc32Js(b));
    }
    expect(crc32Js(new TextEncoder().encode("123456789"))).toBe(0xcbf43926); // the standard check value
  });

  it("refuses a native function that computes something else", () => {
    expect(() => useNativeCrc32(() => 42)).toThrow(/does not compute CRC-32/);
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });
});

// virtio-rng, the entropy device (virtio 1.2 section 5.4): one request queue whose writable
// buffers are filled with bytes from the host's cryptographic generator (passed in: Web Crypto
// in a browser and in Node), at most 64 KiB a request. Browser-safe.
import type { VirtioBackend, VirtioTransport } from "./mmio.js";

export const VIRTIO_ID_RNG = 4;
export const RNG_MAX_REQUEST = 64 * 1024;

/** The host's cryptographic generator (Web Crypto, in a browser and in Node). */
export const webCryptoRandom = (b: Uint8Array): void => { globalThis.crypto.getRandomValues(b); };

export class VirtioRng implements VirtioBackend {
  readonly name = "rng";
  readonly deviceId = VIRTIO_ID_RNG;
  readonly features = 0n;
  readonly queueSizes = [64];
  private readonly buf = new Uint8Array(RNG_MAX_REQUEST);
  bytesServed = 0;

  constructor(private readonly random: (buf: Uint8Array) => void = webCryptoRandom) {}

  config(): Uint8Array { return new Uint8Array(0); }
  reset(): void {}

  process(t: VirtioTransport, q: number): void {
    for (;;) {
      const head = t.next(q);
      if (head < 0) break;
      const n = Math.min(t.chain.writableBytes, RNG_MAX_REQUEST);
      const out = this.buf.subarray(0, n);
      this.random(out);
      t.chain.write(t.ram, 0, out);
      this.bytesServed += n;
      t.complete(q, head, n);
    }
    t.notifyUsed(q);
  }
}

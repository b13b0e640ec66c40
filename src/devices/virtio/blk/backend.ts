// Block backends for virtio-blk: a disk is bytes addressed by offset. MemoryDisk holds them in
// memory (a browser, tests); CowOverlay puts a copy-on-write layer over any backend, so the base
// image is never written: written 4 KiB chunks live in the overlay, which can be listed, saved
// and flattened. A file-backed disk for Node is in src/node/file-disk.ts. Browser-safe.

export interface BlockBackend {
  /** Size in bytes (a multiple of 512). */
  readonly size: number;
  readonly readOnly: boolean;
  read(offset: number, dst: Uint8Array): void;
  write(offset: number, src: Uint8Array): void;
  flush(): void;
  /** Releases what the backend holds open (its VM is gone); optional. */
  close?(): void;
  /** An in-memory overlay's written chunks (index, bytes), for a snapshot to carry; optional. */
  overlayChunks?(): [number, Uint8Array][];
  /** Puts back a chunk a snapshot carried; optional. */
  restoreChunk?(index: number, data: Uint8Array): void;
}

export const SECTOR = 512;

export class MemoryDisk implements BlockBackend {
  constructor(readonly bytes: Uint8Array, readonly readOnly = false) {
    if (bytes.length % SECTOR !== 0) throw new RangeError(`disk size ${bytes.length} is not a multiple of 512`);
  }
  get size(): number { return this.bytes.length; }
  read(offset: number, dst: Uint8Array): void { dst.set(this.bytes.subarray(offset, offset + dst.length)); }
  write(offset: number, src: Uint8Array): void { this.bytes.set(src, offset); }
  flush(): void {}
}

export const CHUNK = 4096;

export class CowOverlay implements BlockBackend {
  /** Written chunks by index (offset / CHUNK). */
  readonly chunks = new Map<number, Uint8Array>();
  readonly readOnly = false;
  flushes = 0;

  constructor(readonly base: BlockBackend) {}
  get size(): number { return this.base.size; }

  read(offset: number, dst: Uint8Array): void {
    eachChunk(offset, dst.length, (idx, within, at, done, n) => {
      const c = this.chunks.get(idx);
      if (c) dst.set(c.subarray(within, within + n), done);
      else this.base.read(at, dst.subarray(done, done + n));
    });
  }

  write(offset: number, src: Uint8Array): void {
    eachChunk(offset, src.length, (idx, within, _at, done, n) => {
      let c = this.chunks.get(idx);
      if (!c) {
        const len = Math.min(CHUNK, this.size - idx * CHUNK);
        c = new Uint8Array(len);
        if (n < len) this.base.read(idx * CHUNK, c); // partial chunk: start from the base's bytes
        this.chunks.set(idx, c);
      }
      c.set(src.subarray(done, done + n), within);
    });
  }

  flush(): void { this.flushes++; }
  close(): void { this.base.close?.(); }

  overlayChunks(): [number, Uint8Array][] { return [...this.chunks]; }

  restoreChunk(index: number, data: Uint8Array): void {
    checkChunk(this.size, index, data);
    this.chunks.set(index, data.slice());
  }

  /** Bytes held by the overlay. */
  get overlayBytes(): number { let n = 0; for (const c of this.chunks.values()) n += c.length; return n; }

  /** The disk as the guest sees it (base + overlay), as one byte array. */
  flatten(): Uint8Array {
    const out = new Uint8Array(this.size);
    this.read(0, out);
    return out;
  }
}

/** Throws RangeError unless `data` is chunk `index` of a `size`-byte disk, whole (a snapshot's, a migration's). */
export function checkChunk(size: number, index: number, data: Uint8Array): void {
  const len = Math.min(CHUNK, size - index * CHUNK);
  if (!Number.isInteger(index) || index < 0 || len <= 0 || data.length !== len) throw new RangeError(`overlay chunk ${index} of ${data.length} bytes does not fit a ${size}-byte disk`);
}

/** Splits [offset, offset+length) at CHUNK boundaries: f(chunk index, offset in it, absolute offset, bytes done, bytes here). */
export function eachChunk(offset: number, length: number, f: (idx: number, within: number, at: number, done: number, n: number) => void): void {
  let done = 0;
  while (done < length) {
    const at = offset + done;
    const idx = Math.floor(at / CHUNK), within = at % CHUNK;
    const n = Math.min(CHUNK - within, length - done);
    f(idx, within, at, done, n);
    done += n;
  }
}

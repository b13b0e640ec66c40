// Node-only: a copy-on-write overlay kept in files, so a VM's disk writes outlive the host
// process (serve --state-dir). Like CowOverlay the base image is never written; written 4 KiB
// chunks go to PATH.data (a sparse file the base's size, each chunk at its own offset) and
// the list of written chunks to PATH.index (u32 chunk numbers, little-endian), rewritten
// atomically at each guest flush and at close. What the guest flushed survives a crash of the
// host; what it wrote since may or may not, as on a real disk. A damaged index (a length that
// is not a whole number of entries, a chunk past the end of the disk) is refused on open, and
// so is an overlay made over another base image (PATH.base names it and its size).
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { type BlockBackend, CHUNK, checkChunk, eachChunk } from "../devices/virtio/blk/backend.js";

export class OverlayError extends Error {}

export class PersistentOverlay implements BlockBackend {
  readonly readOnly = false;
  private readonly fd: number;
  private readonly written = new Set<number>();
  private dirty = false;
  private closed = false;
  private readonly chunk = new Uint8Array(CHUNK);

  /** Opens (or creates) the overlay at `path` (.data, .index, .base) over `base`, named `baseName`. */
  constructor(readonly base: BlockBackend, readonly path: string, baseName: string) {
    const owner = `${baseName} ${base.size}\n`, basePath = `${path}.base`;
    if (existsSync(basePath)) {
      const was = readFileSync(basePath, "utf8");
      if (was !== owner) throw new OverlayError(`${path}: the overlay was made over another disk (${was.trim()}), not ${owner.trim()}`);
    } else {
      writeFileSync(basePath, owner);
    }
    const indexPath = `${path}.index`;
    if (existsSync(indexPath)) {
      const raw = readFileSync(indexPath);
      if (raw.length % 4 !== 0) throw new OverlayError(`${indexPath}: damaged (its length ${raw.length} is not a multiple of 4)`);
      const chunks = Math.ceil(base.size / CHUNK);
      for (let i = 0; i < raw.length; i += 4) {
        const c = raw.readUInt32LE(i);
        if (c >= chunks) throw new OverlayError(`${indexPath}: damaged (chunk ${c} is past the end of a ${base.size}-byte disk)`);
        this.written.add(c);
      }
    }
    this.fd = openSync(`${path}.data`, existsSync(`${path}.data`) ? "r+" : "w+");
    if (fstatSync(this.fd).size !== base.size) ftruncateSync(this.fd, base.size); // sparse: holes cost nothing
  }

  get size(): number { return this.base.size; }
  /** Chunks the overlay holds. */
  get chunks(): number { return this.written.size; }

  read(offset: number, dst: Uint8Array): void {
    eachChunk(offset, dst.length, (idx, _within, at, done, n) => {
      const part = dst.subarray(done, done + n);
      if (this.written.has(idx)) readFully(this.fd, part, at);
      else this.base.read(at, part);
    });
  }

  write(offset: number, src: Uint8Array): void {
    if (this.closed) throw new Error(`${this.path}: overlay closed`);
    eachChunk(offset, src.length, (idx, _within, at, done, n) => {
      if (!this.written.has(idx)) {
        const start = idx * CHUNK, len = Math.min(CHUNK, this.size - start);
        if (n < len) { // partial chunk: start it from the base's bytes
          const c = this.chunk.subarray(0, len);
          this.base.read(start, c);
          writeFully(this.fd, c, start);
        }
        this.written.add(idx);
        this.dirty = true;
      }
      writeFully(this.fd, src.subarray(done, done + n), at);
    });
  }

  /** The written chunks (index, bytes), read back from the data file: a snapshot or a migration carries them. */
  overlayChunks(): [number, Uint8Array][] {
    return [...this.written].sort((a, b) => a - b).map((i) => {
      const c = new Uint8Array(Math.min(CHUNK, this.size - i * CHUNK));
      readFully(this.fd, c, i * CHUNK);
      return [i, c];
    });
  }

  /** Puts back a chunk a snapshot or a migration carried. */
  restoreChunk(index: number, data: Uint8Array): void {
    checkChunk(this.size, index, data);
    if (this.closed) throw new Error(`${this.path}: overlay closed`);
    writeFully(this.fd, data, index * CHUNK);
    if (!this.written.has(index)) { this.written.add(index); this.dirty = true; }
  }

  /** The guest's flush: data to stable storage, then the index (atomically). */
  flush(): void {
    if (this.closed) return;
    fsyncSync(this.fd);
    if (!this.dirty) return;
    const idx = Buffer.alloc(4 * this.written.size);
    let o = 0;
    for (const c of this.written) { idx.writeUInt32LE(c, o); o += 4; }
    const tmp = `${this.path}.index.tmp`;
    writeFileSync(tmp, idx);
    const fd = openSync(tmp, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, `${this.path}.index`);
    this.dirty = false;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
    (this.base as { close?: () => void }).close?.();
  }

  /** Removes the overlay's files (the VM is gone). */
  static remove(path: string): void {
    for (const ext of [".data", ".index", ".index.tmp", ".base"]) rmSync(`${path}${ext}`, { force: true });
  }
}

function readFully(fd: number, dst: Uint8Array, at: number): void {
  let done = 0;
  while (done < dst.length) {
    const n = readSync(fd, dst, done, dst.length - done, at + done);
    if (n <= 0) { dst.fill(0, done); return; }
    done += n;
  }
}

function writeFully(fd: number, src: Uint8Array, at: number): void {
  let done = 0;
  while (done < src.length) done += writeSync(fd, src, done, src.length - done, at + done);
}

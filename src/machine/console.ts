// Console plumbing shared by the console devices (HTIF today, a UART later): an input byte
// queue fed by the host and an output buffer flushed to the host's sink between slices.
// Browser-safe.

/** Bytes typed into the guest's console, consumed one at a time by a device. */
export class InputQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // read position in chunks[0]
  private count = 0;
  private closed = false;

  /** Appends a copy of `bytes`. Ignored after close(). */
  push(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    this.chunks.push(bytes.slice());
    this.count += bytes.length;
    // Unread input is bounded (a guest may never read this console): drop the oldest chunks.
    while (this.count > InputQueue.LIMIT && this.chunks.length > 1) {
      this.count -= this.chunks[0].length - this.head;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Unread bytes kept at most (about: whole chunks are dropped). */
  static readonly LIMIT = 1 << 20;

  /** The host will send no more input (end of file). */
  close(): void { this.closed = true; }

  /** True once close() was called (bytes already queued can still be read). */
  get ended(): boolean { return this.closed; }

  /** Bytes waiting. */
  get length(): number { return this.count; }

  /** Next byte, or -1 if none is queued. */
  shift(): number {
    if (this.count === 0) return -1;
    const c = this.chunks[0];
    const b = c[this.head++];
    this.count--;
    if (this.head === c.length) { this.chunks.shift(); this.head = 0; }
    return b;
  }

  clear(): void { this.chunks = []; this.head = 0; this.count = 0; }
}

/** Collects console output bytes; `flush()` hands them to the sink in one piece. */
export class OutputBuffer {
  private buf = new Uint8Array(4096);
  private n = 0;

  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  push(b: number): void {
    if (this.n === this.buf.length) this.flush();
    this.buf[this.n++] = b;
  }

  pushBytes(bytes: Uint8Array): void {
    if (bytes.length > this.buf.length - this.n) {
      this.flush();
      if (bytes.length >= this.buf.length) { this.sink(bytes.slice()); return; }
    }
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
  }

  /** Sends what is buffered (a fresh copy: the sink may keep it). */
  flush(): void {
    if (this.n === 0) return;
    const out = this.buf.slice(0, this.n);
    this.n = 0;
    this.sink(out);
  }
}

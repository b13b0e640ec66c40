// virtio-blk (virtio 1.2 section 5.2): one request queue; requests are a 16-byte header
// (type, reserved, sector), data buffers and a status byte the device writes last. Supported:
// IN, OUT, FLUSH, GET_ID, DISCARD and WRITE_ZEROES; a read-only disk answers writes with IOERR.
// A request that is not shaped like one (no header, no status byte, data not a whole number
// of sectors, a range past the end of the disk) completes with an error status (or length 0
// when there is no status byte to write), never a host fault. Browser-safe.
import type { VirtioBackend, VirtioTransport } from "../mmio.js";
import { RateLimiter, type RateLimiterConfig } from "../../rate-limiter.js";
import { type BlockBackend, SECTOR } from "./backend.js";

export const VIRTIO_ID_BLOCK = 2;
const F_SIZE_MAX = 1n, F_SEG_MAX = 2n, F_RO = 5n, F_BLK_SIZE = 6n, F_FLUSH = 9n, F_DISCARD = 13n, F_WRITE_ZEROES = 14n;
export const BLK_T_IN = 0, BLK_T_OUT = 1, BLK_T_FLUSH = 4, BLK_T_GET_ID = 8, BLK_T_DISCARD = 11, BLK_T_WRITE_ZEROES = 13;
export const BLK_S_OK = 0, BLK_S_IOERR = 1, BLK_S_UNSUPP = 2;
const QUEUE_SIZE = 256;
const SEG_MAX = 126;
/** Largest segment, and largest data transfer of one request (seg_max x size_max fits in it). */
const SIZE_MAX = 64 * 1024;
export const BLK_MAX_REQUEST = 8 << 20;
const MAX_DISCARD_SECTORS = 0x3fffff;

export interface BlkStats { reads: number; writes: number; flushes: number; bytesRead: number; bytesWritten: number; errors: number }

export class VirtioBlk implements VirtioBackend {
  readonly name = "blk";
  readonly deviceId = VIRTIO_ID_BLOCK;
  readonly queueSizes = [QUEUE_SIZE];
  readonly features: bigint;
  readonly stats: BlkStats = { reads: 0, writes: 0, flushes: 0, bytesRead: 0, bytesWritten: 0, errors: 0 };
  private readonly cfg = new Uint8Array(60);
  private readonly header = new Uint8Array(16);
  private readonly headerView = new DataView(this.header.buffer);
  private buf = new Uint8Array(64 * 1024);

  private readonly limit: RateLimiter | undefined;
  /** A request held back by the rate limit (its chain re-walked when it may go). */
  private held = -1;
  private retryAt = Infinity;

  constructor(readonly disk: BlockBackend, readonly id = "wasmvisor-disk", limit?: RateLimiterConfig) {
    this.limit = limit && new RateLimiter(limit);
    if (disk.size % SECTOR !== 0) throw new RangeError(`disk size ${disk.size} is not a multiple of 512`);
    let f = (1n << F_SIZE_MAX) | (1n << F_SEG_MAX) | (1n << F_BLK_SIZE) | (1n << F_FLUSH);
    if (disk.readOnly) f |= 1n << F_RO;
    else f |= (1n << F_DISCARD) | (1n << F_WRITE_ZEROES);
    this.features = f;
    const v = new DataView(this.cfg.buffer);
    const sectors = disk.size / SECTOR;
    v.setUint32(0, sectors % 2 ** 32, true);
    v.setUint32(4, Math.floor(sectors / 2 ** 32), true);
    v.setUint32(8, SIZE_MAX, true); // size_max
    v.setUint32(12, SEG_MAX, true); // seg_max
    v.setUint32(20, SECTOR, true); // blk_size
    v.setUint32(36, MAX_DISCARD_SECTORS, true); // max_discard_sectors
    v.setUint32(40, 1, true); // max_discard_seg
    v.setUint32(44, 1, true); // discard_sector_alignment
    v.setUint32(48, MAX_DISCARD_SECTORS, true); // max_write_zeroes_sectors
    v.setUint32(52, 1, true); // max_write_zeroes_seg
  }

  config(): Uint8Array { return this.cfg; }
  reset(): void { this.held = -1; this.retryAt = Infinity; }

  process(t: VirtioTransport, q: number): void {
    let any = false;
    for (;;) {
      let head = this.held;
      if (head >= 0) { if (!t.rewalk(q, head)) { this.held = -1; return; } }
      else { head = t.next(q); if (head < 0) break; }
      if (this.limit) { // bytes moved: the data after the header, or into the buffer before the status
        const bytes = Math.max(0, t.chain.readableBytes - 16) + Math.max(0, t.chain.writableBytes - 1);
        if (!this.limit.consume(bytes)) {
          this.held = head;
          this.retryAt = performance.now() + this.limit.waitMs(bytes);
          break;
        }
      }
      this.held = -1;
      t.complete(q, head, this.request(t));
      any = true;
    }
    if (any) t.notifyUsed(q);
  }

  poll(t: VirtioTransport): number {
    if (this.held < 0) return Infinity;
    const now = performance.now();
    if (now < this.retryAt) return this.retryAt - now;
    this.process(t, 0);
    return this.held < 0 ? Infinity : Math.max(0, this.retryAt - performance.now());
  }

  /** Serves the request in t.chain; returns the bytes written to the guest. */
  private request(t: VirtioTransport): number {
    const c = t.chain, ram = t.ram;
    if (c.readableBytes < 16 || c.writableBytes < 1) { this.stats.errors++; return 0; }
    c.read(ram, 0, this.header);
    const type = this.headerView.getUint32(0, true);
    const sector = this.headerView.getUint32(8, true) + this.headerView.getUint32(12, true) * 2 ** 32;
    const dataIn = c.writableBytes - 1; // the last writable byte is the status
    const dataOut = c.readableBytes - 16;
    let status = BLK_S_OK, written = 0;
    switch (type) {
      case BLK_T_IN: {
        if (!this.range(sector, dataIn)) { status = BLK_S_IOERR; break; }
        const data = this.scratch(dataIn);
        this.disk.read(sector * SECTOR, data);
        c.write(ram, 0, data);
        written = dataIn;
        this.stats.reads++; this.stats.bytesRead += dataIn;
        break;
      }
      case BLK_T_OUT: {
        if (this.disk.readOnly || !this.range(sector, dataOut)) { status = BLK_S_IOERR; break; }
        const data = this.scratch(dataOut);
        c.read(ram, 16, data);
        this.disk.write(sector * SECTOR, data);
        this.stats.writes++; this.stats.bytesWritten += dataOut;
        break;
      }
      case BLK_T_FLUSH:
        this.disk.flush(); this.stats.flushes++;
        break;
      case BLK_T_GET_ID: {
        const id = new TextEncoder().encode(this.id).subarray(0, 20);
        const out = new Uint8Array(Math.min(20, dataIn));
        out.set(id.subarray(0, out.length));
        c.write(ram, 0, out);
        written = out.length;
        break;
      }
      case BLK_T_DISCARD: case BLK_T_WRITE_ZEROES: {
        if (this.disk.readOnly || dataOut < 16 || dataOut % 16 !== 0) { status = BLK_S_IOERR; break; }
        const seg = new Uint8Array(16);
        const sv = new DataView(seg.buffer);
        for (let off = 16; off < 16 + dataOut; off += 16) {
          c.read(ram, off, seg);
          const s = sv.getUint32(0, true) + sv.getUint32(4, true) * 2 ** 32;
          const n = sv.getUint32(8, true);
          if (n > MAX_DISCARD_SECTORS || !this.range(s, n * SECTOR)) { status = BLK_S_IOERR; break; }
          // Discarded sectors read back as zeroes here, which both commands allow.
          const zero = new Uint8Array(Math.min(n * SECTOR, 1 << 20));
          for (let done = 0; done < n * SECTOR; done += zero.length) {
            this.disk.write(s * SECTOR + done, zero.subarray(0, Math.min(zero.length, n * SECTOR - done)));
          }
        }
        break;
      }
      default:
        status = BLK_S_UNSUPP;
    }
    if (status !== BLK_S_OK) this.stats.errors++;
    c.write(ram, c.writableBytes - 1, Uint8Array.of(status));
    return written + 1;
  }

  private range(sector: number, bytes: number): boolean {
    return bytes % SECTOR === 0 && bytes <= BLK_MAX_REQUEST && sector * SECTOR + bytes <= this.disk.size;
  }

  private scratch(n: number): Uint8Array {
    if (this.buf.length < n) this.buf = new Uint8Array(n);
    return this.buf.subarray(0, n);
  }
}

// Node-only: a raw disk image file as a block backend, with positioned reads and writes. By
// default the file is opened read-only and the CLI puts a copy-on-write overlay over it; with
// `writable` (asked for with --disk F,rw) the guest's writes go to the file itself.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { type BlockBackend, SECTOR } from "../devices/virtio/blk/backend.js";

export class FileDisk implements BlockBackend {
  readonly size: number;
  private readonly fd: number;

  readonly readOnly: boolean;

  constructor(readonly path: string, writable = false) {
    this.readOnly = !writable;
    this.fd = openSync(path, writable ? "r+" : "r");
    const st = fstatSync(this.fd);
    if (!st.isFile()) { closeSync(this.fd); throw new Error(`${path}: not a regular file`); }
    if (st.size % SECTOR !== 0) { closeSync(this.fd); throw new Error(`${path}: disk image size ${st.size} is not a multiple of 512 bytes`); }
    if (st.size === 0) { closeSync(this.fd); throw new Error(`${path}: disk image is empty`); }
    this.size = st.size;
  }

  read(offset: number, dst: Uint8Array): void {
    let done = 0;
    while (done < dst.length) {
      const n = readSync(this.fd, dst, done, dst.length - done, offset + done);
      if (n <= 0) { dst.fill(0, done); return; }
      done += n;
    }
  }

  write(offset: number, src: Uint8Array): void {
    if (this.readOnly) throw new Error(`${this.path}: opened read-only`);
    let done = 0;
    while (done < src.length) done += writeSync(this.fd, src, done, src.length - done, offset + done);
  }

  flush(): void { if (!this.readOnly) fsyncSync(this.fd); }
  close(): void { closeSync(this.fd); }
}

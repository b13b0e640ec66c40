// Node-only: a raw disk image file as a block backend, read with positioned reads (the file
// is opened read-only and never written: the board puts a copy-on-write overlay over it).
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { type BlockBackend, SECTOR } from "../devices/virtio/blk/backend.js";

export class FileDisk implements BlockBackend {
  readonly size: number;
  private readonly fd: number;

  constructor(readonly path: string, readonly readOnly = true) {
    this.fd = openSync(path, "r");
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

  write(): void { throw new Error(`${this.path}: the base image is read-only`); }
  flush(): void {}
  close(): void { closeSync(this.fd); }
}

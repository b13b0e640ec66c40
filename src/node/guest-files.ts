// Node-only: a guest's files from a description (bundled names or paths), checked before
// anything runs: the Linux images (kernel Image, possibly gzip-compressed; initramfs, gzip or
// newc cpio; raw firmware), bare-metal images and disks. Every problem is a GuestFileError
// naming the file and what is wrong with it; the CLI and the API report it as a bad request.
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { type BlockBackend, CowOverlay } from "../devices/virtio/blk/backend.js";
import type { DiskConfig } from "../machine/board.js";
import { DEFAULT_CONSOLE, parseImageHeader, type BootMode, type LinuxImages } from "../machine/linux-boot.js";
import { FileDisk } from "./file-disk.js";
import { loadBundledFirmware, loadBundledLinux } from "./images.js";
import { PersistentOverlay } from "./persistent-overlay.js";

export class GuestFileError extends Error {
  constructor(message: string) { super(message); this.name = "GuestFileError"; }
}

/** Largest guest file read (an image never exceeds guest RAM, at most 2 GiB). */
export const MAX_GUEST_FILE = 2 ** 31;

export function readGuestFile(file: string, what = ""): Uint8Array {
  try {
    // Only regular files, of bounded size: a device (/dev/zero) or a FIFO would never end.
    const st = statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (!st.isFile()) throw new GuestFileError(`cannot read ${what}${file}: not a regular file`);
    if (st.size > MAX_GUEST_FILE) throw new GuestFileError(`cannot read ${what}${file}: ${st.size} bytes is larger than any guest's RAM (2 GiB)`);
    return readFileSync(file);
  } catch (e) {
    if (e instanceof GuestFileError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file"
      : err.code === "EISDIR" ? "is a directory"
      : err.code === "EACCES" ? "permission denied"
      : err.message;
    throw new GuestFileError(`cannot read ${what}${file}: ${why}`);
  }
}

const GZIP = (b: Uint8Array) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
const isCpio = (b: Uint8Array) => new TextDecoder().decode(b.subarray(0, 6)) === "070701";
const isElfBytes = (b: Uint8Array) => b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

export interface LinuxFiles {
  /** Boot the bundled Linux (kernel and initramfs; firmware too in full mode). */
  bundled?: boolean;
  kernel?: string;
  initrd?: string;
  firmware?: string;
  /** Kernel command line; default: the mode's console. `wasmvisor.mode=` is appended. */
  append?: string;
  mode: BootMode;
}

/** Reads and checks the Linux images a description names. */
export function loadLinuxImages(f: LinuxFiles): LinuxImages {
  if (f.firmware && f.mode === "para") throw new GuestFileError("a firmware is for full mode: in para mode no firmware runs");
  const cmdline = `${f.append ?? DEFAULT_CONSOLE[f.mode]} wasmvisor.mode=${f.mode}`;
  if (f.bundled) {
    let b;
    try { b = loadBundledLinux(); } catch (e) { throw new GuestFileError((e as Error).message); }
    return { ...b, firmware: f.firmware ? readGuestFile(f.firmware, "firmware ") : b.firmware, cmdline };
  }
  if (!f.kernel) throw new GuestFileError("no kernel given");
  let kernel = readGuestFile(f.kernel, "kernel ");
  if (GZIP(kernel)) {
    try { kernel = gunzipSync(kernel); } catch { throw new GuestFileError(`${f.kernel}: not a valid gzip file`); }
  }
  try { parseImageHeader(kernel); } catch (e) { throw new GuestFileError(`${f.kernel}: ${(e as Error).message.replace(/^kernel: /, "")}`); }
  const initrd = f.initrd ? readGuestFile(f.initrd, "initrd ") : undefined;
  if (initrd && !GZIP(initrd) && !isCpio(initrd)) throw new GuestFileError(`${f.initrd}: not an initramfs (neither gzip nor a newc cpio archive)`);
  const firmware = f.firmware ? readGuestFile(f.firmware, "firmware ") : f.mode === "full" ? loadBundledFirmware() : undefined;
  if (f.firmware && firmware && (isElfBytes(firmware) || firmware.length < 64)) {
    throw new GuestFileError(`${f.firmware}: not a raw firmware binary (give fw_dynamic.bin, not the .elf)`);
  }
  return { kernel, initrd, firmware, cmdline };
}

import type { DiskFile } from "../machine/board.js";
export type { DiskFile };

function openFile(d: DiskFile): FileDisk {
  try { return new FileDisk(d.path, d.writeThrough); } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new GuestFileError(`cannot read disk ${d.path}: no such file`);
    if (err.code === "EACCES") throw new GuestFileError(`cannot read disk ${d.path}: permission denied`);
    throw new GuestFileError(err.message);
  }
}

/** Opens disk images: a copy-on-write overlay over the file unless read-only or write-through. */
export function openDisks(disks: DiskFile[]): DiskConfig[] {
  const opened: DiskConfig[] = [];
  try {
    disks.forEach((d, i) => {
      const base = openFile(d);
      let backend: BlockBackend = base;
      if (!d.readOnly && !d.writeThrough) {
        try {
          backend = d.overlay ? new PersistentOverlay(base, d.overlay, resolve(d.path)) : new CowOverlay(base);
        } catch (e) {
          base.close();
          throw new GuestFileError(`disk ${d.path}: ${(e as Error).message}`);
        }
      }
      opened.push({ backend, id: `wasmvisor-vd${String.fromCharCode(97 + i)}`, rateLimiter: d.rateLimiter });
    });
  } catch (e) {
    for (const o of opened) o.backend.close?.(); // nothing half-opened stays open
    throw e;
  }
  return opened;
}

/** Throws GuestFileError if a disk image cannot be opened as openDisks would open it. */
export function checkDiskFiles(disks: DiskFile[]): void {
  for (const d of disks) openFile(d).close();
}

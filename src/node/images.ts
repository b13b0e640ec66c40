// Node-only: the guest images this installation has. Bundled (committed, gzip-compressed):
// guests/linux/images/{Image,rootfs.cpio,fw_dynamic.bin}.gz and the bare-metal demo; built
// (by `npm run images`, in the cache outside the repository): the uncompressed kernel.
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { readCpio, RootError } from "../container/rootfs.js";
import { ArchiveTree } from "../container/layers.js";

/** The package root (holds package.json), found from this file in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "guests"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("wasmvisor package root not found");
}

export const linuxImagesDir = () => join(packageRoot(), "guests/linux/images");
export const cacheDir = () => process.env.WASMVISOR_CACHE ?? join(homedir(), ".cache/wasmvisor");

export interface BundledLinux { kernel: Uint8Array; initrd: Uint8Array; firmware: Uint8Array }

/** Reads and decompresses the bundled Linux guest. */
export function loadBundledLinux(): BundledLinux {
  const dir = linuxImagesDir();
  const read = (f: string) => {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`bundled image ${p} is missing (run npm run images)`);
    return readFileSync(p);
  };
  return {
    kernel: gunzipSync(read("Image.gz")),
    // Unpacked here, not by the guest: the kernel's own gunzip of it was 29 % of the
    // instructions of a boot to the prompt (36.6 M of 126 M in inflate_fast).
    initrd: gunzipSync(read("rootfs.cpio.gz")),
    firmware: gunzipSync(read("fw_dynamic.bin.gz")),
  };
}

let busybox: Uint8Array | undefined;
/** The bundled static busybox (the Linux guest's initramfs's bin/busybox): a container root. */
export function loadBundledBusybox(): Uint8Array {
  busybox ??= readCpio(loadBundledLinux().initrd).get("bin/busybox")?.data;
  if (!busybox) throw new RootError("the bundled root has no bin/busybox");
  return busybox;
}

let busyboxRoot: ArchiveTree | undefined;
/**
 * The bundled busybox root (the Linux guest's initramfs: /bin/busybox, its applets' links, /etc,
 * /tmp ...) as a read-only tree, one per process: the base layer every busybox container shares.
 */
export function loadBundledBusyboxRoot(): ArchiveTree {
  busyboxRoot ??= ArchiveTree.fromCpio(loadBundledLinux().initrd);
  return busyboxRoot;
}

/** The bundled firmware alone (the default for --kernel in full mode). */
export function loadBundledFirmware(): Uint8Array {
  return gunzipSync(readFileSync(join(linuxImagesDir(), "fw_dynamic.bin.gz")));
}

export interface ImageInfo { name: string; kind: string; origin: "bundled" | "built"; path: string; bytes: number; unpacked?: number }

export function listImages(): ImageInfo[] {
  const out: ImageInfo[] = [];
  const dir = linuxImagesDir();
  let sizes: Record<string, number> = {};
  try { sizes = (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { sizes: Record<string, number> }).sizes; } catch { /* no manifest */ }
  const bundled: [string, string, string][] = [
    ["linux", "kernel", "Image.gz"], ["linux", "initrd", "rootfs.cpio.gz"], ["linux", "firmware", "fw_dynamic.bin.gz"],
  ];
  for (const [name, kind, f] of bundled) {
    const p = join(dir, f);
    if (existsSync(p)) out.push({ name, kind, origin: "bundled", path: p, bytes: statSync(p).size, unpacked: sizes[f.replace(/\.gz$/, "")] });
  }
  const demo = join(packageRoot(), "guests/demo/demo.elf");
  if (existsSync(demo)) out.push({ name: "demo", kind: "bare-metal ELF", origin: "bundled", path: demo, bytes: statSync(demo).size });
  const built: [string, string, string][] = [
    ["linux", "kernel", "linux-build/arch/riscv/boot/Image"], ["linux", "initrd", "rootfs.cpio"],
  ];
  for (const [name, kind, f] of built) {
    const p = resolve(cacheDir(), f);
    if (existsSync(p)) out.push({ name, kind, origin: "built", path: p, bytes: statSync(p).size });
  }
  return out;
}

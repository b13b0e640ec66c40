// Node-only: a host directory as a container's file tree (src/container/vfs.ts), read-only. The
// container's paths are resolved inside it by vfs.resolve; this backend only ever joins the
// resolved, `..`-free path to the directory and never follows a link itself (lstat, readlink).
import { closeSync, constants, lstatSync, openSync, readdirSync, readlinkSync, readSync } from "node:fs";
import { join } from "node:path";
import type { Stat, Tree } from "../container/vfs.js";

// Programs read from host directories, shared by every process that runs the same file (the
// same device, inode, size and modification time): one copy of its bytes, and one set of its
// read-only pages on a hart (src/container/address-space.ts). The least recently used go first.
const programs = new Map<string, { key: string; bytes: Uint8Array }>();
let programBytes = 0;
const PROGRAM_CACHE_BYTES = 256 << 20;

export class HostTree implements Tree {
  constructor(private readonly dir: string) {}

  private at(path: string): string {
    if (path.split("/").some((c) => c === ".." || c === ".")) throw new Error(`host tree: unresolved path ${path}`);
    return join(this.dir, path);
  }

  stat(path: string): Stat | undefined {
    try {
      const s = lstatSync(this.at(path), { bigint: true });
      return { ino: s.ino, mode: Number(s.mode), nlink: Number(s.nlink), size: Number(s.size), mtimeMs: Number(s.mtimeMs) };
    } catch {
      return undefined;
    }
  }

  readlink(path: string): string { return readlinkSync(this.at(path)); }

  list(path: string): string[] { return readdirSync(this.at(path)).sort(); }

  /** A file's bytes, the same object for every caller while the file is unchanged (a program to run). */
  view(path: string): Uint8Array | undefined {
    const file = this.at(path);
    let st;
    try { st = lstatSync(file, { bigint: true }); } catch { return undefined; }
    if (!st.isFile() || st.size > BigInt(PROGRAM_CACHE_BYTES / 4)) return undefined;
    const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
    const known = programs.get(file);
    if (known?.key === key) { programs.delete(file); programs.set(file, known); return known.bytes; }
    const bytes = this.read(path, 0, Number(st.size));
    if (known) { programs.delete(file); programBytes -= known.bytes.length; }
    programs.set(file, { key, bytes });
    programBytes += bytes.length;
    for (const [k, v] of programs) {
      if (programBytes <= PROGRAM_CACHE_BYTES) break;
      programs.delete(k);
      programBytes -= v.bytes.length;
    }
    return bytes;
  }

  read(path: string, offset: number, length: number): Uint8Array {
    const fd = openSync(this.at(path), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const b = new Uint8Array(length);
      const n = readSync(fd, b, 0, length, offset);
      return b.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }
}

// Node-only: a host directory as a container's file tree (src/container/vfs.ts), read-only. The
// container's paths are resolved inside it by vfs.resolve; this backend only ever joins the
// resolved, `..`-free path to the directory and never follows a link itself (lstat, readlink).
import { closeSync, constants, lstatSync, openSync, readdirSync, readlinkSync, readSync } from "node:fs";
import { join } from "node:path";
import type { Stat, Tree } from "../container/vfs.js";

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

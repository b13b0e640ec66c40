// Container file trees held in memory: a read-only tree from a cpio archive (the bundled
// busybox root) or a tar archive, and the layered tree every container sees: a read-only base shared by every
// container that uses it, under a private writable layer of its own (new and changed files,
// directories, and whiteouts for what it removed from the base). Browser-safe.
import { E, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "./linux-abi.js";
import { readCpio, RootError } from "./rootfs.js";
import { readTar, type ArchiveEntry } from "./tar.js";
import { FsError, type Stat, type Tree } from "./vfs.js";

const dirOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");
const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/**
 * The bytes of `b` as a plain Uint8Array: a Node Buffer's slice() is a view (it shares memory),
 * and the trees hand out slices that must be copies.
 */
function plain(b: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * An archive's files as a read-only tree: a newc cpio archive (ArchiveTree.fromCpio) or a tar
 * archive (fromTar). A directory the archive leaves out but has members under exists (as
 * extracting it would make it); hard links share one inode.
 */
export class ArchiveTree implements Tree {
  private readonly entries = new Map<string, { st: Stat; data: Uint8Array }>();
  private readonly children = new Map<string, Set<string>>([["", new Set()]]);

  static fromCpio(archive: Uint8Array): ArchiveTree {
    const files = new Map<string, ArchiveEntry>();
    for (const [name, f] of readCpio(archive)) {
      let data = f.data;
      // Some archivers count a link target's terminating NUL in its size.
      if ((f.mode & S_IFMT) === S_IFLNK) while (data.length && data[data.length - 1] === 0) data = data.subarray(0, data.length - 1);
      const path = name.split("/").filter((p) => p !== "" && p !== ".").join("/");
      if (path !== "" && !path.split("/").includes("..")) files.set(path, { mode: f.mode, data, mtimeMs: 0 });
    }
    return new ArchiveTree(files);
  }

  static fromTar(archive: Uint8Array): ArchiveTree { return new ArchiveTree(readTar(archive)); }

  constructor(files: Map<string, ArchiveEntry>) {
    const inodes = new Map<ArchiveEntry, bigint>();
    let ino = 2n;
    const add = (path: string, st: Stat, data: Uint8Array) => {
      const parent = dirOf(path);
      if (!this.entries.has(parent) && parent !== "") add(parent, { ino: ino++, mode: S_IFDIR | 0o755, nlink: 2, size: 0, mtimeMs: 0 }, new Uint8Array(0));
      this.children.get(parent)?.add(nameOf(path));
      this.entries.set(path, { st, data });
      if ((st.mode & S_IFMT) === S_IFDIR && !this.children.has(path)) this.children.set(path, new Set());
    };
    for (const [path, f] of [...files].sort(([a], [b]) => a.split("/").length - b.split("/").length)) {
      const known = inodes.get(f);
      const st = { ino: known ?? ino++, mode: f.mode, nlink: 1, size: f.data.length, mtimeMs: f.mtimeMs };
      inodes.set(f, st.ino);
      const parent = this.entries.get(dirOf(path));
      if (parent && (parent.st.mode & S_IFMT) !== S_IFDIR) throw new RootError(`${path}: the archive has ${dirOf(path)} as a file, not a directory`);
      add(path, st, plain(f.data));
    }
  }

  stat(path: string): Stat | undefined {
    if (path === "") return { ino: 1n, mode: S_IFDIR | 0o755, nlink: 2, size: 0, mtimeMs: 0 };
    return this.entries.get(path)?.st;
  }

  readlink(path: string): string { return new TextDecoder().decode(this.entries.get(path)?.data ?? new Uint8Array(0)); }

  list(path: string): string[] { return [...(this.children.get(path) ?? [])].sort(); }

  read(path: string, offset: number, length: number): Uint8Array {
    return (this.entries.get(path)?.data ?? new Uint8Array(0)).slice(offset, offset + length);
  }

  view(path: string): Uint8Array | undefined { return this.entries.get(path)?.data; }
}

/**
 * A container's tree: `base` (read-only, shared) under a writable layer of its own. Writes copy
 * a base file up first; removing a base entry leaves a whiteout.
 */
export class LayeredTree implements Tree {
  private readonly upper = new Map<string, { st: Stat; data: Uint8Array; size: number }>();
  private readonly whiteouts = new Set<string>();
  private readonly mounts = new Map<string, Tree>();
  private nextIno = 1n << 40n; // apart from the base's inode numbers

  constructor(private readonly base: Tree | undefined, private readonly now: () => number = Date.now) {}

  /** Shows `tree` (read-only) at the top-level directory `name` (e.g. proc). */
  mount(name: string, tree: Tree): void { this.mounts.set(name, tree); }

  /** The mounted tree `path` is in, and the path inside it. */
  private mounted(path: string): [Tree, string] | undefined {
    if (!this.mounts.size) return undefined;
    const top = path.split("/", 1)[0];
    const t = this.mounts.get(top);
    return t ? [t, path.slice(top.length + 1)] : undefined;
  }

  private writable(path: string): void {
    if (this.mounted(path)) throw new FsError(E.ROFS, `${path}: read-only file system`);
  }

  stat(path: string): Stat | undefined {
    const m = this.mounted(path);
    if (m) return m[0].stat(m[1]);
    const u = this.upper.get(path);
    if (u) return { ...u.st, size: u.size };
    if (this.whiteouts.has(path)) return undefined;
    if (path === "" && !this.base) return { ino: 1n, mode: S_IFDIR | 0o755, nlink: 2, size: 0, mtimeMs: 0 };
    return this.base?.stat(path);
  }

  readlink(path: string): string {
    const m = this.mounted(path);
    if (m) return m[0].readlink(m[1]);
    const u = this.upper.get(path);
    return u ? new TextDecoder().decode(u.data.subarray(0, u.size)) : this.base!.readlink(path);
  }

  list(path: string): string[] {
    const m = this.mounted(path);
    if (m) return m[0].list(m[1]);
    const names = new Set<string>();
    if (!this.upper.has(path) || this.base?.stat(path)) {
      for (const n of this.base?.stat(path) ? this.base.list(path) : []) if (!this.whiteouts.has(path ? `${path}/${n}` : n)) names.add(n);
    }
    for (const p of this.upper.keys()) if (p !== "" && dirOf(p) === path) names.add(nameOf(p));
    if (path === "") for (const name of this.mounts.keys()) names.add(name);
    return [...names].sort();
  }

  /** The base's own bytes of a file this layer has not changed (see Tree.view). */
  view(path: string): Uint8Array | undefined {
    if (this.mounted(path) || this.upper.has(path) || this.whiteouts.has(path)) return undefined;
    return this.base?.view?.(path);
  }

  read(path: string, offset: number, length: number): Uint8Array {
    const m = this.mounted(path);
    if (m) return m[0].read(m[1], offset, length);
    const u = this.upper.get(path);
    if (u) return u.data.slice(offset, Math.min(u.size, offset + length));
    return this.base!.read(path, offset, length);
  }

  /** Bytes in the writable layer (file contents). */
  get writtenBytes(): number { let n = 0; for (const u of this.upper.values()) n += u.size; return n; }

  private parentDir(path: string): void {
    const st = this.stat(dirOf(path));
    if (!st) throw new FsError(E.NOENT, `${dirOf(path)}: no such directory`);
    if ((st.mode & S_IFMT) !== S_IFDIR) throw new FsError(E.NOTDIR, `${dirOf(path)}: not a directory`);
  }

  private add(path: string, mode: number, data: Uint8Array): void {
    this.writable(path);
    this.whiteouts.delete(path);
    this.upper.set(path, { st: { ino: this.nextIno++, mode, nlink: 1, size: 0, mtimeMs: this.now() }, data, size: data.length });
  }

  /** Creates an empty regular file (its parent must be a directory). */
  create(path: string, perm: number): void {
    if (path === "") throw new FsError(E.ISDIR, "the root");
    this.parentDir(path);
    this.add(path, S_IFREG | (perm & 0o7777), new Uint8Array(0));
  }

  mkdir(path: string, perm: number): void {
    if (this.stat(path)) throw new FsError(E.EXIST, `${path}: exists`);
    this.parentDir(path);
    this.add(path, S_IFDIR | (perm & 0o7777), new Uint8Array(0));
  }

  symlink(target: string, path: string): void {
    if (this.stat(path)) throw new FsError(E.EXIST, `${path}: exists`);
    this.parentDir(path);
    this.add(path, S_IFLNK | 0o777, new TextEncoder().encode(target));
  }

  /** The file in the writable layer, copied up from the base first if it is there. */
  private own(path: string): { st: Stat; data: Uint8Array; size: number } {
    this.writable(path);
    let u = this.upper.get(path);
    if (!u) {
      const st = this.stat(path);
      if (!st) throw new FsError(E.NOENT, `${path}: no such file`);
      if ((st.mode & S_IFMT) !== S_IFREG) throw new FsError(E.ISDIR, `${path}: not a regular file`);
      const data = plain(this.base!.read(path, 0, st.size)).slice(); // a copy of its own, whatever the base gave
      u = { st: { ...st, ino: this.nextIno++ }, data, size: data.length };
      this.upper.set(path, u);
    }
    return u;
  }

  /** Writes `bytes` at `offset` (growing the file; a gap reads as zeros). */
  write(path: string, offset: number, bytes: Uint8Array): void {
    const u = this.own(path);
    const end = offset + bytes.length;
    if (end > u.data.length) {
      const grown = new Uint8Array(Math.max(end, u.data.length * 2, 256));
      grown.set(u.data.subarray(0, u.size));
      u.data = grown;
    }
    u.data.set(bytes, offset);
    if (end > u.size) u.size = end;
    u.st.mtimeMs = this.now();
  }

  truncate(path: string, size: number): void {
    const u = this.own(path);
    if (size < u.size) u.data.fill(0, size, u.size);
    else if (size > u.data.length) { const g = new Uint8Array(size); g.set(u.data.subarray(0, u.size)); u.data = g; }
    u.size = size;
    u.st.mtimeMs = this.now();
  }

  /** Removes a file or link (dir: an empty directory). */
  remove(path: string, dir: boolean): void {
    this.writable(path);
    const st = this.stat(path);
    if (!st || path === "") throw new FsError(E.NOENT, `${path}: no such file or directory`);
    const isDir = (st.mode & S_IFMT) === S_IFDIR;
    if (dir && !isDir) throw new FsError(E.NOTDIR, `${path}: not a directory`);
    if (!dir && isDir) throw new FsError(E.ISDIR, `${path}: is a directory`);
    if (isDir && this.list(path).length) throw new FsError(E.NOTEMPTY, `${path}: not empty`);
    this.upper.delete(path);
    if (this.base?.stat(path)) this.whiteouts.add(path);
  }

  /** Moves a file (not a directory) to `to`, replacing what is there. */
  rename(from: string, to: string): void {
    const st = this.stat(from);
    if (!st) throw new FsError(E.NOENT, `${from}: no such file`);
    if ((st.mode & S_IFMT) === S_IFDIR) throw new FsError(E.XDEV, "directories are not moved");
    this.parentDir(to);
    const bytes = (st.mode & S_IFMT) === S_IFLNK ? new TextEncoder().encode(this.readlink(from)) : this.read(from, 0, st.size);
    this.upper.delete(to);
    this.add(to, st.mode, bytes);
    this.remove(from, false);
  }
}

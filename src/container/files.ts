// A container process's open files: the standard streams, pipes, /dev/null and /dev/zero, and
// the files and directories of its container's layered tree (./layers.ts: a shared read-only
// base, a private writable layer), with the system calls on them: openat, read(v), write(v),
// pread64, pwrite64, lseek, close, dup/dup3/fcntl, pipe2, fstat/newfstatat, getdents64,
// readlinkat, faccessat, getcwd, chdir, fchdir, ioctl, mkdirat, unlinkat, symlinkat,
// renameat(2), truncate, ftruncate. A read from an empty pipe, or a write to a full one, blocks
// the process (BLOCKED: the call runs again once something in the container has changed).
import { AT_EMPTY_PATH, E, i32, num, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, SIG, SYS, stat as statBytes } from "./linux-abi.js";
import { FsError, resolve } from "./vfs.js";
import type { LayeredTree } from "./layers.js";
import type { PortSpace, Socket } from "./sockets.js";
import { BLOCKED } from "./outcomes.js";
import type { Handler, Kernel, Output } from "./syscalls.js";

/** A pipe's buffer and how many open descriptions of each end it has. */
export interface Pipe { chunks: Uint8Array[]; size: number; readers: number; writers: number }
/** Bytes a pipe holds before a writer waits (Linux's default pipe capacity). */
export const PIPE_CAPACITY = 65536;

/** An open file description: what fds refer to; dup'ed and inherited fds share one (and its offset). */
export type Open = (
  | { kind: "in"; pipe: Pipe } // the container's standard input: the host writes it
  | { kind: "out"; out: Output }
  | { kind: "null"; zero: boolean }
  | { kind: "pipe"; pipe: Pipe; write: boolean }
  | { kind: "file"; path: string; pos: number; read: boolean; write: boolean; append: boolean }
  | { kind: "dir"; path: string; pos: number }
  | { kind: "socket"; sock: Socket }
  | { kind: "epoll"; watch: Map<number, Watch> } // ./polling.ts
) & { refs: number };

/** An fd an epoll instance watches: the open file it named when added, the events, the user's data. */
export interface Watch { open: Open; events: number; data: bigint; disabled: boolean }

export interface Files {
  fds: Map<number, Open>;
  /** fds closed by execve (FD_CLOEXEC). */
  cloexec: Set<number>;
  tree: LayeredTree;
  /** The container's ports (./sockets.ts). */
  ports: PortSpace;
  cwd: string; // a path inside the tree ("" = the root)
  /** Bumped when a pipe changes (data, or an end closed): blocked processes try again. */
  changed: () => void;
}

export function stdFiles(stdin: Pipe, stdout: Output, stderr: Output, tree: LayeredTree, ports: PortSpace, changed: () => void): Files {
  const fds = new Map<number, Open>([[0, { kind: "in", pipe: stdin, refs: 1 }], [1, { kind: "out", out: stdout, refs: 1 }], [2, { kind: "out", out: stderr, refs: 1 }]]);
  return { fds, cloexec: new Set(), tree, ports, cwd: "", changed };
}

/** A child's copy of the table (fork): the same open descriptions, one more reference each. */
export function inheritFiles(f: Files): Files {
  for (const o of f.fds.values()) o.refs++;
  return { fds: new Map(f.fds), cloexec: new Set(f.cloexec), tree: f.tree, ports: f.ports, cwd: f.cwd, changed: f.changed };
}

function release(f: Files, o: Open): void {
  if (--o.refs > 0) return;
  if (o.kind === "socket") { f.ports.close(o.sock); return; }
  if (o.kind !== "pipe") return;
  if (o.write) o.pipe.writers--; else o.pipe.readers--;
  f.changed();
}

/** Puts `o` at `fd` (closing what was there). */
export function install(f: Files, fd: number, o: Open, cloexec = false): number {
  const old = f.fds.get(fd);
  if (old === o) return fd;
  o.refs++;
  f.fds.set(fd, o);
  if (cloexec) f.cloexec.add(fd); else f.cloexec.delete(fd);
  if (old) release(f, old);
  return fd;
}

export function closeFd(f: Files, fd: number): boolean {
  const o = f.fds.get(fd);
  if (!o) return false;
  f.fds.delete(fd);
  f.cloexec.delete(fd);
  release(f, o);
  return true;
}

/** Closes every fd (the process ended), or only the FD_CLOEXEC ones (execve). */
export function closeFiles(f: Files, onlyCloexec: boolean): void {
  for (const fd of [...f.fds.keys()]) if (!onlyCloexec || f.cloexec.has(fd)) closeFd(f, fd);
}

const O_NONBLOCK = 0o4000;
const AT_FDCWD = -100, O_ACCMODE = 3, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_APPEND = 0o2000;
const O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000, O_CLOEXEC = 0o2000000, FD_CLOEXEC = 1;
const AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
const enc = new TextEncoder();
const DEVICES = new Map([["dev/null", false], ["dev/zero", true]]);

export function lowestFree(f: Files, from = 0): number {
  let fd = from;
  while (f.fds.has(fd)) fd++;
  return fd;
}

/** A container path (at dirfd) to a path in the tree. */
function pathAt(k: Kernel, dirfd: number, path: string, follow = true): string {
  const f = k.files;
  let base = f.cwd;
  if (!path.startsWith("/") && dirfd !== AT_FDCWD) {
    const d = f.fds.get(dirfd);
    if (!d) throw new FsError(E.BADF, "bad dirfd");
    if (d.kind !== "dir") throw new FsError(E.NOTDIR, "dirfd is not a directory");
    base = d.path;
  }
  return resolve(f.tree, path, "/" + base, follow);
}

function fsCall(fn: () => number): number {
  try { return fn(); } catch (e) {
    if (e instanceof FsError) return -e.errno;
    throw e;
  }
}

function statOf(k: Kernel, path: string): Uint8Array | undefined {
  if (DEVICES.has(path)) return statBytes({ mode: S_IFCHR | 0o666, rdev: DEVICES.get(path) ? 0x105n : 0x103n });
  const st = k.files.tree.stat(path);
  if (!st) return undefined;
  return statBytes({ ino: st.ino, mode: st.mode, nlink: st.nlink, size: BigInt(st.size), mtimeNs: BigInt(Math.round(st.mtimeMs * 1e6)) });
}

function fstatOpen(o: Open, k: Kernel): Uint8Array | undefined {
  if (o.kind === "in" || o.kind === "out") return statBytes({ mode: S_IFCHR | 0o620, rdev: 0x8800n, blksize: 1024 });
  if (o.kind === "null") return statOf(k, o.zero ? "dev/zero" : "dev/null");
  if (o.kind === "pipe") return statBytes({ mode: S_IFIFO | 0o600, size: BigInt(o.pipe.size) });
  if (o.kind === "socket") return statBytes({ mode: 0o140000 | 0o777 }); // S_IFSOCK
  if (o.kind === "epoll") return statBytes({ mode: 0o600 }); // an anonymous inode, as Linux's
  return statOf(k, o.path);
}

function readOpen(k: Kernel, o: Open, buf: number, len: number, at?: number): number {
  if (o.kind === "out" || (o.kind === "pipe" && o.write) || (o.kind === "file" && !o.read)) return -E.BADF;
  if (o.kind === "dir") return -E.ISDIR;
  if (o.kind === "epoll") return -E.INVAL;
  len = Math.min(Math.max(0, len), 1 << 20);
  if (o.kind === "null") { if (o.zero && len) k.memory.write(buf, new Uint8Array(len)); return o.zero ? len : 0; }
  if (o.kind === "pipe" || o.kind === "in") return readPipe(k, o.pipe, buf, len);
  if (o.kind === "socket") {
    if (!o.sock.stream) return o.sock.state === "listening" ? -E.INVAL : -E.NOTCONN;
    const n = readPipe(k, o.sock.stream.rx, buf, len);
    return n === BLOCKED && o.sock.nonblock ? -E.AGAIN : n;
  }
  const pos = at ?? o.pos;
  const bytes = k.files.tree.read(o.path, pos, len);
  if (bytes.length) k.memory.write(buf, bytes);
  if (at === undefined) o.pos = pos + bytes.length;
  return bytes.length;
}

/** From a pipe: what it holds (up to len); end of file once no writer is left; else block. */
export function readPipe(k: Kernel, p: Pipe, buf: number, len: number): number {
  if (len === 0) return 0;
  if (p.size === 0) return p.writers === 0 ? 0 : BLOCKED;
  let n = 0;
  while (n < len && p.chunks.length) {
    const c = p.chunks[0];
    const take = Math.min(c.length, len - n);
    k.memory.write(buf + n, c.subarray(0, take));
    if (take === c.length) p.chunks.shift(); else p.chunks[0] = c.subarray(take);
    n += take;
  }
  p.size -= n;
  k.files.changed();
  return n;
}

/**
 * Appends what fits of `bytes` to pipe `p` (PIPE_CAPACITY at most waiting): the count, or
 * BLOCKED if it is full. The caller checks that someone reads it.
 */
export function writePipe(p: Pipe, bytes: Uint8Array, changed: () => void): number {
  if (bytes.length === 0) return 0;
  const room = PIPE_CAPACITY - p.size;
  if (room <= 0) return BLOCKED;
  const n = Math.min(room, bytes.length);
  p.chunks.push(bytes.slice(0, n));
  p.size += n;
  changed();
  return n;
}

function brokenPipe(k: Kernel): number {
  k.sig.raiseThread(SIG.PIPE); // the writing thread's; by default it ends the process
  return -E.PIPE;
}

function writeOpen(k: Kernel, o: Open, bytes: Uint8Array, at?: number): number {
  if (o.kind === "null") return o.zero ? -E.BADF : bytes.length;
  if (o.kind === "epoll") return -E.INVAL;
  if (o.kind === "pipe") {
    if (!o.write) return -E.BADF;
    if (o.pipe.readers === 0) return brokenPipe(k);
    return writePipe(o.pipe, bytes, k.files.changed);
  }
  if (o.kind === "socket") {
    if (!o.sock.stream) return -E.NOTCONN;
    const n = o.sock.stream.send(bytes);
    if (n === -E.PIPE) return brokenPipe(k);
    return n === BLOCKED && o.sock.nonblock ? -E.AGAIN : n;
  }
  if (o.kind === "file") {
    if (!o.write) return -E.BADF;
    const t = k.files.tree;
    const pos = at ?? (o.append ? t.stat(o.path)?.size ?? 0 : o.pos);
    return fsCall(() => {
      t.write(o.path, pos, bytes);
      if (at === undefined) o.pos = pos + bytes.length;
      return bytes.length;
    });
  }
  if (o.kind !== "out") return -E.BADF;
  if (o.out(bytes) === false) return brokenPipe(k); // the reader is gone
  return bytes.length;
}

/** iovecs {base u64, len u64} at `iov`. */
function iovecs(k: Kernel, iov: number, count: number): [number, number][] {
  if (count < 0 || count > 1024) throw new RangeError("iovcnt");
  const raw = k.memory.read(iov, count * 16);
  const v = new DataView(raw.buffer);
  return Array.from({ length: count }, (_, i) => [num(v.getBigUint64(i * 16, true)), num(v.getBigUint64(i * 16 + 8, true))]);
}

/** The open file description at fd `a`. */
export const fd = (k: Kernel, a: bigint) => k.files.fds.get(i32(a));

function openat(k: Kernel, a: bigint[]): number {
  return fsCall(() => {
    const flags = num(a[2]), mode = num(a[3]);
    const access = flags & O_ACCMODE;
    if (access === 3) return -E.INVAL;
    const t = k.files.tree;
    const path = pathAt(k, i32(a[0]), k.memory.readString(num(a[1])), (flags & O_NOFOLLOW) === 0);
    const cloexec = (flags & O_CLOEXEC) !== 0;
    const dev = DEVICES.get(path);
    if (dev !== undefined) return install(k.files, lowestFree(k.files), { kind: "null", zero: dev, refs: 0 }, cloexec);
    let st = t.stat(path);
    if (st && flags & O_CREAT && flags & O_EXCL) return -E.EXIST;
    if (!st) {
      if (!(flags & O_CREAT)) return -E.NOENT;
      t.create(path, mode & ~0o022);
      st = t.stat(path)!;
    }
    const type = st.mode & S_IFMT;
    if (type === S_IFLNK) return -E.LOOP; // O_NOFOLLOW on a link
    if (flags & O_DIRECTORY && type !== S_IFDIR) return -E.NOTDIR;
    if (type === S_IFDIR && access !== 0) return -E.ISDIR;
    if (type !== S_IFDIR && type !== S_IFREG) return -E.ACCES; // the host's devices, sockets and fifos are not the container's
    if (type === S_IFREG && flags & O_TRUNC && access !== 0) t.truncate(path, 0);
    const open: Open = type === S_IFDIR ? { kind: "dir", path, pos: 0, refs: 0 }
      : { kind: "file", path, pos: 0, read: access !== 1, write: access !== 0, append: (flags & O_APPEND) !== 0, refs: 0 };
    return install(k.files, lowestFree(k.files), open, cloexec);
  });
}

/** pipe2: a pipe's read end at the first free fd, its write end at the next. */
function pipe2(k: Kernel, a: bigint[]): number {
  const flags = num(a[1]);
  const pipe: Pipe = { chunks: [], size: 0, readers: 1, writers: 1 };
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const r = install(k.files, lowestFree(k.files), { kind: "pipe", pipe, write: false, refs: 0 }, cloexec);
  const w = install(k.files, lowestFree(k.files), { kind: "pipe", pipe, write: true, refs: 0 }, cloexec);
  const pair = new Uint8Array(8);
  new DataView(pair.buffer).setInt32(0, r, true);
  new DataView(pair.buffer).setInt32(4, w, true);
  try {
    k.memory.write(num(a[0]), pair);
  } catch (e) {
    closeFd(k.files, r); closeFd(k.files, w);
    throw e;
  }
  return 0;
}

function rename(k: Kernel, a: bigint[]): number {
  return fsCall(() => {
    const from = pathAt(k, i32(a[0]), k.memory.readString(num(a[1])), false);
    const to = pathAt(k, i32(a[2]), k.memory.readString(num(a[3])), false);
    if (from !== to) k.files.tree.rename(from, to);
    return 0;
  });
}

/** linux_dirent64 records of a directory from entry `pos` on, as many as fit in `count`. */
function getdents64(k: Kernel, a: bigint[]): number {
  const o = fd(k, a[0]);
  if (!o) return -E.BADF;
  if (o.kind !== "dir") return -E.NOTDIR;
  const names = [".", "..", ...k.files.tree.list(o.path)];
  const out: number[] = [];
  const count = num(a[2]);
  for (; o.pos < names.length; o.pos++) {
    const name = enc.encode(names[o.pos]);
    const reclen = Math.ceil((19 + name.length + 1) / 8) * 8;
    if (out.length + reclen > count) { if (out.length === 0) return -E.INVAL; break; }
    const st = o.pos < 2 ? undefined : k.files.tree.stat(o.path ? `${o.path}/${names[o.pos]}` : names[o.pos]);
    const rec = new Uint8Array(reclen);
    const v = new DataView(rec.buffer);
    v.setBigUint64(0, st?.ino ?? BigInt(o.pos + 1), true);
    v.setBigInt64(8, BigInt(o.pos + 1), true);
    v.setUint16(16, reclen, true);
    const type = st ? st.mode & S_IFMT : S_IFDIR;
    v.setUint8(18, type === S_IFDIR ? 4 : type === S_IFREG ? 8 : type === S_IFLNK ? 10 : 0);
    rec.set(name, 19);
    out.push(...rec);
  }
  if (out.length) k.memory.write(num(a[1]), Uint8Array.from(out));
  return out.length;
}

/** Read calls on iovecs: as many bytes as come at once (a blocked read only if none did). */
function readv(k: Kernel, o: Open, iov: [number, number][]): number {
  let n = 0;
  for (const [base, len] of iov) {
    const r = readOpen(k, o, base, len);
    if (r < 0) return n || r;
    n += r;
    if (r < len) break;
  }
  return n;
}

function writev(k: Kernel, o: Open, iov: [number, number][]): number {
  let n = 0;
  for (const [base, len] of iov) {
    const r = writeOpen(k, o, k.memory.read(base, len));
    if (r < 0) return n || r;
    n += r;
    if (r < len) break;
  }
  return n;
}

const sizeOf = (k: Kernel, o: Open) => (o.kind === "file" ? k.files.tree.stat(o.path)?.size ?? 0 : 0);

export const FILE_HANDLERS: [number, Handler][] = [
  [SYS.read, (k, a) => { const o = fd(k, a[0]); return o ? readOpen(k, o, num(a[1]), num(a[2])) : -E.BADF; }],
  [SYS.pread64, (k, a) => { const o = fd(k, a[0]); return !o ? -E.BADF : o.kind !== "file" ? -E.SPIPE : readOpen(k, o, num(a[1]), num(a[2]), num(a[3])); }],
  [SYS.readv, (k, a) => { const o = fd(k, a[0]); return o ? readv(k, o, iovecs(k, num(a[1]), i32(a[2]))) : -E.BADF; }],
  [SYS.write, (k, a) => { const o = fd(k, a[0]); return o ? writeOpen(k, o, k.memory.read(num(a[1]), Math.min(num(a[2]), 1 << 20))) : -E.BADF; }],
  [SYS.pwrite64, (k, a) => { const o = fd(k, a[0]); return !o ? -E.BADF : o.kind !== "file" ? -E.SPIPE : writeOpen(k, o, k.memory.read(num(a[1]), Math.min(num(a[2]), 1 << 20)), num(a[3])); }],
  [SYS.writev, (k, a) => { const o = fd(k, a[0]); return o ? writev(k, o, iovecs(k, num(a[1]), i32(a[2]))) : -E.BADF; }],
  [SYS.lseek, (k, a) => {
    const o = fd(k, a[0]);
    if (!o) return -E.BADF;
    if (o.kind !== "file" && o.kind !== "dir") return -E.SPIPE;
    const off = num(a[1]), whence = i32(a[2]);
    const pos = whence === 0 ? off : whence === 1 ? o.pos + off : whence === 2 && o.kind === "file" ? sizeOf(k, o) + off : -1;
    if (pos < 0) return -E.INVAL;
    o.pos = pos;
    return pos;
  }],
  [SYS.close, (k, a) => (closeFd(k.files, i32(a[0])) ? 0 : -E.BADF)],
  [SYS.dup, (k, a) => { const o = fd(k, a[0]); return o ? install(k.files, lowestFree(k.files), o) : -E.BADF; }],
  [SYS.dup3, (k, a) => {
    const o = fd(k, a[0]), to = i32(a[1]);
    if (!o || to < 0 || to >= 1024) return -E.BADF;
    if (to === i32(a[0])) return -E.INVAL;
    return install(k.files, to, o, (num(a[2]) & O_CLOEXEC) !== 0);
  }],
  [SYS.fcntl, (k, a) => {
    const n = i32(a[0]), o = fd(k, a[0]), cmd = i32(a[1]);
    if (!o) return -E.BADF;
    if (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC) return install(k.files, lowestFree(k.files, Math.max(0, num(a[2]))), o, cmd === F_DUPFD_CLOEXEC);
    if (cmd === F_GETFD) return k.files.cloexec.has(n) ? FD_CLOEXEC : 0;
    if (cmd === F_SETFD) { if (num(a[2]) & FD_CLOEXEC) k.files.cloexec.add(n); else k.files.cloexec.delete(n); return 0; }
    if (cmd === F_GETFL) {
      if (o.kind === "socket") return 2 | (o.sock.nonblock ? O_NONBLOCK : 0); // O_RDWR
      return o.kind === "out" || (o.kind === "pipe" && o.write) ? 1 : o.kind === "file" ? (o.read && o.write ? 2 : o.write ? 1 : 0) | (o.append ? O_APPEND : 0) : 0;
    }
    if (cmd === F_SETFL) {
      if (o.kind === "file") o.append = (num(a[2]) & O_APPEND) !== 0;
      if (o.kind === "socket") o.sock.nonblock = (num(a[2]) & O_NONBLOCK) !== 0;
      return 0;
    }
    return -E.INVAL;
  }],
  [SYS.pipe2, pipe2],
  [SYS.ioctl, (k, a) => (fd(k, a[0]) ? -E.NOTTY : -E.BADF)], // no terminals
  [SYS.fstat, (k, a) => {
    const o = fd(k, a[0]);
    const st = o && fstatOpen(o, k);
    if (!st) return -E.BADF;
    k.memory.write(num(a[1]), st);
    return 0;
  }],
  [SYS.newfstatat, (k, a) => fsCall(() => {
    const path = k.memory.readString(num(a[1])), flags = num(a[3]);
    let st: Uint8Array | undefined;
    if (path === "" && flags & AT_EMPTY_PATH) { const o = fd(k, a[0]); if (!o) return -E.BADF; st = fstatOpen(o, k); }
    else st = statOf(k, pathAt(k, i32(a[0]), path, (flags & AT_SYMLINK_NOFOLLOW) === 0));
    if (!st) return -E.NOENT;
    k.memory.write(num(a[2]), st);
    return 0;
  })],
  [SYS.readlinkat, (k, a) => fsCall(() => {
    const path = pathAt(k, i32(a[0]), k.memory.readString(num(a[1])), false);
    const st = k.files.tree.stat(path);
    if (!st) return -E.NOENT;
    if ((st.mode & S_IFMT) !== S_IFLNK) return -E.INVAL;
    const target = enc.encode(k.files.tree.readlink(path)).subarray(0, Math.max(0, num(a[3])));
    k.memory.write(num(a[2]), target);
    return target.length;
  })],
  [SYS.faccessat, (k, a) => fsCall(() => (k.files.tree.stat(pathAt(k, i32(a[0]), k.memory.readString(num(a[1])))) ? 0 : -E.NOENT))],
  [SYS.getcwd, (k, a) => {
    const cwd = enc.encode("/" + k.files.cwd + "\0");
    if (num(a[1]) < cwd.length) return -E.RANGE;
    k.memory.write(num(a[0]), cwd);
    return cwd.length;
  }],
  [SYS.chdir, (k, a) => fsCall(() => {
    const path = pathAt(k, AT_FDCWD, k.memory.readString(num(a[0])));
    const st = k.files.tree.stat(path);
    if (!st) return -E.NOENT;
    if ((st.mode & S_IFMT) !== S_IFDIR) return -E.NOTDIR;
    k.files.cwd = path;
    return 0;
  })],
  [SYS.fchdir, (k, a) => {
    const o = fd(k, a[0]);
    if (!o) return -E.BADF;
    if (o.kind !== "dir") return -E.NOTDIR;
    k.files.cwd = o.path;
    return 0;
  }],
  [SYS.mkdirat, (k, a) => fsCall(() => { k.files.tree.mkdir(pathAt(k, i32(a[0]), k.memory.readString(num(a[1])), false), num(a[2]) & ~0o022); return 0; })],
  [SYS.unlinkat, (k, a) => fsCall(() => { k.files.tree.remove(pathAt(k, i32(a[0]), k.memory.readString(num(a[1])), false), (num(a[2]) & AT_REMOVEDIR) !== 0); return 0; })],
  [SYS.symlinkat, (k, a) => fsCall(() => { k.files.tree.symlink(k.memory.readString(num(a[0])), pathAt(k, i32(a[1]), k.memory.readString(num(a[2])), false)); return 0; })],
  [SYS.renameat, (k, a) => rename(k, a)],
  [SYS.renameat2, (k, a) => (num(a[4]) !== 0 ? -E.INVAL : rename(k, a))],
  [SYS.truncate, (k, a) => fsCall(() => { k.files.tree.truncate(pathAt(k, AT_FDCWD, k.memory.readString(num(a[0]))), Math.max(0, num(a[1]))); return 0; })],
  [SYS.ftruncate, (k, a) => {
    const o = fd(k, a[0]);
    if (!o) return -E.BADF;
    if (o.kind !== "file" || !o.write) return -E.INVAL;
    return fsCall(() => { k.files.tree.truncate(o.path, Math.max(0, num(a[1]))); return 0; });
  }],
  [SYS.openat, openat],
  [SYS.getdents64, getdents64],
];

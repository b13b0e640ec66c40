// A container process's open files: the standard streams and, read-only, the files and
// directories of its root (./vfs.ts), with the system calls on them: openat, read(v),
// write(v), pread64, lseek, close, dup/dup3/fcntl, fstat/newfstatat, getdents64, readlinkat,
// faccessat, getcwd, chdir, ioctl, ppoll. Writes to the tree come with the writable layer.
import { AT_EMPTY_PATH, E, i32, num, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, SIG, SYS, stat as statBytes } from "./linux-abi.js";
import { FsError, resolve, type Tree } from "./vfs.js";
import type { Handler, Kernel, Output } from "./syscalls.js";

/** What an fd refers to; dup'ed fds share one (and its offset). */
type Open =
  | { kind: "in"; data: Uint8Array; pos: number }
  | { kind: "out"; out: Output }
  | { kind: "file"; path: string; size: number; pos: number }
  | { kind: "dir"; path: string; pos: number };

export interface Files {
  fds: Map<number, Open>;
  tree?: Tree;
  cwd: string; // a path inside the tree ("" = the root)
}

export function stdFiles(stdin: Uint8Array, stdout: Output, stderr: Output, tree?: Tree): Files {
  return { fds: new Map<number, Open>([[0, { kind: "in", data: stdin, pos: 0 }], [1, { kind: "out", out: stdout }], [2, { kind: "out", out: stderr }]]), tree, cwd: "" };
}

const AT_FDCWD = -100, O_ACCMODE = 3, O_CREAT = 0o100, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000;
const AT_SYMLINK_NOFOLLOW = 0x100, F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_DUPFD_CLOEXEC = 1030;
const enc = new TextEncoder();

function lowestFree(f: Files, from = 0): number {
  let fd = from;
  while (f.fds.has(fd)) fd++;
  return fd;
}

/** A container path (at dirfd) to a path in the tree. */
function pathAt(k: Kernel, dirfd: number, path: string, follow = true): string {
  const f = k.files;
  if (!f.tree) throw new FsError(E.NOENT, "no file tree");
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
  const st = k.files.tree!.stat(path);
  if (!st) return undefined;
  return statBytes({ ino: st.ino, mode: st.mode, nlink: st.nlink, size: BigInt(st.size), mtimeNs: BigInt(Math.round(st.mtimeMs * 1e6)) });
}

function fstatOpen(o: Open, k: Kernel): Uint8Array | undefined {
  if (o.kind === "in" || o.kind === "out") return statBytes({ mode: S_IFCHR | 0o620, rdev: 0x8800n, blksize: 1024 });
  return statOf(k, o.path);
}

function readOpen(k: Kernel, o: Open, buf: number, len: number, at?: number): number {
  if (o.kind === "out") return -E.BADF;
  if (o.kind === "dir") return -E.ISDIR;
  const pos = at ?? o.pos;
  let bytes: Uint8Array;
  if (o.kind === "in") bytes = o.data.subarray(pos, pos + Math.max(0, len));
  else bytes = k.files.tree!.read(o.path, pos, Math.min(Math.max(0, len), 1 << 20));
  if (bytes.length) k.memory.write(buf, bytes);
  if (at === undefined) o.pos = pos + bytes.length;
  return bytes.length;
}

function writeOpen(k: Kernel, o: Open, bytes: Uint8Array): number {
  if (o.kind !== "out") return -E.BADF;
  if (o.out(bytes) === false) { // the reader is gone: SIGPIPE (no handlers yet: it ends the process)
    k.signal = SIG.PIPE;
    return -E.PIPE;
  }
  return bytes.length;
}

/** iovecs {base u64, len u64} at `iov`. */
function iovecs(k: Kernel, iov: number, count: number): [number, number][] {
  if (count < 0 || count > 1024) throw new RangeError("iovcnt");
  const raw = k.memory.read(iov, count * 16);
  const v = new DataView(raw.buffer);
  return Array.from({ length: count }, (_, i) => [num(v.getBigUint64(i * 16, true)), num(v.getBigUint64(i * 16 + 8, true))]);
}

const fd = (k: Kernel, a: bigint) => k.files.fds.get(i32(a));

function openat(k: Kernel, a: bigint[]): number {
  return fsCall(() => {
    const flags = num(a[2]);
    if ((flags & O_ACCMODE) !== 0 || flags & O_CREAT) return -E.ROFS; // read-only tree for now
    const path = pathAt(k, i32(a[0]), k.memory.readString(num(a[1])), (flags & O_NOFOLLOW) === 0);
    const st = k.files.tree!.stat(path);
    if (!st) return -E.NOENT;
    const type = st.mode & S_IFMT;
    if (type === S_IFLNK) return -E.LOOP; // O_NOFOLLOW on a link
    if (flags & O_DIRECTORY && type !== S_IFDIR) return -E.NOTDIR;
    if (type !== S_IFDIR && type !== S_IFREG) return -E.ACCES; // the host's devices, sockets and fifos are not the container's
    const open: Open = type === S_IFDIR ? { kind: "dir", path, pos: 0 } : { kind: "file", path, size: st.size, pos: 0 };
    const n = lowestFree(k.files);
    k.files.fds.set(n, open);
    return n;
  });
}

/** linux_dirent64 records of a directory from entry `pos` on, as many as fit in `count`. */
function getdents64(k: Kernel, a: bigint[]): number {
  const o = fd(k, a[0]);
  if (!o) return -E.BADF;
  if (o.kind !== "dir") return -E.NOTDIR;
  const names = [".", "..", ...k.files.tree!.list(o.path)];
  const out: number[] = [];
  const count = num(a[2]);
  for (; o.pos < names.length; o.pos++) {
    const name = enc.encode(names[o.pos]);
    const reclen = Math.ceil((19 + name.length + 1) / 8) * 8;
    if (out.length + reclen > count) { if (out.length === 0) return -E.INVAL; break; }
    const st = o.pos < 2 ? undefined : k.files.tree!.stat(o.path ? `${o.path}/${names[o.pos]}` : names[o.pos]);
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

export const FILE_HANDLERS: [number, Handler][] = [
  [SYS.read, (k, a) => { const o = fd(k, a[0]); return o ? readOpen(k, o, num(a[1]), num(a[2])) : -E.BADF; }],
  [SYS.pread64, (k, a) => { const o = fd(k, a[0]); return !o ? -E.BADF : o.kind !== "file" ? -E.SPIPE : readOpen(k, o, num(a[1]), num(a[2]), num(a[3])); }],
  [SYS.readv, (k, a) => {
    const o = fd(k, a[0]);
    if (!o) return -E.BADF;
    let n = 0;
    for (const [base, len] of iovecs(k, num(a[1]), i32(a[2]))) {
      const r = readOpen(k, o, base, len);
      if (r < 0) return n || r;
      n += r;
      if (r < len) break;
    }
    return n;
  }],
  [SYS.write, (k, a) => { const o = fd(k, a[0]); return o ? writeOpen(k, o, k.memory.read(num(a[1]), num(a[2]))) : -E.BADF; }],
  [SYS.writev, (k, a) => {
    const o = fd(k, a[0]);
    if (!o) return -E.BADF;
    let n = 0;
    for (const [base, len] of iovecs(k, num(a[1]), i32(a[2]))) {
      const r = writeOpen(k, o, k.memory.read(base, len));
      if (r < 0) return r;
      n += r;
    }
    return n;
  }],
  [SYS.lseek, (k, a) => {
    const o = fd(k, a[0]);
    if (!o) return -E.BADF;
    if (o.kind !== "file" && o.kind !== "dir") return -E.SPIPE;
    const off = num(a[1]), whence = i32(a[2]);
    const pos = whence === 0 ? off : whence === 1 ? o.pos + off : whence === 2 && o.kind === "file" ? o.size + off : -1;
    if (pos < 0) return -E.INVAL;
    o.pos = pos;
    return pos;
  }],
  [SYS.close, (k, a) => (k.files.fds.delete(i32(a[0])) ? 0 : -E.BADF)],
  [SYS.dup, (k, a) => { const o = fd(k, a[0]); if (!o) return -E.BADF; const n = lowestFree(k.files); k.files.fds.set(n, o); return n; }],
  [SYS.dup3, (k, a) => {
    const o = fd(k, a[0]), to = i32(a[1]);
    if (!o || to < 0 || to >= 1024) return -E.BADF;
    if (to === i32(a[0])) return -E.INVAL;
    k.files.fds.set(to, o);
    return to;
  }],
  [SYS.fcntl, (k, a) => {
    const o = fd(k, a[0]), cmd = i32(a[1]);
    if (!o) return -E.BADF;
    if (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC) { const n = lowestFree(k.files, Math.max(0, num(a[2]))); k.files.fds.set(n, o); return n; }
    if (cmd === F_GETFD || cmd === F_SETFD) return 0;
    if (cmd === F_GETFL) return o.kind === "out" ? 1 : 0;
    return -E.INVAL;
  }],
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
    const st = k.files.tree!.stat(path);
    if (!st) return -E.NOENT;
    if ((st.mode & S_IFMT) !== S_IFLNK) return -E.INVAL;
    const target = enc.encode(k.files.tree!.readlink(path)).subarray(0, Math.max(0, num(a[3])));
    k.memory.write(num(a[2]), target);
    return target.length;
  })],
  [SYS.faccessat, (k, a) => fsCall(() => (k.files.tree!.stat(pathAt(k, i32(a[0]), k.memory.readString(num(a[1])))) ? 0 : -E.NOENT))],
  [SYS.getcwd, (k, a) => {
    const cwd = enc.encode("/" + k.files.cwd + "\0");
    if (num(a[1]) < cwd.length) return -E.RANGE;
    k.memory.write(num(a[0]), cwd);
    return cwd.length;
  }],
  [SYS.chdir, (k, a) => fsCall(() => {
    const path = pathAt(k, AT_FDCWD, k.memory.readString(num(a[0])));
    const st = k.files.tree!.stat(path);
    if (!st) return -E.NOENT;
    if ((st.mode & S_IFMT) !== S_IFDIR) return -E.NOTDIR;
    k.files.cwd = path;
    return 0;
  })],
  [SYS.openat, openat],
  [SYS.getdents64, getdents64],
  [SYS.ppoll, (k, a) => {
    const fds = num(a[0]), n = num(a[1]);
    if (n < 0 || n > 1024) return -E.INVAL;
    const buf = k.memory.read(fds, n * 8);
    const v = new DataView(buf.buffer);
    let ready = 0;
    const POLLIN = 1, POLLOUT = 4, POLLNVAL = 0x20;
    for (let i = 0; i < n; i++) {
      const f = v.getInt32(i * 8, true), events = v.getInt16(i * 8 + 4, true);
      const o = k.files.fds.get(f);
      // everything is ready at once: input is all there (or its end), output never blocks
      const revents = f < 0 ? 0 : !o ? POLLNVAL : o.kind === "out" ? events & POLLOUT : events & POLLIN;
      v.setInt16(i * 8 + 6, revents, true);
      if (revents) ready++;
    }
    k.memory.write(fds, buf);
    return ready;
  }],
];

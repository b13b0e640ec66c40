// The Linux user ABI on RISC-V 64 that containers see: system call numbers (the generic table,
// include/uapi/asm-generic/unistd.h, which RISC-V uses), errno values, the auxiliary vector
// keys (include/uapi/linux/auxvec.h), and the layouts of the structures the calls fill in.

export const SYS = {
  getcwd: 17, epoll_create1: 20, epoll_ctl: 21, epoll_pwait: 22, dup: 23, dup3: 24, fcntl: 25, ioctl: 29, mkdirat: 34, unlinkat: 35, symlinkat: 36, renameat: 38,
  truncate: 45, ftruncate: 46, faccessat: 48, chdir: 49, fchdir: 50, openat: 56, close: 57,
  pipe2: 59, getdents64: 61, lseek: 62, read: 63, write: 64, readv: 65, writev: 66, pread64: 67,
  pwrite64: 68, ppoll: 73, readlinkat: 78, newfstatat: 79, fstat: 80, exit: 93, exit_group: 94,
  set_tid_address: 96, futex: 98, set_robust_list: 99, nanosleep: 101, clock_gettime: 113,
  clock_getres: 114, clock_nanosleep: 115, sched_getaffinity: 123, sched_yield: 124, kill: 129, tkill: 130,
  tgkill: 131, sigaltstack: 132, rt_sigsuspend: 133, rt_sigaction: 134, rt_sigprocmask: 135, rt_sigpending: 136, rt_sigreturn: 139,
  setpgid: 154, getpgid: 155, setsid: 157, uname: 160, getrlimit: 163, setrlimit: 164, umask: 166, prctl: 167,
  gettimeofday: 169, getpid: 172, getppid: 173, getuid: 174, geteuid: 175, getgid: 176, getegid: 177,
  gettid: 178, sysinfo: 179, brk: 214, munmap: 215, mremap: 216, clone: 220, execve: 221, mmap: 222,
  socket: 198, bind: 200, listen: 201, accept: 202, connect: 203, getsockname: 204, getpeername: 205,
  sendto: 206, recvfrom: 207, setsockopt: 208, getsockopt: 209, shutdown: 210, accept4: 242,
  mprotect: 226, madvise: 233, wait4: 260, prlimit64: 261, renameat2: 276, getrandom: 278, rseq: 293, statx: 291,
} as const;

/** Names by number, for counts and traces. */
export const SYS_NAME = new Map<number, string>(Object.entries(SYS).map(([n, v]) => [v, n]));

export const E = {
  PERM: 1, NOENT: 2, SRCH: 3, INTR: 4, IO: 5, E2BIG: 7, NOEXEC: 8, BADF: 9, CHILD: 10, AGAIN: 11, NOMEM: 12,
  ACCES: 13, FAULT: 14, EXIST: 17, XDEV: 18, NOTDIR: 20, ISDIR: 21, INVAL: 22, MFILE: 24, NOTTY: 25,
  SPIPE: 29, ROFS: 30, PIPE: 32, RANGE: 34, NAMETOOLONG: 36, NOSYS: 38, NOTEMPTY: 39, LOOP: 40, NOTSOCK: 88, PROTONOSUPPORT: 93, OPNOTSUPP: 95, AFNOSUPPORT: 97, ADDRINUSE: 98, ADDRNOTAVAIL: 99, NETUNREACH: 101, CONNRESET: 104, ISCONN: 106, NOTCONN: 107, TIMEDOUT: 110, CONNREFUSED: 111, HOSTUNREACH: 113, ALREADY: 114, INPROGRESS: 115,
} as const;

/** The signals a container process can be ended by (asm-generic/signal.h). */
export const SIG = { HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, KILL: 9, USR1: 10, SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, CHLD: 17 } as const;

export const AT = {
  NULL: 0, PHDR: 3, PHENT: 4, PHNUM: 5, PAGESZ: 6, BASE: 7, FLAGS: 8, ENTRY: 9, UID: 11, EUID: 12,
  GID: 13, EGID: 14, PLATFORM: 15, HWCAP: 16, CLKTCK: 17, SECURE: 23, RANDOM: 25, EXECFN: 31,
} as const;

// mmap flags and protections (include/uapi/asm-generic/mman-common.h)
export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
export const MAP_FIXED_NOREPLACE = 0x100000;

// st_mode's file types
export const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000, S_IFREG = 0o100000, S_IFLNK = 0o120000;
export const AT_EMPTY_PATH = 0x1000;

/** A register as a signed 64-bit number, and as a signed 32-bit int (an fd, a flag word). */
export const num = (v: bigint) => Number(BigInt.asIntN(64, v));
export const i32 = (v: bigint) => Number(BigInt.asIntN(32, v));

/** struct stat of the generic ABI (asm-generic/stat.h): 128 bytes. */
export function stat(fields: { dev?: bigint; ino?: bigint; mode: number; nlink?: number; rdev?: bigint; size?: bigint; blksize?: number; mtimeNs?: bigint }): Uint8Array {
  const b = new Uint8Array(128);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, fields.dev ?? 0n, true);
  v.setBigUint64(8, fields.ino ?? 0n, true);
  v.setUint32(16, fields.mode, true);
  v.setUint32(20, fields.nlink ?? 1, true);
  v.setBigUint64(32, fields.rdev ?? 0n, true);
  v.setBigInt64(48, fields.size ?? 0n, true);
  v.setInt32(56, fields.blksize ?? 4096, true);
  v.setBigInt64(64, BigInt(Math.ceil(Number(fields.size ?? 0n) / 512)), true); // st_blocks
  const t = fields.mtimeNs ?? 0n; // atime, mtime, ctime: the file's mtime
  for (const at of [72, 88, 104]) { v.setBigInt64(at, t / 1_000_000_000n, true); v.setBigUint64(at + 8, t % 1_000_000_000n, true); }
  return b;
}

/** struct utsname: six 65-byte NUL-terminated fields. */
export function utsname(f: string[]): Uint8Array {
  const b = new Uint8Array(6 * 65);
  f.forEach((s, i) => b.set(new TextEncoder().encode(s).subarray(0, 64), i * 65));
  return b;
}

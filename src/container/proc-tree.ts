// The /proc a container sees (procfs(5), the part its programs read): a directory per process of
// the container with stat, status, cmdline and comm, /proc/self (the process that looks),
// uptime and meminfo. Only the container's own processes are there. Read-only; made afresh on
// every read. Browser-safe.
import { S_IFDIR, S_IFLNK, S_IFREG } from "./linux-abi.js";
import type { Stat, Tree } from "./vfs.js";

/** What /proc shows of a process. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  argv: string[];
  state: "R" | "S" | "Z";
  threads: number;
  /** Instructions it has run (its CPU time, at a nominal 100 MHz). */
  instructions: number;
  /** Pages of guest RAM it uses. */
  residentPages: number;
}

export interface ProcSource {
  processes(): ProcInfo[];
  /** The pid of the process whose system call is being answered. */
  self(): number;
  /** Seconds since the container started. */
  uptime(): number;
  memTotal: number;
}

const enc = new TextEncoder();
const TICKS = 100; // USER_HZ
const dir = (ino: bigint): Stat => ({ ino, mode: S_IFDIR | 0o555, nlink: 2, size: 0, mtimeMs: 0 });

export class ProcTree implements Tree {
  constructor(private readonly src: ProcSource) {}

  private proc(pid: number): ProcInfo | undefined { return this.src.processes().find((p) => p.pid === pid); }

  private file(path: string): Uint8Array | undefined {
    const parts = path.split("/");
    if (parts.length === 1) {
      if (parts[0] === "uptime") { const u = this.src.uptime().toFixed(2); return enc.encode(`${u} ${u}\n`); }
      if (parts[0] === "meminfo") {
        const kb = this.src.memTotal / 1024, used = this.src.processes().reduce((n, p) => n + p.residentPages * 4, 0);
        return enc.encode(`MemTotal:       ${kb} kB\nMemFree:        ${Math.max(0, kb - used)} kB\nMemAvailable:   ${Math.max(0, kb - used)} kB\n`);
      }
      return undefined;
    }
    if (parts.length !== 2 || !/^\d+$/.test(parts[0])) return undefined;
    const p = this.proc(Number(parts[0]));
    if (!p) return undefined;
    const comm = (p.argv[0] ?? "").split("/").pop()!.slice(0, 15);
    const ticks = Math.floor(p.instructions / (100e6 / TICKS));
    switch (parts[1]) {
      case "cmdline": return enc.encode(p.argv.map((a) => a + "\0").join(""));
      case "comm": return enc.encode(comm + "\n");
      case "stat": // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itreal starttime vsize rss
        return enc.encode(`${p.pid} (${comm}) ${p.state} ${p.ppid} ${p.pid} ${p.pid} 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 ${p.threads} 0 0 ${p.residentPages * 4096} ${p.residentPages}\n`);
      case "status":
        return enc.encode(`Name:\t${comm}\nState:\t${p.state} (${p.state === "R" ? "running" : p.state === "Z" ? "zombie" : "sleeping"})\nTgid:\t${p.pid}\nPid:\t${p.pid}\nPPid:\t${p.ppid}\n` +
          `Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmRSS:\t${p.residentPages * 4} kB\nThreads:\t${p.threads}\n`);
      default: return undefined;
    }
  }

  stat(path: string): Stat | undefined {
    if (path === "") return dir(1n);
    if (path === "self") return { ino: 2n, mode: S_IFLNK | 0o777, nlink: 1, size: 0, mtimeMs: 0 };
    const parts = path.split("/");
    if (parts.length === 1 && /^\d+$/.test(parts[0])) return this.proc(Number(parts[0])) ? dir(BigInt(1000 + Number(parts[0]))) : undefined;
    const f = this.file(path);
    return f ? { ino: 3n, mode: S_IFREG | 0o444, nlink: 1, size: f.length, mtimeMs: 0 } : undefined;
  }

  readlink(path: string): string { return path === "self" ? String(this.src.self()) : ""; }

  list(path: string): string[] {
    if (path === "") return [...this.src.processes().map((p) => String(p.pid)), "meminfo", "self", "uptime"];
    if (/^\d+$/.test(path) && this.proc(Number(path))) return ["cmdline", "comm", "stat", "status"];
    return [];
  }

  read(path: string, offset: number, length: number): Uint8Array {
    return (this.file(path) ?? new Uint8Array(0)).slice(offset, offset + length);
  }
}

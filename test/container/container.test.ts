// Containers: static RV64 Linux programs in U-mode whose kernel is the host (src/container). A C
// program built here with riscv64-linux-gnu-gcc -static prints the same as under qemu-riscv64
// (QEMU's user mode: its own Linux system-call emulation); the bundled busybox runs its shell,
// with pipes, redirections, background jobs, signals and files of its own in a writable layer;
// containers do not see each other's files or processes; faults end the process with the
// signal Linux would send; bad programs are refused with a message; the CLI runs
// `run --mode container`.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerProcess, type ProcessOptions } from "../../src/container/process.js";
import { ExecError } from "../../src/container/exec.js";
import { loadBundledBusybox as bundledBusybox, loadBundledBusyboxRoot, loadBundledLinux } from "../../src/node/images.js";
import { readCpio, RootError } from "../../src/container/rootfs.js";
import { HostTree } from "../../src/node/host-tree.js";
import { PublishedPorts } from "../../src/node/container-net.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { requireTool } from "../helpers/tools.js";

const SRC = join(import.meta.dirname, "fixtures/user.c");
const THREADS = join(import.meta.dirname, "fixtures/threads.c");
const FRESH = join(import.meta.dirname, "fixtures/fresh-memory.c");
const THREAD_SIGNALS = join(import.meta.dirname, "fixtures/thread-signals.c");
const COW_FORK = join(import.meta.dirname, "fixtures/cow-fork.c");
const EPOLL = join(import.meta.dirname, "fixtures/epoll.c");
const CLI = join(import.meta.dirname, "../../src/cli/main.ts");
let dir = "", prog = "", threads = "", fresh = "", threadSignals = "", cowFork = "", epoll = "";

beforeAll(() => {
  const gcc = requireTool("riscv64-linux-gnu-gcc", "gcc-riscv64-linux-gnu");
  if (!existsSync("/usr/riscv64-linux-gnu/lib/libc.a")) throw new Error("/usr/riscv64-linux-gnu/lib/libc.a not found: install Debian's libc6-dev-riscv64-cross");
  dir = mkdtempSync(join(tmpdir(), "wasmvisor-ct-"));
  mkdirSync(join(dir, "root/bin"), { recursive: true });
  prog = join(dir, "root/bin/user");
  execFileSync(gcc, ["-static", "-O2", "-o", prog, SRC]);
  threads = join(dir, "threads");
  execFileSync(gcc, ["-static", "-O2", "-pthread", "-o", threads, THREADS]);
  fresh = join(dir, "fresh");
  execFileSync(gcc, ["-static", "-O2", "-o", fresh, FRESH]);
  threadSignals = join(dir, "thread-signals");
  execFileSync(gcc, ["-static", "-O2", "-pthread", "-o", threadSignals, THREAD_SIGNALS]);
  cowFork = join(dir, "cow-fork");
  execFileSync(gcc, ["-static", "-O2", "-o", cowFork, COW_FORK]);
  epoll = join(dir, "epoll");
  execFileSync(gcc, ["-static", "-O2", "-o", epoll, EPOLL]);
}, 60_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

async function run(o: Partial<ProcessOptions> & Pick<ProcessOptions, "program" | "argv">, input = "") {
  let out = "", err = "";
  const dec = new TextDecoder();
  const p = new ContainerProcess({
    module: loadCoreModule(), env: ["CT_A=1", "CT_B=two words", "HOME=/"], stdin: new TextEncoder().encode(input), ...o,
    stdout: (b) => { out += dec.decode(b); }, stderr: (b) => { err += dec.decode(b); },
  });
  return { ...(await p.run()), out, err };
}

describe("a static C program in a container", () => {
  it("prints what it prints under qemu-riscv64, gets its stdin, exits with its status", async () => {
    const qemu = requireTool("qemu-riscv64", "qemu-user");
    const want = spawnSync(qemu, [prog, "x", "y z"], { input: "a line\n", env: { CT_A: "1", CT_B: "two words", HOME: "/" } });
    const got = await run({ program: execFileSync("cat", [prog]), argv: ["user", "x", "y z"] }, "a line\n");
    expect(got.out).toBe(want.stdout.toString());
    expect(got.out).toContain("heap 2560000 sum 83200"); // the heap grew through brk, mmap and mremap
    expect(got.err).toBe("stderr works\n");
    expect(got.status).toBe(42);
    expect(want.status).toBe(42);
    expect(got.waitStatus).toBe(42 << 8);
    // the calls it made, and the one it made up (500), answered -ENOSYS and counted
    for (const c of ["brk", "mmap", "mremap", "mprotect", "munmap", "uname", "getrandom", "clock_gettime", "write", "read", "exit_group"]) {
      expect(got.calls.get(c), c).toBeGreaterThan(0);
    }
    expect(got.unknown.get(500)).toBe(1);
  });

  it("two threads and a futex: a contended mutex, a wait woken by another thread, pthread_join", async () => {
    const qemu = requireTool("qemu-riscv64", "qemu-user");
    const want = spawnSync(qemu, [threads]).stdout.toString();
    // small slices switch threads often, inside the mutex too: the waits and wakes are real
    const got = await run({ program: execFileSync("cat", [threads]), argv: ["threads"], slice: 10_000 });
    const sorted = (s: string) => s.split("\n").sort().join("\n");
    expect(sorted(got.out)).toBe(sorted(want));
    expect(got.out).toContain("counter 300000, results 7 17");
    expect(got.status).toBe(0);
    expect(got.calls.get("clone")).toBe(2);
    expect(got.calls.get("exit")).toBe(2); // the threads ended alone, then main's exit_group
    expect(got.calls.get("futex")).toBeGreaterThan(10);
    expect(got.processes).toBe(3);
  });

  it("signals and threads as under qemu-riscv64: a process's signal goes to a thread that does not block it, a thread's waits for it", async () => {
    const qemu = requireTool("qemu-riscv64", "qemu-user");
    const want = spawnSync(qemu, [threadSignals]).stdout.toString();
    expect(want).toBe("process signal handled by the worker: yes\npending while blocked: 1, handled so far: 1\nafter unblocking: handled 2, by main: yes\n");
    const got = await run({ program: execFileSync("cat", [threadSignals]), argv: ["thread-signals"], slice: 20_000 });
    expect(got.out).toBe(want);
    expect(got.status).toBe(0);
    expect(got.unknown.size).toBe(0);
  });

  it("fork: the child sees the parent's memory as it was, and neither sees what the other writes after (copy-on-write)", async () => {
    const qemu = requireTool("qemu-riscv64", "qemu-user");
    const want = spawnSync(qemu, [cowFork]).stdout.toString();
    expect(want).toBe("child: 0 0\nparent: 0 68 7\n");
    for (const slice of [5_000_000, 20_000]) { // (small slices: the two write in turns)
      const got = await run({ program: execFileSync("cat", [cowFork]), argv: ["cow-fork"], slice, memSize: 32 << 20 });
      expect(got.out, `slice ${slice}`).toBe(want);
      expect(got.status).toBe(0);
    }
  });

  it("epoll as under qemu-riscv64: readiness, a timed wait, a wait another process's write ends, ONESHOT, DEL, a hang-up", async () => {
    const qemu = requireTool("qemu-riscv64", "qemu-user");
    const want = spawnSync(qemu, [epoll]).stdout.toString();
    expect(want).toMatch(/^add: 0\nadd again: -1 1\nempty: 0\ntimeout: 0, waited for it: 1\nready: 1 data 42 in 1\nwoken: 1 data 42\n/);
    const got = await run({ program: execFileSync("cat", [epoll]), argv: ["epoll"] });
    expect(got.out).toBe(want);
    expect(got.status).toBe(0);
    expect(got.calls.get("epoll_pwait")).toBeGreaterThanOrEqual(8);
    expect(got.unknown.size).toBe(0);
  });

  it("a container's memory starts zeroed, also in RAM an earlier container gave back (no data crosses)", async () => {
    // The first run fills 8 MiB of heap with a pattern; the next ones run on the same shared
    // hart, in pages the first gave back, and must see zeros only; so must those running
    // together (in turns on one hart, each in its own pages).
    for (let i = 0; i < 3; i++) {
      const got = await run({ program: execFileSync("cat", [fresh]), argv: ["fresh"], memSize: 32 << 20 });
      expect(got.out, `run ${i}`).toBe("nonzero bytes: 0\n");
      expect(got.status).toBe(0);
    }
    const together = await Promise.all([1, 2, 3].map(() => run({ program: execFileSync("cat", [fresh]), argv: ["fresh"], memSize: 32 << 20, slice: 50_000 })));
    for (const got of together) expect(got.out).toBe("nonzero bytes: 0\n");
  });

  it("a store to a read-only page ends it with SIGSEGV (status 139) at the faulting store", async () => {
    const got = await run({ program: execFileSync("cat", [prog]), argv: ["user", "segv"] });
    expect(got.signal).toBe(11);
    expect(got.status).toBe(139);
    expect(got.waitStatus).toBe(11);
    expect(got.fault?.cause).toBe(15); // store page fault
  });

  it("refuses what is not a static RISC-V program, with a message", () => {
    const module = loadCoreModule();
    const make = (program: Uint8Array) => () => new ContainerProcess({ module, program, argv: ["x"] });
    expect(make(new TextEncoder().encode("#!/bin/sh\necho hi\n"))).toThrow(ExecError);
    expect(make(new Uint8Array(64))).toThrow(ExecError);
    const cut = execFileSync("cat", [prog]).subarray(0, 4000);
    expect(make(cut)).toThrow(/not a RISC-V ELF program/);
    const gcc = requireTool("riscv64-linux-gnu-gcc", "gcc-riscv64-linux-gnu");
    const dyn = join(dir, "dyn");
    execFileSync(gcc, ["-O2", "-o", dyn, SRC]);
    expect(make(execFileSync("cat", [dyn]))).toThrow(/dynamically linked program \(interpreter \/lib\/ld-linux-riscv64-lp64d.so.1\)/);
  });
});

describe("the bundled busybox in a container", () => {
  it("runs its shell: builtins, arithmetic, read from stdin, a loop, the exit status", async () => {
    const script = 'i=0; while [ $i -lt 3 ]; do echo "n=$i"; i=$((i+1)); done; read a; read b; echo "$b/$a"; exit 5';
    const got = await run({ program: bundledBusybox(), argv: ["/bin/sh", "-c", script] }, "first\nsecond\n");
    expect(got.out).toBe("n=0\nn=1\nn=2\nsecond/first\n");
    expect(got.status).toBe(5);
  });

  it("a write nobody reads ends it with SIGPIPE; a limit stops an endless loop", async () => {
    let writes = 0;
    const loop = "i=0; while true; do echo $i; i=$((i+1)); done";
    const p = new ContainerProcess({ module: loadCoreModule(), program: bundledBusybox(), argv: ["sh", "-c", loop], stdout: () => ++writes <= 2 });
    const r = await p.run();
    expect(r.signal).toBe(13);
    expect(r.status).toBe(141);
    expect(writes).toBe(3);
    const q = new ContainerProcess({ module: loadCoreModule(), program: bundledBusybox(), argv: ["sh", "-c", "while true; do :; done"], maxInstructions: 3_000_000 });
    const s = await q.run();
    expect(s.limit).toBe(true);
    expect(s.instructions).toBeGreaterThanOrEqual(3_000_000);
    expect(s.instructions).toBeLessThan(3_100_000);
  });

  it("runs applets by argv[0]: wc and sort over stdin, uname", async () => {
    expect((await run({ program: bundledBusybox(), argv: ["wc", "-l"] }, "a\nb\nc\n")).out.trim()).toBe("3");
    expect((await run({ program: bundledBusybox(), argv: ["sort", "-r"] }, "a\nc\nb\n")).out).toBe("c\nb\na\n");
    expect((await run({ program: bundledBusybox(), argv: ["uname", "-sm"] })).out).toBe("Linux riscv64\n");
  });
});

describe("processes in a busybox container", () => {
  const sh = (script: string, input = "") => run({ program: bundledBusybox(), argv: ["/bin/sh", "-c", script], tree: loadBundledBusyboxRoot(), env: ["PATH=/bin:/usr/bin"] }, input);

  it("runs a script with pipes, redirections, a background job and wait", async () => {
    const script = [
      "echo hello world | tr a-z A-Z > /tmp/out", // a pipe between two programs, into a new file
      "cat /tmp/out",
      "(echo from the background; exit 4) & bg=$!", // a background job
      "sort -r < /etc/list | head -2", // stdin from a file, two pipes
      "wait $bg; echo \"job $bg: $?\"",
      "echo more >> /tmp/out; wc -l < /tmp/out",
      "cat /nonexistent 2>/dev/null || echo missing",
      "read first < /tmp/out; echo \"[$first]\"",
      "exit 3",
    ].join("\n");
    // /etc/list comes from the script itself: the root's base layer is read-only and shared
    const got = await sh(`printf 'b\\na\\nc\\n' > /etc/list\n${script}`);
    const lines = got.out.split("\n");
    expect(lines.slice(0, 1)).toEqual(["HELLO WORLD"]);
    expect(got.out).toContain("from the background\n");
    expect(got.out).toContain("c\nb\n");
    expect(got.out).toMatch(/job \d+: 4\n/);
    expect(got.out).toContain("\n2\nmissing\n[HELLO WORLD]\n");
    expect(got.err).toBe("");
    expect(got.status).toBe(3);
    expect(got.processes).toBeGreaterThan(8);
    for (const c of ["clone", "execve", "wait4", "pipe2", "dup3", "openat"]) expect(got.calls.get(c), c).toBeGreaterThan(0);
  });

  it("delivers signals to handlers and ends processes by the default action", async () => {
    const got = await sh("trap 'echo caught USR1' USR1; kill -USR1 $$; echo after; sh -c 'kill -TERM $$; echo never'; echo \"child: $?\"");
    expect(got.out).toBe("caught USR1\nafter\nchild: 143\n");
    expect(got.calls.get("rt_sigreturn")).toBeGreaterThan(0);
  });

  it("sleeps take their time, and others run meanwhile", async () => {
    const t0 = performance.now();
    const got = await sh("(sleep 0.3; echo late) & echo early; sleep 0.1; echo mid; wait; echo done");
    expect(got.out).toBe("early\nmid\nlate\ndone\n");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300);
    expect(got.calls.get("clock_nanosleep")).toBeGreaterThanOrEqual(2);
  });

  it("/proc holds the container's own processes: ps, /proc/self, read-only", async () => {
    // another container runs meanwhile: its processes are not in this one's /proc
    const other = run({ program: bundledBusybox(), argv: ["/bin/sh", "-c", "sleep 0.5"], tree: loadBundledBusyboxRoot(), env: ["PATH=/bin:/usr/bin"] });
    // the background sleep outlives the listing however slowly the guest runs (every block
    // compiled at its first entry, say), and is killed once it is listed
    const got = await sh("sleep 30 & ps; ls /proc; cat /proc/self/cmdline | tr '\\0' ' '; echo; echo x > /proc/1/comm; kill $!; wait");
    await other;
    const rows = got.out.split("\n");
    expect(rows[0]).toMatch(/^PID\s+USER\s+TIME\s+COMMAND$/);
    expect(rows.slice(1, 4).map((r) => r.trim().split(/\s+/).filter((_, i) => i !== 1 && i !== 2).join(" "))).toEqual([
      expect.stringMatching(/^1 \/bin\/sh -c sleep 30 &/), "2 sleep 30", "3 ps",
    ]);
    expect(rows.slice(4, 10)).toEqual(["1", "2", "4", "meminfo", "self", "uptime"]); // ls was pid 4
    expect(rows[10]).toBe("cat /proc/self/cmdline ");
    expect(got.err).toMatch(/can't create \/proc\/1\/comm: Read-only file system/);
  });

  it("a timed wait (read -t: ppoll with a timeout) ends at its time, before the data comes", async () => {
    const got = await sh('{ sleep 0.5; echo late; } | { read -t 0.2 x; echo "read: $? [$x]"; read y; echo "then [$y]"; }');
    expect(got.out).toBe("read: 1 []\nthen [late]\n"); // without the timeout: "read: 0 [late]"
  });

  it("a fork bomb stops at the container's process limit, and ends with the container", async () => {
    const got = await run({
      program: bundledBusybox(), argv: ["/bin/sh", "-c", "i=0; while [ $i -lt 40 ]; do (while :; do :; done) & i=$((i+1)); done; echo not reached"],
      tree: loadBundledBusyboxRoot(), maxProcesses: 16, slice: 20_000,
    });
    // the shell stops at the failed fork (as ash does on Linux); its busy children end with it
    expect(got.out).toBe("");
    expect(got.err).toBe("/bin/sh: can't fork: Resource temporarily unavailable\n");
    expect(got.status).toBe(2);
    expect(got.processes).toBe(16);
  });

  it("files and processes are the container's own: another container sees neither", async () => {
    const a = await sh("mkdir /tmp/a && echo secret > /tmp/a/file && cat /tmp/a/file && echo $$ && ls /tmp");
    expect(a.out).toBe("secret\n1\na\n");
    // the same base, another container: no /tmp/a; pid 1 again; pid 2 is nobody it can signal
    const b = await sh("ls /tmp; cat /tmp/a/file; echo $$; kill -0 2 || echo no-such-process");
    expect(b.out).toBe("1\nno-such-process\n");
    expect(b.err).toMatch(/can't open '\/tmp\/a\/file': No such file or directory/);
    expect(loadBundledBusyboxRoot().stat("tmp/a")).toBeUndefined(); // the shared base is untouched
  }, 20_000); // busybox runs: ~5-6 s with every block compiled (WASMVISOR_JIT=0) on a busy machine
});

describe("sockets in a busybox container", () => {
  const start = (script: string, o: Partial<ProcessOptions> = {}) => {
    let out = "", err = "";
    const dec = new TextDecoder();
    const p = new ContainerProcess({
      module: loadCoreModule(), program: bundledBusybox(), argv: ["/bin/sh", "-c", script], tree: loadBundledBusyboxRoot(),
      env: ["PATH=/bin:/usr/bin:/sbin:/usr/sbin"], stdout: (b) => { out += dec.decode(b); }, stderr: (b) => { err += dec.decode(b); }, ...o,
    });
    const done = p.run();
    return { p, done, out: () => out, err: () => err };
  };
  const until = async (f: () => boolean) => { for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 10)); };

  it("busybox httpd in a container answers the host on its published port", async () => {
    const net = new PublishedPorts(new Map([[8080, 0]]));
    const c = start("mkdir /www && echo hello from the container > /www/index.html && exec httpd -f -p 8080 -h /www", { network: net });
    await until(() => net.hostPort(8080) !== undefined);
    const port = net.hostPort(8080)!;
    for (let i = 0; i < 2; i++) { // a process forked per request, each time
      const r = await fetch(`http://127.0.0.1:${port}/`);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe("hello from the container\n");
    }
    const missing = await fetch(`http://127.0.0.1:${port}/nothing`);
    expect(missing.status).toBe(404);
    await missing.text();
    c.p.container.stop();
    const r = await c.done;
    expect(r.signal).toBe(9);
    expect(r.calls.get("accept")).toBeGreaterThanOrEqual(3);
    expect(net.hostPort(8080)).toBeUndefined(); // the host port is closed with the container
  });

  it("loopback connections stay inside the container: each has its own ports", async () => {
    // A serves on its port 8081; B, at the same time, finds nothing listening on its own 8081
    const a = start("mkdir /www && echo inside A > /www/index.html && httpd -p 8081 -h /www && wget -q -O - http://127.0.0.1:8081/ && exec httpd -f -p 8082 -h /www");
    await until(() => a.out().includes("inside A"));
    const b = start("wget -q -O - http://127.0.0.1:8081/; echo \"wget: $?\"");
    const rb = await b.done;
    expect(b.out()).toBe("wget: 1\n");
    expect(b.err()).toMatch(/Connection refused/);
    expect(rb.status).toBe(0);
    expect(a.out()).toBe("inside A\n");
    a.p.container.stop();
    await a.done;
  }, 20_000); // busybox httpd and wget: ~5 s with every block compiled (WASMVISOR_JIT=0)

  it("with a network, connections out go through the host's TCP stack (10.0.2.2: the host's loopback); without, nothing is reachable", async () => {
    const server = createServer((req, res) => { res.end(`host saw ${req.url}\n`); });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const out = start(`wget -q -O - http://10.0.2.2:${port}/from-inside; echo "wget: $?"; wget -q -O - http://10.0.2.2:1/ 2>&1; echo "closed: $?"`, { network: new PublishedPorts([]) });
      const r = await out.done;
      expect(out.out()).toMatch(new RegExp(`^host saw /from-inside\nwget: 0\n.*Connection refused\nclosed: 1\n$`, "s"));
      expect(r.status).toBe(0);
      expect(r.calls.get("connect")).toBeGreaterThanOrEqual(2);
      const none = start(`wget -q -O - http://10.0.2.2:${port}/; echo "wget: $?"`);
      await none.done;
      expect(none.out()).toBe("wget: 1\n");
      expect(none.err()).toMatch(/Network is unreachable/);
    } finally {
      server.close();
    }
  }, 20_000); // as above
});

describe("files of a directory root (read-only)", () => {
  let root = "";
  const inRoot = (argv: string[], input = "") => run({ program: bundledBusybox(), argv, tree: new HostTree(root) }, input);
  beforeAll(() => {
    root = join(dir, "fsroot");
    mkdirSync(join(root, "etc/sub"), { recursive: true });
    mkdirSync(join(root, "bin"), { recursive: true });
    writeFileSync(join(root, "etc/hello.txt"), "hello from the root\nsecond line\n");
    writeFileSync(join(root, "etc/sub/deep"), "deep\n");
    symlinkSync("/etc/hello.txt", join(root, "etc/abs-link")); // absolute: from the container's root
    symlinkSync("../../../../../secret", join(root, "etc/escape"));
    symlinkSync("/../../../secret", join(root, "etc/escape2"));
    writeFileSync(join(dir, "secret"), "HOST SECRET\n");
  });

  it("cat, wc, ls and the shell's redirections and cd read them", async () => {
    expect((await inRoot(["cat", "/etc/hello.txt"])).out).toBe("hello from the root\nsecond line\n");
    expect((await inRoot(["wc", "-l", "/etc/hello.txt"])).out.trim()).toBe("2 /etc/hello.txt");
    expect((await inRoot(["ls", "/etc"])).out).toBe("abs-link\nescape\nescape2\nhello.txt\nsub\n");
    // (the shell's builtins: this root has no programs for it to fork and exec)
    const sh = await inRoot(["sh", "-c", 'read a < /etc/hello.txt; echo "[$a]"; cd /etc/sub; pwd; read d < deep; read h < ../abs-link; echo "$d|$h"']);
    expect(sh.out).toBe("[hello from the root]\n/etc/sub\ndeep|hello from the root\n");
  }, 20_000); // busybox runs: ~5-6 s with every block compiled (WASMVISOR_JIT=0) on a busy machine

  it("paths that try to leave the root reach nothing outside it", async () => {
    for (const path of ["/../../../secret", "../../../../secret", "/etc/escape", "/etc/escape2", "/etc/../../secret"]) {
      const r = await inRoot(["cat", path]);
      expect(r.out, path).toBe("");
      expect(r.err, path).toMatch(/No such file or directory/);
      expect(r.status, path).toBe(1);
    }
    const sh = await inRoot(["sh", "-c", "cd /../../..; pwd; read s < secret; echo \"[$s]\""]);
    expect(sh.out).not.toContain("HOST SECRET");
    expect(sh.out.split("\n")[0]).toBe("/");
  }, 20_000); // busybox runs: ~5-6 s with every block compiled (WASMVISOR_JIT=0) on a busy machine
});

describe("container roots", () => {
  it("reads the bundled initramfs (newc cpio) and refuses a cut or corrupt archive", () => {
    const cpio = loadBundledLinux().initrd;
    const files = readCpio(cpio);
    expect(files.get("bin/busybox")?.data.length).toBeGreaterThan(1 << 20);
    expect(() => readCpio(cpio.subarray(0, 5000))).toThrow(RootError);
    const bad = new Uint8Array(cpio.subarray(0, 4096));
    bad[0] = 0x41;
    expect(() => readCpio(bad)).toThrow(/no header/);
  });
});

describe("wasmvisor run --mode container", () => {
  const cli = (args: string[], input = "") => spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { input, encoding: "utf8" });

  it("runs the bundled busybox's shell with our stdin and exits with its status", () => {
    const r = cli(["run", "--mode", "container", "busybox", "--", "/bin/sh", "-c", "read x; echo \"got $x\"; exit 7"], "hello\n");
    expect(r.stdout).toBe("got hello\n");
    expect(r.status).toBe(7);
  });

  it("runs a program from a directory root; paths that leave the root are refused", () => {
    const ok = cli(["run", "--mode", "container", join(dir, "root"), "--", "/bin/user", "q"], "in\n");
    expect(ok.stdout).toContain("argv[1] q\n");
    expect(ok.status).toBe(42);
    writeFileSync(join(dir, "secret"), "host file\n");
    symlinkSync("../../secret", join(dir, "root/bin/link"));
    for (const path of ["../secret", "/../../secret", "bin/link"]) {
      const r = cli(["run", "--mode", "container", join(dir, "root"), "--", path]);
      expect(r.status, path).toBe(2);
      expect(r.stderr, path).toMatch(/outside the container root|not found in the container root/);
    }
    const none = cli(["run", "--mode", "container", join(dir, "root")]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/needs a program/);
  });

  it("ends quietly when its reader goes (| head), and stops at --max-instructions with 124", () => {
    const sh = spawnSync("sh", ["-c", `${process.execPath} --import tsx ${CLI} run --mode container busybox -- /bin/sh -c 'i=0; while true; do echo $i; i=$((i+1)); done' | head -2`], { encoding: "utf8" });
    expect(sh.stdout.startsWith("0\n1\n")).toBe(true);
    expect(sh.stderr).toBe("");
    const r = cli(["run", "--mode", "container", "busybox", "--max-instructions", "2000000", "--", "/bin/sh", "-c", "while true; do :; done"]);
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/stopped after 2000000 instructions/);
  });

  it("--net user,hostfwd=tcp::HOSTPORT-:PORT publishes a container port (httpd answers the host)", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "run", "--mode", "container", "--net", `user,hostfwd=tcp::${port}-:80`, "busybox", "--",
      "/bin/sh", "-c", "mkdir /www; echo via the CLI > /www/index.html; exec httpd -f -p 80 -h /www"], { stdio: "ignore" });
    try {
      let text = "";
      for (let i = 0; i < 300 && !text; i++) {
        try { text = await (await fetch(`http://127.0.0.1:${port}/`)).text(); } catch { await new Promise((r) => setTimeout(r, 50)); }
      }
      expect(text).toBe("via the CLI\n");
    } finally {
      child.kill();
    }
    const bad = cli(["run", "--mode", "container", "--net", "user,hostfwd=udp::1-:2", "busybox", "--", "true"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/is not a port forward/);
  });

  it("reports a signal on stderr and exits with 128 + its number", () => {
    const r = cli(["run", "--mode", "container", join(dir, "root"), "--", "/bin/user", "segv"]);
    expect(r.status).toBe(139);
    expect(r.stderr).toContain("Segmentation fault");
  });
});

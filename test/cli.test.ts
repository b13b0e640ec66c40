// The `wasmvisor` command as a user runs it: spawned as `node --import tsx src/cli/main.ts`.
import { execFileSync, spawn } from "node:child_process";
import { requireTool } from "./helpers/tools.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { echoGuest, exitGuest, helloGuest, loopGuest, sysconGuest, wfiGuest } from "./helpers/guests.js";
import { buildElf, guestElf } from "./helpers/elf-builder.js";
import { Asm } from "./helpers/rv-asm.js";

const ROOT = resolve(import.meta.dirname, "..");
let dir: string;
const guest = (name: string) => join(dir, name);

interface Outcome { code: number | null; stdout: string; stderr: string }

function cli(args: string[], input?: string): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wasmvisor-cli-"));
  writeFileSync(guest("hello.elf"), helloGuest("hello from the guest\n", 3));
  writeFileSync(guest("exit256.elf"), exitGuest(256));
  writeFileSync(guest("echo.elf"), echoGuest());
  writeFileSync(guest("fail5.elf"), sysconGuest((5 << 16) | 0x3333));
  writeFileSync(guest("loop.elf"), loopGuest());
  writeFileSync(guest("wfi.elf"), wfiGuest());
  // Prints "ready\n", then loops forever.
  const ready = new Asm();
  ready.la("s0", "tohost");
  for (const c of new TextEncoder().encode("ready\n")) ready.li("t0", (0x0101n << 48n) | BigInt(c)).sd("t0", 0, "s0");
  ready.label("spin").j("spin").align(8).label("tohost").dword(0).label("fromhost").dword(0);
  writeFileSync(guest("ready.elf"), guestElf(ready));
  const elf32 = helloGuest("x");
  elf32[4] = 1;
  writeFileSync(guest("elf32.elf"), elf32);
  writeFileSync(guest("high.elf"), buildElf({ entry: 0x8000_0000, segments: [{ paddr: 0x8000_0000, data: new Uint8Array(4), memsz: 0x2000 }] }).bytes);
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe.concurrent("wasmvisor CLI", () => {
  it("--help prints the usage on stdout", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: wasmvisor run <guest.elf> \[options\]/);
    expect(r.stdout).toMatch(/--max-instructions/);
    expect(r.stderr).toBe("");
  });

  it("--version prints the package version", async () => {
    const r = await cli(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: "wasmvisor 0.1.0\n" });
  });

  it("runs a guest: console on stdout, its exit code as ours", async () => {
    const r = await cli(["run", guest("hello.elf")]);
    expect(r).toEqual({ code: 3, stdout: "hello from the guest\n", stderr: "" });
  });

  it("--stats reports instructions, seconds and MIPS on stderr", async () => {
    const r = await cli(["run", guest("hello.elf"), "--stats", "--mem", "1M"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("hello from the guest\n");
    expect(r.stderr).toMatch(/^wasmvisor: \d+ instructions in \d+\.\d{3} s \(\d+\.\d\d MIPS\)\nwasmvisor: JIT: \d+ instructions in compiled code, .* compiled in \d+ ms, \d+ functions shared\n$/);
  });

  it("--jit-threshold 0 compiles the guest's code; --no-jit compiles nothing", async () => {
    const on = await cli(["run", guest("hello.elf"), "--stats", "--mem", "1M", "--jit-threshold", "0"]);
    expect(on).toMatchObject({ code: 3, stdout: "hello from the guest\n" });
    const m = /JIT: (\d+) instructions in compiled code, (\d+) pages/.exec(on.stderr);
    expect(Number(m?.[1])).toBeGreaterThan(0);
    const off = await cli(["run", guest("hello.elf"), "--stats", "--mem", "1M", "--no-jit"]);
    expect(off).toMatchObject({ code: 3, stdout: "hello from the guest\n" });
    expect(off.stderr).not.toMatch(/JIT/);
    const bad = await cli(["run", guest("hello.elf"), "--jit-threshold", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --jit-threshold value 'soon'/);
  }, 30_000);

  it("feeds piped stdin to the guest", async () => {
    const r = await cli(["run", guest("echo.elf")], "hi\n");
    expect(r).toMatchObject({ code: 3, stdout: "HI\n" });
  });

  it("passes the syscon failure code through", async () => {
    expect((await cli(["run", guest("fail5.elf")])).code).toBe(5);
  });

  it("never reports a failing guest as success (exit code 256 → 1)", async () => {
    expect((await cli(["run", guest("exit256.elf")])).code).toBe(1);
  });

  it("--max-instructions stops a runaway guest with status 124", async () => {
    const r = await cli(["run", guest("loop.elf"), "--max-instructions", "1000", "--stats"]);
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/^wasmvisor: 1000 instructions in/m);
    expect(r.stderr).toMatch(/^wasmvisor: instruction limit \(1000\) reached$/m);
  });

  it("a guest idle forever with stdin closed is a deadlock (status 125)", async () => {
    const r = await cli(["run", guest("wfi.elf")]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^wasmvisor: deadlock: the hart waits for an interrupt/);
  });

  it("--trace prints each executed instruction on stderr", async () => {
    const r = await cli(["run", guest("hello.elf"), "--trace"]);
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("M 0000000080000000 00000417 auipc s0,0x0");
    expect(lines[1]).toMatch(/^M 0000000080000004 [0-9a-f]{8} addi s0,s0,\d+$/);
    expect(lines.every((l) => /^M [0-9a-f]{16} [ 0-9a-f]{8} \S/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/ sd t0,0\(s0\)$/);
  });

  it("SIGINT stops the guest with status 130", async () => {
    const r = await new Promise<Outcome>((done) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "run", guest("ready.elf")], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "", stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; if (stdout.includes("ready\n")) child.kill("SIGINT"); });
      child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
      child.on("close", (code) => done({ code, stdout, stderr }));
    });
    expect(r).toEqual({ code: 130, stdout: "ready\n", stderr: "wasmvisor: stopped\n" });
  });

  const refusals: [string, () => string[], RegExp][] = [
    ["no arguments", () => [], /^wasmvisor: no command given \(try 'wasmvisor --help'\)\n$/],
    ["an unknown option", () => ["run", guest("hello.elf"), "--turbo"], /^wasmvisor: unknown option '--turbo'/],
    ["a bad --mem", () => ["run", guest("hello.elf"), "--mem", "3G"], /^wasmvisor: invalid --mem value '3G': at most 2G\n$/],
    ["a missing file", () => ["run", guest("nope.elf")], /^wasmvisor: cannot read .*nope\.elf: no such file\n$/],
    ["a directory", () => ["run", dir], /^wasmvisor: cannot read .*: is a directory\n$/],
    ["a 32-bit ELF", () => ["run", guest("elf32.elf")], /^wasmvisor: .*elf32\.elf: 32-bit ELF \(ELFCLASS32\) is not supported.*\n$/],
    ["segments outside RAM", () => ["run", guest("high.elf"), "--mem", "4K"], /^wasmvisor: .*high\.elf: segment 0 \[0x80000000, 0x80002000\) lies outside guest RAM \[0x80000000, 0x80001000\)\n$/],
    ["an unknown command", () => ["frobnicate", "--help"], /^wasmvisor: unknown command 'frobnicate' \(try 'wasmvisor --help'\)\n$/],
    ["a kernel that is not an Image", () => ["run", "--kernel", guest("hello.elf")], /^wasmvisor: .*hello\.elf: not a RISC-V Linux Image/],
    ["a disk whose size is not a multiple of 512", () => ["run", "linux", "--disk", guest("hello.elf")], /^wasmvisor: .*hello\.elf: disk image size \d+ is not a multiple of 512 bytes\n$/],
    ["a kernel that is a device", () => ["run", "--kernel", "/dev/zero"], /^wasmvisor: cannot read kernel \/dev\/zero: not a regular file\n$/],
    ["a guest that is a device", () => ["run", "/dev/zero"], /^wasmvisor: cannot read \/dev\/zero: not a regular file\n$/],
    ["a missing disk", () => ["run", "linux", "--disk", guest("nope.img")], /^wasmvisor: cannot read disk .*nope\.img: no such file\n$/],
    ["Linux in too little RAM", () => ["run", "linux", "--mem", "8M"], /^wasmvisor: linux: kernel and initrd do not fit in 8 MiB of RAM/],
    ["a bad --disk option", () => ["run", "linux", "--disk", "x.img,rw2"], /^wasmvisor: invalid --disk value 'x\.img,rw2': unknown disk option 'rw2'/],
  ];
  it("run linux --exec boots the bundled Linux, runs the commands and powers off with status 0", async () => {
    const r = await cli(["run", "linux", "--exec", "echo $((40 + 2)); uname -m"]);
    expect(r.stdout).toMatch(/\n42\r?\nriscv64\r?\n/);
    expect(r.stdout).toMatch(/para virtualization/); // the default mode
    expect(r.stdout).toMatch(/Requesting system poweroff/);
    expect(r.code).toBe(0);
  }, 60_000);

  it("run linux --net user: the guest gets its lease by DHCP and reaches the router; a forward on port 0 says where it listens", async () => {
    const r = await cli(["run", "linux", "--net", "user,hostfwd=tcp:127.0.0.1:0-:80", "--exec",
      "ip link set eth0 up; udhcpc -i eth0 -n -q -s /bin/true 2>&1 | tail -n 1; ip addr add 10.0.2.15/24 dev eth0; ping -c 1 -W 5 10.0.2.2 >/dev/null && echo gw-$((2 + 2))"]);
    expect(r.stdout).toMatch(/udhcpc: lease of 10\.0\.2\.15 obtained from 10\.0\.2\.2/);
    expect(r.stdout).toMatch(/\ngw-4\r?\n/);
    expect(r.stderr).toMatch(/^wasmvisor: tcp:127\.0\.0\.1:0-:80 listens on port \d+$/m);
    expect(r.code).toBe(0);
  }, 60_000);

  it("--mode full boots through OpenSBI with the UART console", async () => {
    const r = await cli(["run", "linux", "--mode", "full", "--exec", "cat /proc/consoles"]);
    expect(r.stdout).toMatch(/OpenSBI v1\.\d/);
    expect(r.stdout).toMatch(/\nttyS0 /);
    expect(r.code).toBe(0);
  }, 60_000);

  it("run linux reads piped stdin as console input; its end powers the guest off (status 0)", async () => {
    const r = await cli(["run", "linux"], "echo piped-$((1 + 1))\n");
    expect(r.stdout).toMatch(/\npiped-2\r?\n/);
    expect(r.stdout).toMatch(/console closed, powering off/);
    expect(r.code).toBe(0);
  }, 60_000);

  it("a kernel panic ends the run with status 1 and the panic line on stderr", async () => {
    const r = await cli(["run", "linux", "--append", "console=ttyS0 rdinit=/nonexistent root=/dev/nothing"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^wasmvisor: Kernel panic - not syncing: .+\n$/);
  }, 60_000);

  it("--disk F,rw writes the guest's changes to the file; without it the file is untouched", async () => {
    const mke2fs = requireTool("mke2fs", "e2fsprogs"), debugfs = requireTool("debugfs", "e2fsprogs");
    const img = guest("rw.img");
    execFileSync(mke2fs, ["-q", "-F", "-t", "ext2", img, "2048"]);
    const before = readFileSync(img);
    const script = "mount -t ext2 /dev/vda /mnt && echo from-guest > /mnt/f && umount /mnt";
    expect((await cli(["run", "linux", "--disk", img, "--exec", script])).code).toBe(0);
    expect(readFileSync(img).equals(before)).toBe(true);
    expect((await cli(["run", "linux", "--disk", `${img},rw`, "--exec", script])).code).toBe(0);
    expect(execFileSync(debugfs, ["-R", "cat /f", img], { stdio: ["ignore", "pipe", "ignore"] }).toString()).toBe("from-guest\n");
  }, 90_000);

  it("run linux --snapshot resumes a saved VM at its prompt; a damaged snapshot is refused", async () => {
    const { bootToPrompt } = await import("../src/machine/console-session.js");
    const { loadCoreModule } = await import("../src/node/core-module.js");
    const { loadBundledLinux } = await import("../src/node/images.js");
    const { DEFAULT_CONSOLE } = await import("../src/machine/linux-boot.js");
    const { machine: m } = await bootToPrompt(loadCoreModule(), { memSize: 256 << 20 }, { ...loadBundledLinux(), cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` }, "para");
    const file = guest("vm.snap");
    writeFileSync(file, m.snapshot());
    const r = await cli(["run", "linux", "--snapshot", file, "--exec", "echo resumed $((1 + 1))"]);
    expect(r.stdout).not.toMatch(/Linux version/); // no boot: it continues
    expect(r.stdout).toMatch(/\nresumed 2\r?\n/);
    expect(r.code).toBe(0);
    const bad = readFileSync(file);
    bad[100] ^= 0xff;
    writeFileSync(guest("bad.snap"), bad);
    const b = await cli(["run", "linux", "--snapshot", guest("bad.snap")]);
    expect([b.code, b.stderr]).toEqual([2, `wasmvisor: ${guest("bad.snap")}: snapshot: checksum mismatch: the file is damaged\n`]);
    const wrong = await cli(["run", "linux", "--mode", "full", "--snapshot", file]);
    expect(wrong.stderr).toMatch(/snapshot: the snapshot is of a para-mode VM, this board is full/);
  }, 90_000);

  it("run linux | head ends quietly when the pipe closes", async () => {
    const r = await new Promise<Outcome>((done) => {
      const child = spawn("sh", ["-c", `"${process.execPath}" --import tsx src/cli/main.ts run linux --exec 'sleep 5' | head -n 3`], { cwd: ROOT });
      let stdout = "", stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
      child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
      child.on("close", (code) => done({ code, stdout, stderr }));
    });
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(3);
    expect(r.stderr).toBe("");
  }, 60_000);

  it("images lists the bundled Linux parts and the demo", async () => {
    const r = await cli(["images"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME +PART +ORIGIN +SIZE/);
    for (const part of ["kernel", "initrd", "firmware"]) expect(r.stdout).toMatch(new RegExp(`^linux +${part} +bundled +[\\d.]+ [KM]iB`, "m"));
    expect(r.stdout).toMatch(/^demo +bare-metal ELF +bundled/m);
  });

  it.each(refusals)("refuses %s: one line on stderr, status 2, nothing run", async (_n, args, message) => {
    const r = await cli(args());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split("\n")).toHaveLength(2);
  });
});

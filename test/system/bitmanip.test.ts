// A Linux user program compiled for the bit-manipulation extensions
// (riscv64-linux-gnu-gcc -static -march=rv64gc_zba_zbb_zbs) runs in the bundled Linux guest and
// prints what qemu-riscv64 (user mode, 7.2, with zba, zbb and zbs on) prints for it; without
// those extensions QEMU refuses it (SIGILL), so it does use them.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CowOverlay } from "../../src/devices/virtio/blk/backend.js";
import { FileDisk } from "../../src/node/file-disk.js";
import { requireTool } from "../helpers/tools.js";
import { LinuxSession } from "./linux-session.js";

const SRC = join(import.meta.dirname, "fixtures/zb-user.c");
let dir = "", prog = "", disk = "";

beforeAll(() => {
  const gcc = requireTool("riscv64-linux-gnu-gcc", "gcc-riscv64-linux-gnu");
  requireTool("riscv64-linux-gnu-ld", "binutils-riscv64-linux-gnu");
  // A static program needs the C library (Debian's libc6-dev-riscv64-cross, which .ci/run installs).
  if (!existsSync("/usr/riscv64-linux-gnu/lib/libc.a")) throw new Error("/usr/riscv64-linux-gnu/lib/libc.a not found: install Debian's libc6-dev-riscv64-cross");
  const mke2fs = requireTool("mke2fs", "e2fsprogs");
  dir = mkdtempSync(join(tmpdir(), "wasmvisor-zb-"));
  execFileSync("mkdir", ["-p", join(dir, "content")]);
  prog = join(dir, "content", "zb");
  execFileSync(gcc, ["-static", "-O2", "-march=rv64gc_zba_zbb_zbs", "-o", prog, SRC]);
  disk = join(dir, "disk.img");
  execFileSync(mke2fs, ["-q", "-F", "-t", "ext2", "-b", "1024", "-E", "root_owner=0:0", "-d", join(dir, "content"), disk, "4096"], { env: { ...process.env, E2FSPROGS_FAKE_TIME: "0" } });
}, 60_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe("the bit-manipulation extensions in a Linux user program", () => {
  it("the program uses them: its main has Zba and Zbb instructions, and QEMU without them stops it", () => {
    const objdump = requireTool("riscv64-linux-gnu-objdump", "binutils-riscv64-linux-gnu");
    const main = execFileSync(objdump, ["--disassemble=main", prog]).toString();
    for (const insn of ["cpop", "clz", "ctz", "sh2add"]) expect(main, insn).toMatch(new RegExp(`\\t${insn}\\t`));
    const qemu = requireTool("qemu-riscv64", "qemu-user");
    const without = spawnSync(qemu, ["-cpu", "rv64,zba=false,zbb=false,zbs=false", prog]);
    expect(without.signal).toBe("SIGILL");
  });

  it("runs in the Linux guest (para) and prints what QEMU prints", async () => {
    const qemu = requireTool("qemu-riscv64", "qemu-user");
    const want = execFileSync(qemu, ["-cpu", "rv64,zba=true,zbb=true,zbs=true", prog]).toString().trim();
    expect(want).toMatch(/^zb-check [0-9a-f]{16} [0-9a-f]{16}$/);
    const s = new LinuxSession({ mode: "para", disks: [{ backend: new CowOverlay(new FileDisk(disk)) }] });
    await s.until(/root@wasmvisor:~# $/);
    await s.sh("mount -t ext2 -o ro /dev/vda /mnt");
    expect(await s.sh("/mnt/zb")).toBe(want);
    await s.sh("poweroff");
  }, 120_000);
});

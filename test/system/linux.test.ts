// The bundled Linux guest in both modes, driven through its console: fully virtualized
// (OpenSBI in the guest's M-mode, the 16550 UART) and paravirtualized (no firmware, SBI
// hypercalls, the virtio console). The same checks: shell commands, the RTC, an ext2 disk made
// on the host with a copy-on-write overlay, reboot and power-off.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CowOverlay } from "../../src/devices/virtio/blk/backend.js";
import { FileDisk } from "../../src/node/file-disk.js";
import { LinuxSession } from "./linux-session.js";
import { requireTool } from "../helpers/tools.js";

let dir = "";
let diskPath = "";
let baseBytes: Buffer;

beforeAll(() => {
  const mke2fs = requireTool("mke2fs", "e2fsprogs");
  dir = mkdtempSync(join(tmpdir(), "wasmvisor-linux-"));
  const content = join(dir, "content");
  execFileSync("mkdir", ["-p", content]);
  writeFileSync(join(content, "hello.txt"), "written on the host\n");
  diskPath = join(dir, "disk.img");
  execFileSync(mke2fs, ["-q", "-F", "-t", "ext2", "-b", "1024", "-E", "root_owner=0:0", "-d", content, diskPath, "4096"], { env: { ...process.env, E2FSPROGS_FAKE_TIME: "0" } });
  baseBytes = readFileSync(diskPath);
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe.each(["full", "para"] as const)("Linux in %s virtualization (Linux 6.1 + busybox)", (mode) => {
  it("boots to a shell, runs commands, reads the RTC, uses a disk, reboots and powers off", async () => {
    const overlay = new CowOverlay(new FileDisk(diskPath));
    const s = new LinuxSession({ mode, disks: [{ backend: overlay }] });
    await s.until(/root@wasmvisor:~# $/);
    const firmware = /OpenSBI v1\.\d/;
    if (mode === "full") expect(s.out).toMatch(firmware); else expect(s.out).not.toMatch(firmware);
    expect(s.out).toMatch(new RegExp(`wasmvisor virtual server - Linux 6\\.1\\.\\d+ \\(${mode} virtualization\\)`));
    expect(s.out).toMatch(mode === "full" ? /virtio: +blk rng input/ : /virtio: +blk console rng input/);
    // The board's /chosen/rng-seed, counted by the kernel (RANDOM_TRUST_BOOTLOADER): the RNG is
    // ready while the kernel reads the device tree, before it prints its command line.
    const seeded = /random: crng init done[\s\S]*Kernel command line:/;

    expect(await s.sh("dmesg")).toMatch(seeded);
    expect(await s.sh("uname -a")).toMatch(/^Linux wasmvisor 6\.1\.\d+ .* riscv64 GNU\/Linux$/);
    const cpuinfo = await s.sh("cat /proc/cpuinfo");
    // Linux 6.1 names only the multi-letter extensions it knows (of the hart's: Sstc, Svinval,
    // Svpbmt, Zicbom, Zihintpause).
    expect(cpuinfo).toMatch(mode === "full" ? /isa\s+: rv64imafdc_sstc_svinval_svpbmt_zicbom_zihintpause\n/
      : /isa\s+: rv64imafdc_svinval_svpbmt_zicbom_zihintpause\n/);
    expect(cpuinfo).toMatch(/mmu\s+: sv48/);
    expect(await s.sh("echo $((6 * 7 + 1))")).toBe("43");
    expect(await s.sh("echo one two three | wc -w")).toBe("3");
    // User programs read the time CSR directly (vDSO clock_gettime): dd reports its speed.
    expect(await s.sh("dd if=/dev/zero of=/dev/null bs=512 count=100 2>&1 | tail -n 1")).toMatch(/^51200 bytes \(50\.0KB\) copied, [\d.]+ seconds/);
    // The goldfish RTC gives the guest the host's date.
    const guestSecs = Number(await s.sh("date +%s"));
    expect(Math.abs(guestSecs - Date.now() / 1000)).toBeLessThan(30);

    // The ext2 disk made on the host: read its file, write one, sync.
    await s.sh("mount -t ext2 /dev/vda /mnt");
    expect(await s.sh("cat /mnt/hello.txt")).toBe("written on the host");
    await s.sh("echo written by the guest > /mnt/guest.txt; sync");
    expect(await s.sh("cat /mnt/guest.txt")).toBe("written by the guest");
    await s.sh("umount /mnt");
    expect(overlay.chunks.size).toBeGreaterThan(0);
    expect(Buffer.from(overlay.flatten()).includes("written by the guest")).toBe(true);
    expect(readFileSync(diskPath).equals(baseBytes)).toBe(true); // the base image is untouched

    // reboot comes back to a shell (OpenSBI and the kernel run again), with the overlay kept.
    const mark = s.out.length;
    s.send("reboot\n");
    await s.until(mode === "full" ? /OpenSBI v1\.\d[\s\S]*root@wasmvisor:~# $/ : /wasmvisor virtual server[\s\S]*root@wasmvisor:~# $/, mark, 90_000);
    expect(s.machine.reboots).toBe(1);
    expect(await s.sh("dmesg")).toMatch(seeded);
    await s.sh("mount -t ext2 /dev/vda /mnt");
    expect(await s.sh("cat /mnt/guest.txt")).toBe("written by the guest");
    await s.sh("umount /mnt");

    s.send("poweroff\n");
    const r = await s.done;
    expect(r).toMatchObject({ reason: "exit", exitCode: 0 });
    if (mode === "full") expect(s.out).toMatch(/reboot: Power down/);
    else expect(s.machine.board.sbi!.report()).toMatchObject({ "SRST.system_reset": 2 }); // reboot, power-off
    expect(readFileSync(diskPath).equals(baseBytes)).toBe(true);
  }, 240_000);
});

// The bundled images (OpenSBI fw_dynamic, Linux Image, initramfs) boot on the reference,
// qemu-system-riscv64 -M virt, to the same shell: the images themselves are known good.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundled } from "./linux-session.js";
import { requireTool } from "../helpers/tools.js";

describe("the bundled Linux images on QEMU", () => {
  it("boot to the shell on qemu-system-riscv64 -M virt and power off", async () => {
    const qemu = requireTool("qemu-system-riscv64", "qemu-system-misc");
    const dir = mkdtempSync(join(tmpdir(), "wasmvisor-qemu-"));
    try {
      const b = bundled();
      writeFileSync(join(dir, "Image"), b.kernel);
      writeFileSync(join(dir, "rootfs.cpio"), b.initrd);
      writeFileSync(join(dir, "fw.bin"), b.firmware);
      const child = spawn(qemu, ["-M", "virt", "-m", "256M", "-smp", "1", "-nographic", "-monitor", "none", "-serial", "stdio",
        "-bios", join(dir, "fw.bin"), "-kernel", join(dir, "Image"), "-initrd", join(dir, "rootfs.cpio"),
        "-append", "console=ttyS0 wasmvisor.mode=full", "-device", "virtio-rng-device"], { stdio: ["pipe", "pipe", "pipe"] });
      let out = "", sent = false;
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        if (!sent && /root@wasmvisor:~# $/.test(out)) { sent = true; child.stdin.write("uname -m\npoweroff\n"); }
      });
      const code = await new Promise<number | null>((resolve) => {
        const t = setTimeout(() => child.kill("SIGKILL"), 120_000);
        child.on("close", (c) => { clearTimeout(t); resolve(c); });
      });
      expect(out).toMatch(/wasmvisor virtual server - Linux 6\.1\.\d+ \(full virtualization\)/);
      expect(out).toMatch(/\nriscv64\r?\n/);
      expect(out).toMatch(/reboot: Power down/);
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

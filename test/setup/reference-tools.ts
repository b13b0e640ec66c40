// vitest global setup: the reference tools the tests compare against, installed from Debian
// when missing and running as root (once per run, before any test). Without root, each missing
// tool is named in one line, and the tests that need it fail: a missing reference is never a
// silent skip.
import { requireTool } from "../helpers/tools.js";

const TOOLS: [string, string][] = [
  ["qemu-riscv64", "qemu-user"],
  ["qemu-system-riscv64", "qemu-system-misc"],
  ["riscv64-unknown-elf-as", "binutils-riscv64-unknown-elf"],
  ["dtc", "device-tree-compiler"],
  ["mke2fs", "e2fsprogs"],
  ["chromium", "chromium"], // the demo page's end-to-end test (test/web)
  ["riscv64-linux-gnu-gcc", "gcc-riscv64-linux-gnu"], // a Linux user program built for Zba/Zbb/Zbs (test/system/bitmanip.test.ts)
  ["etcd", "etcd-server"], // the cluster tests (test/system/cluster.test.ts), when .ci/run has not started one
];

export default function setup(): void {
  const missing: string[] = [];
  for (const [tool, pkg] of TOOLS) {
    try { requireTool(tool, pkg); } catch (e) { missing.push((e as Error).message); }
  }
  if (missing.length) {
    process.stderr.write(`wasmvisor tests: ${missing.join("; ")}\n`);
  }
}

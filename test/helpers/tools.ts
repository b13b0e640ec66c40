// Tools the tests need beyond npm (QEMU, dtc, mke2fs): found on PATH (and /usr/sbin, /sbin);
// when missing and running as root with apt-get, the Debian package is installed, as
// guests/build.sh does for the compiler. Otherwise the test fails with one line that says what
// to install: a missing reference is a failure, never a silent skip.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const DIRS = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/bin"];
const tried = new Set<string>();

function find(tool: string): string | undefined {
  for (const d of DIRS) if (d && existsSync(join(d, tool))) return join(d, tool);
  return undefined;
}

export function requireTool(tool: string, debianPackage: string): string {
  let path = find(tool);
  if (!path && !tried.has(debianPackage) && process.getuid?.() === 0 && find("apt-get")) {
    tried.add(debianPackage);
    try {
      execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", debianPackage],
        { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 300_000 });
    } catch {
      try {
        execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore", timeout: 300_000 });
        execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", debianPackage],
          { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 300_000 });
      } catch { /* reported below */ }
    }
    path = find(tool);
  }
  if (!path) throw new Error(`${tool} not found: install Debian's ${debianPackage} (apt-get install ${debianPackage})`);
  return path;
}

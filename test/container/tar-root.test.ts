// Container roots from tar archives: archives GNU tar writes (its gnu, pax and ustar formats,
// gzipped or not, with long names, symbolic and hard links) become a container's read-only
// base; busybox from the archive runs over it, writes go to the container's own layer and the
// archive is never changed; several containers share one base tree; archives that are not tar,
// damaged, cut short, or whose members climb out of the root are refused with the reason.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerProcess } from "../../src/container/process.js";
import { readTar } from "../../src/container/tar.js";
import { RootError } from "../../src/container/rootfs.js";
import { openContainerRoot } from "../../src/node/container-roots.js";
import { loadBundledBusybox } from "../../src/node/images.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { S_IFLNK, S_IFMT } from "../../src/container/linux-abi.js";
import { requireTool } from "../helpers/tools.js";

const CLI = join(import.meta.dirname, "../../src/cli/main.ts");
const LONG = "a-directory-name-long-enough/that-the-path-needs-more-than/the-hundred-bytes-of-a-ustar-name-field";
let dir = "", tar = "";

beforeAll(() => {
  tar = requireTool("tar", "tar");
  dir = mkdtempSync(join(tmpdir(), "wasmvisor-tar-"));
  const root = join(dir, "root");
  mkdirSync(join(root, "bin"), { recursive: true });
  mkdirSync(join(root, "etc"), { recursive: true });
  mkdirSync(join(root, LONG), { recursive: true });
  writeFileSync(join(root, "bin/busybox"), loadBundledBusybox());
  chmodSync(join(root, "bin/busybox"), 0o755);
  for (const applet of ["sh", "cat", "ls", "wc", "echo", "mkdir"]) symlinkSync("busybox", join(root, "bin", applet));
  writeFileSync(join(root, "etc/motd"), "from the tar archive\n");
  linkSync(join(root, "etc/motd"), join(root, "etc/motd.hard"));
  symlinkSync("/etc/motd", join(root, "etc/motd.abs"));
  writeFileSync(join(root, LONG, "file-with-a-long-path"), "deep inside\n");
  for (const format of ["gnu", "pax", "ustar"]) execFileSync(tar, [`--format=${format}`, "-cf", join(dir, `${format}.tar`), "-C", root, "."]);
  execFileSync(tar, ["--format=pax", "-czf", join(dir, "root.tar.gz"), "-C", root, "."]);
}, 60_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

async function sh(rootPath: string, script: string) {
  let out = "", err = "";
  const dec = new TextDecoder();
  const tree = openContainerRoot(rootPath);
  const p = new ContainerProcess({
    module: loadCoreModule(), program: tree.read("bin/busybox", 0, tree.stat("bin/busybox")!.size), argv: ["sh", "-c", script],
    env: ["PATH=/bin"], tree, stdout: (b) => { out += dec.decode(b); }, stderr: (b) => { err += dec.decode(b); },
  });
  return { ...(await p.run()), out, err };
}

describe("a tar archive as a container's root", () => {
  it("GNU tar's gnu, pax and ustar formats and a gzipped one: files, long names, links, busybox runs from it", async () => {
    for (const name of ["gnu.tar", "pax.tar", "ustar.tar", "root.tar.gz"]) {
      const r = await sh(join(dir, name), `cat /etc/motd /etc/motd.hard /etc/motd.abs; cat /${LONG}/file-with-a-long-path; ls /etc; echo x | wc -c`);
      expect(r.err, name).toBe("");
      expect(r.out, name).toBe("from the tar archive\n".repeat(3) + "deep inside\nmotd\nmotd.abs\nmotd.hard\n2\n");
      expect(r.status, name).toBe(0);
    }
    const files = readTar(readFileSync(join(dir, "pax.tar")));
    expect((files.get("etc/motd.abs")!.mode & S_IFMT)).toBe(S_IFLNK);
    expect(files.get("etc/motd.hard")).toBe(files.get("etc/motd")); // a hard link is the same file
    expect(files.get("bin/busybox")!.mode & 0o777).toBe(0o755);
  }, 20_000); // busybox runs: ~5-6 s with every block compiled (WASMVISOR_JIT=0) on a busy machine

  it("writes go to the container's own layer: the archive and the next container see none of them", async () => {
    const path = join(dir, "gnu.tar");
    const before = readFileSync(path);
    const first = await sh(path, "echo changed > /etc/motd; mkdir /new; echo n > /new/f; cat /etc/motd /new/f");
    expect(first.out).toBe("changed\nn\n");
    const second = await sh(path, "cat /etc/motd; ls /new 2>&1; true");
    expect(second.out).toMatch(/^from the tar archive\n.*No such file or directory/s);
    expect(readFileSync(path).equals(before)).toBe(true);
    // the bundled busybox root too (a Buffer's slice() shares its memory: the base must not)
    const edit = await sh("busybox", "echo mine > /etc/hostname; cat /etc/hostname");
    expect(edit.out).toBe("mine\n");
    expect((await sh("busybox", "cat /etc/hostname")).out).toBe("wasmvisor\n");
    // one base tree for every container of the process that names the archive (unchanged)
    expect(openContainerRoot(path)).toBe(openContainerRoot(path));
  });

  it("refuses what is not a tar archive, a damaged or cut one, and members that leave the root", () => {
    const good = readFileSync(join(dir, "ustar.tar"));
    writeFileSync(join(dir, "text.tar"), "just some text, not an archive\n".repeat(40));
    expect(() => openContainerRoot(join(dir, "text.tar"))).toThrow(/bad header checksum at 0/);
    const damaged = Buffer.from(good);
    damaged[10] ^= 0x20; // a byte of the first member's name
    expect(() => readTar(damaged)).toThrow(/bad header checksum/);
    expect(() => readTar(good.subarray(0, good.indexOf("busybox") + 4096))).toThrow(RootError);
    // GNU tar keeps "../" in member names with -P (--absolute-names)
    writeFileSync(join(dir, "outside"), "outside the root\n");
    execFileSync(tar, ["-P", "-cf", join(dir, "evil.tar"), "-C", join(dir, "root"), "../outside"]);
    expect(() => openContainerRoot(join(dir, "evil.tar"))).toThrow(/names a path outside the root/);
    expect(() => openContainerRoot(join(dir, "nothing-here.tar"))).toThrow(/no such file or directory/);
  });

  it("wasmvisor run --mode container ROOT.tar.gz runs it; a bad archive is a clear error (status 2)", () => {
    const ok = spawnSync(process.execPath, ["--import", "tsx", CLI, "run", "--mode", "container", join(dir, "root.tar.gz"), "--", "/bin/sh", "-c", "cat /etc/motd; exit 3"], { encoding: "utf8" });
    expect(ok.stdout).toBe("from the tar archive\n");
    expect(ok.status).toBe(3);
    const bad = spawnSync(process.execPath, ["--import", "tsx", CLI, "run", "--mode", "container", join(dir, "text.tar"), "--", "/bin/sh"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/text\.tar: tar: bad header checksum/);
  });
});

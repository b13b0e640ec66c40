// Container roots: reading a newc cpio archive, as the bundled busybox comes in the Linux
// guest's initramfs (src/node/images.ts loadBundledBusybox). Browser-safe.

export class RootError extends Error {}

/** The files of a newc ("070701") cpio archive: name -> {mode, data}. */
export function readCpio(archive: Uint8Array): Map<string, { mode: number; data: Uint8Array }> {
  const files = new Map<string, { mode: number; data: Uint8Array }>();
  const text = new TextDecoder();
  const hex = (at: number) => Number.parseInt(text.decode(archive.subarray(at, at + 8)), 16);
  let i = 0;
  while (i + 110 <= archive.length) {
    if (text.decode(archive.subarray(i, i + 6)) !== "070701") throw new RootError(`cpio: no header at ${i}`);
    const mode = hex(i + 14), size = hex(i + 54), nameSize = hex(i + 94);
    if (!Number.isFinite(size) || !Number.isFinite(nameSize) || nameSize < 1) throw new RootError(`cpio: bad header at ${i}`);
    const name = text.decode(archive.subarray(i + 110, i + 110 + nameSize - 1));
    const data = Math.ceil((i + 110 + nameSize) / 4) * 4;
    if (data + size > archive.length) throw new RootError(`cpio: ${name} is cut short`);
    if (name === "TRAILER!!!") break;
    files.set(name, { mode, data: archive.subarray(data, data + size) });
    i = Math.ceil((data + size) / 4) * 4;
  }
  return files;
}

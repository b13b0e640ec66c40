// Container roots from tar archives (POSIX.1-2001 pax and ustar, with GNU's long names and
// base-256 sizes, as GNU tar, bsdtar and `docker export` write them): the archive's files,
// directories, symbolic and hard links as entries of an in-memory tree (layers.ts ArchiveTree).
// A hostile archive gets a clear error: a bad checksum, an entry cut short, a name that climbs
// out of the root. Browser-safe (a gzipped archive is unpacked by the caller).
import { S_IFDIR, S_IFLNK, S_IFREG } from "./linux-abi.js";
import { RootError } from "./rootfs.js";

export interface ArchiveEntry { mode: number; data: Uint8Array; mtimeMs: number }

const BLOCK = 512;
const text = new TextDecoder();

/** A NUL-terminated field. */
function str(b: Uint8Array, at: number, len: number): string {
  const f = b.subarray(at, at + len);
  const end = f.indexOf(0);
  return text.decode(end < 0 ? f : f.subarray(0, end));
}

/** A numeric field: octal digits (spaces and NULs around them), or GNU's base-256 (high bit set). */
function num(b: Uint8Array, at: number, len: number, what: string, offset: number): number {
  if (b[at] & 0x80) {
    let v = b[at] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[at + i];
    if (!Number.isSafeInteger(v)) throw new RootError(`tar: the ${what} of the entry at ${offset} is too large`);
    return v;
  }
  const s = str(b, at, len).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new RootError(`tar: the ${what} of the entry at ${offset} is not a number`);
  return Number.parseInt(s, 8);
}

/** Header checksum (ustar): the bytes summed with the checksum field taken as spaces. */
function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  const field = str(h, 148, 8).trim();
  return /^[0-7]+$/.test(field) && sum === Number.parseInt(field, 8);
}

/** pax extended header records: "LEN key=value\n" each. */
function paxRecords(data: Uint8Array, offset: number): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    const len = sp < 0 ? NaN : Number(text.decode(data.subarray(i, sp)));
    if (!Number.isInteger(len) || len <= sp - i || i + len > data.length) throw new RootError(`tar: a bad pax header at ${offset}`);
    const rec = text.decode(data.subarray(sp + 1, i + len - 1)); // without the newline
    const eq = rec.indexOf("=");
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/**
 * The path of an archive member inside the root: leading "/" and "./" dropped, "." parts too.
 * A ".." part is refused: no entry may land outside the root, whatever the archive says.
 */
function memberPath(name: string, offset: number): string {
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new RootError(`tar: the entry at ${offset} (${name}) names a path outside the root`);
  return parts.join("/");
}

/**
 * The members of a tar archive by path: regular files, directories and symbolic links (the
 * link's target as its data); a hard link gets its target's data. Device nodes and FIFOs are
 * left out (a container's /dev is the host's own). Later members replace earlier ones, as tar
 * extracts them.
 */
export function readTar(archive: Uint8Array): Map<string, ArchiveEntry> {
  const out = new Map<string, ArchiveEntry>();
  let at = 0;
  let longName: string | undefined, longLink: string | undefined;
  let pax = new Map<string, string>();
  while (at + BLOCK <= archive.length) {
    const h = archive.subarray(at, at + BLOCK);
    if (h.every((x) => x === 0)) break; // the end-of-archive blocks
    if (!checksumOk(h)) throw new RootError(`tar: bad header checksum at ${at} (not a tar archive, or a damaged one)`);
    const type = String.fromCharCode(h[156] || 0x30);
    const size = Number(pax.get("size") ?? num(h, 124, 12, "size", at));
    const dataAt = at + BLOCK;
    if (!Number.isSafeInteger(size) || size < 0 || dataAt + size > archive.length) throw new RootError(`tar: the entry at ${at} is cut short`);
    const data = archive.subarray(dataAt, dataAt + size);
    const next = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    const ustar = str(h, 257, 6) === "ustar";
    const prefix = ustar ? str(h, 345, 155) : "";
    const name = pax.get("path") ?? longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    const link = pax.get("linkpath") ?? longLink ?? str(h, 157, 100);
    const mtimeMs = Number(pax.get("mtime") ?? num(h, 136, 12, "mtime", at)) * 1000;
    const perm = num(h, 100, 8, "mode", at) & 0o7777;
    const member = { name, link, type, offset: at };
    at = next;
    switch (type) {
      case "x": pax = paxRecords(data, member.offset); continue; // applies to the next member
      case "g": continue; // global pax header: nothing a root needs
      case "L": longName = str(data, 0, data.length); continue; // GNU long name of the next member
      case "K": longLink = str(data, 0, data.length); continue;
    }
    pax = new Map();
    longName = longLink = undefined;
    const path = memberPath(member.name, member.offset);
    if (path === "") continue; // the root itself ("./")
    const safeMtime = Number.isFinite(mtimeMs) ? mtimeMs : 0;
    if (type === "0" || type === "7") out.set(path, { mode: S_IFREG | perm, data, mtimeMs: safeMtime });
    else if (type === "5") out.set(path, { mode: S_IFDIR | perm, data: new Uint8Array(0), mtimeMs: safeMtime });
    else if (type === "2") out.set(path, { mode: S_IFLNK | 0o777, data: new TextEncoder().encode(member.link), mtimeMs: safeMtime });
    else if (type === "1") {
      const target = out.get(memberPath(member.link, member.offset));
      if (!target) throw new RootError(`tar: ${path} is a hard link to ${member.link}, which comes nowhere before it`);
      out.set(path, target);
    }
    // "3", "4", "6" (devices, FIFOs) and vendor types: not part of a container's files.
  }
  return out;
}

// The file tree a container sees, as the system calls use it: a root its paths resolve inside
// whatever they say (`..` stops at the root, a symbolic link's target is read as a path of the
// container, absolute ones from its root), and read-only files and directories under it.
// Backends implement Tree (src/node/host-tree.ts: a host directory). Browser-safe.
import { E, S_IFDIR, S_IFLNK, S_IFMT } from "./linux-abi.js";

export interface Stat {
  ino: bigint;
  mode: number; // S_IF* | permissions
  nlink: number;
  size: number;
  mtimeMs: number;
}

/** A backend: entries by their path inside the tree ("" is the root; no "." or ".."). */
export interface Tree {
  /** lstat: undefined if nothing is there. */
  stat(path: string): Stat | undefined;
  readlink(path: string): string;
  /** Directory entries (names only). */
  list(path: string): string[];
  /** Bytes [offset, offset + length) of a regular file. */
  read(path: string, offset: number, length: number): Uint8Array;
  /**
   * A regular file's bytes as they are held, without a copy (trees that hold files in memory
   * and never change them): what many processes running one program share. Read only.
   */
  view?(path: string): Uint8Array | undefined;
}

/** A program's bytes: the tree's own if it holds them (shared, not copied), else a copy read in. */
export function fileBytes(tree: Tree, path: string, size: number): Uint8Array {
  return tree.view?.(path) ?? tree.read(path, 0, size);
}

export class FsError extends Error {
  constructor(readonly errno: number, message: string) { super(message); }
}
const MAX_LINKS = 40;

/**
 * Resolves `path` (absolute, or relative to `cwd`, both container paths) to a path inside the
 * tree. `follow`: whether a symbolic link in the last component is followed.
 */
export function resolve(tree: Tree, path: string, cwd: string, follow = true): string {
  if (path.length > 4096) throw new FsError(E.NAMETOOLONG, "path too long");
  if (path === "") throw new FsError(E.NOENT, "empty path");
  const todo = (path.startsWith("/") ? path : `${cwd}/${path}`).split("/").filter((c) => c !== "" && c !== ".");
  const done: string[] = [];
  let links = 0;
  while (todo.length) {
    const c = todo.shift()!;
    if (c === "..") { done.pop(); continue; } // the root's parent is the root
    const here = [...done, c].join("/");
    const st = tree.stat(here);
    const last = todo.length === 0;
    if (st && (st.mode & S_IFMT) === S_IFLNK && (!last || follow)) {
      if (++links > MAX_LINKS) throw new FsError(E.LOOP, "too many symbolic links");
      const target = tree.readlink(here);
      const parts = target.split("/").filter((x) => x !== "" && x !== ".");
      if (target.startsWith("/")) done.length = 0;
      todo.unshift(...parts);
      continue;
    }
    if (!last && st && (st.mode & S_IFMT) !== S_IFDIR) throw new FsError(E.NOTDIR, `${here}: not a directory`);
    if (!last && !st) throw new FsError(E.NOENT, `${here}: no such file or directory`);
    done.push(c);
  }
  return done.join("/");
}

// Container roots on a Node host: `busybox` (the bundled busybox root), a directory, or a tar
// archive (gzipped or not). The read-only base trees are shared: every container of the
// process that names the same archive (unchanged since) gets the same one.
import { readFileSync, realpathSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { ArchiveTree } from "../container/layers.js";
import { RootError } from "../container/rootfs.js";
import type { Tree } from "../container/vfs.js";
import { HostTree } from "./host-tree.js";
import { loadBundledBusyboxRoot } from "./images.js";

const archives = new Map<string, { key: string; tree: ArchiveTree }>();
const ARCHIVES_KEPT = 16;

/** The read-only base tree of root `spec`; throws RootError with the reason if it cannot be one. */
export function openContainerRoot(spec: string): Tree {
  if (spec === "busybox") return loadBundledBusyboxRoot();
  let path: string;
  let st: ReturnType<typeof statSync>;
  try {
    path = realpathSync(spec);
    st = statSync(path);
  } catch (e) {
    throw new RootError(`container root ${spec}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`);
  }
  if (st.isDirectory()) return new HostTree(path);
  if (!st.isFile()) throw new RootError(`container root ${spec}: not a directory or a tar archive`);
  const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
  const known = archives.get(path);
  if (known?.key === key) return known.tree;
  let bytes: Uint8Array = readFileSync(path);
  try {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const tree = ArchiveTree.fromTar(bytes);
    archives.delete(path);
    archives.set(path, { key, tree });
    while (archives.size > ARCHIVES_KEPT) archives.delete(archives.keys().next().value!);
    return tree;
  } catch (e) {
    throw new RootError(`container root ${spec}: ${(e as Error).message}`);
  }
}

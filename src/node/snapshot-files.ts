// Node-only: snapshot files. Reading one gives a snapshot that loads by itself: a compressed one
// is expanded, and a Diff is merged onto its base (the file its header names, itself perhaps a
// Diff on another), each link checked against the checksum the Diff recorded of its base.
import { renameSync, writeFileSync } from "node:fs";
import { compressSnapshot, expandSnapshot } from "../snapshot/codec.js";
import { mergeDiff, snapshotBase, SnapshotError, snapshotId } from "../snapshot/format.js";
import { readGuestFile } from "./guest-files.js";

/** Diffs on Diffs followed at most (a longer chain is refused: take a Full snapshot). */
export const MAX_DIFF_CHAIN = 64;

/** The snapshot in `path`, whole (throws GuestFileError for the file, SnapshotError for its contents). */
export function readSnapshotFile(path: string): Uint8Array {
  // Each file expanded once (a compressed one would otherwise be inflated at every look).
  const chain: { path: string; bytes: Uint8Array }[] = [{ path, bytes: expandSnapshot(readGuestFile(path, "snapshot ")) }];
  for (let base = snapshotBase(chain[0].bytes); base; base = snapshotBase(chain[0].bytes)) {
    if (chain.length > MAX_DIFF_CHAIN) throw new SnapshotError(`${path}: more than ${MAX_DIFF_CHAIN} Diffs on Diffs; take a Full snapshot`);
    if (chain.some((c) => c.path === base!.path)) throw new SnapshotError(`${path}: its Diffs' bases go round in a circle through ${base.path}`);
    chain.unshift({ path: base.path, bytes: expandSnapshot(readGuestFile(base.path, "base snapshot ")) });
  }
  let whole = chain[0].bytes;
  for (let i = 1; i < chain.length; i++) {
    // Each Diff names the file before it in the chain (a Diff itself, perhaps), not their merge.
    try { whole = mergeDiff(whole, chain[i].bytes, snapshotId(chain[i - 1].bytes)); } catch (e) {
      if (e instanceof SnapshotError) throw new SnapshotError(`${chain[i].path} on ${chain[i - 1].path}: ${e.message.replace(/^snapshot: /, "")}`);
      throw e;
    }
  }
  return whole;
}

/** Writes a snapshot to `path` atomically (a temporary file renamed), deflated if `compress`. */
export function writeSnapshotFile(path: string, snap: Uint8Array, compress = false): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, compress ? compressSnapshot(snap) : snap);
  renameSync(tmp, path);
}

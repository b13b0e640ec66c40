// The error every snapshot check throws: a damaged, truncated, foreign or mismatched snapshot. Browser-safe.
export class SnapshotError extends Error {
  constructor(message: string) { super(`snapshot: ${message}`); this.name = "SnapshotError"; }
}

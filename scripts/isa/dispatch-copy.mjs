// The interpreter's loop body (assembly/interp.ts) dispatches twice: the second dispatch is a
// copy of the first, generated here so the two cannot differ (scripts/gen-core-abi.mjs).
const FIRST = "// dispatch: one instruction\n";
const FIRST_END = "// end dispatch\n";
const COPY = "// dispatch copy, written by scripts/gen-core-abi.mjs from the one above: do not edit\n";
const COPY_END = "// end dispatch copy\n";

/** `source` (assembly/interp.ts) with its dispatch copy made equal to the first dispatch. */
export function withDispatchCopy(source) {
  const at = (marker, from = 0) => {
    const i = source.indexOf(marker, from);
    if (i < 0) throw new Error(`assembly/interp.ts: marker "${marker.trim()}" not found`);
    return i;
  };
  const a = at(FIRST) + FIRST.length;
  const b = source.lastIndexOf("\n", at(FIRST_END, a)) + 1;
  const c = at(COPY, b) + COPY.length;
  const d = source.lastIndexOf("\n", at(COPY_END, c)) + 1;
  return source.slice(0, c) + source.slice(a, b) + source.slice(d);
}

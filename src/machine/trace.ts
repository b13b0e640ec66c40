// One line of an instruction trace: privilege, pc, raw bits and disassembly of the instruction
// the hart is about to execute. Browser-safe.
import { disassemble } from "../core/disasm.js";
import type { Hart } from "../core/hart.js";

const PRIV = ["U", "S", "?", "M"];

/** E.g. `M 0000000080000000 00000297 auipc t0,0x0` (compressed: `    4501 c.li a0,0`). */
export function traceLine(hart: Hart): string {
  const pc = hart.pc;
  const priv = PRIV[hart.priv & 3];
  const where = `${priv} ${pc.toString(16).padStart(16, "0")}`;
  const lo = hart.peek(pc, 2, true);
  if (lo === undefined) return `${where} -------- (fetch fault)`;
  let bits = Number(lo);
  let raw: string;
  if ((bits & 3) === 3) {
    const hi = hart.peek(pc + 2n, 2, true);
    if (hi === undefined) return `${where} ${"????" + bits.toString(16).padStart(4, "0")} (fetch fault)`;
    bits = (bits | (Number(hi) << 16)) >>> 0;
    raw = bits.toString(16).padStart(8, "0");
  } else {
    raw = "    " + bits.toString(16).padStart(4, "0");
  }
  return `${where} ${raw} ${disassemble(bits, pc)}`;
}

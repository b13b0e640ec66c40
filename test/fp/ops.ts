// The instructions of the FP differential tests. Opcode numbers are the order of the entries
// in guests/fpref/fpref.S and the dispatcher in assembly/fp/test-entry.ts.

export type Kind =
  | "add" | "mul" | "div" | "sqrt" | "fma" | "minmax" | "cmp" | "class" | "sgnj"
  | "f2i" | "i2f" | "f2f";

export interface OpDef {
  op: number;
  name: string;
  kind: Kind;
  /** float format of the operands (f2i, f2f) or of the result (i2f) */
  fmt: 16 | 32 | 64;
  /** depends on the rounding mode: tested in all five */
  rounds: boolean;
  /** what the result is: a binary32 (zero-extended), a binary64, a binary16 (the whole 64-bit
   * register: NaN-boxing included), or an integer register value */
  res: "f16" | "f32" | "f64" | "int";
  /** integer side of a conversion */
  intBits?: 32 | 64;
  signed?: boolean;
  /** number of operands */
  nargs: 1 | 2 | 3;
}

function table(fmt: 16 | 32 | 64, base: number): OpDef[] {
  const s = fmt === 16 ? "h" : fmt === 32 ? "s" : "d";
  const f = fmt === 16 ? "f16" : fmt === 32 ? "f32" : "f64";
  const defs: Omit<OpDef, "op">[] = [
    { name: `fadd.${s}`, kind: "add", fmt, rounds: true, res: f, nargs: 2 },
    { name: `fsub.${s}`, kind: "add", fmt, rounds: true, res: f, nargs: 2 },
    { name: `fmul.${s}`, kind: "mul", fmt, rounds: true, res: f, nargs: 2 },
    { name: `fdiv.${s}`, kind: "div", fmt, rounds: true, res: f, nargs: 2 },
    { name: `fsqrt.${s}`, kind: "sqrt", fmt, rounds: true, res: f, nargs: 1 },
    { name: `fmadd.${s}`, kind: "fma", fmt, rounds: true, res: f, nargs: 3 },
    { name: `fmsub.${s}`, kind: "fma", fmt, rounds: true, res: f, nargs: 3 },
    { name: `fnmsub.${s}`, kind: "fma", fmt, rounds: true, res: f, nargs: 3 },
    { name: `fnmadd.${s}`, kind: "fma", fmt, rounds: true, res: f, nargs: 3 },
    { name: `fmin.${s}`, kind: "minmax", fmt, rounds: false, res: f, nargs: 2 },
    { name: `fmax.${s}`, kind: "minmax", fmt, rounds: false, res: f, nargs: 2 },
    { name: `feq.${s}`, kind: "cmp", fmt, rounds: false, res: "int", nargs: 2 },
    { name: `flt.${s}`, kind: "cmp", fmt, rounds: false, res: "int", nargs: 2 },
    { name: `fle.${s}`, kind: "cmp", fmt, rounds: false, res: "int", nargs: 2 },
    { name: `fclass.${s}`, kind: "class", fmt, rounds: false, res: "int", nargs: 1 },
    { name: `fsgnj.${s}`, kind: "sgnj", fmt, rounds: false, res: f, nargs: 2 },
    { name: `fsgnjn.${s}`, kind: "sgnj", fmt, rounds: false, res: f, nargs: 2 },
    { name: `fsgnjx.${s}`, kind: "sgnj", fmt, rounds: false, res: f, nargs: 2 },
    { name: `fcvt.w.${s}`, kind: "f2i", fmt, rounds: true, res: "int", intBits: 32, signed: true, nargs: 1 },
    { name: `fcvt.wu.${s}`, kind: "f2i", fmt, rounds: true, res: "int", intBits: 32, signed: false, nargs: 1 },
    { name: `fcvt.l.${s}`, kind: "f2i", fmt, rounds: true, res: "int", intBits: 64, signed: true, nargs: 1 },
    { name: `fcvt.lu.${s}`, kind: "f2i", fmt, rounds: true, res: "int", intBits: 64, signed: false, nargs: 1 },
    // int -> binary64 is exact for 32-bit integers
    { name: `fcvt.${s}.w`, kind: "i2f", fmt, rounds: fmt !== 64, res: f, intBits: 32, signed: true, nargs: 1 },
    { name: `fcvt.${s}.wu`, kind: "i2f", fmt, rounds: fmt !== 64, res: f, intBits: 32, signed: false, nargs: 1 },
    { name: `fcvt.${s}.l`, kind: "i2f", fmt, rounds: true, res: f, intBits: 64, signed: true, nargs: 1 },
    { name: `fcvt.${s}.lu`, kind: "i2f", fmt, rounds: true, res: f, intBits: 64, signed: false, nargs: 1 },
  ];
  return defs.map((d, i) => ({ op: base + i, ...d }));
}

export const OPS: OpDef[] = [
  ...table(64, 0),
  { op: 26, name: "fcvt.s.d", kind: "f2f", fmt: 64, rounds: true, res: "f32", nargs: 1 },
  { op: 27, name: "fcvt.d.s", kind: "f2f", fmt: 32, rounds: false, res: "f64", nargs: 1 },
  ...table(32, 28),
  // Zfh: binary16 operands are whole 64-bit registers (an improperly NaN-boxed one reads as the
  // canonical NaN), binary16 results the whole register (NaN-boxed)
  ...table(16, 54),
  { op: 80, name: "fcvt.s.h", kind: "f2f", fmt: 16, rounds: false, res: "f32", nargs: 1 },
  { op: 81, name: "fcvt.h.s", kind: "f2f", fmt: 32, rounds: true, res: "f16", nargs: 1 },
  { op: 82, name: "fcvt.d.h", kind: "f2f", fmt: 16, rounds: false, res: "f64", nargs: 1 },
  { op: 83, name: "fcvt.h.d", kind: "f2f", fmt: 64, rounds: true, res: "f16", nargs: 1 },
];

export const RM_NAMES = ["rne", "rtz", "rdn", "rup", "rmm"];
/** Record rm: 0-4 static rounding modes; 8-12 the dynamic mode with frm = rm - 8. */
export const RM_DYN = 8;
export const rmName = (rm: number): string => (rm >= RM_DYN ? `dyn(frm=${RM_NAMES[rm - RM_DYN]})` : RM_NAMES[rm]);

export function opByName(name: string): OpDef | undefined {
  return OPS.find((o) => o.name === name);
}

export function formatFlags(f: number): string {
  const names = ["NX", "UF", "OF", "DZ", "NV"];
  const s = names.filter((_, i) => f & (1 << i)).reverse().join("|");
  return s || "-";
}

// Compiled code for the bit-manipulation instructions that map onto a few Wasm operations
// (semantics as assembly/bitmanip.ts: the unprivileged spec's "B" chapter, Zbkb, Zicond). The
// others (orc.b, rev8, brev8, clmul*) are left to the interpreter: a compiled run ends there.
// Wasm's shifts and rotates take their count modulo the width, as these instructions do.
import { BITMANIP } from "../core/abi.gen.js";
import { Op, type Body } from "./wasm.js";

type Name = (typeof BITMANIP)[number]["name"];
const op = (name: Name) => BITMANIP.find((b) => b.name === name)!.op;
const M32 = 0xffffffffn;

/** The operations whose rs2 is a register (the R form); the rest read rs1 only. */
const R_FORM = new Set<number>(BITMANIP.filter((b) => b.form === "r").map((b) => b.op));

interface Regs { reg(r: number): void; setReg(r: number): void; imm: number; rd: number; rs1: number; rs2: number }

// Each emitter leaves the result on the stack.
const EMIT = new Map<number, (f: Body, x: Regs) => void>();
const def = (name: Name, fn: (f: Body, x: Regs) => void) => EMIT.set(op(name), fn);
const a = (f: Body, x: Regs) => x.reg(x.rs1);
const b = (f: Body, x: Regs) => x.reg(x.rs2);
const word = (f: Body, x: Regs) => { a(f, x); f.op(Op.i32WrapI64); };

for (const [name, n] of [["sh1add", 1], ["sh2add", 2], ["sh3add", 3]] as const) def(name, (f, x) => { b(f, x); a(f, x); f.i64(n).op(Op.i64Shl).op(Op.i64Add); });
for (const [name, n] of [["add.uw", 0], ["sh1add.uw", 1], ["sh2add.uw", 2], ["sh3add.uw", 3]] as const) {
  def(name, (f, x) => { b(f, x); a(f, x); f.i64(M32).op(Op.i64And); if (n) f.i64(n).op(Op.i64Shl); f.op(Op.i64Add); });
}
def("slli.uw", (f, x) => { a(f, x); f.i64(M32).op(Op.i64And).i64(x.imm & 63).op(Op.i64Shl); });
def("andn", (f, x) => { a(f, x); b(f, x); f.i64(-1).op(Op.i64Xor).op(Op.i64And); });
def("orn", (f, x) => { a(f, x); b(f, x); f.i64(-1).op(Op.i64Xor).op(Op.i64Or); });
def("xnor", (f, x) => { a(f, x); b(f, x); f.op(Op.i64Xor).i64(-1).op(Op.i64Xor); });
def("clz", (f, x) => { a(f, x); f.op(Op.i64Clz); });
def("ctz", (f, x) => { a(f, x); f.op(Op.i64Ctz); });
def("cpop", (f, x) => { a(f, x); f.op(Op.i64Popcnt); });
def("clzw", (f, x) => { word(f, x); f.op(Op.i32Clz).op(Op.i64ExtendI32U); });
def("ctzw", (f, x) => { word(f, x); f.op(Op.i32Ctz).op(Op.i64ExtendI32U); });
def("cpopw", (f, x) => { word(f, x); f.op(Op.i32Popcnt).op(Op.i64ExtendI32U); });
for (const [name, cmp] of [["max", Op.i64GtS], ["maxu", Op.i64GtU], ["min", Op.i64LtS], ["minu", Op.i64LtU]] as const) {
  def(name, (f, x) => { a(f, x); b(f, x); a(f, x); b(f, x); f.op(cmp).op(Op.select); });
}
def("sext.b", (f, x) => { a(f, x); f.op(Op.i64Extend8S); });
def("sext.h", (f, x) => { a(f, x); f.op(Op.i64Extend16S); });
def("zext.h", (f, x) => { a(f, x); f.i64(0xffff).op(Op.i64And); });
def("rol", (f, x) => { a(f, x); b(f, x); f.op(Op.i64Rotl); });
def("ror", (f, x) => { a(f, x); b(f, x); f.op(Op.i64Rotr); });
def("rori", (f, x) => { a(f, x); f.i64(x.imm & 63).op(Op.i64Rotr); });
def("rolw", (f, x) => { word(f, x); b(f, x); f.op(Op.i32WrapI64).op(Op.i32Rotl).op(Op.i64ExtendI32S); });
def("rorw", (f, x) => { word(f, x); b(f, x); f.op(Op.i32WrapI64).op(Op.i32Rotr).op(Op.i64ExtendI32S); });
def("roriw", (f, x) => { word(f, x); f.i32(x.imm & 31).op(Op.i32Rotr).op(Op.i64ExtendI32S); });
const bit = (f: Body, x: Regs, fromImm: boolean) => { f.i64(1); if (fromImm) f.i64(x.imm & 63); else b(f, x); f.op(Op.i64Shl); };
for (const imm of [false, true]) {
  const s = imm ? "i" : "";
  def(`bset${s}` as Name, (f, x) => { a(f, x); bit(f, x, imm); f.op(Op.i64Or); });
  def(`binv${s}` as Name, (f, x) => { a(f, x); bit(f, x, imm); f.op(Op.i64Xor); });
  def(`bclr${s}` as Name, (f, x) => { a(f, x); bit(f, x, imm); f.i64(-1).op(Op.i64Xor).op(Op.i64And); });
  def(`bext${s}` as Name, (f, x) => { a(f, x); if (imm) f.i64(x.imm & 63); else b(f, x); f.op(Op.i64ShrU).i64(1).op(Op.i64And); });
}
def("pack", (f, x) => { a(f, x); f.i64(M32).op(Op.i64And); b(f, x); f.i64(32).op(Op.i64Shl).op(Op.i64Or); });
def("packh", (f, x) => { a(f, x); f.i64(0xff).op(Op.i64And); b(f, x); f.i64(0xff).op(Op.i64And).i64(8).op(Op.i64Shl).op(Op.i64Or); });
def("packw", (f, x) => { a(f, x); f.i64(0xffff).op(Op.i64And); b(f, x); f.i64(0xffff).op(Op.i64And).i64(16).op(Op.i64Shl).op(Op.i64Or).op(Op.i64Extend32S); });
def("czero.eqz", (f, x) => { f.i64(0); a(f, x); b(f, x); f.op(Op.i64Eqz).op(Op.select); }); // rs2 == 0: 0, else rs1
def("czero.nez", (f, x) => { a(f, x); f.i64(0); b(f, x); f.op(Op.i64Eqz).op(Op.select); }); // rs2 == 0: rs1, else 0

/** Whether the code generator compiles bit-manipulation operation `op`. */
export const compilesBitmanip = (o: number) => EMIT.has(o);
/** Whether `op` is a bit-manipulation operation, and which registers it reads. */
const ALL = new Set<number>(BITMANIP.map((e) => e.op));
export const isBitmanip = (o: number) => ALL.has(o);
export const bitmanipReads = (o: number, rs1: number, rs2: number) => (R_FORM.has(o) ? [rs1, rs2] : [rs1]);

/** Emits the operation's result into rd. */
export function emitBitmanip(f: Body, o: number, x: Regs): void {
  EMIT.get(o)!(f, x);
  x.setReg(x.rd);
}

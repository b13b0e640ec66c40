// The helper functions every compiled module defines first (after the imported refill, function
// 0): the M-extension operations Wasm has no single instruction for (the high half of a 64x64
// multiply) or whose results for division by zero and overflow differ from Wasm's traps
// (unprivileged spec 7.2), and the check of an access group's second page (spanOk), out of line
// because it is rare and its code would be in every group's.
import { L } from "../core/abi.gen.js";
import { Body, I32, I64, Op, type FuncDef } from "./wasm.js";

// Helper functions every module defines first (indices into the module's function space).
export const H = { mulhu: 1, mulh: 2, mulhsu: 3, div: 4, divu: 5, rem: 6, remu: 7, divw: 8, divuw: 9, remw: 10, remuw: 11, spanOk: 12 } as const;
export const M32 = 0xffffffffn;

function helper(build: (b: Body) => void, locals: number[] = []): FuncDef {
  const body = new Body();
  build(body);
  return { params: [I64, I64], results: [I64], locals, body };
}

/**
 * Pushes the address of the entry of TLB `tlb` (a local: a load, store or fetch TLB of the core)
 * for the address in local `va`: tlb + ((va >> 12) & (TLB_ENTRIES - 1)) * 16, as assembly/mmu.ts
 * indexes it.
 */
export function tlbEntryAddress(b: Body, va: number, tlb: number): void {
  b.get(va).i64(12).op(Op.i64ShrU).op(Op.i32WrapI64).i32(L.TLB_ENTRIES - 1).op(Op.i32And).i32(4).op(Op.i32Shl);
  b.get(tlb).op(Op.i32Add);
}

let made: FuncDef[] | undefined;

/** The helpers, made once: every module has the same (encodeModule only reads them). */
export function helpers(): FuncDef[] {
  return made ??= [...mHelpers(), spanOk()];
}

/**
 * spanOk(va, tlb, host) -> i32: whether the TLB at `tlb` (a load or store TLB of the core) maps
 * the page of `va` so that `va` is at host address `host` (codegen.ts groupCheck: the last byte of
 * a group of accesses that crosses into the next page, where the group's one host base must
 * still cover it). Its type is the imported refill's: (i64, i32, i32) -> i32.
 */
function spanOk(): FuncDef {
  const b = new Body();
  tlbEntryAddress(b, 0, 1); b.set(3);
  b.get(3).mem(Op.i64Load, 3).get(0).i64(~0xfff).op(Op.i64And).op(Op.i64Ne);
  b.if(); b.i32(0).op(Op.return); b.end();
  b.get(0).get(3).mem(Op.i64Load, 3, 8).op(Op.i64Add).op(Op.i32WrapI64).get(2).op(Op.i32Eq);
  return { params: [I64, I32, I32], results: [I32], locals: [I32], body: b };
}

/** M-extension helpers with the spec's results for division by zero and overflow (7.2). */
function mHelpers(): FuncDef[] {
  const sext32 = (b: Body) => b.op(Op.i64Extend32S);
  return [
    // mulhu: the high half from 32-bit partial products (locals 2..4: p01, p10, mid).
    helper((b) => {
      b.get(0).i64(M32).op(Op.i64And).get(1).i64(32).op(Op.i64ShrU).op(Op.i64Mul).set(2);
      b.get(0).i64(32).op(Op.i64ShrU).get(1).i64(M32).op(Op.i64And).op(Op.i64Mul).set(3);
      b.get(0).i64(M32).op(Op.i64And).get(1).i64(M32).op(Op.i64And).op(Op.i64Mul).i64(32).op(Op.i64ShrU);
      b.get(2).i64(M32).op(Op.i64And).op(Op.i64Add).get(3).i64(M32).op(Op.i64And).op(Op.i64Add).set(4);
      b.get(0).i64(32).op(Op.i64ShrU).get(1).i64(32).op(Op.i64ShrU).op(Op.i64Mul);
      b.get(2).i64(32).op(Op.i64ShrU).op(Op.i64Add).get(3).i64(32).op(Op.i64ShrU).op(Op.i64Add);
      b.get(4).i64(32).op(Op.i64ShrU).op(Op.i64Add);
    }, [I64, I64, I64]),
    helper((b) => {
      b.get(0).get(1).call(H.mulhu);
      b.get(1).i64(0).get(0).i64(0).op(Op.i64LtS).op(Op.select).op(Op.i64Sub);
      b.get(0).i64(0).get(1).i64(0).op(Op.i64LtS).op(Op.select).op(Op.i64Sub);
    }),
    helper((b) => {
      b.get(0).get(1).call(H.mulhu);
      b.get(1).i64(0).get(0).i64(0).op(Op.i64LtS).op(Op.select).op(Op.i64Sub);
    }),
    helper((b) => { // div
      b.get(1).op(Op.i64Eqz); b.if(); b.i64(-1).op(Op.return); b.end();
      b.get(1).i64(-1).op(Op.i64Eq); b.if(); b.i64(0).get(0).op(Op.i64Sub).op(Op.return); b.end();
      b.get(0).get(1).op(Op.i64DivS);
    }),
    helper((b) => { // divu
      b.get(1).op(Op.i64Eqz); b.if(); b.i64(-1).op(Op.return); b.end();
      b.get(0).get(1).op(Op.i64DivU);
    }),
    helper((b) => { // rem
      b.get(1).op(Op.i64Eqz); b.if(); b.get(0).op(Op.return); b.end();
      b.get(1).i64(-1).op(Op.i64Eq); b.if(); b.i64(0).op(Op.return); b.end();
      b.get(0).get(1).op(Op.i64RemS);
    }),
    helper((b) => { // remu
      b.get(1).op(Op.i64Eqz); b.if(); b.get(0).op(Op.return); b.end();
      b.get(0).get(1).op(Op.i64RemU);
    }),
    helper((b) => { // divw: 64-bit division of the sign-extended words cannot overflow
      b.get(1); sext32(b); b.op(Op.i64Eqz); b.if(); b.i64(-1).op(Op.return); b.end();
      b.get(0); sext32(b); b.get(1); sext32(b); b.op(Op.i64DivS); sext32(b);
    }),
    helper((b) => { // divuw
      b.get(1).i64(M32).op(Op.i64And).op(Op.i64Eqz); b.if(); b.i64(-1).op(Op.return); b.end();
      b.get(0).i64(M32).op(Op.i64And).get(1).i64(M32).op(Op.i64And).op(Op.i64DivU); sext32(b);
    }),
    helper((b) => { // remw
      b.get(1); sext32(b); b.op(Op.i64Eqz); b.if(); b.get(0); sext32(b); b.op(Op.return); b.end();
      b.get(0); sext32(b); b.get(1); sext32(b); b.op(Op.i64RemS); sext32(b);
    }),
    helper((b) => { // remuw
      b.get(1).i64(M32).op(Op.i64And).op(Op.i64Eqz); b.if(); b.get(0); sext32(b); b.op(Op.return); b.end();
      b.get(0).i64(M32).op(Op.i64And).get(1).i64(M32).op(Op.i64And).op(Op.i64RemU); sext32(b);
    }),
  ];
}

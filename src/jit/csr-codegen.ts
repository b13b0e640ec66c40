// Compiled code for the CSR instructions that set or clear bits of sstatus where they change
// SIE alone: the kernel's interrupt disables and enables around every lock
// (local_irq_save/restore), which would otherwise leave compiled code every few hundred
// instructions of a Linux boot. A change of any other field (FS, SUM, MXR, SPP...), an enable
// while an interrupt is pending and enabled, and U-mode accesses (illegal) leave to the
// interpreter, which does them as assembly/interp-slow.ts csrInstruction and assembly/csr.ts do.
import { L, MS, OP } from "../core/abi.gen.js";
import { Op, type Body } from "./wasm.js";

const SSTATUS = 0x100;
const CSR_SET = new Set<number>([OP.CSRRS, OP.CSRRSI]);
const CSR_CLEAR = new Set<number>([OP.CSRRC, OP.CSRRCI]);
const CSR_IMM = new Set<number>([OP.CSRRSI, OP.CSRRCI]);

/** CSRRSI/CSRRCI: rs1 holds the mask itself (uimm), no register is read. */
export const isCsrImm = (op: number) => CSR_IMM.has(op);

/** Whether `i` (a decoded entry: imm is the CSR number) is an sstatus set or clear the JIT compiles. */
export function compilesCsr(i: { op: number; imm: number; rs1: number }): boolean {
  if ((!CSR_SET.has(i.op) && !CSR_CLEAR.has(i.op)) || i.imm !== SSTATUS) return false;
  return !CSR_IMM.has(i.op) || (BigInt(i.rs1) & ~MS.SIE) === 0n; // an immediate mask: known now
}

interface Regs { reg(r: number): void; setReg(r: number): void; leaveAt(k: number): void }

/**
 * Instruction `k` of a block, CSRRS/CSRRC(I) on sstatus (compilesCsr), for a change of SIE alone
 * (privileged spec 4.1.1): rd gets sstatus as csrRead shows it (SD from FS, XS and VS). Leaves,
 * the instruction not run, in U-mode, for a register mask with other bits, and for a set while
 * an interrupt is pending and enabled (the interpreter takes it right after the instruction).
 * Clearing SIE, or setting it with nothing pending, changes nothing else the hart or the
 * compiled code depends on. `scratch`: an i64 local.
 */
export function emitSstatus(f: Body, i: { op: number; rd: number; rs1: number }, k: number, x: Regs, scratch: number): void {
  const writes = i.rs1 !== 0; // with x0 or a zero immediate: a read, no write
  f.i32(0).mem(Op.i64Load, 3, L.S_PRIV).op(Op.i64Eqz);
  f.if(); x.leaveAt(k); f.end();
  const mask = () => { if (CSR_IMM.has(i.op)) f.i64(BigInt(i.rs1)); else x.reg(i.rs1); };
  if (writes && !CSR_IMM.has(i.op)) {
    mask(); f.i64(~MS.SIE).op(Op.i64And).op(Op.i64Eqz).op(Op.i32Eqz);
    f.if(); x.leaveAt(k); f.end();
  }
  if (writes && CSR_SET.has(i.op)) {
    f.i32(0).mem(Op.i64Load, 3, L.S_MIP).i32(0).mem(Op.i64Load, 3, L.S_MIP_HW).op(Op.i64Or);
    f.i32(0).mem(Op.i64Load, 3, L.S_MIE).op(Op.i64And).op(Op.i64Eqz).op(Op.i32Eqz);
    f.if(); x.leaveAt(k); f.end();
  }
  f.i32(0).mem(Op.i64Load, 3, L.S_MSTATUS).set(scratch);
  if (writes) {
    f.i32(0).get(scratch);
    mask();
    if (CSR_SET.has(i.op)) f.op(Op.i64Or); else f.i64(-1).op(Op.i64Xor).op(Op.i64And);
    f.mem(Op.i64Store, 3, L.S_MSTATUS);
  }
  if (i.rd === 0 || i.rd === L.X_SINK) return;
  const full = (m: bigint) => { f.get(scratch).i64(m).op(Op.i64And).i64(m).op(Op.i64Eq); }; // a field all ones
  f.get(scratch).i64(MS.SSTATUS_VISIBLE & ~MS.SD).op(Op.i64And);
  full(MS.FS); full(MS.XS); f.op(0x72 /* i32.or */); full(MS.VS); f.op(0x72 /* i32.or */);
  f.op(Op.i64ExtendI32U).i64(63).op(Op.i64Shl).op(Op.i64Or);
  x.setReg(i.rd);
}

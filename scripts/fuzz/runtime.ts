// The fixed code around a random body: the prologue (CSR reset, page tables, registers from
// the seed), the M- and S-mode trap handlers (log the trap, skip the faulting instruction,
// serve promotion ecalls, silence interrupt sources), and the epilogue that dumps the
// architectural state over the UART in a fixed text format and goes on to the next program.
import { Area, Label } from "./asm.js";
import * as E from "./encode.js";
import { CSR, MS, X } from "./csrs.js";
import {
  CLINT, CLINT_MTIMECMP, DATA_SIZE, LOG_ENTRY, LOG_MAX, MARKER_TO_M, MARKER_TO_S, M_COUNT, M_DUMP,
  M_FLAGS, M_LOG, M_MVEC, M_NEXT, M_SAVE, M_SCDUMMY, M_SVEC, M_TAGS, S_SAVE, TRAP_STORM, UART,
} from "./layout.js";
import type { Program } from "./program.js";

const { ra, sp, t0, t1, t2, t3, s0, s1, s2, s3, s4, s5, s6, a0, a1 } = X;

/** Page-table pages the dump prints in full (data mode): root39, root48, id1, id0, al1, al0. */
export const PT_PAGES = 6;

/** The dump's fields, in the order the epilogue prints them. */
export function dumpTags(fp: boolean): string[] {
  const t: string[] = [];
  for (let i = 1; i < 32; i++) t.push(`x${i}`);
  if (fp) {
    for (let i = 0; i < 32; i++) t.push(`f${i}`);
    t.push("fcsr");
  }
  t.push("mstatus", "mie", "mip", "medeleg", "mideleg", "mepc", "mcause", "mtval", "sepc", "scause",
    "stval", "sscratch", "satp", "menvcfg", "senvcfg", "ntraps", "flags", "datahash", "pthash");
  return t;
}

const DUMP_CSRS: Array<[string, number]> = [
  ["mstatus", CSR.mstatus], ["mie", CSR.mie], ["mip", CSR.mip], ["medeleg", CSR.medeleg],
  ["mideleg", CSR.mideleg], ["mepc", CSR.mepc], ["mcause", CSR.mcause], ["mtval", CSR.mtval],
  ["sepc", CSR.sepc], ["scause", CSR.scause], ["stval", CSR.stval], ["sscratch", CSR.sscratch],
  ["satp", CSR.satp], ["menvcfg", CSR.menvcfg], ["senvcfg", CSR.senvcfg],
];

export interface RuntimeLabels {
  entry: Label;
  mtvec: Label;
  stvec: Label;
  mtrap: Label;
  strap: Label;
  epilogue: Label;
  prologue: Label;
  body: Label;
}

export function newRuntimeLabels(): RuntimeLabels {
  return {
    entry: new Label("entry"), mtvec: new Label("mtvec"), stvec: new Label("stvec"),
    mtrap: new Label("mtrap"), strap: new Label("strap"), epilogue: new Label("epilogue"),
    prologue: new Label("prologue"), body: new Label("body"),
  };
}

/** Emits everything before the body: entry jump, vector tables, handlers, epilogue, prologue. */
export function emitRuntime(a: Area, prog: Program, L: RuntimeLabels, dumpData: boolean): void {
  a.place(L.entry);
  a.jal(0, L.prologue);
  emitVectors(a, L.mtvec, L.mtrap, CSR.mscratch, M_SAVE, M_MVEC);
  emitVectors(a, L.stvec, L.strap, CSR.sscratch, S_SAVE, M_SVEC);
  emitMTrap(a, L);
  emitSTrap(a, L);
  emitEpilogue(a, prog, L, dumpData);
  a.align(4);
  a.place(L.prologue);
  emitPrologue(a, prog, L);
}

/** A 16-entry vector table (aligned to 256 bytes) and one stub per interrupt cause. */
function emitVectors(a: Area, table: Label, handler: Label, scratch: number, save: number, vecSlot: number): void {
  a.align(256);
  a.place(table);
  const stubs: Label[] = [];
  a.jal(0, handler); // exceptions (and cause 0)
  for (let i = 1; i < 16; i++) {
    const l = new Label(`vec${i}`);
    stubs.push(l);
    a.jal(0, l);
  }
  for (let i = 1; i < 16; i++) {
    a.place(stubs[i - 1]);
    a.i32(E.csr("csrrw", sp, scratch, sp));
    a.i32(E.store("sd", t0, sp, save + 64));
    a.i32(E.addi(t0, 0, i));
    a.i32(E.store("sd", t0, sp, vecSlot));
    a.i32(E.load("ld", t0, sp, save + 64));
    a.i32(E.csr("csrrw", sp, scratch, sp));
    a.jal(0, handler);
  }
}

/** Common head of both handlers: save t0-t3, count the trap, log it. Leaves sp = misc base. */
function emitLog(a: Area, m: boolean): void {
  const scratch = m ? CSR.mscratch : CSR.sscratch;
  const save = m ? M_SAVE : S_SAVE;
  const vec = m ? M_MVEC : M_SVEC;
  const [cause, epc, tval, status] = m
    ? [CSR.mcause, CSR.mepc, CSR.mtval, CSR.mstatus]
    : [CSR.scause, CSR.sepc, CSR.stval, CSR.sstatus];
  a.i32(E.csr("csrrw", sp, scratch, sp));
  for (const [i, r] of [t0, t1, t2, t3].entries()) a.i32(E.store("sd", r, sp, save + 8 * i));
  const nolog = new Label("nolog");
  a.i32(E.load("ld", t0, sp, M_COUNT));
  a.i32(E.addi(t1, t0, 1));
  a.i32(E.store("sd", t1, sp, M_COUNT));
  a.li(t2, LOG_MAX);
  a.branch("bgeu", t0, t2, nolog);
  a.i32(E.slli(t0, t0, 6));
  a.i32(E.rr("add", t0, t0, sp));
  a.li(t2, M_LOG);
  a.i32(E.rr("add", t0, t0, t2));
  a.i32(E.load("ld", t1, sp, vec));
  a.i32(E.slli(t1, t1, 8));
  a.i32(E.opImm("ori", t1, t1, m ? 0x4d : 0x53)); // 'M' / 'S' in the low byte, the vector above
  a.i32(E.store("sd", t1, t0, 0));
  for (const [i, c] of [cause, epc, tval, status].entries()) {
    a.i32(E.csrr(t1, c));
    a.i32(E.store("sd", t1, t0, 8 + 8 * i));
  }
  a.place(nolog);
  a.i32(E.addi(t1, 0, -1));
  a.i32(E.store("sd", t1, sp, vec));
}

/**
 * After logging: a breakpoint's tval is the implementation's choice (0 or the address,
 * EXCLUSIONS.md #7). Make it 0 so the choice does not leak into later state.
 */
function emitCanonical(a: Area, m: boolean): void {
  const done = new Label("canon");
  a.i32(E.csrr(t0, m ? CSR.mcause : CSR.scause));
  a.i32(E.addi(t1, 0, 3));
  a.branch("bne", t0, t1, done);
  a.i32(E.csrw(m ? CSR.mtval : CSR.stval, 0));
  a.place(done);
}

/** Restores t0-t3 and sp, then returns with MRET/SRET. */
function emitOut(a: Area, m: boolean): void {
  const save = m ? M_SAVE : S_SAVE;
  for (const [i, r] of [t0, t1, t2, t3].entries()) a.i32(E.load("ld", r, sp, save + 8 * i));
  a.i32(E.csr("csrrw", sp, m ? CSR.mscratch : CSR.sscratch, sp));
  a.i32(m ? E.MRET : E.SRET);
}

/** Adds the length of the instruction at t0 (parcel in t1's low bits) to t0. */
function emitSkipLen(a: Area): void {
  const short = new Label("short");
  a.i32(E.opImm("andi", t1, t1, 3));
  a.i32(E.addi(t2, 0, 3));
  a.branch("bne", t1, t2, short);
  a.i32(E.addi(t0, t0, 2));
  a.place(short);
  a.i32(E.addi(t0, t0, 2));
}

function emitMTrap(a: Area, L: RuntimeLabels): void {
  a.align(4);
  a.place(L.mtrap);
  emitLog(a, true);
  emitCanonical(a, true);
  const out = new Label("mout"), irq = new Label("mirq"), ecall = new Label("mecall"), fetch = new Label("mfetch");
  const skip = new Label("mskip"), toM = new Label("mtoM"), storm = new Label("mstorm");
  a.i32(E.load("ld", t0, sp, M_COUNT));
  a.li(t1, TRAP_STORM);
  a.branch("bgeu", t0, t1, storm);
  a.i32(E.csrr(t0, CSR.mcause));
  a.branch("blt", t0, 0, irq);
  for (const c of [8, 9, 11]) { a.i32(E.addi(t1, 0, c)); a.branch("beq", t0, t1, ecall); }
  a.branch("beq", t0, 0, fetch);
  for (const c of [1, 12]) { a.i32(E.addi(t1, 0, c)); a.branch("beq", t0, t1, fetch); }
  a.place(skip);
  a.i32(E.csrr(t0, CSR.mepc));
  a.i32(E.load("lhu", t1, t0, 0));
  emitSkipLen(a);
  a.i32(E.csrw(CSR.mepc, t0));
  a.jal(0, out);
  a.place(fetch);
  a.i32(E.csrw(CSR.mepc, ra));
  a.jal(0, out);
  // Promotion ecalls: the ecall is followed by a marker word and the continuation address.
  a.place(ecall);
  a.i32(E.csrr(t0, CSR.mepc));
  a.i32(E.load("lwu", t1, t0, 4));
  a.li(t2, MARKER_TO_M);
  a.branch("beq", t1, t2, toM);
  a.li(t2, MARKER_TO_S);
  a.branch("bne", t1, t2, skip);
  a.i32(E.load("ld", t0, t0, 8));
  a.i32(E.csrw(CSR.mepc, t0));
  a.li(t1, MS.MPP);
  a.i32(E.csrc(CSR.mstatus, t1));
  a.li(t1, MS.MPP_S);
  a.i32(E.csrs(CSR.mstatus, t1));
  a.jal(0, out);
  a.place(toM);
  a.i32(E.load("ld", t0, t0, 8));
  a.i32(E.csrw(CSR.mepc, t0));
  a.li(t1, MS.MPP);
  a.i32(E.csrs(CSR.mstatus, t1));
  a.jal(0, out);
  // Interrupts: silence the source so the trap is taken once.
  a.place(irq);
  a.i32(E.slli(t0, t0, 1));
  a.i32(E.shiftImm("srli", t0, t0, 1));
  const next = () => new Label("irqnext");
  let n = next();
  a.i32(E.addi(t1, 0, 3)); a.branch("bne", t0, t1, n);
  a.li(t2, CLINT); a.i32(E.store("sw", 0, t2, 0)); a.jal(0, out);
  a.place(n); n = next();
  a.i32(E.addi(t1, 0, 7)); a.branch("bne", t0, t1, n);
  a.li(t2, CLINT + CLINT_MTIMECMP); a.i32(E.addi(t1, 0, -1)); a.i32(E.store("sd", t1, t2, 0)); a.jal(0, out);
  a.place(n); n = next();
  for (const c of [1, 5, 9]) {
    a.i32(E.addi(t1, 0, c)); a.branch("bne", t0, t1, n);
    a.li(t2, 1 << c); a.i32(E.csrc(CSR.mip, t2)); a.jal(0, out);
    a.place(n); n = next();
  }
  a.i32(E.addi(t2, 0, 1));
  a.i32(E.rr("sll", t2, t2, t0));
  a.i32(E.csrc(CSR.mie, t2));
  a.place(n);
  a.place(out);
  emitOut(a, true);
  // Too many traps: mark the dump and end the program here.
  a.place(storm);
  a.i32(E.addi(t1, 0, 1));
  a.i32(E.store("sd", t1, sp, M_FLAGS));
  for (const [i, r] of [t0, t1, t2, t3].entries()) a.i32(E.load("ld", r, sp, M_SAVE + 8 * i));
  a.i32(E.csr("csrrw", sp, CSR.mscratch, sp));
  a.jal(0, L.epilogue);
}

function emitSTrap(a: Area, L: RuntimeLabels): void {
  a.align(4);
  a.place(L.strap);
  emitLog(a, false);
  emitCanonical(a, false);
  const out = new Label("sout"), irq = new Label("sirq"), ecall = new Label("secall"), fetch = new Label("sfetch");
  const skip = new Label("sskip"), calm = new Label("scalm");
  // Too many traps: ecall to M (never delegated from S), whose handler ends the program.
  a.i32(E.load("ld", t0, sp, M_COUNT));
  a.li(t1, TRAP_STORM);
  a.branch("bltu", t0, t1, calm);
  a.i32(E.ECALL);
  a.place(calm);
  a.i32(E.csrr(t0, CSR.scause));
  a.branch("blt", t0, 0, irq);
  a.i32(E.addi(t1, 0, 8)); a.branch("beq", t0, t1, ecall);
  a.branch("beq", t0, 0, fetch);
  for (const c of [1, 12]) { a.i32(E.addi(t1, 0, c)); a.branch("beq", t0, t1, fetch); }
  // Skip the instruction; it may sit on a U page, so read it with SUM set (t3 = old sstatus).
  a.place(skip);
  a.li(t3, MS.SUM);
  a.i32(E.csr("csrrs", t3, CSR.sstatus, t3));
  a.i32(E.csrr(t0, CSR.sepc));
  a.i32(E.load("lhu", t1, t0, 0));
  a.i32(E.csrw(CSR.sstatus, t3));
  emitSkipLen(a);
  a.i32(E.csrw(CSR.sepc, t0));
  a.jal(0, out);
  a.place(fetch);
  a.i32(E.csrw(CSR.sepc, ra));
  a.jal(0, out);
  a.place(ecall);
  const plain = new Label("splain");
  a.li(t3, MS.SUM);
  a.i32(E.csr("csrrs", t3, CSR.sstatus, t3));
  a.i32(E.csrr(t0, CSR.sepc));
  a.i32(E.load("lwu", t1, t0, 4));
  a.li(t2, MARKER_TO_S);
  a.branch("bne", t1, t2, plain);
  a.i32(E.load("ld", t0, t0, 8));
  a.i32(E.csrw(CSR.sstatus, t3));
  a.i32(E.csrw(CSR.sepc, t0));
  a.li(t1, MS.SPP);
  a.i32(E.csrs(CSR.sstatus, t1));
  a.jal(0, out);
  a.place(plain);
  a.i32(E.csrw(CSR.sstatus, t3));
  a.jal(0, skip);
  a.place(irq);
  a.i32(E.slli(t0, t0, 1));
  a.i32(E.shiftImm("srli", t0, t0, 1));
  const other = new Label("sother");
  a.i32(E.addi(t1, 0, 1)); a.branch("bne", t0, t1, other);
  a.i32(E.addi(t2, 0, 2)); a.i32(E.csrc(CSR.sip, t2)); a.jal(0, out);
  a.place(other);
  a.i32(E.addi(t2, 0, 1));
  a.i32(E.rr("sll", t2, t2, t0));
  a.i32(E.csrc(CSR.sie, t2));
  a.place(out);
  emitOut(a, false);
}

function emitEpilogue(a: Area, prog: Program, L: RuntimeLabels, dumpData: boolean): void {
  const lay = prog.layout;
  const fp = prog.opts.fp;
  a.align(4);
  a.place(L.epilogue);
  // No loads or stores before MPRV is clear: sp is the only free register (the old one is
  // parked in mscratch).
  a.i32(E.csr("csrrw", sp, CSR.mscratch, sp));
  a.i32(E.lui(sp, Number(MS.MPRV >> 12n)));
  a.i32(E.csrc(CSR.mstatus, sp));
  a.i32(E.csr("csrrci", 0, CSR.mstatus, 8)); // MIE off: nothing may interrupt the dump
  a.li(sp, lay.misc);
  for (let i = 1; i < 32; i++) if (i !== sp) a.i32(E.store("sd", i, sp, M_DUMP + 8 * (i - 1)));
  a.i32(E.csrr(t0, CSR.mscratch));
  a.i32(E.store("sd", t0, sp, M_DUMP + 8 * (sp - 1)));
  a.i32(E.csrw(CSR.mscratch, sp));
  let slot = 31;
  // CSRs first (mstatus before FS is forced on for the f-register dump).
  const csrSlot = 31 + (fp ? 33 : 0);
  for (const [i, [, num]] of DUMP_CSRS.entries()) {
    a.i32(E.csrr(t0, num));
    a.i32(E.store("sd", t0, sp, M_DUMP + 8 * (csrSlot + i)));
  }
  if (fp) {
    a.li(t0, MS.FS);
    a.i32(E.csrs(CSR.mstatus, t0));
    for (let i = 0; i < 32; i++) a.i32(E.fsd(i, sp, M_DUMP + 8 * (slot + i)));
    a.i32(E.csrr(t0, CSR.fcsr));
    a.i32(E.store("sd", t0, sp, M_DUMP + 8 * (slot + 32)));
    slot += 33;
  }
  slot = csrSlot + DUMP_CSRS.length;
  a.i32(E.load("ld", t0, sp, M_COUNT));
  a.i32(E.store("sd", t0, sp, M_DUMP + 8 * slot++));
  a.i32(E.load("ld", t0, sp, M_FLAGS));
  a.i32(E.store("sd", t0, sp, M_DUMP + 8 * slot++));
  // FNV-style hashes of the data region and the page-table pages in use.
  const hash = (start: number, dwords: number, at: number) => {
    const loop = new Label("hash");
    a.li(a0, 0xcbf29ce484222325n);
    a.li(a1, 0x100000001b3n);
    a.li(s5, start);
    a.li(s6, dwords);
    a.place(loop);
    a.i32(E.load("ld", t0, s5, 0));
    a.i32(E.rr("xor", a0, a0, t0));
    a.i32(E.rr("mul", a0, a0, a1));
    a.i32(E.addi(s5, s5, 8));
    a.i32(E.addi(s6, s6, -1));
    a.branch("bne", s6, 0, loop);
    a.i32(E.store("sd", a0, sp, M_DUMP + 8 * at));
  };
  hash(lay.data, DATA_SIZE / 8, slot++);
  hash(lay.pt, (PT_PAGES * 4096) / 8, slot++);
  if (slot !== prog.tags.length) throw new Error("dump layout mismatch");

  // Printing: s0 = misc, s1 = UART; putc prints a0 (clobbers t0), puthex prints a0 (t0-t3).
  const putc = new Label("putc"), puthex = new Label("puthex"), puts = new Label("puts");
  const done = new Label("printed");
  a.i32(E.addi(s0, sp, 0));
  a.li(s1, UART);
  const str = (s: string) => { for (const ch of s) { a.i32(E.addi(a0, 0, ch.charCodeAt(0))); a.jal(ra, putc); } };
  str("<<<FZ ");
  a.li(a0, lay.slot);
  a.jal(ra, puthex);
  str("\n");
  // name value lines
  const lines = new Label("lines");
  a.li(s2, prog.tags.length);
  a.i32(E.addi(s3, s0, M_DUMP));
  a.li(s4, lay.misc + M_TAGS);
  a.place(lines);
  a.i32(E.addi(a1, s4, 0));
  a.jal(ra, puts);
  str(" ");
  a.i32(E.load("ld", a0, s3, 0));
  a.jal(ra, puthex);
  str("\n");
  a.i32(E.addi(s3, s3, 8));
  a.i32(E.addi(s4, s4, 8));
  a.i32(E.addi(s2, s2, -1));
  a.branch("bne", s2, 0, lines);
  // trap log: T who cause epc tval status
  const logLoop = new Label("log"), logDone = new Label("logdone"), fields = new Label("fields");
  a.i32(E.load("ld", s2, s0, M_COUNT));
  a.li(t0, LOG_MAX);
  const capped = new Label("capped");
  a.branch("bgeu", t0, s2, capped);
  a.i32(E.addi(s2, t0, 0));
  a.place(capped);
  a.li(s3, lay.misc + M_LOG);
  a.place(logLoop);
  a.branch("beq", s2, 0, logDone);
  str("T");
  a.i32(E.addi(s4, 0, 5));
  a.i32(E.addi(s5, s3, 0));
  a.place(fields);
  str(" ");
  a.i32(E.load("ld", a0, s5, 0));
  a.jal(ra, puthex);
  a.i32(E.addi(s5, s5, 8));
  a.i32(E.addi(s4, s4, -1));
  a.branch("bne", s4, 0, fields);
  str("\n");
  a.i32(E.addi(s3, s3, LOG_ENTRY));
  a.i32(E.addi(s2, s2, -1));
  a.jal(0, logLoop);
  a.place(logDone);
  if (dumpData) {
    // Every non-zero dword of the data region and the page-table pages: "W address value".
    const region = (start: number, dwords: number) => {
      const loop = new Label("wloop"), zero = new Label("wzero");
      a.li(s2, start);
      a.li(s3, dwords);
      a.place(loop);
      a.i32(E.load("ld", s4, s2, 0));
      a.branch("beq", s4, 0, zero);
      str("W ");
      a.i32(E.addi(a0, s2, 0));
      a.jal(ra, puthex);
      str(" ");
      a.i32(E.addi(a0, s4, 0));
      a.jal(ra, puthex);
      str("\n");
      a.place(zero);
      a.i32(E.addi(s2, s2, 8));
      a.i32(E.addi(s3, s3, -1));
      a.branch("bne", s3, 0, loop);
    };
    region(lay.data, DATA_SIZE / 8);
    region(lay.pt, (PT_PAGES * 4096) / 8);
  }
  str(">>>FZ\n");
  a.i32(E.load("ld", t0, s0, M_NEXT));
  a.i32(E.jalr(0, t0, 0));
  // putc(a0)
  a.place(putc);
  const wait = new Label("wait");
  a.place(wait);
  a.i32(E.load("lbu", t0, s1, 5));
  a.i32(E.opImm("andi", t0, t0, 0x20));
  a.branch("beq", t0, 0, wait);
  a.i32(E.store("sb", a0, s1, 0));
  a.i32(E.jalr(0, ra, 0));
  // puthex(a0): 16 lowercase hex digits
  a.place(puthex);
  const digit = new Label("digit"), dec = new Label("dec"), w2 = new Label("wait2");
  a.i32(E.addi(t1, 0, 60));
  a.place(digit);
  a.i32(E.rr("srl", t2, a0, t1));
  a.i32(E.opImm("andi", t2, t2, 15));
  a.i32(E.addi(t3, 0, 10));
  a.branch("blt", t2, t3, dec);
  a.i32(E.addi(t2, t2, 0x61 - 10 - 0x30));
  a.place(dec);
  a.i32(E.addi(t2, t2, 0x30));
  a.place(w2);
  a.i32(E.load("lbu", t0, s1, 5));
  a.i32(E.opImm("andi", t0, t0, 0x20));
  a.branch("beq", t0, 0, w2);
  a.i32(E.store("sb", t2, s1, 0));
  a.i32(E.addi(t1, t1, -4));
  a.branch("bge", t1, 0, digit);
  a.i32(E.jalr(0, ra, 0));
  // puts(a1): up to 8 bytes, stops at NUL
  a.place(puts);
  const ch = new Label("ch"), w3 = new Label("wait3");
  a.i32(E.addi(t1, a1, 8));
  a.place(ch);
  a.i32(E.load("lbu", t2, a1, 0));
  a.branch("beq", t2, 0, done);
  a.place(w3);
  a.i32(E.load("lbu", t0, s1, 5));
  a.i32(E.opImm("andi", t0, t0, 0x20));
  a.branch("beq", t0, 0, w3);
  a.i32(E.store("sb", t2, s1, 0));
  a.i32(E.addi(a1, a1, 1));
  a.branch("bne", a1, t1, ch);
  a.place(done);
  a.i32(E.jalr(0, ra, 0));
}

function emitPrologue(a: Area, prog: Program, L: RuntimeLabels): void {
  const lay = prog.layout;
  a.i32(E.csrw(CSR.mie, 0));
  a.li(t0, CLINT);
  a.i32(E.store("sw", 0, t0, 0));
  a.li(t0, CLINT + CLINT_MTIMECMP);
  a.i32(E.addi(t1, 0, -1));
  a.i32(E.store("sd", t1, t0, 0));
  a.i32(E.csrw(CSR.mip, 0));
  a.li(t0, lay.misc);
  a.i32(E.csrw(CSR.mscratch, t0));
  a.i32(E.csrw(CSR.sscratch, t0));
  a.i32(E.store("sd", 0, t0, M_COUNT));
  a.i32(E.store("sd", 0, t0, M_FLAGS));
  a.i32(E.addi(t1, 0, -1));
  a.i32(E.store("sd", t1, t0, M_MVEC));
  a.i32(E.store("sd", t1, t0, M_SVEC));
  a.i32(E.addi(t1, t0, M_SCDUMMY));
  a.i32(E.amo("sc", true, 0, t1, 0)); // drops any reservation left by an earlier program
  a.la(t0, L.mtvec, prog.mvec ? 1 : 0);
  a.i32(E.csrw(CSR.mtvec, t0));
  a.la(t0, L.stvec, prog.svec ? 1 : 0);
  a.i32(E.csrw(CSR.stvec, t0));
  a.li(t0, MS.MPP_M | (prog.opts.fp ? MS.FS : 0n));
  a.i32(E.csrw(CSR.mstatus, t0));
  for (const c of [CSR.medeleg, CSR.mideleg, CSR.satp, CSR.mcounteren, CSR.scounteren, CSR.menvcfg,
    CSR.senvcfg, CSR.mepc, CSR.mcause, CSR.mtval, CSR.sepc, CSR.scause, CSR.stval]) {
    a.i32(E.csrw(c, 0));
  }
  a.i32(E.sfenceVma(0, 0));
  a.li(t0, -1);
  a.i32(E.shiftImm("srli", t0, t0, 10));
  a.i32(E.csrw(CSR.pmpaddr0, t0));
  a.i32(E.addi(t0, 0, 0x1f));
  a.i32(E.csrw(CSR.pmpcfg0, t0));
  // Page tables: runs of identity leaves, then single entries.
  for (const f of prog.fills) {
    const loop = new Label("fill");
    a.li(t0, f.first);
    a.li(t1, f.addr);
    a.li(t2, f.count);
    a.li(t3, 1 << 10);
    a.place(loop);
    a.i32(E.store("sd", t0, t1, 0));
    a.i32(E.rr("add", t0, t0, t3));
    a.i32(E.addi(t1, t1, 8));
    a.i32(E.addi(t2, t2, -1));
    a.branch("bne", t2, 0, loop);
  }
  for (const p of prog.ptes) {
    a.li(t0, p.value);
    a.li(t1, p.addr);
    a.i32(E.store("sd", t0, t1, 0));
  }
  if (prog.ptes.length || prog.fills.length) a.i32(E.sfenceVma(0, 0));
  if (prog.opts.fp) {
    a.li(t0, prog.fcsrInit);
    a.i32(E.csrw(CSR.fcsr, t0));
    for (let i = 0; i < 32; i++) {
      a.li(t0, prog.finit[i]);
      a.i32(E.fmvFromInt(1, i, t0));
    }
  }
  for (let i = 1; i < 32; i++) a.li(i, prog.xinit[i]);
  a.place(L.body);
}

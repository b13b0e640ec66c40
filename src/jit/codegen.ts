// Code generation: decoded blocks of one guest page (read from the core's block cache) become
// one Wasm function that runs them and chains between them while the guest stays in them, and
// tail-calls the function of the next block when it leaves them (another function of the same
// page, or another page's).
//
//   (func (param pc i64) (param budget i32) (param tlbLoad i32) (param tlbStore i32)
//         (param entry i32) (param done i32) (param tlbFetch i32) (result i32))
//
// entry: the ordinal of the block to start with; done: instructions run before the call (a
// chained call goes on counting).
//
// It returns the instructions it ran and leaves the next pc in JIT_NEXT_PC. It runs a block only
// whole (the budget must cover it). Its callers (the interpreter, and the chain from another
// page's function) enter it only through a block whose header names it; once one of its blocks
// is dropped, the core takes the function from every block of the page (blocks.ts
// uncompilePage), so while it runs every block it holds is still the one it was compiled from
// (nothing it does can drop a block: code pages are never in a store TLB).
// A TLB miss calls the core's refill (assembly/mmu.ts tlbRefill), which maps the page if that
// needs nothing but a walk. Anything else (a fault, MMIO, a store to a code page, a walk that
// must set A or D; an instruction it does not compile) ends the call at that instruction with
// the registers written back, and the interpreter takes it from there: exceptions stay precise
// because compiled code never raises one.
//
// Registers live in the core's memory between calls. A function whose blocks loop among
// themselves holds every register they use in Wasm locals for the whole call; in one without a
// loop, each block keeps the registers it uses in locals from their first use and stores the
// ones it wrote at each of its exits (emitBlock).
import { AMO, BLOCK, L, OP } from "../core/abi.gen.js";
import { Body, encodeModule, I32, I64, Op, type FuncDef, type ImportedFunc, type Label } from "./wasm.js";
import { bitmanipReads, compilesBitmanip, emitBitmanip, isBitmanip } from "./bitmanip-codegen.js";
import { compilesCsr, emitSstatus, isCsrImm } from "./csr-codegen.js";
import { H, helpers, M32, tlbEntryAddress } from "./helpers-codegen.js";
import { emitFp, FP_FROM_X, FP_PLAIN, FP_READS_ONLY, isFp, usesFflags } from "./fp-codegen.js";

/** One decoded instruction of a block entry (assembly/blocks.ts entry layout). */
export interface Insn {
  op: number;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  off: number;
  fall: number;
}

export interface BlockCode {
  /** Host (linear-memory) address of the first instruction: the block's tag. */
  h: number;
  insns: Insn[];
}

/** Reads the decoded instruction at linear address `e` (a block entry). */
export function readInsn(view: DataView, e: number): Insn {
  const w = view.getUint32(e + 4, true);
  return {
    fall: view.getUint16(e, true),
    off: view.getUint16(e + 2, true),
    op: w & 0xffff,
    rd: (w >>> 16) & 0xff,
    rs1: w >>> 24,
    rs2: view.getUint8(e + 8),
    imm: view.getInt32(e + 12, true),
  };
}

/** Reads the block at address `b` (header + entries) of the core's memory, or a copy of it. */
export function readBlock(view: DataView, b: number): BlockCode {
  const h = view.getUint32(b, true);
  const count = view.getUint16(b + 4, true);
  const insns: Insn[] = [];
  for (let i = 0; i < count; i++) insns.push(readInsn(view, b + BLOCK.HEADER + BLOCK.ENTRY * i));
  return { h, insns };
}

// The function every module imports: the core's TLB refill (assembly/mmu.ts tlbRefill), called
// on a TLB miss; function index 0.
export const IMPORTS: ImportedFunc[] = [{ name: "refill", params: [I64, I32, I32], results: [I32] }];
const REFILL = 0;
// Locals of a page function.
// Parameters: pc, budget, the load and store TLBs, the entry block's ordinal, the instructions
// run so far (a chained call continues the caller's count), the fetch TLB, the return address
// a compiled caller waits for (emitCall; L.JIT_NO_RETURN from the interpreter) and how many compiled
// calls deep this one is.
const P_PC = 0, P_BUDGET = 1, P_TL = 2, P_TS = 3, P_ENTRY = 4, V_N = 5, P_TF = 6, P_RET = 7, P_DEPTH = 8;
const V_VBASE = 9, V_VA = 10, V_E = 11, V_T = 12, V_NEXT = 13, V_K = 14, V_OFF = 15;
const xLocal = (r: number) => 15 + r; // x1..x31 in locals 16..46
// Host addresses of the access groups of a block (accessGroups), in locals 47..
const MAX_GROUPS = 16;
const groupLocal = (g: number) => 47 + g;
const LOCALS: number[] = [I64, I64, I32, I64, I32, I32, I32, ...new Array(31).fill(I64), ...new Array(MAX_GROUPS).fill(I32)];
export const PAGE_PARAMS = [I64, I32, I32, I32, I32, I32, I32, I64, I32];
// Compiled calls nest at most this deep on the Wasm stack (emitCall); deeper calls chain.
const MAX_CALL_DEPTH = 32;
// The page functions' type index in a module: helpers() come first, and encodeModule numbers
// types in the order functions first use them, so the pages' type is the next after the helpers'.
// Modules import the core's table to tail-call the next block's function straight from it.
// (V8 copies an imported table into each instance, so an instantiation costs time in proportion
// to the table's size: 130 us at 2,000 entries, 2 us without a table. A per-hart module that
// imported it once and did the tail call for all was measured too: branchy and sort ran 5-10 %
// slower through the extra call, which costs more than the instantiations at the default
// threshold.)
const PAGE_TYPE = new Set(helpers().map((h) => `${h.params}>${h.results}`)).size;

const LOADS = new Map<number, [number, number]>([ // op → [size, wasm load]
  [OP.LB, [1, Op.i64Load8S]], [OP.LH, [2, Op.i64Load16S]], [OP.LW, [4, Op.i64Load32S]], [OP.LD, [8, Op.i64Load]],
  [OP.LBU, [1, Op.i64Load8U]], [OP.LHU, [2, Op.i64Load16U]], [OP.LWU, [4, Op.i64Load32U]],
]);
const STORES = new Map<number, [number, number]>([
  [OP.SB, [1, Op.i64Store8]], [OP.SH, [2, Op.i64Store16]], [OP.SW, [4, Op.i64Store32]], [OP.SD, [8, Op.i64Store]],
]);
const ALU_RR = new Map<number, number>([
  [OP.ADD, Op.i64Add], [OP.SUB, Op.i64Sub], [OP.XOR, Op.i64Xor], [OP.OR, Op.i64Or], [OP.AND, Op.i64And],
  [OP.SLL, Op.i64Shl], [OP.SRL, Op.i64ShrU], [OP.SRA, Op.i64ShrS], [OP.MUL, Op.i64Mul],
]);
const ALU_RI = new Map<number, number>([
  [OP.ADDI, Op.i64Add], [OP.XORI, Op.i64Xor], [OP.ORI, Op.i64Or], [OP.ANDI, Op.i64And],
  [OP.SLLI, Op.i64Shl], [OP.SRLI, Op.i64ShrU], [OP.SRAI, Op.i64ShrS],
]);
const HELPER_OPS = new Map<number, number>([
  [OP.MULH, H.mulh], [OP.MULHSU, H.mulhsu], [OP.MULHU, H.mulhu], [OP.DIV, H.div], [OP.DIVU, H.divu],
  [OP.REM, H.rem], [OP.REMU, H.remu], [OP.DIVW, H.divw], [OP.DIVUW, H.divuw], [OP.REMW, H.remw], [OP.REMUW, H.remuw],
]);
const W_RR = new Map<number, number>([[OP.SLLW, Op.i32Shl], [OP.SRLW, Op.i32ShrU], [OP.SRAW, Op.i32ShrS]]);
const BRANCH = new Map<number, number>([
  [OP.BEQ, Op.i64Eq], [OP.BNE, Op.i64Ne], [OP.BLT, Op.i64LtS], [OP.BGE, Op.i64GeS], [OP.BLTU, Op.i64LtU], [OP.BGEU, Op.i64GeU],
]);
const ATOMIC = new Set<number>([OP.AMO_W, OP.AMO_D, OP.LR_W, OP.LR_D, OP.SC_W, OP.SC_D]);
// Host address to physical: RAM at host RAM_OFF is physical DRAM_BASE (reservations are physical).
const HOST_TO_PA = L.DRAM_BASE - BigInt(L.RAM_OFF);
const OTHER = new Set<number>([
  OP.LUI, OP.AUIPC, OP.JAL, OP.JALR, OP.SLTI, OP.SLTIU, OP.SLT, OP.SLTU, OP.ADDIW, OP.SLLIW, OP.SRLIW, OP.SRAIW,
  OP.ADDW, OP.SUBW, OP.MULW, OP.FENCE, OP.NOP,
]);

/** Whether the code generator compiles `i` (the rest end a compiled run at that instruction). */
export function compiles(i: Insn): boolean {
  const { op } = i;
  if (usesFflags(op)) return (i.imm & 7) === 0 || (i.imm & 7) === 7; // RNE, or DYN (frm is checked)
  return LOADS.has(op) || STORES.has(op) || ALU_RR.has(op) || ALU_RI.has(op) || HELPER_OPS.has(op) ||
    W_RR.has(op) || BRANCH.has(op) || OTHER.has(op) || FP_PLAIN.has(op) || ATOMIC.has(op) || compilesBitmanip(op) ||
    compilesCsr(i);
}

/** The integer registers an instruction reads. */
function reads(i: Insn): number[] {
  if (isFp(i.op)) return FP_FROM_X.has(i.op) ? [i.rs1] : [];
  if (isBitmanip(i.op)) return bitmanipReads(i.op, i.rs1, i.rs2);
  if (i.op === OP.LUI || i.op === OP.AUIPC || i.op === OP.JAL || i.op === OP.FENCE || i.op === OP.NOP || isCsrImm(i.op)) return [];
  if (STORES.has(i.op) || BRANCH.has(i.op) || ALU_RR.has(i.op) || HELPER_OPS.has(i.op) || W_RR.has(i.op) ||
      i.op === OP.AMO_W || i.op === OP.AMO_D || i.op === OP.SC_W || i.op === OP.SC_D ||
      i.op === OP.SLT || i.op === OP.SLTU || i.op === OP.ADDW || i.op === OP.SUBW || i.op === OP.MULW) return [i.rs1, i.rs2];
  return [i.rs1];
}

/** The integer register an instruction writes (32 is the x0 sink), or -1. */
function writes(i: Insn): number {
  if (isFp(i.op)) return i.op === OP.FMV_X_D ? i.rd : -1;
  if (STORES.has(i.op) || BRANCH.has(i.op) || i.op === OP.FENCE || i.op === OP.NOP) return -1;
  return i.rd;
}

/** How many leading instructions of `b` compile (a jump ends the block, so it is always last). */
export function compiledLength(b: BlockCode): number {
  let n = 0;
  while (n < b.insns.length && compiles(b.insns[n])) n++;
  return n;
}

/**
 * The function for the blocks of one page: `blocks[j]` is entered with entry = j (the core
 * passes the ordinal the JIT wrote into the block's header). Static successors in the same
 * page chain to their block directly; anything else leaves with the pc. A `merged` function (a
 * page whose functions chained into one another, jit.ts) also goes on within itself at computed
 * jumps to its own blocks (emitSelfChain), a check other functions would mostly pay for nothing.
 */
export function pageFunction(blocks: BlockCode[], name: string, merged = false): FuncDef {
  const f = new Body();
  const ordinal = new Map<number, number>(blocks.map((b, j) => [b.h & 0xfff, j]));
  // A function whose blocks loop among themselves keeps registers in locals for the whole call
  // (loaded at entry, stored at its exits, and around its calls), unless a block on one of its
  // loops makes a call: then every pass would store and reload them all around the call, and its
  // callers' entries load and store them all for a few blocks; such a function keeps registers
  // per block (emitBlock), as one without a loop does. Kernel-shaped code (the `calls` bench) ran
  // 1.14x faster for it; keeping registers per block in any function that calls was 1.25x there
  // but 1.4x slower on busybox sh's loop (its loops call out of their functions only around them).
  // A merge holds a page's whole state machine (branchy's lexer), where calls are rare and the
  // loop is what runs: it stays resident.
  const resident = loops(blocks, ordinal) && (merged || !callsInLoop(blocks, ordinal));
  const used = new Set<number>(), written = new Set<number>();
  if (resident) {
    for (const b of blocks) {
      for (const i of b.insns.slice(0, compiledLength(b))) {
        const w = writes(i);
        for (const r of [...reads(i), w]) if (r > 0 && r !== L.X_SINK) used.add(r);
        if (w > 0 && w !== L.X_SINK) written.add(w);
      }
    }
  }
  const writeBack = () => { for (const r of written) f.i32(0).get(xLocal(r)).mem(Op.i64Store, 3, r * 8); };
  const reload = () => { for (const r of used) f.i32(0).mem(Op.i64Load, 3, r * 8).set(xLocal(r)); };
  f.get(P_PC).i64(-4096).op(Op.i64And).set(V_VBASE);
  f.get(P_ENTRY).set(V_NEXT);
  // The page's code ran: PAGE_RAN in its flags (the JIT evicts pages that did not run first).
  const flags = L.PAGE_FLAGS + ((blocks[0].h - L.RAM_OFF) >>> 12);
  f.i32(flags).i32(flags).mem(Op.i32Load8U, 0).i32(L.PAGE_RAN).op(0x72 /* i32.or */).mem(Op.i32Store8, 0);
  reload();
  const exit = f.block(); // P_PC and V_N set, registers in memory
  const out = f.block(); // P_PC and V_N set
  // Every block leaves at an instruction it does not run through here: V_OFF its page offset,
  // V_K the block's instructions run before it (one copy of this for all blocks).
  const bail = f.block();
  const chain = f.block();
  const dispatch = f.loop();
  const labels: Label[] = blocks.map(() => f.block());
  // labels[0] is the outermost: block j's code follows the end of labels[k - 1 - j].
  const k = blocks.length;
  f.get(V_NEXT).brTable(blocks.map((_, j) => labels[k - 1 - j]), out);
  for (let j = 0; j < k; j++) {
    f.end();
    emitBlock(f, blocks[j], ordinal, { exit, out, bail, chain, dispatch }, resident ? { used, writeBack, reload } : undefined, merged ? blocks[0].h : 0);
  }
  f.end(); // dispatch loop
  f.end(); // chain: the guest went on at P_PC, outside this function's blocks
  writeBack();
  emitChain(f, exit, blocks[0].h & ~0xfff);
  f.end(); // bail
  f.i32(L.JIT_BAILS).i32(L.JIT_BAILS).mem(Op.i32Load, 2).i32(1).op(Op.i32Add).mem(Op.i32Store, 2);
  f.get(V_VBASE).get(V_OFF).op(Op.i64ExtendI32U).op(Op.i64Add).set(P_PC);
  f.get(V_N).get(V_K).op(Op.i32Add).set(V_N);
  f.end(); // out
  writeBack();
  f.end(); // exit
  f.i32(L.JIT_NEXT_PC).get(P_PC).mem(Op.i64Store, 3);
  f.get(V_N);
  return { params: PAGE_PARAMS, results: [I32], locals: LOCALS, body: f, export: name };
}

/**
 * The module of page functions `pages` (each the blocks of one function, exported as p0, p1, ..
 * in order, merged or not) for a memory that is shared or not: what jit.ts compiles for the
 * blocks it found hot.
 */
export function encodePages(pages: { code: BlockCode[]; merged: boolean }[], sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  return encodeModule([...helpers(), ...pages.map((p, i) => pageFunction(p.code, `p${i}`, p.merged))], sharedMemory, IMPORTS);
}

/** Whether some block of a function goes on at a block of it at or before its own start. */
function loops(blocks: BlockCode[], ordinal: Map<number, number>): boolean {
  return blocks.some((b) => staticTargets(b).some((t) => ordinal.has(t) && t <= (b.h & 0xfff)));
}

/**
 * Whether a block that makes a call out of the function lies on a cycle of its blocks (through
 * branches, jumps, fall-throughs and the returns of calls): a loop that calls at each pass.
 */
function callsInLoop(blocks: BlockCode[], ordinal: Map<number, number>): boolean {
  const next = blocks.map((b) => {
    const out = staticTargets(b).map((t) => ordinal.get(t)).filter((j): j is number => j !== undefined);
    const n = compiledLength(b), last = b.insns[n - 1];
    if (n === b.insns.length && isLink(last.rd) && (last.op === OP.JAL || last.op === OP.JALR)) {
      const r = ordinal.get((b.h & 0xfff) + last.fall); // where the call returns
      if (r !== undefined) out.push(r);
    }
    return out;
  });
  const onCycle = (j: number) => {
    const seen = new Set<number>(), todo = [...next[j]];
    while (todo.length) {
      const x = todo.pop()!;
      if (x === j) return true;
      if (!seen.has(x)) { seen.add(x); todo.push(...next[x]); }
    }
    return false;
  };
  return blocks.some((b, j) => callsOut(b, ordinal) && onCycle(j));
}

/** Whether block `b` makes a call (a JAL or JALR that writes a link register) out of its function. */
function callsOut(b: BlockCode, ordinal: Map<number, number>): boolean {
  return b.insns.slice(0, compiledLength(b)).some((i) => isLink(i.rd) &&
    (i.op === OP.JALR || (i.op === OP.JAL && !ordinal.has((b.h & 0xfff) + i.imm))));
}

/** Page offsets block `b` may go on at without a computed jump: branch and JAL targets, fall-through. */
function staticTargets(b: BlockCode): number[] {
  const base = b.h & 0xfff, out: number[] = [];
  const n = compiledLength(b);
  for (let k = 0; k < n; k++) {
    const i = b.insns[k];
    if (BRANCH.has(i.op) || i.op === OP.JAL) out.push(base + i.imm);
  }
  const last = b.insns[n - 1];
  if (n === b.insns.length && last.op !== OP.JAL && last.op !== OP.JALR) out.push(base + last.fall);
  return out;
}

/**
 * Loads (or stores) of one block through one base register that is not written between them,
 * each within GROUP_GAP_MAX bytes of the next by offset and all within GROUP_SPAN_MAX: one TLB
 * check before the first covers them all (the stores and loads of a stack frame, the fields of
 * a structure). The check fails, and the block leaves
 * at the first of them, unless the whole range has TLB hits in pages that lie one after the
 * other in the host's memory (one page, or two the guest maps to adjacent physical pages); an
 * access that would miss on its own makes it fail, so the interpreter takes that access at the
 * same instruction or after an earlier one. A misaligned access within a page of RAM is a plain
 * access there, as the interpreter's slow path makes it (mmu.ts loadSlow, storeSlow).
 */
interface AccessGroup {
  first: number; // the first access (instruction index), where the check is made
  base: number; // the base register
  minOff: number;
  span: number; // bytes from minOff to the end of the furthest access
  tlb: number; // P_TL or P_TS
  local: number;
}
const GROUP_SPAN_MAX = 512;
const GROUP_GAP_MAX = 64; // bytes between two accesses of one group, at most

/** The access groups of a block's instructions: instruction index → its group. */
function accessGroups(insns: Insn[]): Map<number, AccessGroup> {
  const out = new Map<number, AccessGroup>();
  const open = new Map<string, number[]>(); // base:kind → candidate accesses
  let groups = 0;
  const size = (k: number) => (LOADS.get(insns[k].op) ?? STORES.get(insns[k].op))![0];
  const group = (ks: number[]) => { // accesses in program order
    if (ks.length < 2 || groups === MAX_GROUPS) return;
    const minOff = Math.min(...ks.map((k) => insns[k].imm));
    const span = Math.max(...ks.map((k) => insns[k].imm + size(k))) - minOff;
    if (span > GROUP_SPAN_MAX) return;
    const g: AccessGroup = {
      first: ks[0], base: insns[ks[0]].rs1, minOff, span, tlb: LOADS.has(insns[ks[0]].op) ? P_TL : P_TS, local: groupLocal(groups++),
    };
    for (const k of ks) out.set(k, g);
  };
  // Accesses far apart from the others through the same base (a frame's saved registers at its
  // top and an argument at its bottom) make groups of their own: the narrower a group's range,
  // the fewer of the addresses it runs at make it cross a page.
  const close = (key: string) => {
    const ks = open.get(key);
    open.delete(key);
    if (!ks) return;
    const byOff = [...ks].sort((x, y) => insns[x].imm - insns[y].imm);
    let from = 0;
    for (let j = 1; j <= byOff.length; j++) {
      if (j < byOff.length && insns[byOff[j]].imm - (insns[byOff[j - 1]].imm + size(byOff[j - 1])) <= GROUP_GAP_MAX) continue;
      group(byOff.slice(from, j).sort((x, y) => x - y));
      from = j;
    }
  };
  insns.forEach((i, k) => {
    const kind = LOADS.has(i.op) ? "l" : STORES.has(i.op) ? "s" : undefined;
    if (kind !== undefined && i.rs1 !== 0) {
      const key = `${i.rs1}:${kind}`;
      const ks = open.get(key);
      if (ks) ks.push(k); else open.set(key, [k]);
    }
    const w = writes(i); // a load into its own base register ends the group after itself
    if (w > 0) for (const kd of ["l", "s"]) if (open.has(`${w}:${kd}`)) close(`${w}:${kd}`);
  });
  for (const key of [...open.keys()]) close(key);
  return out;
}

/** Leaves in V_E, and on the stack, the entry of TLB `tlb` (a parameter) for the address in local `va`. */
function tlbEntry(f: Body, va: number, tlb: number): void {
  tlbEntryAddress(f, va, tlb);
  f.tee(V_E);
}

/** Address of the counter of lookups into the page at host address `page` (layout.ts JIT_CHAINS). */
export function chainCounter(page: number): number {
  return L.JIT_CHAINS + ((page >>> 12) % L.JIT_CHAIN_PAGES) * 4;
}

/**
 * Leaves in V_K, and on the stack, the block the lookup table holds for the host address in
 * V_E (its slot array by PAGE_SLOTS, its slot by halfword): 0 if none, whose "tag" (memory at 0
 * holds x0 = 0) matches no address; the caller compares the block's tag with V_E.
 */
function blockAt(f: Body): void {
  f.get(V_E).i32(L.RAM_OFF).op(Op.i32Sub).i32(12).op(Op.i32ShrU).i32(1).op(Op.i32Shl).mem(Op.i32Load16U, 1, L.PAGE_SLOTS);
  f.i32(L.SLOT_ARRAY_SHIFT).op(Op.i32Shl).get(V_E).i32(0xfff).op(Op.i32And).i32(1).op(Op.i32ShrU).i32(2).op(Op.i32Shl).op(Op.i32Add);
  f.mem(Op.i32Load, 2, L.SLOT_POOL).tee(V_K);
}

/**
 * The compiled code for P_PC, or a branch to `out` if there is none: the fetch TLB gives its
 * host address (V_E), the lookup its block (V_K), the block's header its function's table
 * index (V_OFF). With `page` (a chain), a target in that host page counts for the JIT's merges
 * (layout.ts JIT_CHAINS).
 */
function compiledAt(f: Body, out: Label, page?: number): void {
  tlbEntry(f, P_PC, P_TF);
  f.mem(Op.i64Load, 3).get(P_PC).i64(-4096).op(Op.i64And).op(Op.i64Ne).brIf(out);
  f.get(P_PC).get(V_E).mem(Op.i64Load, 3, 8).op(Op.i64Add).op(Op.i32WrapI64).set(V_E); // host address
  if (page !== undefined) {
    const counter = chainCounter(page);
    f.get(V_E).i32(~0xfff).op(Op.i32And).i32(page).op(Op.i32Eq);
    f.if(); f.i32(counter).i32(counter).mem(Op.i32Load, 2).i32(1).op(Op.i32Add).mem(Op.i32Store, 2); f.end();
  }
  blockAt(f);
  f.mem(Op.i32Load, 2).get(V_E).op(Op.i32Ne).brIf(out);
  f.get(V_K).mem(Op.i32Load, 2, 12).tee(V_OFF).op(Op.i32Eqz).brIf(out);
}

/**
 * Goes on at P_PC in compiled code if there is some: the fetch TLB gives its host address,
 * the lookup its block, the block's header its function, called as a tail call (the callee
 * checks validity and budget as every entry does). Anything missing leaves to the interpreter.
 */
function emitChain(f: Body, out: Label, page: number): void {
  compiledAt(f, out, page);
  f.get(P_PC).get(P_BUDGET).get(P_TL).get(P_TS).get(V_K).mem(Op.i32Load, 2, 8).get(V_N).get(P_TF).get(P_RET).get(P_DEPTH).get(V_OFF);
  f.code.byte(Op.returnCallIndirect).u32(PAGE_TYPE).u32(0);
}

/**
 * A call (JAL with a link register) to code outside this function, made a Wasm call rather
 * than a tail call, so that the callee's return comes back here: the callee returns (instead
 * of chaining) when it jumps to `ret`, its P_RET, and this function goes on at `ret` without a
 * lookup, through the host's own return prediction. Whatever else the callee did (it bailed,
 * ran out of budget, jumped elsewhere) it left the registers in memory and the pc in
 * JIT_NEXT_PC, and this function leaves with them, so going on here is right whenever the pc
 * is `ret`, however the guest got there. Emitted with P_PC the target and the registers in
 * memory; falls through (V_N the instructions run, registers in memory) when the callee came
 * back to `ret`. Deeper than MAX_CALL_DEPTH it chains, as any jump out of the function does.
 */
function emitCall(f: Body, ret: () => void, out: Label, exit: Label, chain: Label): void {
  f.get(P_DEPTH).i32(MAX_CALL_DEPTH - 1).op(Op.i32GtU).brIf(chain);
  compiledAt(f, out);
  f.get(P_PC).get(P_BUDGET).get(P_TL).get(P_TS).get(V_K).mem(Op.i32Load, 2, 8).get(V_N).get(P_TF);
  ret();
  f.get(P_DEPTH).i32(1).op(Op.i32Add).get(V_OFF);
  f.code.byte(Op.callIndirect).u32(PAGE_TYPE).u32(0);
  f.set(V_N);
  f.i32(0).mem(Op.i64Load, 3, L.JIT_NEXT_PC).tee(P_PC);
  ret();
  f.op(Op.i64Ne).brIf(exit);
  f.i32(L.JIT_RETURNS).i32(L.JIT_RETURNS).mem(Op.i32Load, 2).i32(1).op(Op.i32Add).mem(Op.i32Store, 2);
}

/**
 * A computed jump (JALR) to a block of this very function, which a jump table or a return
 * within the page makes (a state machine's switch, an interpreter's dispatch): goes on there
 * through the dispatch loop, with the registers where they are, instead of leaving the function
 * and entering it again through emitChain. The target is in the function if it is in the page
 * the function runs from (its host page is then the function's), its block is there, and that
 * block names the same function as the function's first block (host address `first`), which
 * names this function while it runs (the JIT changes what blocks name only between runs; a
 * block dropped meanwhile names none). P_PC is the target; the registers are stored as a chain
 * needs them.
 */
function emitSelfChain(f: Body, first: number, dispatch: Label): void {
  f.get(P_PC).i64(-4096).op(Op.i64And).get(V_VBASE).op(Op.i64Eq);
  f.if();
  f.i32(first).set(V_E); blockAt(f); f.set(V_OFF); // the function's first block
  f.get(P_PC).op(Op.i32WrapI64).i32(0xfff).op(Op.i32And).i32(first & ~0xfff).op(Op.i32Add).set(V_E); // the target's host address
  blockAt(f); f.mem(Op.i32Load, 2).get(V_E).op(Op.i32Eq);
  f.get(V_OFF).mem(Op.i32Load, 2).i32(first).op(Op.i32Eq).op(Op.i32And);
  f.get(V_OFF).mem(Op.i32Load, 2, 12).get(V_K).mem(Op.i32Load, 2, 12).op(Op.i32Eq).op(Op.i32And);
  f.get(V_K).mem(Op.i32Load, 2, 12).i32(0).op(Op.i32Ne).op(Op.i32And);
  f.if(); f.get(V_K).mem(Op.i32Load, 2, 8).set(V_NEXT).br(dispatch); f.end();
  f.end();
}

/** Whether `rd` is a link register (a JAL or JALR that writes one is a call). */
const isLink = (rd: number) => rd !== 0 && rd !== L.X_SINK;

/** The labels a block's code branches to (pageFunction). */
interface Labels { exit: Label; out: Label; bail: Label; chain: Label; dispatch: Label }

/**
 * Emits block `b`. With `resident`, the function holds those registers in locals for the whole
 * call; without, the block loads what it reads and stores what it wrote at each of its exits.
 * `first`: the host address of the function's first block if computed jumps may go on within
 * it (emitSelfChain), else 0.
 */
function emitBlock(f: Body, b: BlockCode, ordinal: Map<number, number>, labels: Labels,
  residentRegs: { used: Set<number>; writeBack: () => void; reload: () => void } | undefined, first: number): void {
  const { exit, out, bail, chain, dispatch } = labels;
  const resident = residentRegs?.used;
  // Calls are Wasm calls (emitCall) except in merged functions: a call anywhere in one (a
  // page's whole state machine, up to 64 blocks, its registers in locals) slowed it 1.5x,
  // though never taken (branchy's lexer); there a call chains, as any jump out of it does.
  const calls = first === 0;
  const pageOff = b.h & 0xfff;
  const n = compiledLength(b);
  const insns = b.insns.slice(0, n);
  // pc of a block-relative offset: vbase + page offset + off.
  const pcAt = (off: number) => { f.get(V_VBASE).i64(pageOff + off).op(Op.i64Add); };
  /** Goes on at block-relative offset `off`: chain to its block if this function has it. */
  const goTo = (off: number) => {
    storeDirty();
    pcAt(off); f.set(P_PC);
    const j = pageOff + off >= 0 && pageOff + off < 4096 ? ordinal.get(pageOff + off) : undefined;
    if (j === undefined) { f.br(chain); return; }
    f.i32(j).set(V_NEXT).br(dispatch);
  };
  /**
   * A call to P_PC (the link register written) whose return is at block-relative offset `ret`:
   * a Wasm call (emitCall), after which the function goes on at `ret` if the callee came back
   * there. Where the return's block is the next one of the function, its code follows this block's:
   * it goes on there without the dispatch's indirect jump.
   */
  const call = (ret: number) => {
    storeDirty(); dirty.clear();
    residentRegs?.writeBack(); // a resident function's registers are in memory for the callee, and reloaded after
    emitCall(f, () => pcAt(ret), out, exit, chain);
    residentRegs?.reload();
    if (pageOff + ret >= 4096 || ordinal.get(pageOff + ret) !== ordinal.get(pageOff)! + 1) goTo(ret);
  };
  // Entry: the budget covers the block.
  f.get(P_BUDGET).get(V_N).op(Op.i32Sub).i32(n).op(Op.i32LtU);
  f.if(); pcAt(0); f.set(P_PC); f.br(out); f.end();
  // FP state the compiled FP code relies on, unchanged while it runs (no CSR write is compiled):
  // FS Dirty if the block writes FP state (it does not update FS), else FS not Off; and for the
  // native arithmetic, NX raised and frm RNE.
  const fp = insns.some((i) => isFp(i.op)), fflags = insns.some((i) => usesFflags(i.op));
  const writesFp = insns.some((i) => isFp(i.op) && !FP_READS_ONLY.has(i.op));
  if (fp) {
    f.i32(0).mem(Op.i64Load, 3, L.S_MSTATUS).i64(3 << 13).op(Op.i64And);
    if (writesFp) f.i64(3 << 13).op(Op.i64Ne); else f.op(Op.i64Eqz);
    if (fflags) f.i32(0).mem(Op.i64Load, 3, L.S_FCSR).i64(0xe1).op(Op.i64And).i64(1).op(Op.i64Ne).op(0x72 /* i32.or */);
    f.if(); pcAt(0); f.set(P_PC); f.br(out); f.end();
  }
  // Without `resident`, registers live in memory between blocks: within the block a register's
  // local holds it from its first read or write on (loaded before the instruction that first
  // reads it), and every exit stores the ones written so far. The block is straight-line, so both
  // sets are known at each instruction.
  const loaded = new Set<number>(resident), dirty = new Set<number>();
  const reg = (r: number) => {
    if (r === 0) { f.i64(0); return; }
    if (!loaded.has(r)) throw new Error(`jit: x${r} read before it was loaded`);
    f.get(xLocal(r));
  };
  const setReg = (r: number) => {
    if (r === 0 || r === L.X_SINK) { f.op(Op.drop); return; }
    f.set(xLocal(r));
    loaded.add(r);
    if (!resident) dirty.add(r);
  };
  const storeDirty = () => { for (const r of dirty) f.i32(0).get(xLocal(r)).mem(Op.i64Store, 3, r * 8); };
  /** Leaves at instruction `k` (not run) through the block's exit: pc = its pc. */
  const leaveAt = (k: number) => { storeDirty(); f.i32(pageOff + b.insns[k].off).set(V_OFF).i32(k).set(V_K).br(bail); };
  /**
   * On a miss of TLB `tlb` for the access at `va` (local): the core's refill, and if it cannot
   * map the access without the interpreter's slow path, leaves at `k`.
   */
  const refill = (k: number, tlb: number, size: number) => {
    f.if(); f.get(V_VA).i32(size).i32(tlb === P_TS ? 1 : 0).call(REFILL).op(Op.i32Eqz);
    f.if(); leaveAt(k); f.end(); f.end();
  };
  /** TLB lookup for the access at `va` (local) in table `tlb`: its host address. */
  const tlbHost = (k: number, tlb: number, size: number) => {
    tlbEntry(f, V_VA, tlb);
    f.mem(Op.i64Load, 3).get(V_VA).i64(~(0xfff - (size - 1))).op(Op.i64And).op(Op.i64Ne);
    refill(k, tlb, size);
    f.get(V_VA).get(V_E).mem(Op.i64Load, 3, 8).op(Op.i64Add).op(Op.i32WrapI64);
  };
  const groups = accessGroups(insns);
  /**
   * The check of group `g` at its first access: its host address in g.local, or leave. A range
   * that crosses a page (a stack frame that straddles one, at every pass at that depth) needs
   * the next page in the TLB too, mapped right after the first in the host's memory (the
   * kernel's linear map is): then one base still covers every access.
   */
  const groupCheck = (g: AccessGroup, k: number) => {
    reg(g.base); f.i64(g.minOff).op(Op.i64Add).set(V_VA);
    tlbEntry(f, V_VA, g.tlb);
    f.mem(Op.i64Load, 3).get(V_VA).i64(~0xfff).op(Op.i64And).op(Op.i64Ne);
    refill(k, g.tlb, 1);
    f.get(V_VA).get(V_E).mem(Op.i64Load, 3, 8).op(Op.i64Add).op(Op.i32WrapI64).set(g.local);
    f.get(V_VA).op(Op.i32WrapI64).i32(0xfff).op(Op.i32And).i32(4096 - g.span).op(Op.i32GtU);
    f.if();
    f.get(V_VA).i64(g.span - 1).op(Op.i64Add); // the range's last byte, in the next page
    f.get(g.tlb).get(g.local).i32(g.span - 1).op(Op.i32Add).call(H.spanOk).op(Op.i32Eqz);
    f.if(); leaveAt(k); f.end();
    f.end();
  };
  let jumped = false;
  insns.forEach((i, k) => {
    const { op } = i;
    const imm = i.imm; // an i32: i64.const sign-extends it, as the ISA does
    for (const r of reads(i)) {
      if (r > 0 && r !== L.X_SINK && !loaded.has(r)) { f.i32(0).mem(Op.i64Load, 3, r * 8).set(xLocal(r)); loaded.add(r); }
    }
    const ld = LOADS.get(op), st = STORES.get(op), rr = ALU_RR.get(op), ri = ALU_RI.get(op);
    const hp = HELPER_OPS.get(op), wrr = W_RR.get(op), br = BRANCH.get(op);
    const g = groups.get(k);
    if (g && g.first === k) groupCheck(g, k);
    if (ld) {
      if (g) f.get(g.local);
      else { reg(i.rs1); f.i64(imm).op(Op.i64Add).set(V_VA); tlbHost(k, P_TL, ld[0]); }
      f.mem(ld[1], Math.log2(ld[0]), g ? i.imm - g.minOff : 0);
      setReg(i.rd);
    } else if (st) {
      if (g) f.get(g.local);
      else { reg(i.rs1); f.i64(imm).op(Op.i64Add).set(V_VA); tlbHost(k, P_TS, st[0]); }
      reg(i.rs2);
      f.mem(st[1], Math.log2(st[0]), g ? i.imm - g.minOff : 0);
    } else if (rr !== undefined) {
      reg(i.rs1); reg(i.rs2); f.op(rr); setReg(i.rd);
    } else if (ri !== undefined) {
      reg(i.rs1); f.i64(imm).op(ri); setReg(i.rd);
    } else if (hp !== undefined) {
      reg(i.rs1); reg(i.rs2); f.call(hp); setReg(i.rd);
    } else if (wrr !== undefined) {
      reg(i.rs1); f.op(Op.i32WrapI64); reg(i.rs2); f.op(Op.i32WrapI64); f.op(wrr); f.op(Op.i64ExtendI32S); setReg(i.rd);
    } else if (isFp(op)) {
      emitFp(f, i, k, { reg, setReg, tlbHost, leaveAt, va: V_VA, t: V_T, tlbLoad: P_TL, tlbStore: P_TS });
    } else if (compilesBitmanip(op)) {
      emitBitmanip(f, op, { reg, setReg, imm: i.imm, rd: i.rd, rs1: i.rs1, rs2: i.rs2 });
    } else if (op === OP.AMO_W || op === OP.AMO_D) {
      // On RAM through the store TLB (writable, so readable; never a code page); a miss or a
      // misaligned address leaves to the interpreter, which faults or takes the slow path.
      const d = op === OP.AMO_D;
      reg(i.rs1); f.set(V_VA);
      tlbHost(k, P_TS, d ? 8 : 4);
      f.set(V_K);
      f.get(V_K).mem(d ? Op.i64Load : Op.i64Load32S, d ? 3 : 2).set(V_T); // the old value, as rd gets it
      f.get(V_K);
      emitAmo(f, i.imm, d, () => reg(i.rs2));
      f.mem(d ? Op.i64Store : Op.i64Store32, d ? 3 : 2);
      f.get(V_T); setReg(i.rd);
    } else if (op === OP.LR_W || op === OP.LR_D) {
      // Through the load TLB (RAM, readable); the reservation is the physical address and the VA.
      const d = op === OP.LR_D;
      reg(i.rs1); f.set(V_VA);
      tlbHost(k, P_TL, d ? 8 : 4);
      f.set(V_K);
      f.i32(0).get(V_K).op(Op.i64ExtendI32U).i64(HOST_TO_PA).op(Op.i64Add).mem(Op.i64Store, 3, L.S_RES_ADDR);
      f.i32(0).get(V_VA).mem(Op.i64Store, 3, L.S_RES_VA);
      f.get(V_K).mem(d ? Op.i64Load : Op.i64Load32S, d ? 3 : 2); setReg(i.rd);
    } else if (op === OP.SC_W || op === OP.SC_D) {
      // As the interpreter: misaligned leaves (it faults); without a reservation for this VA it
      // fails untouched; with one it stores through the store TLB (a miss leaves) if the physical
      // address is the reserved one. The reservation is gone either way.
      const size = op === OP.SC_D ? 8 : 4;
      reg(i.rs1); f.set(V_VA);
      f.get(V_VA).i64(size - 1).op(Op.i64And).op(Op.i64Eqz).op(Op.i32Eqz);
      f.if(); leaveAt(k); f.end();
      f.i64(1).set(V_T);
      f.i32(0).mem(Op.i64Load, 3, L.S_RES_ADDR).i64(BigInt.asIntN(64, L.RES_NONE)).op(Op.i64Ne);
      f.i32(0).mem(Op.i64Load, 3, L.S_RES_VA).get(V_VA).op(Op.i64Eq).op(Op.i32And);
      f.if();
      tlbHost(k, P_TS, size);
      f.set(V_K);
      f.get(V_K).op(Op.i64ExtendI32U).i64(HOST_TO_PA).op(Op.i64Add).i32(0).mem(Op.i64Load, 3, L.S_RES_ADDR).op(Op.i64Eq);
      f.if();
      f.get(V_K); reg(i.rs2); f.mem(size === 8 ? Op.i64Store : Op.i64Store32, size === 8 ? 3 : 2);
      f.i64(0).set(V_T);
      f.end();
      f.end();
      f.i32(0).i64(BigInt.asIntN(64, L.RES_NONE)).mem(Op.i64Store, 3, L.S_RES_ADDR);
      f.get(V_T); setReg(i.rd);
    } else if (br !== undefined && k < b.insns.length - 1) { // a side exit, if taken
      reg(i.rs1); reg(i.rs2); f.op(br);
      f.if(); f.get(V_N).i32(k + 1).op(Op.i32Add).set(V_N); goTo(i.imm); f.end();
    } else if (br !== undefined) {
      reg(i.rs1); reg(i.rs2); f.op(br);
      f.get(V_N).i32(n).op(Op.i32Add).set(V_N);
      f.if(); goTo(i.imm); f.else(); goTo(i.fall); f.end();
      f.op(Op.unreachable);
      jumped = true;
    } else {
      switch (op) {
        case OP.LUI: f.i64(imm); setReg(i.rd); break;
        case OP.AUIPC: pcAt(i.imm); setReg(i.rd); break;
        case OP.JAL:
          pcAt(i.fall); setReg(i.rd);
          f.get(V_N).i32(n).op(Op.i32Add).set(V_N);
          // A call into this function's own blocks is a jump (its return comes back through the
          // dispatch of a merged function, or the chain); one out of it, a Wasm call.
          if (calls && isLink(i.rd) && !ordinal.has(pageOff + i.imm)) { pcAt(i.imm); f.set(P_PC); call(i.fall); } else goTo(i.imm);
          jumped = true; break;
        case OP.JALR: // a computed target: an indirect call, a return, a jump through a table
          reg(i.rs1); f.i64(imm).op(Op.i64Add).i64(-2).op(Op.i64And).set(V_T);
          pcAt(i.fall); setReg(i.rd);
          f.get(V_N).i32(n).op(Op.i32Add).set(V_N); f.get(V_T).set(P_PC);
          if (calls && isLink(i.rd)) { call(i.fall); jumped = true; break; }
          storeDirty();
          // The return a compiled caller waits for (emitCall): back to it.
          f.get(P_PC).get(P_RET).op(Op.i64Eq).brIf(out);
          if (first) emitSelfChain(f, first, dispatch);
          f.br(chain);
          jumped = true; break;
        case OP.SLTI: reg(i.rs1); f.i64(imm).op(Op.i64LtS).op(Op.i64ExtendI32U); setReg(i.rd); break;
        case OP.SLTIU: reg(i.rs1); f.i64(imm).op(Op.i64LtU).op(Op.i64ExtendI32U); setReg(i.rd); break;
        case OP.SLT: reg(i.rs1); reg(i.rs2); f.op(Op.i64LtS).op(Op.i64ExtendI32U); setReg(i.rd); break;
        case OP.SLTU: reg(i.rs1); reg(i.rs2); f.op(Op.i64LtU).op(Op.i64ExtendI32U); setReg(i.rd); break;
        case OP.ADDIW: reg(i.rs1); f.i64(imm).op(Op.i64Add).op(Op.i64Extend32S); setReg(i.rd); break;
        case OP.SLLIW: reg(i.rs1); f.i64(imm).op(Op.i64Shl).op(Op.i64Extend32S); setReg(i.rd); break;
        case OP.SRLIW: reg(i.rs1); f.op(Op.i32WrapI64).i32(i.imm).op(Op.i32ShrU).op(Op.i64ExtendI32S); setReg(i.rd); break;
        case OP.SRAIW: reg(i.rs1); f.op(Op.i32WrapI64).i32(i.imm).op(Op.i32ShrS).op(Op.i64ExtendI32S); setReg(i.rd); break;
        case OP.ADDW: reg(i.rs1); reg(i.rs2); f.op(Op.i64Add).op(Op.i64Extend32S); setReg(i.rd); break;
        case OP.SUBW: reg(i.rs1); reg(i.rs2); f.op(Op.i64Sub).op(Op.i64Extend32S); setReg(i.rd); break;
        case OP.MULW: reg(i.rs1); reg(i.rs2); f.op(Op.i64Mul).op(Op.i64Extend32S); setReg(i.rd); break;
        case OP.FENCE: case OP.NOP: break;
        case OP.CSRRS: case OP.CSRRSI: case OP.CSRRC: case OP.CSRRCI: emitSstatus(f, i, k, { reg, setReg, leaveAt }, V_VA); break;
        default: throw new Error(`jit: op ${op} marked compilable without code`);
      }
    }
  });
  if (n < b.insns.length) leaveAt(n); // stops before an instruction it does not compile
  else if (!jumped) {
    f.get(V_N).i32(n).op(Op.i32Add).set(V_N);
    goTo(insns[n - 1].fall);
  }
  // Every path has branched away (to the next block, out of the function, or to `bail`), or
  // falls through into the next block's code after a call that came back (call).
}

/**
 * Pushes the value an AMO with function `fn` stores (A extension 8.4), from the old value in
 * V_T (sign-extended for .W) and rs2 (pushed by `rs2`); a .W store keeps the low 32 bits.
 */
function emitAmo(f: Body, fn: number, d: boolean, rs2: () => void): void {
  const bin = new Map<number, number>([[AMO.ADD, Op.i64Add], [AMO.XOR, Op.i64Xor], [AMO.OR, Op.i64Or], [AMO.AND, Op.i64And]]).get(fn);
  if (fn === AMO.SWAP) { rs2(); return; }
  if (bin !== undefined) { f.get(V_T); rs2(); f.op(bin); return; }
  // min/max: compare as 32-bit values for .W (signed: sign-extended, unsigned: zero-extended)
  const signed = fn === AMO.MIN || fn === AMO.MAX;
  const a = () => { f.get(V_T); if (!d && !signed) f.i64(M32).op(Op.i64And); };
  const b = () => { rs2(); if (!d) { if (signed) f.op(Op.i64Extend32S); else f.i64(M32).op(Op.i64And); } };
  a(); b(); a(); b();
  f.op(fn === AMO.MIN ? Op.i64LtS : fn === AMO.MAX ? Op.i64GeS : fn === AMO.MINU ? Op.i64LtU : Op.i64GeU);
  f.op(Op.select); // a if it is the one kept, else b
}

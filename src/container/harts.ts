// The harts container processes run on, shared by every container of the process (by core
// module), and switching between the processes on one: their registers (a context) and their
// page tables. Browser-safe.
import { type Hart, Hart as HartClass, PRIV_M, PRIV_U, TIMEBASE_HZ } from "../core/hart.js";
import { L } from "../core/abi.gen.js";
import { type AddressSpace, HartMemory, PAGE } from "./address-space.js";

// A thread's registers while another runs on the hart: x0-x31, f0-f31, fcsr, pc.
const CTX = [[L.X_BASE, 256], [L.F_BASE, 256], [L.S_FCSR, 8], [L.S_PC, 8]] as const;
export const CTX_BYTES = 528;

export function saveContext(h: Hart, into: Uint8Array): void {
  const mem = new Uint8Array(h.memory.buffer);
  let at = 0;
  for (const [off, n] of CTX) { into.set(mem.subarray(off, off + n), at); at += n; }
}

function loadContext(h: Hart, from: Uint8Array): void {
  const mem = new Uint8Array(h.memory.buffer);
  let at = 0;
  for (const [off, n] of CTX) { mem.set(from.subarray(at, at + n), off); at += n; }
  new DataView(h.memory.buffer).setBigUint64(L.S_RES_ADDR, L.RES_NONE, true); // a context switch drops an LR reservation
}

// Registers in a context: x at 0, pc at CTX_PC.
const CTX_PC = 520;
export function setContextX(ctx: Uint8Array, i: number, v: bigint): void { new DataView(ctx.buffer, ctx.byteOffset).setBigUint64(i * 8, BigInt.asUintN(64, v), true); }
export function setContextPc(ctx: Uint8Array, v: bigint): void { new DataView(ctx.buffer, ctx.byteOffset).setBigUint64(CTX_PC, v, true); }

// The harts the processes of every container of the process run on (by core module): each
// process is an address space in a hart's RAM, and the scheduler switches the hart's registers
// and satp between them as a kernel switches between its processes. A container reserves its
// memory limit on a hart (the one with the most unreserved RAM, or a new one): what the
// containers of a hart may use together fits in its RAM, so none can take pages another needs.
// Its processes stay there. Processes that run one program share its read-only pages there, and
// their decoded and compiled code (HartMemory).
export const SHARED_HART_RAM = 2 ** 31;
const harts = new WeakMap<WebAssembly.Module, HartMemory[]>();
// The time CSR of the shared harts (10 MHz ticks), read when a slice starts rather than at every
// run() the core makes (each system call is one): U-mode takes no timer interrupts, and a
// program's clock_gettime is the host's own; only a program reading the time CSR itself sees it
// move by slices.
let clockTicks = 0;
const clockStart = performance.now();

/** What runs on a shared hart: a process or thread, its registers while it is off the hart, its address space. */
export interface OnHart { ctx: Uint8Array | undefined; memory: AddressSpace }

/** Which process's registers each hart holds now (processes of any container). */
const onHart = new WeakMap<Hart, OnHart>();

/**
 * Puts `p` on hart `h` for a slice: the registers of the one there before (any container's)
 * saved, `p`'s loaded, its page tables in force if they are not; the time CSR brought up to now.
 */
export function switchTo(h: Hart, p: OnHart): void {
  const owner = onHart.get(h);
  if (owner !== p) {
    if (owner) { owner.ctx ??= new Uint8Array(CTX_BYTES); saveContext(h, owner.ctx); }
    loadContext(h, p.ctx!);
    if (owner?.memory !== p.memory) switchSpace(h, p.memory);
    onHart.set(h, p);
  }
  clockTicks = Math.floor((performance.now() - clockStart) * (TIMEBASE_HZ / 1000));
}

/** `p` is off hart `h` for good (it ended, or exec'd: its registers there are not its own any more). */
export function offHart(h: Hart, p: OnHart): void { if (onHart.get(h) === p) onHart.delete(h); }

/** Puts `memory`'s page tables in force on `h` (satp, written as M-mode may; the TLBs flushed: ASIDs are not used). */
function switchSpace(h: Hart, memory: AddressSpace): void {
  h.priv = PRIV_M;
  h.writeCsr(0x180, memory.satp);
  h.priv = PRIV_U;
  h.flushTlb();
}

/** Forgets the process's shared harts (benchmarks measuring cold starts); the containers on them keep theirs. */
export function clearHartPool(module: WebAssembly.Module): void { harts.delete(module); }

/** The hart a new container's processes run on, `pages` (its memory limit) reserved there. */
export function hartFor(module: WebAssembly.Module, pages: number): HartMemory {
  let list = harts.get(module);
  if (!list) { list = []; harts.set(module, list); }
  let best: HartMemory | undefined;
  for (const m of list) if (!best || m.unreserved > best.unreserved) best = m;
  if (best?.reserve(pages)) return best;
  const hart = new HartClass(module, { memSize: SHARED_HART_RAM, clock: () => clockTicks });
  hart.setPara("user");
  hart.writeCsr(0x300, (hart.csr(0x300) ?? 0n) | (1n << 13n)); // mstatus.FS = Initial: FP on
  hart.priv = PRIV_U;
  const m = new HartMemory(hart);
  list.push(m);
  m.reserve(pages);
  return m;
}

/**
 * A container's reservation goes back to its hart; a hart no container is on any more is
 * forgotten (its memory and compiled code then go with the garbage), but for the last one.
 */
export function unreserveHart(module: WebAssembly.Module, mem: HartMemory, pages: number): void {
  mem.unreserve(pages);
  const list = harts.get(module);
  if (list && list.length > 1 && mem.unreserved === mem.hart.memSize / PAGE) list.splice(list.indexOf(mem), 1);
}


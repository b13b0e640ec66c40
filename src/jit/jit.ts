// The JIT of one hart: after each run() slice it compiles the blocks the core queued as hot
// (assembly/blocks.ts noteHot) into Wasm, one function per guest page, batched into one module
// per flush, and puts the functions into the core's function table, where the interpreter calls
// them (assembly/interp.ts). Compiled modules are shared by every hart of the process whose page
// compiles to the same code (same physical address and contents: one kernel, many VMs).
//
// Invariant: every block reachable from the lookup table whose header holds a table index is
// compiled, as it is now, into the function at that index, and so is every other block that
// function holds. A block the core drops is no longer reachable (its slot is cleared or its tag
// zeroed), and if it was compiled the core clears the index of every block of its page
// (blocks.ts uncompilePage); a flush of every block bumps JIT_EPOCH and frees every function.
import { BLOCK, L } from "../core/abi.gen.js";
import { compiledLength, helpers, pageFunction, readBlock, type BlockCode } from "./codegen.js";
import { encodeModule } from "./wasm.js";

export interface JitOptions {
  /** Entries into a block before it is compiled; 0 compiles every block at its first entry. */
  threshold?: number;
  /** Most pages with compiled code per hart; the coldest are evicted beyond it. */
  maxPages?: number;
  /**
   * Compile in the background (WebAssembly.compile) and install when done, instead of compiling
   * before run() returns. Default false; a hart switches to it by itself where synchronous
   * compiles are refused (a browser's main thread).
   */
  async?: boolean;
}

export interface JitStats {
  /** Pages with compiled code now, blocks in them, and their share of their modules' bytes. */
  pages: number;
  blocks: number;
  installedBytes: number;
  /** Modules compiled by this hart, and functions it took from modules other harts compiled. */
  modules: number;
  sharedFunctions: number;
  /** Bytes of Wasm this hart compiled, and time spent generating and compiling it (ms). */
  compiledBytes: number;
  compileMs: number;
  evictions: number;
  recompiles: number;
  /** Instructions run by compiled code, and compiled calls (the latter wraps at 2^32). */
  steps: bigint;
  calls: number;
  /** Compiled calls that stopped at an instruction left to the interpreter (wraps at 2^32). */
  bails: number;
  /** Compiled calls that could not start (the budget did not cover the block, or it was dropped). */
  declined: number;
}

interface Shared { module: WebAssembly.Module; name: string; bytes: number }

// Process-wide cache of compiled page functions by their code, bounded in bytes (least recently
// used out). Sizes are Wasm bytes, a function's share of its module's (V8 does not tell the size
// of the machine code; it grows with them).
const shared = new Map<string, Shared>();
let sharedBytes = 0;
export const SHARED_CACHE_BYTES = 64 << 20;

/** Bytes of compiled page code the process-wide cache holds. */
export function sharedCodeBytes(): number { return sharedBytes; }

/** Empties the process-wide cache (benchmarks measuring cold compiles). */
export function clearSharedCache(): void { shared.clear(); sharedBytes = 0; }

function remember(key: string, s: Shared): void {
  shared.set(key, s);
  sharedBytes += s.bytes;
  for (const [k, v] of shared) {
    if (sharedBytes <= SHARED_CACHE_BYTES) break;
    shared.delete(k);
    sharedBytes -= v.bytes;
  }
}

/** The cached functions of `key`, now the most recently used. */
function reuse(key: string): Shared | undefined {
  const s = shared.get(key);
  if (s) { shared.delete(key); shared.set(key, s); }
  return s;
}

/** A page with compiled code installed in a hart. */
interface Page {
  page: number; // host address
  slot: number;
  blocks: number[];
  compiles: number;
  lastFlush: number;
  bytes: number;
  owner: WeakRef<Jit>;
}

// Installed code of every hart of the process, bounded in bytes: the coldest pages go first.
// Pages are kept in the order they were installed or last found running; when one comes up for
// eviction with PAGE_RAN set in its hart's page flags (its code ran since it was last looked at),
// it gets a second chance: the flag is cleared and the page goes to the back.
const installed = new Set<Page>();
let installedBytes = 0;
export const PROCESS_CODE_BYTES = 256 << 20;
let processLimit = PROCESS_CODE_BYTES;

/** Bytes of compiled code installed in the harts of the process (their share of the modules). */
export function installedCodeBytes(): number { return installedBytes; }

/** Sets the process-wide bound on installed compiled code (default PROCESS_CODE_BYTES). */
export function setProcessCodeLimit(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`process code limit must be an integer >= 0, got ${bytes}`);
  processLimit = bytes;
  trimProcess(undefined);
}

function forget(p: Page): void {
  if (installed.delete(p)) installedBytes -= p.bytes;
}

// A hart that is garbage collected takes its installed code out of the process's account.
const collected = new FinalizationRegistry<Map<number, Page>>((pages) => { for (const p of pages.values()) forget(p); });

/**
 * Evicts pages from the front of `order` (coldest first, `size` of them) while `over()`, never
 * `keep`; a page whose code ran since it was last looked at goes to the back instead.
 */
function evictColdest(order: Iterable<Page>, size: number, over: () => boolean, keep: Page | undefined): void {
  let looks = 2 * size + 1; // every page is looked at twice at most: the second time cold
  for (const p of order) {
    if (!over() || looks-- <= 0) break;
    const owner = p.owner.deref();
    if (!owner) { forget(p); continue; }
    if (p === keep || owner.tookSecondChance(p)) continue;
    owner.evict(p.page);
  }
}

/** Evicts the coldest pages of any hart while the process holds more than its bound (never `keep`). */
function trimProcess(keep: Page | undefined): void {
  evictColdest(installed, installed.size, () => installedBytes > processLimit, keep);
}

// Bumped whenever codegen.ts changes what it emits for the same blocks (keys name code).
const CODEGEN_VERSION = 8;

/**
 * A stable key for a page's compiled blocks: two 32-bit hashes (FNV-1a and a multiply-xorshift)
 * of their header and entry bytes, with the length and the block tags (whose header words also
 * hold per-hart counters: the tags stand in for them).
 */
function keyOf(parts: Uint8Array[], tags: number[]): string {
  let a = 0x811c9dc5, b = 0x01000193, len = 0;
  const mix = (x: number) => {
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x5bd1e995) ^ (b >>> 15);
  };
  for (const p of parts) {
    len += p.length;
    // Skip each header's hotness/ordinal and table words (+8..+15): they differ between harts.
    for (let i = 0; i < p.length; i++) if (!(i >= 8 && i < 16) || p === parts[0]) mix(p[i]);
  }
  for (const t of tags) mix(t & 0xff), mix((t >>> 8) & 0xff), mix((t >>> 16) & 0xff), mix(t >>> 24);
  return `${len}:${(a >>> 0).toString(16)}:${(b >>> 0).toString(16)}`;
}

interface Pending { page: number; blocks: number[]; code: BlockCode[]; key: string }

// A page is compiled again when blocks of it become hot that its function lacks. Every compile
// starts the page's code over on V8's baseline tier, so after FREE_RECOMPILES a page waits
// 2^compiles flushes between compiles (its hot blocks queue again meanwhile).
const FREE_RECOMPILES = 4;
// run() slices, and guest instructions at least, between two looks at which pages ran (their
// order for eviction): a container's system calls make its slices very short.
const AGE_EVERY_RUNS = 8;
const AGE_MIN_STEPS = 65_536;
const MAX_BACKOFF_FLUSHES = 4096;

// Entries before a block is compiled. Lower compiles more of a booting kernel's run-once code
// than it saves; higher leaves CPU-bound guests interpreted for longer (measured: bench/README.md,
// "The JIT's threshold").
export const DEFAULT_THRESHOLD = 50_000;

let defaultOptions: JitOptions | false = {};
/** What a Hart created without a `jit` option gets (tests force it with WASMVISOR_JIT). */
export function setDefaultJit(options: JitOptions | false): void { defaultOptions = options; }
export function defaultJit(): JitOptions | false { return defaultOptions; }

export class Jit {
  private readonly view: DataView;
  private readonly pages = new Map<number, Page>(); // by host page address, coldest first
  private readonly self = new WeakRef(this);
  private readonly free: number[] = [];
  private readonly instances = new Map<WebAssembly.Module, WebAssembly.Instance>();
  private epoch: number;
  private flushes = 0;
  private runs = 0;
  private agedAt = 0; // S_STEPS (low 32 bits) at the last look
  private async: boolean;
  private disabled = false;
  private background = 0;
  private readonly inFlight = new Set<number>();
  private readonly maxPages: number;
  private readonly threshold: number;
  private readonly counts = { modules: 0, sharedFunctions: 0, compiledBytes: 0, compileMs: 0, evictions: 0, recompiles: 0 };

  constructor(private readonly memory: WebAssembly.Memory, private readonly table: WebAssembly.Table, options: JitOptions = {}) {
    const t = options.threshold ?? DEFAULT_THRESHOLD;
    if (!Number.isInteger(t) || t < 0 || t > 0x7fffffff) throw new RangeError(`jit threshold must be an integer >= 0, got ${t}`);
    this.threshold = t;
    this.maxPages = options.maxPages ?? 4096;
    this.async = options.async ?? false;
    this.view = new DataView(memory.buffer);
    this.epoch = this.u32(L.JIT_EPOCH);
    // The core counts entries from 1: threshold 0 and 1 both queue a block at its first entry.
    this.view.setUint32(L.JIT_THRESHOLD, Math.max(1, t), true);
    collected.register(this, this.pages);
  }

  private u32(a: number): number { return this.view.getUint32(a, true); }
  private setU32(a: number, v: number): void { this.view.setUint32(a, v >>> 0, true); }

  /** Called after run(): compiles what the core queued. Cheap when nothing is queued. */
  afterRun(): void {
    if (++this.runs >= AGE_EVERY_RUNS) {
      const steps = this.u32(L.S_STEPS);
      if (((steps - this.agedAt) >>> 0) >= AGE_MIN_STEPS) { this.runs = 0; this.agedAt = steps; this.age(); }
    }
    if (this.u32(L.JIT_QUEUED) !== 0 || this.u32(L.JIT_EPOCH) !== this.epoch) this.flush();
  }

  /** Moves the pages whose code ran since the last look to the back of the eviction order. */
  private age(): void {
    let n = this.pages.size;
    for (const p of this.pages.values()) {
      if (n-- <= 0) break;
      this.tookSecondChance(p);
    }
  }

  /** Guest physical addresses of the pages with compiled code, coldest first. */
  compiledPages(): bigint[] {
    return [...this.pages.keys()].map((h) => BigInt(h - L.RAM_OFF) + L.DRAM_BASE);
  }

  /** Turns compilation off and forgets every compiled function (headers back to 0). */
  disable(): void {
    this.disabled = true;
    this.setU32(L.JIT_THRESHOLD, 0);
    this.setU32(L.JIT_QUEUED, 0);
    for (const page of [...this.pages.keys()]) this.evict(page);
  }

  stats(): JitStats {
    let blocks = 0, bytes = 0;
    for (const p of this.pages.values()) { blocks += p.blocks.length; bytes += p.bytes; }
    return {
      pages: this.pages.size, blocks, installedBytes: bytes, ...this.counts,
      steps: this.view.getBigUint64(L.JIT_STEPS, true), calls: this.u32(L.JIT_CALLS), bails: this.u32(L.JIT_BAILS), declined: this.u32(L.JIT_DECLINED),
    };
  }

  flush(): void {
    const t0 = performance.now();
    this.flushes++;
    const epoch = this.u32(L.JIT_EPOCH);
    if (epoch !== this.epoch) { // every block was dropped: every function is unreachable
      for (const p of this.pages.values()) { this.free.push(p.slot); forget(p); }
      this.pages.clear();
      this.epoch = epoch;
    }
    const queued = Math.min(this.u32(L.JIT_QUEUED), L.JIT_QUEUE_MAX);
    const hot = new Set<number>();
    for (let i = 0; i < queued; i++) {
      const b = this.u32(L.JIT_QUEUE + 4 * i);
      const tag = this.u32(b);
      if (tag !== 0 && this.reachable(b, tag)) hot.add(tag & ~0xfff);
    }
    this.setU32(L.JIT_QUEUED, 0);
    if (!hot.size) return;

    const pending: Pending[] = [];
    for (const page of hot) {
      if (this.inFlight.has(page)) continue; // its blocks are compiling already
      const prev = this.pages.get(page);
      const blocks = this.blocksOf(page);
      if (prev && prev.compiles >= FREE_RECOMPILES &&
          this.flushes - prev.lastFlush < Math.min(MAX_BACKOFF_FLUSHES, 2 ** prev.compiles)) {
        for (const b of blocks) if (this.u32(b + 12) === 0) this.setU32(b + 8, 0); // count again
        continue;
      }
      const code: BlockCode[] = [];
      const compiled: number[] = [];
      for (const b of blocks) {
        const bc = readBlock(this.view, b);
        if (compiledLength(bc) > 0) { code.push(bc); compiled.push(b); } else this.markDone(b);
      }
      if (!code.length) continue;
      // The code is a function of the blocks' addresses and decoded entries alone (and of the
      // memory's sharedness): hashing those finds another hart's module without generating it.
      const parts = [new Uint8Array(Uint32Array.of(this.isShared() ? 1 : 0, CODEGEN_VERSION).buffer)];
      for (const b of compiled) parts.push(new Uint8Array(this.memory.buffer, b, BLOCK.ENTRY * (1 + this.view.getUint16(b + 4, true))));
      const key = keyOf(parts, compiled.map((b) => this.u32(b)));
      pending.push({ page, blocks: compiled, code, key });
    }
    // One module for every function no hart of the process has compiled yet.
    const fresh = pending.filter((p) => !shared.has(p.key));
    if (fresh.length) {
      const bytes = encodeModule([...helpers(), ...fresh.map((p, i) => pageFunction(p.code, `p${i}`))], this.isShared());
      this.counts.modules++;
      this.counts.compiledBytes += bytes.length;
      let module: WebAssembly.Module | undefined;
      if (!this.async) {
        try {
          module = new WebAssembly.Module(bytes);
        } catch (e) {
          // A browser's main thread refuses to compile large modules synchronously: from now on
          // this hart compiles in the background and installs when the compile is done.
          if (!(e instanceof RangeError)) throw e;
          this.async = true;
        }
      }
      if (module) this.remember(fresh, module, bytes.length);
      else this.compileLater(fresh, bytes);
    }
    for (const p of pending) {
      if (!shared.has(p.key)) continue; // compiling in the background
      if (!fresh.includes(p)) this.counts.sharedFunctions++;
      this.installShared(p.page, p.blocks, reuse(p.key)!);
    }
    this.counts.compileMs += performance.now() - t0;
  }

  private remember(fresh: Pending[], module: WebAssembly.Module, bytes: number): void {
    const per = Math.ceil(bytes / fresh.length);
    fresh.forEach((p, i) => remember(p.key, { module, name: `p${i}`, bytes: per }));
  }

  private installShared(page: number, blocks: number[], s: Shared): void {
    let inst = this.instances.get(s.module);
    if (!inst) {
      inst = new WebAssembly.Instance(s.module, { env: { memory: this.memory, table: this.table } });
      this.instances.set(s.module, inst);
    }
    this.install(page, blocks, inst.exports[s.name] as Function, s.bytes);
  }

  /**
   * Compiles off the calling thread (WebAssembly.compile) and installs each page whose blocks
   * are all still there, unchanged, when it is done; the others are left to be queued again.
   */
  private compileLater(fresh: Pending[], bytes: Uint8Array<ArrayBuffer>): void {
    const epoch = this.epoch;
    const tags = fresh.map((p) => p.blocks.map((b) => this.u32(b)));
    for (const p of fresh) this.inFlight.add(p.page);
    this.background++;
    WebAssembly.compile(bytes).then((module) => {
      this.remember(fresh, module, bytes.length);
      if (this.disabled || this.u32(L.JIT_EPOCH) !== epoch) return;
      const t0 = performance.now();
      fresh.forEach((p, i) => {
        const intact = p.blocks.every((b, j) => this.u32(b) === tags[i][j] && this.reachable(b, tags[i][j]) &&
          (this.u32(b + 12) === 0 || this.u32(b + 12) === this.pages.get(p.page)?.slot));
        if (intact) this.installShared(p.page, p.blocks, shared.get(p.key)!);
        else for (const b of p.blocks) if (this.u32(b) !== 0 && this.u32(b + 12) === 0) this.setU32(b + 8, 0);
      });
      this.counts.compileMs += performance.now() - t0;
    }).catch(() => {
      // Not expected (the same code compiles synchronously in the tests): interpret these pages.
    }).finally(() => {
      for (const p of fresh) this.inFlight.delete(p.page);
      this.background--;
    });
  }

  /** Background compiles not finished yet (async mode). */
  get compiling(): number { return this.background; }

  private isShared(): boolean {
    return typeof SharedArrayBuffer !== "undefined" && this.memory.buffer instanceof SharedArrayBuffer;
  }

  /** The lookup slot of host address `h` (assembly/blocks.ts lookupSlot). */
  private slotOf(h: number): number {
    const idx = this.view.getUint16(L.PAGE_SLOTS + (((h - L.RAM_OFF) >>> 12) << 1), true);
    return L.SLOT_POOL + (idx << L.SLOT_ARRAY_SHIFT) + (((h & 0xfff) >>> 1) << 2);
  }

  /** Whether block `b` with tag `tag` is the one its lookup slot holds. */
  private reachable(b: number, tag: number): boolean {
    return tag >= L.RAM_OFF && this.u32(this.slotOf(tag)) === b;
  }

  /** The reachable blocks that start in the page at host address `page`. */
  private blocksOf(page: number): number[] {
    const out: number[] = [];
    const first = this.slotOf(page);
    if (first < L.SLOT_POOL + L.SLOT_ARRAY_BYTES) return out; // no slot array: no blocks
    for (let i = 0; i < 2048; i++) {
      const b = this.u32(first + 4 * i);
      if (b !== 0 && this.u32(b) === page + 2 * i) out.push(b);
    }
    return out;
  }

  /** Block `b` will not be compiled: keep the core from queueing it again. */
  private markDone(b: number): void { this.setU32(b + 8, BLOCK.QUEUED); }

  private install(page: number, blocks: number[], fn: Function, bytes: number): void {
    const prev = this.pages.get(page);
    const slot = this.free.pop() ?? this.table.grow(1);
    this.table.set(slot, fn as never);
    // +8 (the hotness count while uncompiled) becomes the block's ordinal in the function.
    blocks.forEach((b, j) => { this.setU32(b + 12, slot); this.setU32(b + 8, j); });
    if (prev) {
      this.pages.delete(page);
      forget(prev);
      this.free.push(prev.slot); // every reachable block of the page now names the new slot
      this.counts.recompiles++;
    }
    const p: Page = { page, slot, blocks, compiles: (prev?.compiles ?? 0) + 1, lastFlush: this.flushes, bytes, owner: this.self };
    this.pages.set(page, p);
    installed.add(p);
    installedBytes += bytes;
    evictColdest(this.pages.values(), this.pages.size, () => this.pages.size > this.maxPages, p);
    trimProcess(p);
  }

  /**
   * Whether page `p`'s code ran since it was last looked at (PAGE_RAN, set by its function): if
   * so, the flag is cleared and the page goes to the back of the eviction order.
   */
  tookSecondChance(p: Page): boolean {
    const flags = L.PAGE_FLAGS + ((p.page - L.RAM_OFF) >>> 12);
    const f = this.view.getUint8(flags);
    if ((f & L.PAGE_RAN) === 0) return false;
    this.view.setUint8(flags, f & ~L.PAGE_RAN);
    this.pages.delete(p.page);
    this.pages.set(p.page, p);
    installed.delete(p);
    installed.add(p);
    return true;
  }


  /** Forgets the page's function: its reachable blocks go back to the interpreter. */
  evict(page: number): void {
    const p = this.pages.get(page);
    if (!p) return;
    for (const b of p.blocks) {
      const tag = this.u32(b);
      if (this.u32(b + 12) === p.slot && tag !== 0 && this.reachable(b, tag)) { this.setU32(b + 12, 0); this.setU32(b + 8, 0); }
    }
    this.pages.delete(page);
    forget(p);
    this.free.push(p.slot);
    this.counts.evictions++;
  }
}

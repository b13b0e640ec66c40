// The JIT of one hart: after each run() slice it compiles the blocks the core queued as hot
// (assembly/blocks.ts noteHot) into Wasm, batched into one module per flush, and puts the
// functions into the core's function table, where the interpreter calls them (assembly/
// interp.ts). A function holds blocks of one guest page that became hot together (at most
// maxBlocks); each block is compiled once, and blocks of the page that become hot later get
// functions of their own, unless the page's functions go on to one another's blocks often: then
// one function replaces them all (a merge, up to mergeBlocks), which the page's later hot blocks
// join. Compiled modules are shared by every hart of the process whose blocks
// compile to the same code (same physical address and contents: one kernel, many VMs).
//
// Invariant: every block reachable from the lookup table whose header holds a table index is
// compiled, as it is now, into the function at that index, and so is every other block that
// function holds. A block the core drops is no longer reachable (its slot is cleared or its tag
// zeroed), and if it was compiled the core clears the index of every block of its page
// (blocks.ts uncompilePage); a function no block names any more is freed at the next look
// (prune), and a flush of every block bumps JIT_EPOCH and frees every function.
import { BLOCK, L } from "../core/abi.gen.js";
import { chainCounter, compiles, encodePages, readBlock, readInsn } from "./codegen.js";

export interface JitOptions {
  /** Entries into a block before it is compiled; 0 compiles every block at its first entry. */
  threshold?: number;
  /**
   * Entries into a block before it takes the compiled code another hart of the process (or an
   * earlier VM) compiled for it, if there is some: no compile, so far below `threshold`
   * (DEFAULT_SHARED_THRESHOLD). 0, or not below `threshold`, waits for `threshold`.
   */
  sharedThreshold?: number;
  /** Most pages with compiled code per hart; the coldest are evicted beyond it. */
  maxPages?: number;
  /** Most blocks compiled into one function (DEFAULT_MAX_BLOCKS). */
  maxBlocks?: number;
  /**
   * Most blocks of the one function that replaces a page's functions when they go on to one
   * another's blocks often (DEFAULT_MERGE_BLOCKS); 0 never merges.
   */
  mergeBlocks?: number;
  /**
   * Compile in the background (WebAssembly.compile) and install when done, instead of compiling
   * before run() returns. Default false; a hart switches to it by itself where synchronous
   * compiles are refused (a browser's main thread).
   */
  async?: boolean;
}

export interface JitStats {
  /** Pages with compiled code now, functions and blocks in them, and their share of their modules' bytes. */
  pages: number;
  functions: number;
  blocks: number;
  installedBytes: number;
  /** Modules compiled by this hart, and functions it took from modules other harts compiled. */
  modules: number;
  sharedFunctions: number;
  /** Blocks this hart compiled (one dropped and compiled again counts again). */
  compiledBlocks: number;
  /** Bytes of Wasm this hart compiled, and time spent generating and compiling it (ms). */
  compiledBytes: number;
  compileMs: number;
  evictions: number;
  /** Functions compiled for pages that had compiled code already (their other blocks). */
  recompiles: number;
  /** Of those, functions that replaced a page's functions, holding their blocks too. */
  merges: number;
  /** Instructions run by compiled code, and compiled calls (the latter wraps at 2^32). */
  steps: bigint;
  calls: number;
  /** Compiled calls that stopped at an instruction left to the interpreter (wraps at 2^32). */
  bails: number;
  /** Calls from compiled code to another function that came back to it, the return predicted (wraps at 2^32). */
  returns: number;
  /** Compiled calls that could not start (the budget did not cover the block, or it was dropped). */
  declined: number;
}

/** A compiled function: its module and export, its share of the module's bytes, its blocks (in ordinal order). */
interface Shared { module: WebAssembly.Module; name: string; bytes: number; blocks: SharedBlock[] }
/** A block a shared function holds: its tag (host address) and the key of its decoded entries. */
interface SharedBlock { tag: number; key: string }

// Process-wide cache of compiled functions by their code, bounded in bytes (least recently
// used out). Sizes are Wasm bytes, a function's share of its module's (V8 does not tell the size
// of the machine code; it grows with them).
const shared = new Map<string, Shared>();
let sharedBytes = 0;
// The function that holds a block, by the block's key (blockKey): how a hart finds code for a
// block another hart compiled with other blocks than it has hot.
const functionOf = new Map<string, string>();
export const SHARED_CACHE_BYTES = 64 << 20;

/** Bytes of compiled page code the process-wide cache holds. */
export function sharedCodeBytes(): number { return sharedBytes; }

/** Empties the process-wide cache (benchmarks measuring cold compiles). */
export function clearSharedCache(): void { shared.clear(); functionOf.clear(); sharedBytes = 0; }

function remember(key: string, s: Shared): void {
  shared.set(key, s);
  sharedBytes += s.bytes;
  // A block keeps the first function that holds it while that is cached: a merge's function
  // holds blocks another hart may not have yet, and taking code needs them all (takeShared).
  for (const b of s.blocks) { const k = functionOf.get(b.key); if (k === undefined || !shared.has(k)) functionOf.set(b.key, key); }
  for (const [k, v] of shared) {
    if (sharedBytes <= SHARED_CACHE_BYTES) break;
    shared.delete(k);
    sharedBytes -= v.bytes;
    for (const b of v.blocks) if (functionOf.get(b.key) === k) functionOf.delete(b.key);
  }
}

/** The cached functions of `key`, now the most recently used. */
function reuse(key: string): Shared | undefined {
  const s = shared.get(key);
  if (s) { shared.delete(key); shared.set(key, s); }
  return s;
}

/**
 * A function of compiled blocks: blocks of one page that became hot together (in one flush),
 * at most maxBlocks of them. It is compiled once; blocks of the page that become hot later go
 * into functions of their own, so no code is compiled twice while it stays valid, but for a
 * merge: one function (up to mergeBlocks) for all the blocks of a page whose functions chain
 * into one another often (Jit.age), compiled again together.
 */
interface Frag { slot: number; blocks: number[]; tags: number[]; bytes: number }

/** A page with compiled code installed in a hart: its functions. */
interface Page {
  page: number; // host address
  frags: Frag[];
  bytes: number;
  owner: WeakRef<Jit>;
  /** Its functions were merged once (its later hot blocks join the merged function). */
  merged?: boolean;
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
const CODEGEN_VERSION = 20;

/**
 * A stable key for a page's compiled blocks: two 32-bit hashes (FNV-1a-like and a
 * multiply-xorshift) of the 32-bit words of their header and entries (each part 4-byte aligned
 * and sized, as blocks and codeFlags are), with the length and the block tags (whose header
 * words also hold per-hart counters: the tags stand in for them).
 */
function keyOf(parts: Uint8Array[], tags: number[]): string {
  let a = 0x811c9dc5, b = 0x01000193, len = 0;
  const mix = (x: number) => {
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x5bd1e995) ^ (b >>> 15);
  };
  for (const p of parts) {
    len += p.length;
    const w = new Uint32Array(p.buffer, p.byteOffset, p.length >>> 2);
    // Skip each header's hotness/ordinal, table and successor words (+8..+23): they differ
    // between harts.
    for (let i = 0; i < w.length; i++) if (!(i >= 2 && i < 6) || p === parts[0]) mix(w[i]);
  }
  for (const t of tags) mix(t);
  return `${len}:${(a >>> 0).toString(16)}:${(b >>> 0).toString(16)}`;
}

interface Pending { page: number; blocks: number[]; merged: boolean; key: string; blockKeys: string[] }

// run() slices, and guest instructions at least, between two looks at which pages ran (their
// order for eviction) and which functions lost all their blocks: a container's system calls
// make its slices very short.
const AGE_EVERY_RUNS = 8;
const AGE_MIN_STEPS = 65_536;

// Entries before a block is compiled. Lower compiles more of a booting kernel's run-once code
// than it saves; higher leaves CPU-bound guests interpreted for longer: a shell loop of 30,000
// passes in the Linux guest ran 17 % slower at 50,000 (measured: bench/README.md, "The JIT's
// threshold").
export const DEFAULT_THRESHOLD = 20_000;
// Entries before a block takes code the process compiled already (another VM of the same kernel,
// or an earlier boot): taking it costs an instantiation at most, no compile.
export const DEFAULT_SHARED_THRESHOLD = 64;
// Most blocks in one compiled function. A call loads every register the function's blocks use
// and stores every one they write, however few of its blocks run: small functions keep that
// cost near what the blocks run need; within one, blocks chain without a lookup.
export const DEFAULT_MAX_BLOCKS = 8;
// Most blocks of a page in the one function a merge makes (Jit mergeBlocks).
export const DEFAULT_MERGE_BLOCKS = 64;
// A page's functions are merged when, between two looks (age), they chained to one another's
// blocks at least MERGE_CHAINS_MIN times and once every MERGE_CHAIN_STEPS instructions.
const MERGE_CHAINS_MIN = 4096;
const MERGE_CHAIN_STEPS = 64;
// Uncompiled blocks of a page entered this share of the threshold times are compiled with its
// hot ones: the blocks of a loop reach the threshold within a few passes of each other.
const WARM_SHARE = 0.25;

// Slots the function table grows by at least (growTable).
const TABLE_GROWTH = 64;

/** Puts a module's functions in the process's cache (their blocks' tags as they were compiled). */
function rememberModule(fresh: Pending[], tags: number[][], module: WebAssembly.Module, bytes: number): void {
  const per = Math.ceil(bytes / fresh.length);
  fresh.forEach((p, i) => remember(p.key, {
    module, name: `p${i}`, bytes: per, blocks: p.blocks.map((_, j) => ({ tag: tags[i][j], key: p.blockKeys[j] })),
  }));
}

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
  private flagBytes: Uint8Array | undefined;
  private epoch: number;
  private runs = 0;
  private agedAt = 0; // S_STEPS (low 32 bits) at the last look
  private async: boolean;
  private disabled = false;
  private background = 0;
  private readonly inFlight = new Set<number>(); // blocks compiling in the background
  private mergeWanted = new Set<number>(); // pages whose functions are to be merged (age)
  private readonly maxPages: number;
  private readonly maxBlocks: number;
  private readonly mergeBlocks: number;
  private readonly threshold: number;
  private readonly sharedThreshold: number;
  private readonly counts = { modules: 0, sharedFunctions: 0, compiledBlocks: 0, compiledBytes: 0, compileMs: 0, evictions: 0, recompiles: 0, merges: 0 };

  /**
   * `refill` is the core's export jitRefill (a Wasm function, not a JS wrapper of one: compiled
   * code calls it on every TLB miss).
   */
  constructor(private readonly memory: WebAssembly.Memory, private readonly table: WebAssembly.Table,
    private readonly refill: Function, options: JitOptions = {}) {
    const t = options.threshold ?? DEFAULT_THRESHOLD;
    if (!Number.isInteger(t) || t < 0 || t > 0x7fffffff) throw new RangeError(`jit threshold must be an integer >= 0, got ${t}`);
    const mb = options.maxBlocks ?? DEFAULT_MAX_BLOCKS;
    if (!Number.isInteger(mb) || mb < 1 || mb > 2048) throw new RangeError(`jit maxBlocks must be an integer in 1..2048, got ${mb}`);
    const st = options.sharedThreshold ?? DEFAULT_SHARED_THRESHOLD;
    if (!Number.isInteger(st) || st < 0 || st > 0x7fffffff) throw new RangeError(`jit sharedThreshold must be an integer >= 0, got ${st}`);
    this.threshold = t;
    this.sharedThreshold = st > 0 && st < t ? st : 0;
    this.maxBlocks = mb;
    const mg = options.mergeBlocks ?? DEFAULT_MERGE_BLOCKS;
    if (!Number.isInteger(mg) || mg < 0 || mg > 2048) throw new RangeError(`jit mergeBlocks must be an integer in 0..2048, got ${mg}`);
    this.mergeBlocks = mg;
    this.maxPages = options.maxPages ?? 4096;
    this.async = options.async ?? false;
    this.view = new DataView(memory.buffer);
    this.epoch = this.u32(L.JIT_EPOCH);
    // The core counts entries from 1: threshold 0 and 1 both queue a block at its first entry.
    this.view.setUint32(L.JIT_THRESHOLD, Math.max(1, t), true);
    this.view.setUint32(L.JIT_PROBE, this.sharedThreshold, true);
    collected.register(this, this.pages);
  }

  private u32(a: number): number { return this.view.getUint32(a, true); }
  private setU32(a: number, v: number): void { this.view.setUint32(a, v >>> 0, true); }

  /** Called after run(): compiles what the core queued. Cheap when nothing is queued. */
  afterRun(): void {
    if (++this.runs >= AGE_EVERY_RUNS) {
      const steps = this.u32(L.S_STEPS);
      const window = (steps - this.agedAt) >>> 0;
      if (window >= AGE_MIN_STEPS) { this.runs = 0; this.agedAt = steps; this.age(window); }
    }
    if (this.u32(L.JIT_QUEUED) !== 0 || this.u32(L.JIT_EPOCH) !== this.epoch || this.mergeWanted.size) this.flush();
  }

  /**
   * Moves the pages whose code ran since the last look to the back of the eviction order, and
   * frees the functions none of whose blocks names them any more (the core dropped them).
   */
  private age(window: number): void {
    if (this.u32(L.JIT_EPOCH) !== this.epoch) return; // flush() forgets them all
    for (const p of [...this.pages.values()]) if (this.prune(p)) this.tookSecondChance(p); // (a copy: both reorder the map)
    // Pages whose functions chained to one another's blocks at least once every
    // MERGE_CHAIN_STEPS instructions since the last look: merged at the next flush.
    if (this.mergeBlocks && !this.async) {
      for (const p of this.pages.values()) {
        if (p.frags.length < 2) continue;
        const c = this.u32(chainCounter(p.page));
        if (c >= MERGE_CHAINS_MIN && c * MERGE_CHAIN_STEPS >= window) this.mergeWanted.add(p.page);
      }
    }
    new Uint32Array(this.memory.buffer, L.JIT_CHAINS, L.JIT_CHAIN_PAGES).fill(0);
  }

  /** Guest physical addresses of the pages with compiled code, coldest first. */
  compiledPages(): bigint[] {
    return [...this.pages.keys()].map((h) => BigInt(h - L.RAM_OFF) + L.DRAM_BASE);
  }

  /** Turns compilation off and forgets every compiled function (headers back to 0). */
  disable(): void {
    this.disabled = true;
    this.setU32(L.JIT_THRESHOLD, 0);
    this.setU32(L.JIT_PROBE, 0);
    this.setU32(L.JIT_QUEUED, 0);
    for (const page of [...this.pages.keys()]) this.evict(page);
  }

  stats(): JitStats {
    let blocks = 0, bytes = 0, functions = 0;
    for (const p of this.pages.values()) { for (const f of p.frags) blocks += f.blocks.length; functions += p.frags.length; bytes += p.bytes; }
    return {
      pages: this.pages.size, functions, blocks, installedBytes: bytes, ...this.counts,
      steps: this.view.getBigUint64(L.JIT_STEPS, true), calls: this.u32(L.JIT_CALLS), bails: this.u32(L.JIT_BAILS), returns: this.u32(L.JIT_RETURNS), declined: this.u32(L.JIT_DECLINED),
    };
  }

  /** Compiles the blocks the core queued, with the warm blocks of their pages. */
  flush(): void {
    const t0 = performance.now();
    const epoch = this.u32(L.JIT_EPOCH);
    if (epoch !== this.epoch) { // every block was dropped: every function is unreachable
      for (const p of this.pages.values()) { for (const f of p.frags) this.free.push(f.slot); forget(p); }
      this.pages.clear();
      this.epoch = epoch;
    }
    const queued = Math.min(this.u32(L.JIT_QUEUED), L.JIT_QUEUE_MAX);
    const hot = new Map<number, number[]>(); // page → its hot blocks not compiled yet
    for (let i = 0; i < queued; i++) {
      const b = this.u32(L.JIT_QUEUE + 4 * i);
      const tag = this.u32(b);
      if (tag === 0 || !this.reachable(b, tag) || this.u32(b + 12) !== 0 || this.inFlight.has(b)) continue;
      if (this.u32(b + 8) < BLOCK.QUEUED) { this.takeShared(b); continue; } // queued at sharedThreshold
      const page = tag & ~0xfff;
      const list = hot.get(page);
      if (list) { if (!list.includes(b)) list.push(b); } else hot.set(page, [b]);
    }
    this.setU32(L.JIT_QUEUED, 0);
    const merging = this.mergeWanted;
    this.mergeWanted = new Set();
    for (const page of merging) if (!hot.has(page) && this.pages.has(page)) hot.set(page, []);
    if (!hot.size) return;

    const pending: Pending[] = [];
    for (const [page, queuedBlocks] of hot) {
      const prev = this.pages.get(page);
      const compiled = prev !== undefined && this.prune(prev) ? this.liveBlocks(prev) : [];
      let blocks: number[] = [];
      const all = [...queuedBlocks, ...this.warmBlocks(page, queuedBlocks)];
      for (const b of all) {
        // A block compiles from its first instruction on if at all (codegen.ts compiledLength).
        if (compiles(readInsn(this.view, b + BLOCK.HEADER))) blocks.push(b); else this.markDone(b);
      }
      // A page whose functions chain to one another's blocks often (age) gets one function for
      // all its blocks (up to mergeBlocks), which replaces them: blocks of one function go on
      // to each other without leaving it. Not while compiling in the background, which installs
      // only blocks that were uncompiled when it started.
      let size = this.maxBlocks, merged = false;
      const merge = merging.has(page) ? compiled.length > 1 : prev?.merged === true && compiled.length > 0;
      if (merge && !this.async && compiled.length + blocks.length <= this.mergeBlocks) {
        blocks = [...compiled, ...blocks];
        size = this.mergeBlocks;
        merged = prev!.merged = true;
        this.counts.merges++;
      }
      if (!blocks.length) continue;
      blocks.sort((x, y) => this.u32(x) - this.u32(y));
      for (let i = 0; i < blocks.length; i += size) {
        const group = blocks.slice(i, i + size);
        // The code is a function of the blocks' addresses and decoded entries alone (and of the
        // memory's sharedness, and whether it is a merge's): hashing those finds another hart's
        // module without generating it.
        const key = keyOf([this.codeFlags, Uint8Array.of(merged ? 1 : 0, 0, 0, 0), ...group.map((b) => this.blockBytes(b))], group.map((b) => this.u32(b)));
        pending.push({ page, blocks: group, merged, key, blockKeys: group.map((b) => this.blockKey(b)) });
      }
    }
    // One module for every function no hart of the process has compiled yet.
    const fresh = pending.filter((p) => !shared.has(p.key));
    if (fresh.length) {
      this.counts.modules++;
      for (const p of fresh) this.counts.compiledBlocks += p.blocks.length;
      const bytes = encodePages(fresh.map((p) => ({ code: p.blocks.map((b) => readBlock(this.view, b)), merged: p.merged })), this.isShared());
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
      if (module) {
        this.counts.compiledBytes += bytes.length;
        rememberModule(fresh, this.tagsOf(fresh), module, bytes.length);
      } else this.compileLater(fresh, bytes);
    }
    for (const p of pending) {
      if (!shared.has(p.key)) continue; // compiling in the background
      if (!fresh.includes(p)) this.counts.sharedFunctions++;
      this.installShared(p.page, p.blocks, reuse(p.key)!);
    }
    this.counts.compileMs += performance.now() - t0;
  }

  /** The tags of the blocks of each function of `fresh`, as they are now. */
  private tagsOf(fresh: Pending[]): number[][] { return fresh.map((p) => p.blocks.map((b) => this.u32(b))); }

  /** What the code depends on besides the blocks: the memory's sharedness and the generator. */
  private get codeFlags(): Uint8Array {
    return this.flagBytes ??= new Uint8Array(Uint32Array.of(this.isShared() ? 1 : 0, CODEGEN_VERSION).buffer);
  }

  /** Block `b`'s header and decoded entries, as they lie in the core's memory. */
  private blockBytes(b: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, b, BLOCK.HEADER + BLOCK.ENTRY * this.view.getUint16(b + 4, true));
  }

  /** The key of block `b`'s code: its address and decoded entries (and codeFlags). */
  private blockKey(b: number): string { return keyOf([this.codeFlags, this.blockBytes(b)], [this.u32(b)]); }

  /**
   * Block `b` reached sharedThreshold: if a function of the process's cache holds it, and this
   * hart has every other block that function holds, uncompiled and decoded from the same code,
   * they all take it. Otherwise `b` goes on counting to the threshold.
   */
  private takeShared(b: number): void {
    const fk = functionOf.get(this.blockKey(b));
    const s = fk === undefined ? undefined : shared.get(fk);
    if (!s) return;
    const blocks: number[] = [];
    for (const sb of s.blocks) {
      const x = this.u32(this.slotOf(sb.tag));
      if (x === 0 || this.u32(x) !== sb.tag || this.u32(x + 12) !== 0 || this.inFlight.has(x) || this.blockKey(x) !== sb.key) return;
      blocks.push(x);
    }
    const page = this.u32(b) & ~0xfff;
    const prev = this.pages.get(page);
    if (prev) this.prune(prev);
    reuse(fk!);
    this.counts.sharedFunctions++;
    this.installShared(page, blocks, s);
  }

  private installShared(page: number, blocks: number[], s: Shared): void {
    let inst = this.instances.get(s.module);
    if (!inst) {
      inst = new WebAssembly.Instance(s.module, { env: { memory: this.memory, table: this.table, refill: this.refill } });
      this.instances.set(s.module, inst);
    }
    this.install(page, blocks, inst.exports[s.name] as Function, s.bytes);
  }

  /**
   * Compiles off the calling thread (WebAssembly.compile) and installs each function whose
   * blocks are all still there, unchanged and uncompiled, when it is done; the others (all of
   * them if the compile fails) are left to be queued again.
   */
  private compileLater(fresh: Pending[], bytes: Uint8Array<ArrayBuffer>): void {
    const epoch = this.epoch;
    const tags = this.tagsOf(fresh); // as compiled: a block may be dropped and replaced meanwhile
    for (const p of fresh) for (const b of p.blocks) this.inFlight.add(b);
    this.background++;
    const done = () => {
      for (const p of fresh) for (const b of p.blocks) this.inFlight.delete(b);
      this.background--;
    };
    WebAssembly.compile(bytes).then((module) => {
      done();
      rememberModule(fresh, tags, module, bytes.length);
      this.counts.compiledBytes += bytes.length;
      if (this.disabled || this.u32(L.JIT_EPOCH) !== epoch) return;
      const t0 = performance.now();
      fresh.forEach((p, i) => {
        const intact = p.blocks.every((b, j) => this.u32(b) === tags[i][j] && this.reachable(b, tags[i][j]) && this.u32(b + 12) === 0);
        const s = intact ? shared.get(p.key) : undefined;
        if (s) this.installShared(p.page, p.blocks, s);
        else this.requeue(p.blocks, tags[i]);
      });
      this.counts.compileMs += performance.now() - t0;
    }, () => { // not expected (the same code compiles synchronously in the tests)
      done();
      fresh.forEach((p, i) => this.requeue(p.blocks, tags[i]));
    });
  }

  /** Blocks that were to be compiled and were not: those still there count again from 0. */
  private requeue(blocks: number[], tags: number[]): void {
    blocks.forEach((b, j) => { if (this.u32(b) === tags[j] && this.u32(b + 12) === 0) this.setU32(b + 8, 0); });
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

  /** The blocks page `p`'s functions hold that are still there, compiled in them. */
  private liveBlocks(p: Page): number[] {
    const out: number[] = [];
    for (const f of p.frags) f.blocks.forEach((b, j) => { if (this.names(f, j) && this.reachable(b, f.tags[j])) out.push(b); });
    return out;
  }

  /**
   * The uncompiled blocks of the page at host address `page`, other than `hot`, entered at
   * least WARM_SHARE of the threshold times: a loop's other blocks when its first became hot.
   */
  private warmBlocks(page: number, hot: number[]): number[] {
    const out: number[] = [];
    const first = this.slotOf(page);
    if (first < L.SLOT_POOL + L.SLOT_ARRAY_BYTES) return out; // no slot array: no blocks
    const warm = Math.max(1, Math.floor(this.threshold * WARM_SHARE));
    for (let i = 0; i < 2048; i++) {
      const b = this.u32(first + 4 * i);
      if (b === 0 || this.u32(b) !== page + 2 * i || this.u32(b + 12) !== 0 || this.inFlight.has(b)) continue;
      const hits = this.u32(b + 8);
      if (hits >= warm && hits < BLOCK.QUEUED && !hot.includes(b)) out.push(b);
    }
    return out;
  }

  /** Whether block `b` of function `f` (its j-th) still names it. */
  private names(f: Frag, j: number): boolean {
    const b = f.blocks[j];
    return this.u32(b) === f.tags[j] && this.u32(b + 12) === f.slot;
  }

  /**
   * Frees the functions of `p` that no block names any more (the core dropped or uncompiled
   * them: blocks.ts uncompilePage); forgets the page when none is left. Whether any is left.
   */
  private prune(p: Page): boolean {
    const live = p.frags.filter((f) => f.blocks.some((_, j) => this.names(f, j)));
    if (live.length === p.frags.length) return true;
    for (const f of p.frags) if (!live.includes(f)) { this.free.push(f.slot); p.bytes -= f.bytes; if (installed.has(p)) installedBytes -= f.bytes; }
    p.frags = live;
    if (live.length) return true;
    this.pages.delete(p.page);
    forget(p);
    return false;
  }

  /** Block `b` will not be compiled: keep the core from queueing it again. */
  private markDone(b: number): void { this.setU32(b + 8, BLOCK.QUEUED); }

  private install(page: number, blocks: number[], fn: Function, bytes: number): void {
    const slot = this.free.pop() ?? this.growTable();
    this.table.set(slot, fn as never);
    // +8 (the hotness count while uncompiled) becomes the block's ordinal in the function.
    blocks.forEach((b, j) => { this.setU32(b + 12, slot); this.setU32(b + 8, j); });
    let p = this.pages.get(page);
    if (p) this.counts.recompiles++;
    else {
      p = { page, frags: [], bytes: 0, owner: this.self };
      this.pages.set(page, p);
      installed.add(p);
    }
    p.frags.push({ slot, blocks, tags: blocks.map((b) => this.u32(b)), bytes });
    p.bytes += bytes;
    installedBytes += bytes;
    this.prune(p); // the functions a merge replaced name no block now
    evictColdest(this.pages.values(), this.pages.size, () => this.pages.size > this.maxPages, p);
    trimProcess(p);
  }

  /**
   * A new slot of the function table, which grows by half its size at a time (at least
   * TABLE_GROWTH): V8 updates every instance that imports the table on each grow, so one slot
   * at a time costs in proportion to the modules installed, for every function installed.
   */
  private growTable(): number {
    const at = this.table.grow(Math.max(TABLE_GROWTH, this.table.length >>> 1));
    for (let i = this.table.length - 1; i > at; i--) this.free.push(i); // handed out lowest first
    return at;
  }

  /**
   * Whether page `p`'s code ran since it was last looked at (PAGE_RAN, set by its functions): if
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

  /** Forgets the page's functions: its reachable blocks go back to the interpreter. */
  evict(page: number): void {
    const p = this.pages.get(page);
    if (!p) return;
    for (const f of p.frags) {
      f.blocks.forEach((b, j) => { if (this.names(f, j) && this.reachable(b, f.tags[j])) { this.setU32(b + 12, 0); this.setU32(b + 8, 0); } });
      this.free.push(f.slot);
    }
    this.pages.delete(page);
    forget(p);
    this.counts.evictions++;
  }
}

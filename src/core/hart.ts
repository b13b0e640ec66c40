// TypeScript face of one core instance: instantiation with a host-owned memory, typed access
// to the state the core keeps at fixed linear-memory offsets, and run slices.
// Browser-safe: no Node APIs here; the compiled module is passed in.
import { defaultJit, Jit, type JitOptions } from "../jit/jit.js";
import { instantiateSync } from "@assemblyscript/loader";
import { EXIT, L, PARA, SOURCE_HASH, type CoreFunctions } from "./abi.gen.js";

/** Why run() returned. */
export enum Exit {
  /** The instruction budget is spent. */
  Budget = EXIT.BUDGET,
  /** WFI with nothing pending: wait for an interrupt (the timer deadline is `mtimecmp`). */
  Idle = EXIT.IDLE,
  /** The guest wrote an HTIF command to tohost. */
  Htif = EXIT.HTIF,
  /** The hart cannot continue. */
  Fatal = EXIT.FATAL,
  /** A device called `Hart.requestExit()` during an access (e.g. a power-off register), or a hypercall asked to leave. */
  Host = EXIT.HOST,
  /** Para mode with hypercalls as exits: an S-mode ECALL waits at pc for the host's answer. */
  Sbi = EXIT.SBI,
  /** Container mode (para "user"): a U-mode trap waits at pc; its cause in exitInfo, its value in mtval. */
  Trap = EXIT.TRAP,
}

/** How S-mode ECALLs reach the host in para mode (see assembly/state.ts PARA_*). */
/** off: traps go to the guest's M-mode; import/exit: SBI hypercalls; user: a container (src/container). */
export type ParaMode = "off" | "import" | "exit" | "user";

/** Statistics the core keeps (since reset or clearStats()). */
export interface CoreStats {
  stepsU: number; stepsS: number; stepsM: number;
  exceptions: number; interrupts: number; hypercalls: number;
}

export const PRIV_U = 0;
export const PRIV_S = 1;
export const PRIV_M = 3;

/** Physical base of guest RAM (as on QEMU `virt`). */
export const DRAM_BASE = Number(L.DRAM_BASE);
/** Time base of mtime/time: 10 MHz. */
export const TIMEBASE_HZ = 10_000_000;

/**
 * Device registers outside the core, one call per guest access (1, 2, 4 or 8 bytes). `read`
 * returns the value zero-extended (8-byte values at most 53 bits); `write` gets the low and
 * high 32 bits. Either may call Hart.busError() to fault the access.
 */
export interface MmioHandler {
  read(pa: number, size: number): number;
  write(pa: number, size: number, lo: number, hi: number): void;
}

export interface HartOptions {
  /** Guest RAM in bytes (a multiple of 4 KiB, at most 2 GiB: the core's per-page tables are sized for that). */
  memSize: number;
  hartId?: number;
  /** mtime source in 10 MHz ticks; defaults to wall-clock time since creation. */
  clock?: () => number;
  /** Device accesses that are neither RAM nor the in-core CLINT; default: bus error. */
  mmio?: MmioHandler;
  /**
   * Para mode: answers an S-mode ECALL (registers a0-a7 through x()/setX()); returns the
   * SBI_* flags of assembly/state.ts (1 timer changed, 2 end the block, 4 leave run()).
   */
  sbi?: () => number;
  /** The JIT (src/jit/): options, or false for the interpreter alone; default setDefaultJit()'s. */
  jit?: JitOptions | false;
}

interface CoreExports extends CoreFunctions {
  memory: WebAssembly.Memory;
  table: WebAssembly.Table;
  SOURCE_HASH: WebAssembly.Global;
}

export const MAX_MEM = 2 ** 31;
const RAM_OFF = L.RAM_OFF;

/** build/core.wasm was built from other assembly/ sources than the host's interface. */
export class StaleCoreError extends Error {}

/** One RISC-V hart with its RAM, in its own Wasm instance and memory. */
export class Hart {
  readonly memory: WebAssembly.Memory;
  readonly memSize: number;
  private readonly core: CoreExports;
  private readonly view: DataView;
  private readonly ramOff: number;
  // Whether guest RAM may hold anything but zeros (see clearRam).
  private ramTouched = false;
  private mmio: MmioHandler | undefined;
  /** The hypercall handler of para mode. */
  sbi: (() => number) | undefined;
  /** The JIT compiling this hart's hot code, if it is on. */
  readonly jit: Jit | undefined;

  constructor(module: WebAssembly.Module, options: HartOptions) {
    const { memSize } = options;
    if (!Number.isInteger(memSize) || memSize <= 0 || memSize % 4096 !== 0 || memSize > MAX_MEM) {
      throw new RangeError(`guest memory must be a positive multiple of 4 KiB up to 2 GiB, got ${memSize}`);
    }
    this.memSize = memSize;
    const start = typeof performance !== "undefined" ? performance.now() : Date.now();
    const clock = options.clock ?? (() => Math.floor((performance.now() - start) * (TIMEBASE_HZ / 1000)));
    this.mmio = options.mmio;
    this.sbi = options.sbi;
    // Linear address of guest RAM in the core's layout (assembly/layout.ts RAM_OFF); the memory
    // must exist before instantiation, so it is sized from this value and checked after.
    const ramOff = RAM_OFF;
    const pages = Math.ceil((ramOff + memSize) / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const imports = {
      env: {
        memory: this.memory,
        hostClock: () => clock(),
        mmioRead: (pa: number, size: number) => {
          if (!this.mmio) { this.core.mmioFault(); return 0; }
          return this.mmio.read(pa, size);
        },
        mmioWrite: (pa: number, size: number, lo: number, hi: number) => {
          if (!this.mmio) { this.core.mmioFault(); return; }
          this.mmio.write(pa, size, lo >>> 0, hi >>> 0);
        },
        sbiCall: () => (this.sbi ? this.sbi() : 0),
      },
    };
    const { exports, instance } = instantiateSync<Record<string, unknown>>(module, imports);
    this.core = exports as unknown as CoreExports;
    const built = this.core.SOURCE_HASH instanceof WebAssembly.Global ? Number(this.core.SOURCE_HASH.value) >>> 0 : -1;
    if (built !== SOURCE_HASH) {
      throw new StaleCoreError(`build/core.wasm is stale: built from other assembly/ sources (0x${built.toString(16)}, expected 0x${SOURCE_HASH.toString(16)}); run npm run build:core`);
    }
    this.ramOff = ramOff;
    this.view = new DataView(this.memory.buffer);
    this.core.reset(BigInt(DRAM_BASE), memSize, BigInt(options.hartId ?? 0));
    const jit = options.jit ?? defaultJit();
    this.jit = jit === false ? undefined : new Jit(this.memory, this.core.table, instance.exports.jitRefill as Function, jit);
  }

  /** From inside MmioHandler.read/write: the access is a bus error (the guest takes an access fault). */
  busError(): void { this.core.mmioFault(); }

  /** From inside MmioHandler.write: make run() return Exit.Host after the current instruction. */
  requestExit(): void { this.core.requestExit(); }

  /** Current mtime in 10 MHz ticks (the host clock plus the guest's adjustments). */
  get mtime(): bigint { return BigInt.asUintN(64, this.core.mtime()); }
  /** Makes mtime read `v` now and count on from there (snapshot restore). */
  set mtime(v: bigint) { this.core.setMtime(BigInt.asUintN(64, v)); }

  /** Sets the device handler for physical addresses outside RAM and the CLINT. */
  setMmio(handler: MmioHandler | undefined): void { this.mmio = handler; }

  /** Resets the hart to M-mode at `pc`; RAM keeps its contents. */
  reset(pc: bigint | number, hartId = 0): void {
    this.core.reset(BigInt(pc), this.memSize, BigInt(hartId));
  }

  /** Runs at most `budget` instructions (keep slices near 1e5–1e6, see DESIGN.md). */
  run(budget: number): Exit {
    this.ramTouched = true;
    const exit = this.core.run(budget >>> 0) as Exit;
    this.jit?.afterRun();
    return exit;
  }

  private u64(off: number): bigint { return this.view.getBigUint64(off, true); }

  get pc(): bigint { return this.u64(L.S_PC); }
  set pc(v: bigint) { this.view.setBigUint64(L.S_PC, BigInt.asUintN(64, v), true); }
  /** Why run() returned Fatal or Trap: the trap's cause (mcause layout). */
  get exitInfo(): bigint { return this.u64(L.S_EXIT_INFO); }
  /** exitInfo's exception code as a number (an exception's: the interrupt bit is never set). */
  get exitCause(): number { return this.view.getUint32(L.S_EXIT_INFO, true) & 0xfff; }
  /** The value (mtval) of the trap that ended run() with Trap: the faulting address, say. */
  get exitValue(): bigint { return this.u64(L.S_MTVAL); }
  get priv(): number { return Number(this.u64(L.S_PRIV)); }
  /** Sets the privilege mode (e.g. to start a paravirtual kernel in S-mode). */
  set priv(p: number) {
    if (p !== PRIV_U && p !== PRIV_S && p !== PRIV_M) throw new RangeError(`no privilege mode ${p}`);
    this.core.setPrivilege(p);
  }
  /** Instructions executed (minstret before any CSR write to it). */
  get instret(): bigint { return this.u64(L.S_INSTRET); }
  /**
   * Instructions executed, including those that raised an exception (which do not retire):
   * what run() budgets count. A number, read without allocating (exact below 2^53).
   */
  get steps(): number {
    const o = L.S_STEPS;
    return this.view.getUint32(o, true) + this.view.getUint32(o + 4, true) * 4294967296;
  }
  /** True while the hart waits in WFI. */
  get waiting(): boolean { return this.u64(L.S_WFI) !== 0n; }
  get mtimecmp(): bigint { return this.u64(L.S_MTIMECMP); }
  /**
   * The earliest timer compare value in force: mtimecmp, stimecmp while Sstc is on, and the
   * SBI deadline in para mode.
   */
  get timerCompare(): bigint {
    let m = this.u64(L.S_MTIMECMP);
    if ((this.u64(L.S_MENVCFG) >> 63n) !== 0n) { const s = this.u64(L.S_STIMECMP); if (s < m) m = s; }
    if (this.u64(L.S_PARA) !== 0n) { const s = this.u64(L.S_SBI_TIMECMP); if (s < m) m = s; }
    return m;
  }
  /**
   * The next timer deadline in ticks, without allocating: the earliest of mtimecmp, stimecmp
   * when Sstc is enabled (menvcfg.STCE) and the SBI deadline in para mode. Infinity when it is
   * 2^53 or more (no deadline).
   */
  get deadline(): number {
    let m = this.num53(L.S_MTIMECMP);
    if ((this.view.getUint32(L.S_MENVCFG + 4, true) >>> 31) !== 0) m = Math.min(m, this.num53(L.S_STIMECMP));
    if (this.view.getUint32(L.S_PARA, true) !== 0) m = Math.min(m, this.num53(L.S_SBI_TIMECMP));
    return m;
  }

  private num53(o: number): number {
    const hi = this.view.getUint32(o + 4, true);
    return hi >= 0x200000 ? Infinity : hi * 4294967296 + this.view.getUint32(o, true);
  }

  /** Para mode: how S-mode ECALLs reach the host ("off": they trap, as on hardware). */
  setPara(mode: ParaMode): void { this.core.setPara(PARA[mode.toUpperCase() as "OFF" | "IMPORT" | "EXIT" | "USER"]); }
  get para(): ParaMode { return (["off", "import", "exit", "user"] as const)[this.num53(L.S_PARA)]; }
  /** Para mode: the SBI TIME deadline (ticks); STIP is raised once mtime reaches it. */
  setSbiTimer(t: bigint): void { this.core.setSbiTimer(BigInt.asUintN(64, t)); }
  get sbiTimer(): bigint { return this.u64(L.S_SBI_TIMECMP); }
  /** Forgets all cached translations (remote SFENCE.VMA). */
  flushTlb(): void { this.core.flushTlb(); }
  /** Raises or clears SSIP (an IPI). */
  setSoftIrq(on: boolean): void { this.core.setSoftIrq(on ? 1 : 0); }
  /** Wait in WFI (SBI HSM retentive suspend). */
  set waiting(on: boolean) { this.view.setBigUint64(L.S_WFI, on ? 1n : 0n, true); }

  /** Statistics since reset (or clearStats()). */
  stats(): CoreStats {
    const n = (o: number) => this.view.getUint32(o, true) + this.view.getUint32(o + 4, true) * 4294967296;
    return { stepsU: n(L.ST_STEPS_U), stepsS: n(L.ST_STEPS_S), stepsM: n(L.ST_STEPS_M),
      exceptions: n(L.ST_EXCEPTIONS), interrupts: n(L.ST_INTERRUPTS), hypercalls: n(L.ST_HYPERCALLS) };
  }
  clearStats(): void { this.core.clearStats(); }

  /** Where the core emulates the CLINT (the board's address table must agree). */
  get clintBase(): number { return Number(L.CLINT_BASE); }
  get clintSize(): number { return Number(L.CLINT_SIZE); }

  x(i: number): bigint {
    if (i === 0) return 0n;
    return this.view.getBigUint64(L.X_BASE + i * 8, true);
  }

  /**
   * x`i` as a number, without allocating: exact while the value is a safe integer read as
   * signed (a system-call number, a small result); hot paths use it instead of x().
   */
  xNumber(i: number): number {
    if (i === 0) return 0;
    const o = L.X_BASE + i * 8;
    return this.view.getUint32(o, true) + this.view.getInt32(o + 4, true) * 4294967296;
  }
  /** Sets x`i` to the safe integer `v` (two's complement), without allocating. */
  setXNumber(i: number, v: number): void {
    if (i <= 0 || i > 31) return;
    const hi = Math.floor(v / 4294967296);
    const o = L.X_BASE + i * 8;
    this.view.setUint32(o, v - hi * 4294967296, true);
    this.view.setUint32(o + 4, hi >>> 0, true);
  }
  /** pc += n, without allocating (an ECALL answered: the next instruction). */
  advancePc(n: number): void {
    const lo = this.view.getUint32(L.S_PC, true) + n;
    this.view.setUint32(L.S_PC, lo >>> 0, true);
    if (lo > 0xffffffff) this.view.setUint32(L.S_PC + 4, (this.view.getUint32(L.S_PC + 4, true) + 1) >>> 0, true);
  }

  /** Floating-point register f`i` (raw 64 bits, NaN-boxed singles as stored). */
  f(i: number): bigint { return this.view.getBigUint64(L.F_BASE + i * 8, true); }
  setX(i: number, v: bigint): void {
    if (i <= 0 || i > 31) return;
    this.view.setBigUint64(L.X_BASE + i * 8, BigInt.asUintN(64, v), true);
  }

  /** Reads a CSR with the current privilege's rights; undefined if that access is illegal. */
  csr(num: number): bigint | undefined {
    const v = BigInt.asUintN(64, this.core.debugCsrRead(num));
    return this.core.csrAccessFailed() ? undefined : v;
  }
  /** Writes a CSR as CSRRW would at the current privilege; false if illegal. */
  writeCsr(num: number, v: bigint): boolean {
    return this.core.debugCsrWrite(num, BigInt.asUintN(64, v)) !== 0;
  }

  /** Guest RAM as bytes; index 0 is physical DRAM_BASE. Call invalidate() after writing code. */
  get ram(): Uint8Array { this.ramTouched = true; return this.ramBytes(); }

  /**
   * Guest RAM for the board's devices, which write it only while the guest runs (DMA, HTIF and
   * hypercall replies): taking it does not count as touching RAM (see clearRam).
   */
  deviceRam(): Uint8Array { return this.ramBytes(); }

  private ramBytes(): Uint8Array { return new Uint8Array(this.memory.buffer, this.ramOff, this.memSize); }

  /**
   * Zeroes guest RAM. A hart whose RAM nothing has run on or written to yet skips it: a new
   * memory is zero, and filling it would make the host commit every page (170 ms and all of the
   * RAM for a 256 MiB VM) before the guest has touched one.
   */
  clearRam(): void {
    if (this.ramTouched) {
      this.ramBytes().fill(0);
      // A host write the core must hear of when it logs dirty pages (every page counts as written).
      if (this.logging) this.invalidate(DRAM_BASE, this.memSize);
    }
    this.ramTouched = false;
  }

  /** True if [pa, pa+len) is guest RAM. */
  isRam(pa: number, len: number): boolean {
    return pa >= DRAM_BASE && len >= 0 && pa + len <= DRAM_BASE + this.memSize;
  }

  /** Copies `bytes` into guest physical memory and drops any decoded code there. */
  writePhys(pa: number, bytes: Uint8Array): void {
    if (!this.isRam(pa, bytes.length)) {
      throw new RangeError(`physical range 0x${pa.toString(16)}+${bytes.length} is outside guest RAM`);
    }
    this.ram.set(bytes, pa - DRAM_BASE);
    this.invalidate(pa, bytes.length);
  }

  readPhys(pa: number, len: number): Uint8Array {
    if (!this.isRam(pa, len)) {
      throw new RangeError(`physical range 0x${pa.toString(16)}+${len} is outside guest RAM`);
    }
    return this.ramBytes().slice(pa - DRAM_BASE, pa - DRAM_BASE + len);
  }

  readPhys64(pa: number): bigint { return this.view.getBigUint64(this.ramOff + pa - DRAM_BASE, true); }
  writePhys64(pa: number, v: bigint): void {
    this.ramTouched = true;
    this.view.setBigUint64(this.ramOff + pa - DRAM_BASE, BigInt.asUintN(64, v), true);
    this.invalidate(pa, 8);
  }

  /** The host changed guest RAM in [pa, pa+len): forget decoded instructions there. */
  invalidate(pa: number, len: number): void { this.core.invalidateRange(BigInt(pa), len); }

  /**
   * The dirty-page log of live migration and Diff snapshots: on, every RAM page the guest or a
   * device writes from now on is logged (assembly/mmu.ts); off, nothing is.
   */
  dirtyLog(on: boolean): void { this.core.dirtyLog(on ? 1 : 0); this.logging = on; }
  private logging = false;
  /** Whether the dirty-page log is on. */
  get dirtyLogging(): boolean { return this.logging; }

  /**
   * The RAM pages (indexes from DRAM_BASE, ascending) written since the log was turned on or
   * last taken; the log starts over. Call between runs.
   */
  takeDirtyPages(): Uint32Array {
    const pages = this.memSize / 4096;
    const words = new Uint32Array(this.memory.buffer, L.DIRTY_LOG, Math.ceil(pages / 32));
    let n = 0;
    for (let i = 0; i < words.length; i++) { let w = words[i]; while (w) { n++; w &= w - 1; } }
    const out = new Uint32Array(n);
    let k = 0;
    for (let i = 0; i < words.length; i++) {
      let w = words[i];
      while (w) {
        const bit = 31 - Math.clz32(w & -w);
        out[k++] = i * 32 + bit;
        w &= w - 1;
      }
    }
    this.core.dirtyLogRestart();
    return out;
  }

  /** HTIF mailboxes (physical addresses; 0 = none). A guest store to tohost exits run(). */
  setHtif(tohost: number, fromhost: number): void { this.core.setHtif(BigInt(tohost), BigInt(fromhost)); }

  setExternalIrq(meip: boolean, seip: boolean): void { this.core.setExternalIrq(meip ? 1 : 0, seip ? 1 : 0); }

  /** Reads virtual memory without side effects; undefined if unmapped or not RAM. */
  peek(va: bigint, size: 1 | 2 | 4 | 8, fetch = false): bigint | undefined {
    const v = this.core.peek(BigInt.asUintN(64, va), size, fetch ? 1 : 0);
    return v < 0n ? undefined : v;
  }

  /** Architectural state (registers, CSRs, timer), to be saved with RAM. */
  saveState(): Uint8Array { return new Uint8Array(this.memory.buffer, 0, L.STATE_END).slice(); }

  /**
   * Checks a saved state block against this hart before it is used: its size, and the fields
   * the core trusts to address memory or dispatch (RAM size, privilege, para mode). Throws a
   * RangeError saying what is wrong.
   */
  checkState(state: Uint8Array): void {
    if (state.length !== L.STATE_END) throw new RangeError(`hart state is ${state.length} bytes, expected ${L.STATE_END}`);
    const v = new DataView(state.buffer, state.byteOffset, state.byteLength);
    const u64 = (o: number) => v.getBigUint64(o, true);
    if (u64(L.S_RAM_SIZE) !== BigInt(this.memSize)) throw new RangeError(`hart state: RAM size ${u64(L.S_RAM_SIZE)} is not this hart's ${this.memSize}`);
    const p = u64(L.S_PRIV);
    if (p !== 0n && p !== 1n && p !== 3n) throw new RangeError(`hart state: privilege ${p} does not exist`);
    if (u64(L.S_PARA) > BigInt(PARA.USER)) throw new RangeError(`hart state: para mode ${u64(L.S_PARA)} does not exist`);
    if (u64(L.S_WFI) > 1n) throw new RangeError("hart state: WFI flag out of range");
    const tohost = u64(L.S_TOHOST);
    if (tohost !== 0n && (tohost % 8n !== 0n || tohost < BigInt(DRAM_BASE) || tohost + 8n > BigInt(DRAM_BASE + this.memSize))) {
      throw new RangeError("hart state: HTIF tohost outside RAM");
    }
  }

  restoreState(state: Uint8Array): void {
    this.checkState(state);
    new Uint8Array(this.memory.buffer, 0, state.length).set(state);
    this.core.afterRestore();
  }
}

// Fixed linear-memory layout of one hart. The host owns the memory (it is imported) and
// reads/writes state at these offsets; they are exported as globals so the TypeScript side
// never hard-codes them. Everything architectural lives here so a snapshot is a byte copy.

// Integer registers x0..x31 at 8-byte stride, plus x32: a sink that decoded instructions use
// as their destination when rd = x0, so x0 stays zero without a branch on every write.
export const X_BASE: u32 = 0x0000;
export const X_SINK: u32 = 32;
// Floating-point registers f0..f31 (reserved for the F/D extensions).
export const F_BASE: u32 = 0x0200;

// Scalar hart state, 8 bytes each.
export const S_BASE: u32 = 0x0400;
export const S_PC: u32 = S_BASE + 0x000;
export const S_PRIV: u32 = S_BASE + 0x008;
export const S_MSTATUS: u32 = S_BASE + 0x010;
export const S_MEDELEG: u32 = S_BASE + 0x018;
export const S_MIDELEG: u32 = S_BASE + 0x020;
export const S_MIE: u32 = S_BASE + 0x028;
export const S_MIP: u32 = S_BASE + 0x030; // software-writable bits (SSIP, STIP, SEIP)
export const S_MIP_HW: u32 = S_BASE + 0x038; // lines driven by devices (MSIP, MTIP, MEIP, SEIP)
export const S_MTVEC: u32 = S_BASE + 0x040;
export const S_MEPC: u32 = S_BASE + 0x048;
export const S_MCAUSE: u32 = S_BASE + 0x050;
export const S_MTVAL: u32 = S_BASE + 0x058;
export const S_MSCRATCH: u32 = S_BASE + 0x060;
export const S_STVEC: u32 = S_BASE + 0x068;
export const S_SEPC: u32 = S_BASE + 0x070;
export const S_SCAUSE: u32 = S_BASE + 0x078;
export const S_STVAL: u32 = S_BASE + 0x080;
export const S_SSCRATCH: u32 = S_BASE + 0x088;
export const S_SATP: u32 = S_BASE + 0x090;
export const S_MCOUNTEREN: u32 = S_BASE + 0x098;
export const S_SCOUNTEREN: u32 = S_BASE + 0x0a0;
export const S_MENVCFG: u32 = S_BASE + 0x0a8;
export const S_SENVCFG: u32 = S_BASE + 0x0b0;
export const S_MCOUNTINHIBIT: u32 = S_BASE + 0x0b8;
export const S_INSTRET: u32 = S_BASE + 0x0c0; // retired-instruction counter (minstret)
export const S_CYCLE_ADJ: u32 = S_BASE + 0x0c8; // mcycle = instret + adj (one cycle per instruction)
export const S_INSTRET_ADJ: u32 = S_BASE + 0x0d0; // minstret = instret + adj (after CSR writes)
export const S_MTIMECMP: u32 = S_BASE + 0x0d8;
export const S_MTIME_ADJ: u32 = S_BASE + 0x0e0; // mtime = host clock + adj
export const S_MHARTID: u32 = S_BASE + 0x0e8;
export const S_RES_ADDR: u32 = S_BASE + 0x0f0; // LR/SC reservation (physical), RES_NONE if none
export const S_TOHOST: u32 = S_BASE + 0x0f8; // HTIF tohost physical address (0: none)
export const S_FROMHOST: u32 = S_BASE + 0x100;
export const S_FCSR: u32 = S_BASE + 0x108;
export const S_TSELECT: u32 = S_BASE + 0x110;
export const S_WFI: u32 = S_BASE + 0x118; // 1 while the hart waits for an interrupt
export const S_RAM_SIZE: u32 = S_BASE + 0x120;
export const S_EXIT_INFO: u32 = S_BASE + 0x128; // detail of the last exit (e.g. fatal cause)
// Instructions executed including those that trapped: what budgets, instruction limits and a
// virtual clock count (minstret leaves trapping instructions out, so a trap loop would stall it).
export const S_STEPS: u32 = S_BASE + 0x130;
export const S_STIMECMP: u32 = S_BASE + 0x138; // Sstc supervisor timer compare
// mcycle / minstret values held while mcountinhibit.CY / .IR stops them.
export const S_CY_HOLD: u32 = S_BASE + 0x140;
export const S_IR_HOLD: u32 = S_BASE + 0x148;
// Virtual address of the LR/SC reservation (S_RES_ADDR holds its physical address): an SC to
// another address fails without translating, as QEMU does, so it raises no page fault.
export const S_RES_VA: u32 = S_BASE + 0x150;
// Paravirtual mode (PARA_* in state.ts): S-mode ECALL is a hypercall answered by the host.
export const S_PARA: u32 = S_BASE + 0x158;
// The SBI TIME deadline in para mode: STIP is raised while mtime >= this.
export const S_SBI_TIMECMP: u32 = S_BASE + 0x160;
export const PMPCFG_BASE: u32 = 0x0600; // pmpcfg0,2,..,14 (8 × 8 bytes)
export const PMPADDR_BASE: u32 = 0x0640; // pmpaddr0..63 (64 × 8 bytes)
export const STATE_END: u32 = 0x0840; // architectural state: [0, STATE_END) is what a snapshot saves

// u32: the FP state the interpreter's fast paths rely on (interp.ts fpModeNow), kept in memory
// rather than in a local of its loop, where it would cost integer code a register.
export const FP_MODE: u32 = 0x0840;

// Scratch block (32-byte header + one entry) for an instruction that crosses a page: never cached.
export const SCRATCH_BLOCK: u32 = 0x0900;

// The JIT interface (src/jit/): the host compiles hot blocks into Wasm functions of the core's
// function table and writes their table index into the block headers (blocks.ts).
export const JIT_CTL: u32 = 0x0940;
// u32: entries into an uncompiled block before it is queued for the host; 0: the JIT is off.
export const JIT_THRESHOLD: u32 = JIT_CTL + 0x00;
export const JIT_QUEUED: u32 = JIT_CTL + 0x04; // u32: blocks in JIT_QUEUE
export const JIT_EPOCH: u32 = JIT_CTL + 0x08; // u32: bumped whenever every block is dropped
export const JIT_CALLS: u32 = JIT_CTL + 0x0c; // u32: compiled calls that ran (statistics, wraps)
export const JIT_NEXT_PC: u32 = JIT_CTL + 0x10; // u64: the pc a compiled call left off at
export const JIT_STEPS: u32 = JIT_CTL + 0x18; // u64: instructions run by compiled code
export const JIT_BAILS: u32 = JIT_CTL + 0x20; // u32: compiled calls left at an instruction they do not run (wraps)
export const JIT_DECLINED: u32 = JIT_CTL + 0x24; // u32: compiled calls that could not start (budget, dropped block)
// u32: entries at which a block is also queued, uncounted, for the host to look for its compiled
// code in the process's cache (another hart compiled it); 0: never
export const JIT_PROBE: u32 = JIT_CTL + 0x28;
export const JIT_RETURNS: u32 = JIT_CTL + 0x2c; // u32: compiled calls that came back to their compiled caller (wraps)
// The return address a compiled function is called with by the interpreter, where no compiled
// caller waits for its return (src/jit/codegen.ts emitCall): odd, so no jump target equals it.
export const JIT_NO_RETURN: u64 = 1;
export const JIT_QUEUE: u32 = 0x0980; // u32 block addresses
export const JIT_QUEUE_MAX: u32 = 32;

// Statistics for the host (not architectural, not saved): steps by the privilege they ran in
// (indexed by priv * 8: U, S, -, M), exceptions and interrupts taken, hypercalls.
export const STATS_BASE: u32 = 0x0a00;
export const ST_STEPS_U: u32 = STATS_BASE + 0x00;
export const ST_STEPS_S: u32 = STATS_BASE + 0x08;
export const ST_STEPS_M: u32 = STATS_BASE + 0x18;
export const ST_EXCEPTIONS: u32 = STATS_BASE + 0x20;
export const ST_INTERRUPTS: u32 = STATS_BASE + 0x28;
export const ST_HYPERCALLS: u32 = STATS_BASE + 0x30;
export const STATS_END: u32 = STATS_BASE + 0x38;

// PMP ranges derived from the pmpcfg/pmpaddr CSRs (pmp.ts): 16 entries x 24 bytes.
export const PMP_TABLE: u32 = 0x1000;

// TLBs: 3 privilege sets (U, S, M) × 3 access kinds (fetch, load, store), 256 entries each.
// An entry is { tag: page-aligned VA (or TLB_INVALID), delta: host address - VA }.
export const TLB_BASE: u32 = 0x10000;
export const TLB_ENTRIES: u32 = 256;
export const TLB_KIND_BYTES: u32 = TLB_ENTRIES * 16;
export const TLB_SET_BYTES: u32 = 3 * TLB_KIND_BYTES;
export const TLB_END: u32 = TLB_BASE + 3 * TLB_SET_BYTES;
export const TLB_INVALID: u64 = 0xfff; // never equals (va & (~0xfff | (size - 1)))

// u32 per RAM page number modulo JIT_CHAIN_PAGES: lookups compiled code made for a jump into its
// own page that no direct branch covers (src/jit/codegen.ts chainCounter), read and cleared by
// the JIT (src/jit/jit.ts), which merges a page's functions into one when they chain among
// themselves often. Pages that share a counter only merge sooner.
// (Below 0x30000, asconfig.json's memoryBase, where the core's own static data begins.)
export const JIT_CHAINS: u32 = 0x20000;
export const JIT_CHAIN_PAGES: u32 = 2048;

// Block lookup, two levels (blocks.ts): one u16 per RAM page (room for 2 GiB) names the page's
// slot array in the pool (0: none); a slot array holds a u32 block address per halfword of its
// page, at SLOT_POOL + (index << SLOT_ARRAY_SHIFT).
export const PAGE_SLOTS: u32 = 0x100000;
export const SLOT_ARRAY_SHIFT: u32 = 13;
export const SLOT_ARRAY_BYTES: u32 = 1 << SLOT_ARRAY_SHIFT; // 2048 halfwords × 4 bytes
export const SLOT_ARRAYS: u32 = 2048;

// One flag byte per 4 KiB page of guest RAM (PAGE_CODE, PAGE_WATCH); room for 2 GiB.
export const PAGE_FLAGS: u32 = 0x200000;
export const PAGE_CODE: u8 = 1; // the decoded-instruction cache holds entries from this page
export const PAGE_WATCH: u8 = 2; // stores here must be seen by the core (HTIF tohost)
export const PAGE_RAN: u8 = 4; // compiled code of this page ran since the JIT last looked (src/jit/jit.ts)
// One u16 per page (mmu.ts noteRamStore): the guest stores a code page has taken since it
// became code (low 12 bits), and how many times such stores made it data again (top 4 bits).
export const PAGE_STORES: u32 = 0x280000;
export const PAGE_STORES_FIRST: u32 = 64; // stores a code page takes before it is data again, the first time
export const PAGE_STORES_MAX: u32 = 4095; // and at most, once it went back and forth
// Owner page (RAM page index) of each slot array, to unlink them all when the pool is reset.
export const SLOT_OWNERS: u32 = 0x380000;
// Dirty-page log (mmu.ts): one bit per 4 KiB RAM page (room for 2 GiB), set while the log is on
// for every page a store or a host write reaches. Untouched (never committed) while it is off.
export const DIRTY_LOG: u32 = 0x390000;
export const DIRTY_LOG_BYTES: u32 = 0x10000;

// Block cache (blocks.ts): straight-line runs of decoded instructions, a 32-byte header and 16
// bytes per entry, allocated in order until the area is full (then all are dropped, compiled code with
// them). A Linux boot to its prompt decodes about 4.5 MiB of blocks in 1,100 code pages: 12 MiB
// and 2,048 slot arrays hold that with room to spare. A VM commits only what it has filled.
export const BLOCK_AREA: u32 = 0x400000;
export const BLOCK_AREA_END: u32 = 0x1000000;
export const SLOT_POOL: u32 = 0x1000000; // array 0 stays all zeros: a lookup through it finds nothing
export const SLOT_POOL_END: u32 = SLOT_POOL + SLOT_ARRAYS * SLOT_ARRAY_BYTES;

// Guest RAM: physical DRAM_BASE maps to linear address RAM_OFF.
export const RAM_OFF: u32 = 0x2000000;
export const DRAM_BASE: u64 = 0x80000000;
export const RES_NONE: u64 = 0xffffffffffffffff;

// Core-local interruptor (SiFive CLINT layout), emulated inside the core.
export const CLINT_BASE: u64 = 0x2000000;
export const CLINT_SIZE: u64 = 0x10000;

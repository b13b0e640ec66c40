// Physical memory map of a fuzz image (QEMU `virt` and the fuzz board agree on it).
//
//   0x80000000  boot slot: a jump to the first program, the finisher routine
//   0x80080000  program slot 0, then slot 1, ... (SLOT_SIZE each)
//
// Inside a slot:
//   +0x00000  main code: runtime (vector tables, trap handlers, epilogue, prologue), M and S
//             segments of the body; its last two pages hold the S-mode alias snippets
//   +0x30000  U code: U-mode segments; its last two pages hold the U-mode alias snippets
//   +0x50000  misc: counters, save areas, the dump area, dump tags, the trap log
//   +0x58000  data region: 4 pages of seeded random bytes, the target of loads/stores/AMOs
//   +0x60000  page tables, built at run time by the program itself
export const DRAM_BASE = 0x8000_0000;
export const MEM_SIZE = 64 << 20;
/** First physical address past RAM: accesses there are bus errors on both systems. */
export const RAM_END = DRAM_BASE + MEM_SIZE;
export const SLOT_SIZE = 0x80000;
export const MAX_SLOTS = 64;
export const slotBase = (slot: number) => DRAM_BASE + (slot + 1) * SLOT_SIZE;

export const MAIN_OFF = 0x00000;
export const MAIN_SIZE = 0x30000;
export const UCODE_OFF = 0x30000;
export const UCODE_SIZE = 0x20000;
export const MISC_OFF = 0x50000;
export const MISC_SIZE = 0x4000;
/** A page nothing compares: the first half of stores that straddle into a page with no memory. */
export const SCRATCH_OFF = 0x54000;
export const DATA_OFF = 0x58000;
export const DATA_SIZE = 0x4000;
export const PT_OFF = 0x60000;
export const PT_SIZE = 0x20000;
/** The last two pages of each code area hold alias snippets. */
export const SNIP_SIZE = 0x2000;

// Misc area offsets (the trap handlers reach them from mscratch/sscratch = misc base).
export const M_NEXT = 0x000; // address to jump to after the dump (next program or finisher)
export const M_COUNT = 0x008; // traps taken
export const M_FLAGS = 0x010; // bit 0: trap storm (the program was cut short)
export const M_MVEC = 0x018; // vector index of the last M-mode trap entry (-1: base)
export const M_SVEC = 0x020; // same for S-mode
export const M_SCDUMMY = 0x028; // target of the reservation-clearing SC
export const M_SAVE = 0x080; // M handler save area (16 dwords)
export const S_SAVE = 0x100; // S handler save area
export const M_DUMP = 0x200; // dump values, 8 bytes each (up to 128)
export const M_TAGS = 0x600; // dump tags, 8 ASCII bytes each (up to 128)
export const M_LOG = 0x1000; // trap log
export const LOG_ENTRY = 64;
export const LOG_MAX = 128;
export const TRAP_STORM = 4096;

// CLINT, UART and finisher (QEMU virt).
export const CLINT = 0x200_0000;
export const CLINT_MTIMECMP = 0x4000;
export const UART = 0x1000_0000;
export const FINISHER = 0x10_0000;

// Virtual addresses of the alias mappings the page tables set up.
// Aliases live at 8 GiB (root index 8): as a physical address nothing answers there on either
// system (0x40000000 would be QEMU's PCIe window), so a pointer used in the wrong mode faults.
export const VA_ALIAS = 0x2_0000_0000n; // 4 KiB alias pages (L0 table "al0")
export const AL0_DATA_A = 0; // entries 0..3: data pages, view A
export const AL0_DATA_B = 4; // entries 4..7: data pages, view B
export const AL0_USNIP = 8; // entries 8, 9: U snippet pages
export const AL0_SSNIP = 10; // entries 10, 11: S snippet pages
export const AL0_WNR = 12; // entry 12: data page 0 with W and not R (reserved encoding)
export const AL0_HOLE = 13; // entry 13: invalid
export const AL0_PTR = 16; // entry 16: a pointer PTE at the last level (fault)
export const AL0_EDGE = 17; // entries 17, 18: data page 3, then a page with nothing behind it (RAM_END)
export const AL0_EDGE2 = 19; // entries 19, 20: the scratch page, then a page with nothing behind it
export const VA_MEGA = 0x2_0020_0000n; // megapage: the slot's 2 MiB region
export const VA_MEGA_BAD = 0x2_0040_0000n; // misaligned megapage
export const VA_GIGA = 0xc000_0000n; // gigapage onto 0x80000000
export const VA_GIGA_BAD = 0x1_0000_0000n; // misaligned gigapage
export const VA_RSVD = 0x1_4000_0000n; // gigapage with a reserved PTE bit set
export const VA_TERA = 0x80_0000_0000n; // Sv48 only: a 512 GiB page onto physical 0
export const VA_HIGH = 0xffff_ffff_c000_0000n; // high half: same tables as VA_ALIAS
export const VA_NONCANON = 0x0000_0040_0000_0000n; // not canonical in Sv39, unmapped in Sv48
export const VA_WALKBUS = 0x2_4000_0000n; // root index 9 points at a "table" where no memory answers

// Markers after a promotion ecall: the handler returns to the dword that follows, in M or S.
export const MARKER_TO_M = 0xfa11d037; // lui x0, 0xfa11d (a HINT the generator never emits)
export const MARKER_TO_S = 0xfa115037; // lui x0, 0xfa115

export interface SlotLayout {
  slot: number;
  base: number;
  main: number;
  ucode: number;
  misc: number;
  data: number;
  pt: number;
  /** 2 MiB-aligned region holding the slot (the megapage alias target). */
  region2m: number;
  ssnip: number;
  usnip: number;
}

export function slotLayout(slot: number): SlotLayout {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_SLOTS) throw new RangeError(`slot ${slot}`);
  const base = slotBase(slot);
  return {
    slot,
    base,
    main: base + MAIN_OFF,
    ucode: base + UCODE_OFF,
    misc: base + MISC_OFF,
    data: base + DATA_OFF,
    pt: base + PT_OFF,
    region2m: base - (base % 0x20_0000),
    ssnip: base + MAIN_OFF + MAIN_SIZE - SNIP_SIZE,
    usnip: base + UCODE_OFF + UCODE_SIZE - SNIP_SIZE,
  };
}

// CSR numbers and register names used by the generator and the runtime code.
export const CSR = {
  fflags: 0x001, frm: 0x002, fcsr: 0x003,
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, satp: 0x180,
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305,
  mcounteren: 0x306, menvcfg: 0x30a, mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343,
  mip: 0x344, pmpcfg0: 0x3a0, pmpaddr0: 0x3b0,
  cycle: 0xc00, time: 0xc01, instret: 0xc02, mhartid: 0xf14, mvendorid: 0xf11,
} as const;

export const X = {
  zero: 0, ra: 1, sp: 2, gp: 3, tp: 4, t0: 5, t1: 6, t2: 7, s0: 8, s1: 9,
  a0: 10, a1: 11, a2: 12, a3: 13, a4: 14, a5: 15, a6: 16, a7: 17,
  s2: 18, s3: 19, s4: 20, s5: 21, s6: 22, s7: 23, s8: 24, s9: 25, s10: 26, s11: 27,
  t3: 28, t4: 29, t5: 30, t6: 31,
} as const;

// mstatus fields.
export const MS = {
  SIE: 1n << 1n, MIE: 1n << 3n, SPIE: 1n << 5n, MPIE: 1n << 7n, SPP: 1n << 8n,
  MPP_S: 1n << 11n, MPP_M: 3n << 11n, MPP: 3n << 11n, FS: 3n << 13n,
  MPRV: 1n << 17n, SUM: 1n << 18n, MXR: 1n << 19n, TVM: 1n << 20n, TW: 1n << 21n, TSR: 1n << 22n,
} as const;

// Interrupt bits (mip/mie).
export const IRQ = { SSI: 1, MSI: 3, STI: 5, MTI: 7, SEI: 9, MEI: 11 } as const;

export const PRIV_U = 0;
export const PRIV_S = 1;
export const PRIV_M = 3;
export type Priv = 0 | 1 | 3;
export const privName = (p: Priv) => (p === 3 ? "M" : p === 1 ? "S" : "U");

// PTE bits.
export const PTE = { V: 1n, R: 2n, W: 4n, X: 8n, U: 16n, G: 32n, A: 64n, D: 128n } as const;
export const pteLeaf = (pa: number | bigint, flags: bigint) => ((BigInt(pa) >> 12n) << 10n) | flags;
export const ptePtr = (pa: number | bigint) => ((BigInt(pa) >> 12n) << 10n) | PTE.V;

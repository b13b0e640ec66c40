/*
 * Zicsr and the CSR file (unprivileged ch. 9; privileged 2.1, 2.3, 3.1, 4.1): CSRRW/S/C and
 * their immediate forms, read-only and unimplemented CSRs (illegal instruction, mtval =
 * the instruction bits), CSRRS/CSRRC with rs1 = x0 never writing, misa, mstatus WARL fields,
 * mtvec modes, mepc bit 0, privilege of CSR numbers, mcounteren/scounteren gating of
 * cycle/time/instret, satp with an unsupported mode, medeleg/mideleg writable bits, and
 * sstatus/sie/sip as views of mstatus/mie/mip.
 */
#include "harness.h"

/* A B C D F I M S U; B (bit 1) is Zba + Zbb + Zbs, which QEMU 7.2 implements without setting it */
#ifdef QEMU
#define MISA_VALUE ((2 << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20))
#else
#define MISA_VALUE ((2 << 62) | (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20))
#endif

/* the first instruction at `label` must trap (illegal) when run in `priv` */
.macro TRAPS_IN n, priv, label
  TEST \n
  CLEAR_TRAPS
  EXPECT_TRAP .Lb\@
  GOTO_PRIV \priv, \label
.Lb\@:
  CHECK_TRAP CAUSE_ILLEGAL, \label
.endm

/* the code at `label` must run to its ECALL in `priv` */
.macro RUNS_IN n, priv, label
  TEST \n
  CLEAR_TRAPS
  RUN_IN \priv, \label
.endm

TEST_BEGIN
  /* ---- CSRRW / CSRRS / CSRRC on mscratch */
  TEST 1
  li t0, 0x0123456789abcdef
  csrw mscratch, t0
  li t1, 0xfedcba9876543210
  csrrw t2, mscratch, t1
  CHECK_EQ t2, 0x0123456789abcdef
  csrr t2, mscratch
  CHECK_EQ t2, 0xfedcba9876543210
  TEST 2
  li t1, 0x0000ffff0000ffff
  csrrs t2, mscratch, t1       /* returns the old value, sets bits */
  CHECK_EQ t2, 0xfedcba9876543210
  csrr t2, mscratch
  CHECK_EQ t2, 0xfedcffff7654ffff
  TEST 3
  li t1, 0xff000000000000ff
  csrrc t2, mscratch, t1
  CHECK_EQ t2, 0xfedcffff7654ffff
  csrr t2, mscratch
  CHECK_EQ t2, 0x00dcffff7654ff00
  TEST 4                       /* rd = rs1: swap */
  li t0, 0x1111
  csrrw t0, mscratch, t0
  CHECK_EQ t0, 0x00dcffff7654ff00
  csrr t0, mscratch
  CHECK_EQ t0, 0x1111
  TEST 5                       /* immediates: 5-bit, zero-extended */
  csrrwi t0, mscratch, 31
  CHECK_EQ t0, 0x1111
  csrr t0, mscratch
  CHECK_EQ t0, 31
  csrrci t0, mscratch, 0x15
  CHECK_EQ t0, 31
  csrr t0, mscratch
  CHECK_EQ t0, 0x0a
  csrrsi t0, mscratch, 0x10
  CHECK_EQ t0, 0x0a
  csrr t0, mscratch
  CHECK_EQ t0, 0x1a
  TEST 6                       /* rd = x0 (csrw) and rs1 = x0 / imm 0 (no write) */
  li t0, 0x77
  csrw mscratch, t0
  csrrs t1, mscratch, x0
  CHECK_EQ t1, 0x77
  csrrc t1, mscratch, x0
  CHECK_EQ t1, 0x77
  csrrsi t1, mscratch, 0
  csrrci t1, mscratch, 0
  csrr t1, mscratch
  CHECK_EQ t1, 0x77
  csrrw x0, mscratch, zero
  csrr t1, mscratch
  CHECK_EQ t1, 0
  la t0, harness_save_m        /* the harness's trap handler needs mscratch back */
  csrw mscratch, t0

  /* ---- read-only CSRs: reads without a write are fine, any write attempt traps */
  TEST 7
  csrr t0, mhartid
  CHECK_EQ t0, 0
  csrrs t0, mhartid, x0
  csrrsi t0, mvendorid, 0
  csrrc t0, marchid, x0
  csrrci t0, mimpid, 0
  csrr t0, cycle
  csrr t0, time
  csrr t0, instret
  ILLEGAL_M 8, csrw mhartid, t0
  ILLEGAL_M 9, csrrw x0, mvendorid, x0     /* CSRRW always writes, even x0 */
  li t1, 1
  ILLEGAL_M 10, csrrs t0, mhartid, t1      /* rs1 != x0: a write */
  ILLEGAL_M 11, csrrsi t0, marchid, 1
  ILLEGAL_M 12, csrrci t0, mimpid, 2
  ILLEGAL_M 13, csrrwi t0, cycle, 0
  ILLEGAL_M 14, csrw instret, t0
  ILLEGAL_M 15, csrs time, t0
#ifndef QEMU
  /* QEMU 7.2 decides on the value of rs1 (no trap for a zero mask); the spec (9.1) says
     rs1 != x0 attempts the write even when the register holds zero */
  TEST 16                      /* a register holding 0 still counts as a write */
  li t1, 0
  EXPECT_TRAP 1f
ro_zero:
  csrrc t0, mhartid, t1
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ro_zero
#endif

  /* ---- unimplemented CSRs */
  ILLEGAL_M 17, csrr t0, 0x8c0              /* custom read/write, not implemented */
  ILLEGAL_M 18, csrw 0x5c0, t0              /* custom S-mode, not implemented */
  ILLEGAL_M 19, csrr t0, fcsr               /* mstatus.FS is Off at reset */
  ILLEGAL_M 20, csrr t0, pmpcfg1            /* odd pmpcfg registers do not exist on RV64 */
  ILLEGAL_M 21, csrr t0, 0x7b0              /* dcsr: debug mode only */

  /* ---- misa: RV64 (MXL = 2) with A B C D F I M S U; writes are ignored */
  TEST 22
  csrr t0, misa
  CHECK_EQ t0, MISA_VALUE
  csrw misa, zero
  csrr t0, misa
  CHECK_EQ t0, MISA_VALUE

  /* ---- mstatus */
  TEST 23                      /* UXL = SXL = 2 (64-bit), and they stay so */
  csrr t0, mstatus
  srli t0, t0, 32
  andi t0, t0, 0xf
  CHECK_EQ t0, 0xa
#ifndef QEMU
  /* QEMU 7.2 lets UXL be written (it even stores the reserved value 3); wasmvisor has
     64-bit S and U modes only, so both fields are read-only 2 */
  li t1, (1 << 32) | (3 << 34)
  csrs mstatus, t1
  li t1, (3 << 32) | (3 << 34)
  csrc mstatus, t1
  csrr t0, mstatus
  srli t0, t0, 32
  andi t0, t0, 0xf
  CHECK_EQ t0, 0xa
#endif
  TEST 24                      /* MPP: M, S, U are legal */
  li t1, MSTATUS_MPP
  csrc mstatus, t1
  csrr t0, mstatus
  and t0, t0, t1
  CHECK_EQ t0, 0
  li t2, MSTATUS_MPP_S
  csrs mstatus, t2
  csrr t0, mstatus
  and t0, t0, t1
  CHECK_EQ t0, MSTATUS_MPP_S
  csrs mstatus, t1
  csrr t0, mstatus
  and t0, t0, t1
  CHECK_EQ t0, MSTATUS_MPP
#ifndef QEMU
  /* QEMU 7.2 stores MPP = 2 although H is absent; wasmvisor keeps the previous (legal)
     value, as the WARL field allows */
  TEST 25                      /* MPP = 2 (reserved) is not taken */
  li t2, 2 << 11
  csrw mstatus, t2
  csrr t0, mstatus
  and t0, t0, t1
  CHECK_EQ t0, MSTATUS_MPP
#endif
  TEST 26                      /* writable single-bit fields */
  li t1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
  csrs mstatus, t1
  csrr t0, mstatus
  and t0, t0, t1
  CHECK_REG t0, t1
  csrc mstatus, t1
  csrr t0, mstatus
  and t0, t0, t1
  CHECK_EQ t0, 0
  li t1, MSTATUS_MPRV          /* set and cleared without a memory access in between */
  csrs mstatus, t1
  csrr t0, mstatus
  csrc mstatus, t1
  and t0, t0, t1
  CHECK_EQ t0, MSTATUS_MPRV

  /* ---- sstatus is a view of mstatus */
  TEST 27
  li t1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_SIE | MSTATUS_SUM | MSTATUS_TSR
  csrc mstatus, t1
  csrs mstatus, t1
  csrr t0, sstatus
  li t2, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TSR | MSTATUS_SIE | MSTATUS_SUM | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MXR | MSTATUS_UXL
  and t0, t0, t2
  CHECK_EQ t0, MSTATUS_SIE | MSTATUS_SUM | (2 << 32)  /* M-only fields invisible, UXL seen */
  TEST 28                      /* writes through sstatus reach only S fields */
  li t1, MSTATUS_MIE | MSTATUS_SIE | MSTATUS_SUM
  csrc mstatus, t1
  li t1, MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MXR | MSTATUS_SIE | MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_TVM
  csrw sstatus, t1             /* also clears SUM; cannot touch MIE, MPIE, MPP, TVM, TSR */
  csrr t0, mstatus
  li t2, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TSR | MSTATUS_TVM | MSTATUS_SIE | MSTATUS_SUM | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MXR
  and t0, t0, t2
  CHECK_EQ t0, MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TSR | MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MXR
  li t1, MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TSR | MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MXR
  csrc mstatus, t1

  /* ---- mtvec: direct and vectored modes; reserved modes 2 and 3 leave it unchanged */
  TEST 29
  la t0, vec_table
  ori t1, t0, 1
  csrw mtvec, t1
  csrr t2, mtvec
  CHECK_REG t2, t1
  ori t3, t0, 2
  csrw mtvec, t3
  csrr t2, mtvec
  CHECK_REG t2, t1
  ori t3, t0, 3
  csrw mtvec, t3
  csrr t2, mtvec
  CHECK_REG t2, t1
  csrw mtvec, t0
  csrr t2, mtvec
  CHECK_REG t2, t0
  la t0, harness_trap_m
  csrw mtvec, t0
  TEST 30                      /* stvec likewise */
  la t0, vec_table
  ori t1, t0, 1
  csrw stvec, t1
  ori t3, t0, 2
  csrw stvec, t3
  csrr t2, stvec
  CHECK_REG t2, t1
  la t0, harness_trap_s
  csrw stvec, t0

  /* ---- mepc / sepc: bit 0 always reads zero (IALIGN = 16 keeps bit 1) */
#ifndef QEMU
  /* QEMU 7.2 keeps bit 0 of mepc/sepc as written (privileged spec 3.1.14: always zero) */
  TEST 31
  li t0, 0x80001237
  csrw mepc, t0
  csrr t1, mepc
  CHECK_EQ t1, 0x80001236
  li t0, 0x80004321
  csrw sepc, t0
  csrr t1, sepc
  CHECK_EQ t1, 0x80004320
#endif

  /* ---- CSR privilege: bits 9:8 of the number are the lowest privilege that may access */
  TRAPS_IN 32, PRV_S, s_rd_mstatus
  TRAPS_IN 33, PRV_S, s_wr_mscratch
  TRAPS_IN 34, PRV_U, s_rd_sstatus
  TRAPS_IN 35, PRV_U, s_rd_mstatus
  RUNS_IN 36, PRV_S, s_rd_sstatus
  RUNS_IN 37, PRV_S, s_rw_sscratch
  CHECK_EQ a0, 0x5a5a
  la t0, harness_save_s
  csrw sscratch, t0
  TRAPS_IN 38, PRV_S, s_rd_mstatus   /* mtval of a privilege violation = the instruction */
  la a0, s_rd_mstatus
  lwu a0, 0(a0)
  CHECK_TVAL_REG a0

  /* ---- counters: S needs mcounteren, U needs mcounteren and scounteren */
  TEST 40
  csrw mcounteren, zero
  csrw scounteren, zero
  TRAPS_IN 41, PRV_S, rd_cycle
  TRAPS_IN 42, PRV_S, rd_time
  TRAPS_IN 43, PRV_S, rd_instret
  TRAPS_IN 44, PRV_U, rd_cycle
  TRAPS_IN 45, PRV_U, rd_time
  TRAPS_IN 46, PRV_U, rd_instret
  TEST 47
  li t0, 7
  csrw mcounteren, t0
  csrr t1, mcounteren
  CHECK_EQ t1, 7
  RUNS_IN 48, PRV_S, rd_cycle
  RUNS_IN 49, PRV_S, rd_time
  RUNS_IN 50, PRV_S, rd_instret
  TRAPS_IN 51, PRV_U, rd_cycle
  TRAPS_IN 52, PRV_U, rd_time
  TRAPS_IN 53, PRV_U, rd_instret
  TEST 54
  li t0, 7
  csrw scounteren, t0
  csrr t1, scounteren
  CHECK_EQ t1, 7
  RUNS_IN 55, PRV_U, rd_cycle
  RUNS_IN 56, PRV_U, rd_time
  RUNS_IN 57, PRV_U, rd_instret
  TEST 58                      /* scounteren alone is not enough */
  csrw mcounteren, zero
  TRAPS_IN 59, PRV_U, rd_cycle
  TRAPS_IN 60, PRV_S, rd_instret
  TEST 61                      /* bit by bit: TM only in mcounteren */
  li t0, 2
  csrw mcounteren, t0
  RUNS_IN 62, PRV_S, rd_time
  TRAPS_IN 63, PRV_S, rd_cycle
  TRAPS_IN 64, PRV_S, rd_instret
  TEST 65                      /* CY|IR in mcounteren, IR in scounteren */
  li t0, 5
  csrw mcounteren, t0
  li t0, 4
  csrw scounteren, t0
  RUNS_IN 66, PRV_U, rd_instret
  TRAPS_IN 67, PRV_U, rd_cycle
  TRAPS_IN 68, PRV_U, rd_time
  RUNS_IN 69, PRV_S, rd_cycle
  csrw mcounteren, zero
  csrw scounteren, zero

  /* ---- satp: an unsupported MODE leaves the whole register unchanged */
  TEST 70
  li t0, SATP_SV39 | 0x80123
  csrw satp, t0
  csrr t1, satp
  CHECK_REG t1, t0
  li t2, (11 << 60) | 0x80456  /* mode 11: reserved */
  csrw satp, t2
  csrr t1, satp
  CHECK_REG t1, t0
  li t2, (1 << 60) | 0x80456   /* mode 1: reserved */
  csrw satp, t2
  csrr t1, satp
  CHECK_REG t1, t0
#ifndef QEMU
  /* QEMU 7.2 implements Sv57; wasmvisor does not (Sv39 and Sv48 only) */
  TEST 71
  li t2, SATP_SV57 | 0x80456
  csrw satp, t2
  csrr t1, satp
  CHECK_REG t1, t0
#endif
  TEST 72
  li t0, SATP_SV48 | 0x80789
  csrw satp, t0
  csrr t1, satp
  CHECK_REG t1, t0
  csrw satp, zero
  csrr t1, satp
  CHECK_EQ t1, 0

  /* ---- medeleg / mideleg: which bits are writable */
  TEST 73
  li t0, -1
  csrw mideleg, t0
  csrr t1, mideleg
#ifdef QEMU
  andi t1, t1, 0x2aa           /* QEMU 7.2 also keeps VS-level and LCOFI bits without H */
#endif
  CHECK_EQ t1, MIP_SSIP | MIP_STIP | MIP_SEIP   /* only supervisor interrupts */
  csrw mideleg, zero
  TEST 74
  li t0, -1
  csrw medeleg, t0
  csrr t1, medeleg
#ifdef QEMU
  li t2, 0xb3ff                /* QEMU 7.2 also keeps bits 10, 11 (ECALL from M) and 20-23 */
  and t1, t1, t2
#endif
  /* causes 0-9, 12, 13, 15; ECALL from M (11) can never be delegated */
  CHECK_EQ t1, 0xb3ff
  csrw medeleg, zero

  /* ---- sie / sip / mip views */
  TEST 75                      /* not delegated: sie and sip show nothing */
  csrw mie, zero
  li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrw sie, t0
  csrr t1, sie
  CHECK_EQ t1, 0
  csrr t1, mie
  CHECK_EQ t1, 0
  csrs mip, t0                 /* M-mode can raise the supervisor-level pending bits */
  csrr t1, mip
  andi t1, t1, 0x2aa
  CHECK_EQ t1, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrr t1, sip
  CHECK_EQ t1, 0
  TEST 76                      /* delegated: sie/sip are mie/mip restricted to mideleg */
  csrw mideleg, t0
  csrr t1, sip
  CHECK_EQ t1, MIP_SSIP | MIP_STIP | MIP_SEIP
  li t2, 0xaaa
  csrw mie, t2
  csrr t1, sie
  CHECK_EQ t1, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrw sie, zero
  csrr t1, mie
  CHECK_EQ t1, 0x888           /* MSIE MTIE MEIE untouched */
  csrw mie, zero
  TEST 77                      /* through sip only SSIP is writable */
  csrc sip, t0
  csrr t1, mip
  andi t1, t1, 0x2aa
  CHECK_EQ t1, MIP_STIP | MIP_SEIP
  csrs sip, t0
  csrr t1, mip
  andi t1, t1, 0x2aa
  CHECK_EQ t1, MIP_SSIP | MIP_STIP | MIP_SEIP
  TEST 78                      /* MSIP, MTIP, MEIP are read-only in mip */
  li t2, MIP_MSIP | MIP_MTIP | MIP_MEIP
  csrs mip, t2
  csrr t1, mip
  and t1, t1, t2
  CHECK_EQ t1, 0
  csrw mip, zero
  csrr t1, mip
  andi t1, t1, 0x2aa
  CHECK_EQ t1, 0
  csrw mideleg, zero

  /* ---- menvcfg / senvcfg: FIOM is writable (QEMU 7.2 has none of the other fields' extensions) */
  TEST 80
  li t0, 1
  csrw menvcfg, t0
  csrr t1, menvcfg
  andi t1, t1, 1
  CHECK_EQ t1, 1
  csrw senvcfg, t0
  csrr t1, senvcfg
  andi t1, t1, 1
  CHECK_EQ t1, 1
#ifndef QEMU
  li t0, -1                    /* FIOM, CBIE, CBCFE, CBZE, PBMTE, STCE: the rest reads 0 */
  csrw menvcfg, t0
  csrr t1, menvcfg
  CHECK_EQ t1, 0xc0000000000000f1
  csrw senvcfg, t0             /* senvcfg: FIOM, CBIE, CBCFE, CBZE */
  csrr t1, senvcfg
  CHECK_EQ t1, 0xf1
  li t0, 0x20                  /* CBIE = 10 is reserved: WARL keeps the old value (11) */
  csrw menvcfg, t0
  csrr t1, menvcfg
  CHECK_EQ t1, 0x30
  li t0, 0x10                  /* CBIE = 01: CBO.INVAL flushes */
  csrw menvcfg, t0
  csrr t1, menvcfg
  CHECK_EQ t1, 0x10
#endif
  csrw menvcfg, zero
  csrw senvcfg, zero

  /* ---- sscratch, mcause, mtval, stval hold full-width values */
  TEST 79
  li t0, 0xa5a5a5a55a5a5a5a
  csrw sscratch, t0
  csrr t1, sscratch
  CHECK_REG t1, t0
  la t0, harness_save_s
  csrw sscratch, t0
  li t0, 0x0000003fffffffff
  csrw mtval, t0
  csrr t1, mtval
  CHECK_REG t1, t0
  csrw stval, t0
  csrr t1, stval
  CHECK_REG t1, t0
TEST_END

  /* code run in S or U mode by the tests above */
s_rd_mstatus:
  csrr a0, mstatus
  ecall
s_wr_mscratch:
  csrw mscratch, zero
  ecall
s_rd_sstatus:
  csrr a0, sstatus
  ecall
s_rw_sscratch:
  li a0, 0x5a5a
  csrw sscratch, a0
  csrr a0, sscratch
  ecall
rd_cycle:
  csrr a0, cycle
  ecall
rd_time:
  csrr a0, time
  ecall
rd_instret:
  csrr a0, instret
  ecall

  .balign 64
vec_table:
  j .

/*
 * Zicbom and Zicboz (the CMO chapter; 64-byte blocks): CBO.ZERO zeroes the block holding rs1
 * (no misaligned exception), CBO.CLEAN/FLUSH/INVAL change nothing on coherent RAM; below M-mode
 * menvcfg.CBZE/CBCFE/CBIE enable them, and in U-mode senvcfg too (else illegal, mtval = the
 * encoding). Under Sv39 the management operations need load or store permission and fault as
 * stores (cause 15), CBO.ZERO needs write permission and sets A and D; tval is rs1. Zeroing
 * code drops its decoded instructions. QEMU 7.2 has neither extension (run-qemu.sh leaves this
 * program out with it).
 */
#include "harness.h"
#define LEVELS 3
#include "paging_macros.inc"

        .option arch, +zicbom, +zicboz

#define CBIE_FLUSH (1 << 4)
#define CBCFE      (1 << 6)
#define CBZE       (1 << 7)
#define ALL_CBO    (CBIE_FLUSH | CBCFE | CBZE)

#define VA_RO      0x1000000000   /* read-only page (A set) */
#define VA_NONE    0x1000001000   /* not mapped */
#define VA_NOAD    0x1000002000   /* RW, A = D = 0 */
#define VA_NOAD2   0x1000003000   /* RW, A = D = 0 */

/* in privilege `priv`, `routine`'s first instruction must be illegal, mtval its encoding */
.macro ILLEGAL_IN priv, routine
  EXPECT_TRAP .Lr\@
  GOTO_PRIV \priv, \routine
.Lr\@:
  CHECK_TRAP CAUSE_ILLEGAL, \routine
#ifndef QEMU /* mtval may also be 0 (privileged spec 3.1.16): QEMU 10.0 writes 0 for these */
  la a0, \routine
  lwu a0, 0(a0)
  CHECK_TVAL_REG a0
#endif
.endm

/* in S with a0 = va, `routine`'s CBO must fault with `cause` and tval = va (rs1) */
.macro CBO_FAULT routine, cause, va
  li a0, \va
  EXPECT_TRAP .Lb\@
  GOTO_PRIV PRV_S, \routine
.Lb\@:
  CHECK_TRAP \cause, \routine
#ifndef QEMU /* QEMU 10.0 reports the block's address, not rs1 (the CMO chapter: rs1) */
  CHECK_TVAL_REG a0
#endif
.endm

/* fill the 3 blocks at blk with 0xff */
.macro FILL_BLOCKS
  la t0, blk
  li t1, -1
  li t2, 3 * 64
1:
  sd t1, 0(t0)
  addi t0, t0, 8
  addi t2, t2, -8
  bnez t2, 1b
.endm

/* the sum of the dwords of block n (0..2) of blk in a1 */
.macro SUM_BLOCK n
  la t0, blk + 64 * \n
  li a1, 0
  li t2, 8
1:
  ld t1, 0(t0)
  add a1, a1, t1
  addi t0, t0, 8
  addi t2, t2, -1
  bnez t2, 1b
.endm

TEST_BEGIN
  /* ---- M-mode: CBO.ZERO zeroes exactly the block of rs1 (rs1 need not be aligned) */
  TEST 1
  FILL_BLOCKS
  la a0, blk + 64 + 0x13
  cbo.zero (a0)
  SUM_BLOCK 1
  CHECK_EQ a1, 0
  SUM_BLOCK 0
  CHECK_EQ a1, -8
  SUM_BLOCK 2
  CHECK_EQ a1, -8
  TEST 2                       /* the management operations leave the data as it is */
  la a0, blk + 0x3f
  cbo.clean (a0)
  cbo.flush (a0)
  cbo.inval (a0)
  SUM_BLOCK 0
  CHECK_EQ a1, -8

  /* ---- below M-mode, menvcfg enables each kind */
  TEST 3
  csrw menvcfg, zero
  ILLEGAL_IN PRV_S, s_zero
  ILLEGAL_IN PRV_S, s_clean
  ILLEGAL_IN PRV_S, s_flush
  ILLEGAL_IN PRV_S, s_inval
  TEST 4
  li t0, CBZE
  csrw menvcfg, t0
  la a0, blk + 0x20
  RUN_IN PRV_S, s_zero         /* CBZE alone: CBO.ZERO only */
  SUM_BLOCK 0
  CHECK_EQ a1, 0
  ILLEGAL_IN PRV_S, s_clean
  ILLEGAL_IN PRV_S, s_inval
  li t0, CBCFE
  csrw menvcfg, t0
  RUN_IN PRV_S, s_clean
  RUN_IN PRV_S, s_flush
  ILLEGAL_IN PRV_S, s_zero
  ILLEGAL_IN PRV_S, s_inval
  li t0, CBIE_FLUSH
  csrw menvcfg, t0
  RUN_IN PRV_S, s_inval

  /* ---- in U-mode senvcfg must enable them too */
  TEST 5
  li t0, ALL_CBO
  csrw menvcfg, t0
  csrw senvcfg, zero
  ILLEGAL_IN PRV_U, s_zero
  ILLEGAL_IN PRV_U, s_clean
  ILLEGAL_IN PRV_U, s_flush
  ILLEGAL_IN PRV_U, s_inval
  li t0, ALL_CBO
  csrw senvcfg, t0
  FILL_BLOCKS
  la a0, blk + 128
  RUN_IN PRV_U, s_zero
  SUM_BLOCK 2
  CHECK_EQ a1, 0
  RUN_IN PRV_U, s_clean
  RUN_IN PRV_U, s_flush
  RUN_IN PRV_U, s_inval
  csrw menvcfg, zero           /* menvcfg still rules U-mode */
  ILLEGAL_IN PRV_U, s_zero
  li t0, ALL_CBO
  csrw menvcfg, t0

  /* ---- Sv39: permissions, faults as stores with tval = rs1, A and D */
  TEST 6
  call harness_pt_alloc
  mv s1, a0
  MAP DRAM_BASE, DRAM_BASE, 2, RWXAD
  MAPL VA_RO, pgA, 0, PTE_V | PTE_R | PTE_A
  MAPL VA_NOAD, pgB, 0, PTE_V | PTE_R | PTE_W
  mv s3, a0
  MAPL VA_NOAD2, pgC, 0, PTE_V | PTE_R | PTE_W
  mv s4, a0
  SET_SATP SATP_SV39, s1
  li a0, VA_RO + 0x28
  RUN_IN PRV_S, s_clean        /* a load is allowed: so is a management operation */
  CBO_FAULT s_zero, CAUSE_STORE_PAGE, VA_RO + 0x28     /* no write permission */
  CBO_FAULT s_flush, CAUSE_STORE_PAGE, VA_NONE + 8     /* unmapped: a store fault */
  CBO_FAULT s_inval, CAUSE_STORE_PAGE, VA_NONE + 0x7f
#ifndef QEMU /* the CMO chapter lets A/D be set or faulted on: QEMU 10.0 faults (cause 15) */
  TEST 7                       /* CBO.ZERO sets A and D; a management operation A only */
  la t0, pgB
  li t1, -1
  sd t1, 0x40(t0)
  sd t1, 0x78(t0)
  sd t1, 0x80(t0)
  li a0, VA_NOAD + 0x48
  RUN_IN PRV_S, s_zero
  la t0, pgB
  ld t1, 0x40(t0)
  CHECK_EQ t1, 0
  ld t1, 0x78(t0)
  CHECK_EQ t1, 0
  ld t1, 0x80(t0)
  CHECK_EQ t1, -1
  CHECK_AD s3, PTE_A | PTE_D
  li a0, VA_NOAD2 + 0x10
  RUN_IN PRV_S, s_clean
  CHECK_AD s4, PTE_A
#endif
  SET_SATP 0, zero

  /* ---- zeroing code: the next fetch sees the zeros (an illegal instruction) */
  TEST 8
  la t0, codeblk
  li t1, 0x00500513            /* addi a0, zero, 5 */
  sw t1, 0(t0)
  li t1, 0x00008067            /* jalr zero, 0(ra) */
  sw t1, 4(t0)
  fence.i
  li a0, 0
  la t0, codeblk
  jalr t0
  CHECK_EQ a0, 5
  la a0, codeblk
  cbo.zero (a0)
  fence.i
  EXPECT_TRAP 1f
  la t0, codeblk
  jalr t0
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, codeblk
TEST_END

s_zero:
  cbo.zero (a0)
  ecall
s_clean:
  cbo.clean (a0)
  ecall
s_flush:
  cbo.flush (a0)
  ecall
s_inval:
  cbo.inval (a0)
  ecall

        .data
        .balign 64
blk:    .skip 3 * 64
codeblk: .skip 64
        .balign 4096
pgA:    .skip 4096
pgB:    .skip 4096
pgC:    .skip 4096

/*
 * Self-modifying code (unprivileged spec 3.2 "Zifencei"): instructions stored by the program
 * (SW, SH, AMOSWAP, SC) are executed after FENCE.I - in a separate buffer, in the page that
 * is running, in the second half of an instruction that crosses a page, after the old code
 * has run already, and through a second virtual mapping of the same physical page.
 */
#include "harness.h"

#define ADDI_A0_ZERO(imm) (0x00000513 | ((imm) << 20))   /* addi a0, zero, imm */
#define ADDI_A0_A0(imm)   (0x00050513 | ((imm) << 20))   /* addi a0, a0, imm */
#define C_LI_A0(imm)      (0x4501 | ((imm) << 2))        /* c.li a0, imm (0 <= imm < 32) */
#define RET               0x00008067                     /* jalr zero, 0(ra) */

TEST_BEGIN
  TEST 1                       /* write a function into a buffer, run it */
  la t0, buf
  li t1, ADDI_A0_ZERO(11)
  sw t1, 0(t0)
  li t1, RET
  sw t1, 4(t0)
  fence.i
  li a0, 0
  jalr ra, 0(t0)
  CHECK_EQ a0, 11
  TEST 2                       /* change it after it ran: the new code runs */
  li t1, ADDI_A0_ZERO(22)
  sw t1, 0(t0)
  fence.i
  jalr ra, 0(t0)
  CHECK_EQ a0, 22
  TEST 3                       /* patched again with a halfword store (imm bits 31:20 are in the upper half) */
  li t1, ADDI_A0_ZERO(0x123) >> 16
  sh t1, 2(t0)
  fence.i
  jalr ra, 0(t0)
  CHECK_EQ a0, 0x123
  TEST 4                       /* AMOSWAP as the store */
  li t1, ADDI_A0_ZERO(44)
  amoswap.w t2, t1, (t0)
  fence.i
  jalr ra, 0(t0)
  CHECK_EQ a0, 44
  li t3, ADDI_A0_ZERO(0x123)
  CHECK_REG t2, t3             /* the old instruction came back in rd */
  TEST 5                       /* LR/SC as the store */
1:
  lr.w t2, (t0)
  li t1, ADDI_A0_ZERO(55)
  sc.w t3, t1, (t0)
  bnez t3, 1b
  fence.i
  jalr ra, 0(t0)
  CHECK_EQ a0, 55
  TEST 6                       /* a 32-bit instruction replaced by two compressed ones */
  li t1, (C_LI_A0(7)) | ((0x0505) << 16)  /* c.li a0, 7 ; c.addi a0, 1 */
  sw t1, 0(t0)
  fence.i
  jalr ra, 0(t0)
  CHECK_EQ a0, 8

  TEST 7                       /* the instruction right ahead in the running page */
  la t0, site7
  li t1, ADDI_A0_ZERO(77)
  sw t1, 0(t0)
  fence.i
site7:
  addi a0, zero, 1
  CHECK_EQ a0, 77
  TEST 8                       /* code that ran in a loop, patched between iterations */
  li s0, 0                     /* sum */
  li s1, 0                     /* iteration */
loop8:
site8:
  addi a0, zero, 1
  add s0, s0, a0
  la t0, site8
  li t1, ADDI_A0_ZERO(100)
  sw t1, 0(t0)
  fence.i
  addi s1, s1, 1
  li t2, 3
  bltu s1, t2, loop8
  CHECK_EQ s0, 201             /* 1 + 100 + 100 */
  la t0, site8                 /* restore, for a rerun from reset */
  li t1, ADDI_A0_ZERO(1)
  sw t1, 0(t0)
  fence.i
  la t0, site7
  sw t1, 0(t0)
  fence.i

  TEST 9                       /* the upper half of an instruction across a page boundary */
  li a0, 0
  call straddle
  CHECK_EQ a0, 0x101
  la t0, straddle_insn + 2
  li t1, ADDI_A0_A0(0x200) >> 16
  sh t1, 0(t0)                 /* this halfword is on the next page */
  fence.i
  li a0, 0
  call straddle
  CHECK_EQ a0, 0x201
  li t1, ADDI_A0_A0(0x100) >> 16
  sh t1, 0(t0)
  fence.i

  TEST 10                      /* write through one virtual page, execute through another */
  call harness_pt_alloc
  mv s1, a0
  li a1, DRAM_BASE
  li a2, DRAM_BASE
  li a3, 2
  li a4, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
  li a5, 3
  call harness_pt_map
  mv a0, s1
  li a1, 0x1000000000          /* execute view */
  la a2, xbuf
  li a3, 0
  li a4, PTE_V | PTE_R | PTE_X | PTE_A
  li a5, 3
  call harness_pt_map
  mv a0, s1
  li a1, 0x1000001000          /* write view */
  la a2, xbuf
  li a3, 0
  li a4, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  li a5, 3
  call harness_pt_map
  SET_SATP SATP_SV39, s1
  la t0, xbuf
  li t1, ADDI_A0_ZERO(5)
  sw t1, 0(t0)
  li t1, RET
  sw t1, 4(t0)
  fence.i
  RUN_IN PRV_S, s_patch
  CHECK_EQ s2, 5               /* before the patch */
  CHECK_EQ s3, 6               /* after it */
  csrw satp, zero
  sfence.vma
TEST_END

  /* S-mode: run the code at 0x1000000000, patch it through 0x1000001000, run it again */
s_patch:
  li s4, 0x1000000000
  jalr ra, 0(s4)
  mv s2, a0
  li s5, 0x1000001000
  li t1, ADDI_A0_ZERO(6)
  sw t1, 0(s5)
  fence.i
  jalr ra, 0(s4)
  mv s3, a0
  ecall

  .section .text.pages, "ax", @progbits
  .balign 4096
  .skip 4096 - 8
straddle:
  addi a0, a0, 1               /* 0xff8 */
  .2byte 0x0001                /* 0xffc: c.nop */
straddle_insn:
  addi a0, a0, 0x100           /* 0xffe .. 0x1001 */
  ret
  .balign 4096

  .data
  .balign 16
buf:
  .skip 64
  .balign 4096
xbuf:
  .skip 4096

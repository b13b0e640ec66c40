/*
 * Mixed 16/32-bit instruction streams (unprivileged spec 1.5, 16.1): 32-bit instructions at
 * pc = 2 mod 4, branches and jumps between both kinds, a 32-bit instruction straddling a
 * 4 KiB page boundary (fetched as two halves), a compressed instruction as the last
 * halfword of a page.
 */
#include "harness.h"

  .option rvc

TEST_BEGIN
  TEST 1                       /* alternating lengths: 32-bit ones land on pc = 2 mod 4 */
  li a0, 0
  .balign 4
  c.addi a0, 1
  .option push
  .option norvc
mis32:
  addi a0, a0, 0x100           /* pc = 2 mod 4 */
  .option pop
  c.addi a0, 2
  c.addi a0, 4
  .option push
  .option norvc
  addi a0, a0, 0x200           /* pc = 2 mod 4 again (two halfwords before) */
  addi a0, a0, 0x400
  .option pop
  CHECK_EQ a0, 0x707
  la t0, mis32
  andi t0, t0, 3
  CHECK_EQ t0, 2

  TEST 2                       /* 32-bit branch to a 2 mod 4 target, C.J to a 4-aligned one */
  li a1, 0
  .balign 4
  .option push
  .option norvc
  beq zero, zero, tgt2
  .option pop
  c.addi a1, 1                 /* skipped */
tgt2:                          /* pc = 2 mod 4 (4 + 2 bytes after an aligned start) */
  .option push
  .option norvc
  addi a1, a1, 16
  .option pop
  c.j tgt3
  c.addi a1, 1                 /* skipped */
tgt3:
  CHECK_EQ a1, 16
  la t0, tgt2
  andi t0, t0, 3
  CHECK_EQ t0, 2

  TEST 3                       /* JALR into the middle of a word, 32-bit code there */
  la t0, tgt4
  andi t1, t0, 3
  CHECK_EQ t1, 2
  li a2, 0
  .option push
  .option norvc
  jalr ra, 0(t0)
  .option pop
ret4:
  CHECK_EQ a2, 0x55
  j 1f
  .balign 4
  c.nop
tgt4:
  .option push
  .option norvc
  addi a2, a2, 0x55
  jalr zero, 0(ra)
  .option pop
1:

  TEST 4                       /* a 32-bit instruction across a page boundary */
  li a3, 0
  call straddle
  CHECK_EQ a3, 0x123
  la t0, straddle_insn
  li t1, 0xfff
  and t0, t0, t1
  CHECK_EQ t0, 0xffe

  TEST 5                       /* a compressed instruction as a page's last halfword */
  li a4, 0
  call last_half
  CHECK_EQ a4, 0x11
  la t0, last_half_insn
  li t1, 0xfff
  and t0, t0, t1
  CHECK_EQ t0, 0xffe
TEST_END

  /* straddle: the addi at page offset 0xffe has its upper half on the next page */
  .section .text.pages, "ax", @progbits
  .balign 4096
  .skip 4096 - 8
straddle:
  .option push
  .option norvc
  addi a3, a3, 0x20            /* offset 0xff8 */
  .option pop
  c.addi a3, 3                 /* offset 0xffc */
  .option push
  .option norvc
straddle_insn:
  addi a3, a3, 0x100           /* offset 0xffe..0x1001 */
  jalr zero, 0(ra)             /* next page, offset 0x002 */
  .option pop

  /* last_half: C.ADDI in the last halfword of a page, the return on the next page */
  .balign 4096
  .skip 4096 - 6
last_half:
  .option push
  .option norvc
  addi a4, a4, 0x10            /* offset 0xffa */
  .option pop
last_half_insn:
  c.addi a4, 1                 /* offset 0xffe */
  .option push
  .option norvc
  jalr zero, 0(ra)             /* offset 0x000 of the next page */
  .option pop

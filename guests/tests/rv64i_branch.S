/*
 * RV64I control transfer (unprivileged spec 2.5): every conditional branch taken and not
 * taken at signed/unsigned edge values, branch offsets at both ends of their range, JAL
 * and JALR link values, JALR with rd = rs1, JALR clearing bit 0 of the target.
 * All 32-bit encodings.
 */
#include "harness.h"

/* branch with rs1 = a, rs2 = b must be taken */
.macro TAKEN n, op, a, b
  TEST \n
  li t0, \a
  li t1, \b
  \op t0, t1, .Lt\@
  FAIL_NOW
.Lt\@:
.endm

/* branch with rs1 = a, rs2 = b must fall through */
.macro NOT_TAKEN n, op, a, b
  TEST \n
  li t0, \a
  li t1, \b
  \op t0, t1, .Lf\@
  j .Lok\@
.Lf\@:
  FAIL_NOW
.Lok\@:
.endm

#define MIN 0x8000000000000000
#define MAX 0x7fffffffffffffff

TEST_BEGIN
  TAKEN      1, beq, 0, 0
  TAKEN      2, beq, MIN, MIN
  NOT_TAKEN  3, beq, 1, 0
  NOT_TAKEN  4, beq, 0x100000000, 0      /* differ only above bit 31 */
  TAKEN      5, bne, 0x100000000, 0
  TAKEN      6, bne, -1, 1
  NOT_TAKEN  7, bne, -1, -1
  /* signed */
  TAKEN      8, blt, -1, 0
  NOT_TAKEN  9, blt, 0, -1
  TAKEN     10, blt, MIN, MAX
  NOT_TAKEN 11, blt, MAX, MIN
  NOT_TAKEN 12, blt, 5, 5
  TAKEN     13, blt, -2, -1
  TAKEN     14, bge, 5, 5
  TAKEN     15, bge, 0, -1
  NOT_TAKEN 16, bge, -1, 0
  TAKEN     17, bge, MAX, MIN
  NOT_TAKEN 18, bge, MIN, MAX
  TAKEN     19, bge, MIN, MIN
  /* unsigned */
  TAKEN     20, bltu, 0, -1
  NOT_TAKEN 21, bltu, -1, 0
  TAKEN     22, bltu, MAX, MIN
  NOT_TAKEN 23, bltu, MIN, MAX
  NOT_TAKEN 24, bltu, 7, 7
  TAKEN     25, bgeu, 7, 7
  TAKEN     26, bgeu, -1, 0
  NOT_TAKEN 27, bgeu, 0, -1
  TAKEN     28, bgeu, MIN, MAX
  NOT_TAKEN 29, bgeu, 0xfffffffffffffffe, 0xffffffffffffffff

  /* same register on both sides */
  TEST 30
  li t0, -5
  beq t0, t0, 1f
  FAIL_NOW
1:
  blt t0, t0, 2f
  bltu t0, t0, 2f
  bne t0, t0, 2f
  bge t0, t0, 3f
2:
  FAIL_NOW
3:

  /* backward taken branch: a counted loop */
  TEST 31
  li t0, 10
  li t1, 0
1:
  addi t1, t1, 3
  addi t0, t0, -1
  bnez t0, 1b
  CHECK_EQ t1, 30

  /* largest forward offset: +4094 (imm[11] and imm[10:1] all ones) */
  TEST 32
br_fwd:
  beq zero, zero, br_fwd_target
  FAIL_NOW
  .skip 4094 - (. - br_fwd)
br_fwd_target:
  .2byte 0x0001                /* c.nop: back to a 4-byte aligned pc */
  la t0, br_fwd
  li t1, 4094
  add t0, t0, t1
  la t1, br_fwd_target
  CHECK_REG t0, t1

  /* largest backward offset: -4096 (only imm[12] set) */
  TEST 33
  j br_bwd
br_bwd_target:
  j br_bwd_done
  .skip 4092
br_bwd:
  beq zero, zero, br_bwd_target
  FAIL_NOW
br_bwd_done:
  la t0, br_bwd
  la t1, br_bwd_target
  sub t0, t0, t1
  CHECK_EQ t0, 4096

  /* ---- JAL: rd = pc + 4, forward and backward */
  TEST 34
jal1:
  jal t0, jal1_target
jal1_ret:
  FAIL_NOW
jal1_target:
  CHECK_LA t0, jal1_ret
  TEST 35
  j jal2
jal2_back:
  CHECK_LA ra, jal2_ret
  j jal2_done
jal2:
  jal ra, jal2_back
jal2_ret:
  FAIL_NOW
jal2_done:
  TEST 36                      /* JAL with rd = x0 (J) links nothing */
  li t0, 77
  jal x0, 1f
  FAIL_NOW
1:
  CHECK_EQ x0, 0
  CHECK_EQ t0, 77

  /* ---- JALR: target = (rs1 + imm) & ~1, rd = pc + 4 */
  TEST 37
  la t0, jalr1_target
jalr1:
  jalr t1, 0(t0)
jalr1_ret:
  FAIL_NOW
jalr1_target:
  CHECK_LA t1, jalr1_ret
  TEST 38                      /* positive and negative offsets */
  la t0, jalr2_target
  addi t0, t0, -100
  jalr t1, 100(t0)
  FAIL_NOW
jalr2_target:
  la t0, jalr3_target
  addi t0, t0, 2047
  jalr t1, -2047(t0)
  FAIL_NOW
jalr3_target:
  TEST 39                      /* bit 0 of the target is cleared */
  la t0, jalr4_target
  ori t0, t0, 1
  jalr t1, 0(t0)
  FAIL_NOW
jalr4_target:
  la t0, jalr5_target
  addi t0, t0, -1              /* odd base, odd offset: sum even */
  jalr t1, 1(t0)
  FAIL_NOW
jalr5_target:
  la t0, jalr6_target
  jalr t1, 1(t0)               /* even base, odd offset: sum odd, bit 0 dropped */
  FAIL_NOW
jalr6_target:
  TEST 40                      /* rd = rs1: the target uses the old rs1 */
  la t0, jalr7_target
jalr7:
  jalr t0, 0(t0)
jalr7_ret:
  FAIL_NOW
jalr7_target:
  CHECK_LA t0, jalr7_ret
  TEST 41                      /* rd = rs1 with an offset */
  la ra, jalr8_target
  addi ra, ra, -8
  jalr ra, 8(ra)
jalr8_ret:
  FAIL_NOW
jalr8_target:
  CHECK_LA ra, jalr8_ret
  TEST 42                      /* JALR rd = x0 (jr) */
  la t0, 1f
  jalr x0, 0(t0)
  FAIL_NOW
1:
  CHECK_EQ x0, 0
  TEST 43                      /* call and return through a subroutine */
  li a0, 5
  call triple
  CHECK_EQ a0, 15
TEST_END

triple:
  slli t0, a0, 1
  add a0, a0, t0
  ret

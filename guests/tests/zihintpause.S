/*
 * Zihintpause: PAUSE (a FENCE with predecessor W, successor 0, rs1 = rd = x0) is a hint that
 * changes no architectural state: registers, memory and the trap log stay as they were, in M,
 * S and U mode alike.
 */
#include "harness.h"

#define PAUSE .word 0x0100000f

TEST_BEGIN
  TEST 1
  li t0, 0x123456789
  mv t1, t0
  PAUSE
  PAUSE
  CHECK_REG t0, t1
  TEST 2
  la t2, .Lword
  li t3, 77
  sd t3, 0(t2)
  PAUSE
  ld t4, 0(t2)
  CHECK_EQ t4, 77
  TEST 3
  RUN_IN PRV_U, .Luser
  CHECK_EQ a0, 5
TEST_END

.Luser:
  li a0, 4
  PAUSE
  addi a0, a0, 1
  ecall

.data
.align 3
.Lword: .dword 0

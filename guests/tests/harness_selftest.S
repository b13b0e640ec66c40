/*
 * Self-test of the harness: checks pass, an expected trap is recorded and resumed, code
 * runs in S and U mode and comes back, the trap log keeps order, the page-table builder
 * writes the PTEs the spec describes.
 */
#include "harness.h"

TEST_BEGIN
  TEST 1                       /* plain check */
  li t0, 42
  CHECK_EQ t0, 42

  TEST 2                       /* expected trap in M-mode: ECALL from M, cause 11 */
  CLEAR_TRAPS
  EXPECT_TRAP 1f
ecall_m:
  ecall
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ECALL_M, ecall_m
  CHECK_MEM trap_count, 1
  CHECK_MEM trap_log_n, 1
  CHECK_MEM trap_log, CAUSE_ECALL_M

  TEST 3                       /* registers survive the handler */
  li t0, 0x1111
  li t1, 0x2222
  li t2, 0x3333
  li t3, 0x4444
  li t4, 0x5555
  li a0, 0x6666
  EXPECT_TRAP 1f
  ebreak
1:
  CHECK_EQ t0, 0x1111
  CHECK_EQ t1, 0x2222
  CHECK_EQ t2, 0x3333
  CHECK_EQ t3, 0x4444
  CHECK_EQ t4, 0x5555
  CHECK_EQ a0, 0x6666

  TEST 4                       /* RUN_IN S and U: they come back with ECALL */
  CLEAR_TRAPS
  RUN_IN PRV_S, in_s
  CHECK_EQ s0, 0x5
  RUN_IN PRV_U, in_u
  CHECK_EQ s0, 0x8
  CHECK_MEM trap_log_n, 2
  CHECK_MEM trap_log, CAUSE_ECALL_S
  CHECK_MEM trap_log + 8, CAUSE_ECALL_U

  TEST 5                       /* page-table builder: Sv39 4 KiB leaf at va 0x40201000 */
  call harness_pt_alloc
  mv s1, a0
  li a1, 0x40201000            /* vpn2 = 1, vpn1 = 1, vpn0 = 1 */
  li a2, 0x80123000
  li a3, 0
  li a4, PTE_V | PTE_R
  li a5, 3
  call harness_pt_map
  mv s2, a0                    /* leaf PTE address */
  ld t0, 8(s1)                 /* root[1]: pointer */
  andi t1, t0, 0x3ff
  CHECK_EQ t1, PTE_V
  srli t0, t0, 10
  slli t0, t0, 12              /* level-1 table */
  ld t1, 8(t0)
  srli t1, t1, 10
  slli t1, t1, 12              /* level-0 table */
  addi t2, t1, 8
  CHECK_REG s2, t2
  ld t0, 0(s2)
  li t1, ((0x80123000 >> 12) << 10) | PTE_V | PTE_R
  CHECK_REG t0, t1
TEST_END

in_s:
  li s0, 5
  ecall
in_u:
  li s0, 8
  ecall

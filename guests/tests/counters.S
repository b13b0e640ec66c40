/*
 * Counters (unprivileged ch. 10 "Zicntr", privileged 3.1.10-3.1.11): instret counts retired
 * instructions (exactly, in wasmvisor), cycle and time increase, the U-mode counter views,
 * mcycle/minstret are writable, the hardware performance counters can be read.
 */
#include "harness.h"

/* n nops */
.macro NOPS n
  .rept \n
  nop
  .endr
.endm

TEST_BEGIN
  TEST 1                       /* 100 instructions between two reads: 101 retired */
  csrr s0, instret
  NOPS 100
  csrr s1, instret
  sub s2, s1, s0
#ifdef QEMU
  CHECK_GTU s2, zero           /* QEMU 7.2 without -icount counts host ticks */
#else
  CHECK_EQ s2, 101
#endif
  TEST 2                       /* a loop: 3 instructions per iteration + setup */
  li t0, 1000
  csrr s0, instret
1:
  addi t0, t0, -1
  nop
  bnez t0, 1b
  csrr s1, instret
  sub s2, s1, s0
#ifdef QEMU
  CHECK_GTU s2, zero
#else
  CHECK_EQ s2, 3001
#endif
  TEST 3                       /* instret and minstret are the same counter */
  csrr s0, instret
  csrr s1, minstret
  sub s2, s1, s0
#ifdef QEMU
  CHECK_GTU s1, s0
#else
  CHECK_EQ s2, 1
#endif
  TEST 4                       /* cycle and mcycle increase */
  csrr s0, cycle
  NOPS 50
  csrr s1, cycle
  CHECK_GTU s1, s0
  csrr s2, mcycle
  CHECK_GTU s2, s1
  TEST 5                       /* time increases (10 MHz) */
  csrr s0, time
  li t0, 20000
1:
  addi t0, t0, -1
  bnez t0, 1b
  csrr s1, time
  CHECK_GTU s1, s0
  TEST 6                       /* minstret is writable; counting continues from the value */
  li t0, 0x100000000
  csrw minstret, t0
  csrr s0, minstret
  sub s1, s0, t0
#ifdef QEMU
  li t1, 1000000               /* QEMU: host ticks */
#else
  li t1, 16
#endif
  CHECK_GTU t1, s1             /* read back within a few instructions of the write */
  csrr s2, instret
  CHECK_GTU s2, t0
  TEST 7                       /* mcycle is writable */
  li t0, 0x200000000
  csrw mcycle, t0
  csrr s0, mcycle
  sub s1, s0, t0
  li t1, 1000000
  CHECK_GTU t1, s1
  csrr s2, cycle
  CHECK_GTU s2, t0
#ifndef QEMU
  /* "Any CSR write takes effect after the writing instruction has otherwise completed"
     (privileged spec 3.1.11): the CSRW's own retirement does not add to the value written,
     and the CSRR right after reads the count before itself, so it sees exactly X. */
  TEST 10
  li t0, 0x300000000
  csrw minstret, t0
  csrr s0, minstret
  CHECK_REG s0, t0
  TEST 11                      /* one instruction later: X + 1 */
  csrw minstret, t0
  nop
  csrr s0, minstret
  addi t0, t0, 1
  CHECK_REG s0, t0
  TEST 12                      /* mcycle likewise (wasmvisor: one cycle per instruction) */
  li t0, 0x400000000
  csrw mcycle, t0
  csrr s0, mcycle
  CHECK_REG s0, t0
#endif
  TEST 8                       /* hardware performance counters can be read in M-mode */
  csrr t0, mhpmcounter3
#ifndef QEMU
  csrr t0, mhpmcounter31       /* QEMU 7.2 implements 3..18 only (pmu-num = 16) */
#endif
  csrr t0, mhpmevent3
  csrr t0, hpmcounter3
  TEST 9                       /* U-mode reads with the counters enabled; instret in U */
  li t0, 7
  csrw mcounteren, t0
  csrw scounteren, t0
  RUN_IN PRV_U, u_count
#ifdef QEMU
  CHECK_GTU a1, a0
#else
  sub t0, a1, a0
  CHECK_EQ t0, 11
#endif
  CHECK_GTU a3, a2             /* time moved on */
  CHECK_GTU a5, a4             /* cycle moved on */
  csrw mcounteren, zero
  csrw scounteren, zero
TEST_END

u_count:
  csrr a2, time
  csrr a4, cycle
  csrr a0, instret
  NOPS 10
  csrr a1, instret
  li t0, 5000
1:
  addi t0, t0, -1
  bnez t0, 1b
  csrr a5, cycle
  csrr a3, time
  ecall

/*
 * Zawrs: WRS.NTO and WRS.STO wait for a store to the LR reservation set, a timeout or an
 * interrupt; "may complete early" (Zawrs chapter), and wasmvisor completes them at once, so
 * with mstatus.TW = 0 they change no architectural state in M, S or U mode: registers, memory
 * and the reservation stay as they were (an SC after them succeeds here). QEMU 7.2 has no
 * Zawrs (run-qemu.sh leaves this program out with it).
 */
#include "harness.h"

#define WRS_NTO .word 0x00d00073
#define WRS_STO .word 0x01d00073

TEST_BEGIN
  TEST 1
  la a1, .Lword
  li a2, 77
  sd a2, 0(a1)
  li a3, 0x123456789
  mv a4, a3
  lr.d a5, (a1)
  WRS_NTO
  WRS_STO
  li a2, 78
  sc.d a6, a2, (a1)            /* the reservation survives the waits */
  CHECK_REG a3, a4
  CHECK_EQ a5, 77
#ifndef QEMU /* a WRS makes this no constrained LR/SC loop, so the SC may fail: QEMU 10.0's does */
  CHECK_EQ a6, 0
  ld a5, 0(a1)
  CHECK_EQ a5, 78
#endif
  TEST 2
  RUN_IN PRV_S, .Lwait
  CHECK_EQ a0, 5
  TEST 3
  RUN_IN PRV_U, .Lwait
  CHECK_EQ a0, 5
TEST_END

.Lwait:
  li a0, 4
  WRS_STO
  WRS_NTO
  addi a0, a0, 1
  ecall

.data
.align 3
.Lword: .dword 0

/*
 * RV64I loads and stores (unprivileged spec 2.6, 5.3): every width, sign and zero
 * extension, little-endian byte order, 12-bit offsets at both ends of their range,
 * stores touching only their own bytes, rd = rs1 on loads, x0 as store source.
 * All accesses here are naturally aligned (misaligned ones are in misaligned.S).
 */
#include "harness.h"

/* load op at byte offset off of `src`; expect e */
.macro LOAD n, op, off, e
  TEST \n
  la t0, src
  \op t1, \off(t0)
  CHECK_EQ t1, \e
.endm

TEST_BEGIN
  /* src bytes: 81 7e 00 ff 12 34 56 f8 | ef cd ab 89 67 45 23 01 */
  LOAD 1, lb, 0, 0xffffffffffffff81
  LOAD 2, lbu, 0, 0x81
  LOAD 3, lb, 1, 0x7e
  LOAD 4, lbu, 1, 0x7e
  LOAD 5, lb, 2, 0
  LOAD 6, lb, 3, 0xffffffffffffffff
  LOAD 7, lbu, 3, 0xff
  LOAD 8, lh, 0, 0x7e81
  LOAD 9, lhu, 0, 0x7e81
  LOAD 10, lh, 2, 0xffffffffffffff00
  LOAD 11, lhu, 2, 0xff00
  LOAD 12, lh, 6, 0xfffffffffffff856
  LOAD 13, lhu, 6, 0xf856
  LOAD 14, lh, 4, 0x3412
  LOAD 15, lw, 0, 0xffffffffff007e81
  LOAD 16, lwu, 0, 0xff007e81
  LOAD 17, lw, 4, 0xfffffffff8563412
  LOAD 18, lwu, 4, 0xf8563412
  LOAD 19, lw, 12, 0x01234567
  LOAD 20, lwu, 12, 0x01234567
  LOAD 21, lw, 8, 0xffffffff89abcdef
  LOAD 22, ld, 0, 0xf8563412ff007e81
  LOAD 23, ld, 8, 0x0123456789abcdef
  LOAD 24, lb, 15, 0x01
  LOAD 25, lh, 14, 0x0123

  /* negative offsets */
  TEST 26
  la t0, src + 16
  lb t1, -16(t0)
  CHECK_EQ t1, 0xffffffffffffff81
  ld t1, -8(t0)
  CHECK_EQ t1, 0x0123456789abcdef
  lwu t1, -12(t0)
  CHECK_EQ t1, 0xf8563412

  /* offsets +2047 and -2048 */
  TEST 27
  la t0, src
  addi t0, t0, -2047
  lbu t1, 2047(t0)
  CHECK_EQ t1, 0x81
  la t0, src + 8
  li t2, 2048
  add t0, t0, t2
  ld t1, -2048(t0)
  CHECK_EQ t1, 0x0123456789abcdef
  TEST 28                      /* store with offsets +2047 / -2048 */
  la t0, dst
  addi t0, t0, -2047
  li t1, 0x5a
  sb t1, 2047(t0)
  la t0, dst
  li t2, 2048
  add t0, t0, t2
  li t1, 0x1122334455667788
  sd t1, -2040(t0)             /* dst + 8 */
  la t0, dst
  lbu t1, 0(t0)
  CHECK_EQ t1, 0x5a
  ld t1, 8(t0)
  CHECK_EQ t1, 0x1122334455667788

  /* stores write exactly their bytes, little-endian */
  TEST 29
  la t0, dst
  li t1, -1
  sd t1, 0(t0)
  li t1, 0x12345678
  sb t1, 3(t0)
  ld t2, 0(t0)
  CHECK_EQ t2, 0xffffffff78ffffff
  TEST 30
  li t1, 0xabcd
  sh t1, 4(t0)
  ld t2, 0(t0)
  CHECK_EQ t2, 0xffffabcd78ffffff
  TEST 31
  li t1, 0x8877665544332211
  sw t1, 0(t0)                 /* low word only */
  ld t2, 0(t0)
  CHECK_EQ t2, 0xffffabcd44332211
  TEST 32
  sh t1, 6(t0)
  ld t2, 0(t0)
  CHECK_EQ t2, 0x2211abcd44332211
  TEST 33
  sd t1, 0(t0)
  ld t2, 0(t0)
  CHECK_EQ t2, 0x8877665544332211
  lbu t2, 7(t0)
  CHECK_EQ t2, 0x88
  lhu t2, 2(t0)
  CHECK_EQ t2, 0x4433
  lw t2, 4(t0)
  CHECK_EQ t2, 0xffffffff88776655
  TEST 34                      /* neighbours untouched */
  li t1, 0x0102030405060708
  sd t1, 8(t0)
  sd t1, 16(t0)
  li t1, 0xeeee
  sh t1, 16(t0)
  sb t1, 15(t0)
  ld t2, 8(t0)
  CHECK_EQ t2, 0xee02030405060708
  ld t2, 16(t0)
  CHECK_EQ t2, 0x010203040506eeee
  TEST 35                      /* x0 as the store source writes zeros */
  sd x0, 8(t0)
  sw x0, 16(t0)
  ld t2, 8(t0)
  CHECK_EQ t2, 0
  ld t2, 16(t0)
  CHECK_EQ t2, 0x0102030400000000
  TEST 36                      /* rd = rs1 */
  la t0, ptr
  ld t0, 0(t0)
  CHECK_LA t0, src
  ld t0, 8(t0)
  CHECK_EQ t0, 0x0123456789abcdef
  TEST 37                      /* store then load of other widths */
  la t0, dst
  li t1, 0x80
  sb t1, 0(t0)
  lb t2, 0(t0)
  CHECK_EQ t2, 0xffffffffffffff80
  li t1, 0xffffffff80000000
  sd t1, 0(t0)
  lw t2, 4(t0)
  CHECK_EQ t2, 0xffffffffffffffff
  lw t2, 0(t0)
  CHECK_EQ t2, 0xffffffff80000000
  lh t2, 2(t0)
  CHECK_EQ t2, 0xffffffffffff8000
  lhu t2, 0(t0)
  CHECK_EQ t2, 0
  TEST 38                      /* base register and data register the same */
  la t0, dst + 24
  sd t0, 0(t0)
  ld t1, 0(t0)
  CHECK_REG t1, t0
TEST_END

  .data
  .balign 16
src:
  .byte 0x81, 0x7e, 0x00, 0xff, 0x12, 0x34, 0x56, 0xf8
  .dword 0x0123456789abcdef
ptr:
  .dword src
  .balign 16
dst:
  .skip 64

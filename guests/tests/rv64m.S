/*
 * RV64M (unprivileged spec ch. 7): MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU and the
 * W forms, with signs, 64-bit overflow, division by zero and the MIN / -1 overflow case
 * (table 7.1: x / 0 = all ones, x % 0 = x; MIN / -1 = MIN, MIN % -1 = 0).
 */
#include "harness.h"

#define MIN 0x8000000000000000
#define MAX 0x7fffffffffffffff
#define A 0x123456789abcdef0
#define B 0x0fedcba987654321
#define C 0xfedcba9876543210

TEST_BEGIN
  /* ---- MUL: low 64 bits */
  RR 1, mul, 7, -3, -21
  RR 2, mul, -7, -3, 21
  RR 3, mul, MAX, 2, 0xfffffffffffffffe
  RR 4, mul, A, B, 0x2236d88fe5618cf0
  RR 5, mul, MIN, -1, MIN
  RR 6, mul, 0, -1, 0
  /* ---- MULH: signed x signed, high 64 bits */
  RR 7, mulh, MIN, MIN, 0x4000000000000000
  RR 8, mulh, MAX, MAX, 0x3fffffffffffffff
  RR 9, mulh, MIN, -1, 0
  RR 10, mulh, -1, 1, 0xffffffffffffffff
  RR 11, mulh, -1, -1, 0
  RR 12, mulh, A, B, 0x0121fa00ad77d742
  RR 13, mulh, C, B, 0xffede05ff528828b
  RR 14, mulh, MIN, MAX, 0xc000000000000000
  /* ---- MULHU: unsigned x unsigned */
  RR 15, mulhu, -1, -1, 0xfffffffffffffffe
  RR 16, mulhu, MIN, 2, 1
  RR 17, mulhu, C, B, 0x0fdbac097c8dc5ac
  RR 18, mulhu, A, B, 0x0121fa00ad77d742
  RR 19, mulhu, -1, 0, 0
  /* ---- MULHSU: rs1 signed x rs2 unsigned */
  RR 20, mulhsu, -1, -1, 0xffffffffffffffff
  RR 21, mulhsu, MIN, -1, 0x8000000000000000
  RR 22, mulhsu, -5, 3, 0xffffffffffffffff
  RR 23, mulhsu, C, B, 0xffede05ff528828b
  RR 24, mulhsu, B, C, 0x0fdbac097c8dc5ac
  RR 25, mulhsu, 1, -1, 0
  /* ---- DIV / REM: truncate toward zero, remainder has the dividend's sign */
  RR 26, div, 7, 2, 3
  RR 27, div, 7, -2, -3
  RR 28, div, -7, 2, -3
  RR 29, div, -7, -2, 3
  RR 30, rem, 7, 2, 1
  RR 31, rem, 7, -2, 1
  RR 32, rem, -7, 2, -1
  RR 33, rem, -7, -2, -1
  RR 34, div, MIN, -1, MIN     /* overflow */
  RR 35, rem, MIN, -1, 0
  RR 36, div, 5, 0, -1         /* divide by zero */
  RR 37, div, -5, 0, -1
  RR 38, rem, 5, 0, 5
  RR 39, rem, -5, 0, -5
  RR 40, div, MIN, 1, MIN
  RR 41, div, A, 0x10, 0x0123456789abcdef
  /* ---- DIVU / REMU */
  RR 42, divu, -1, 2, 0x7fffffffffffffff
  RR 43, remu, -1, 2, 1
  RR 44, divu, -7, -2, 0       /* 2^64-7 < 2^64-2 */
  RR 45, remu, -7, -2, 0xfffffffffffffff9
  RR 46, divu, 5, 0, 0xffffffffffffffff
  RR 47, remu, 5, 0, 5
  RR 48, divu, MIN, -1, 0
  RR 49, remu, MIN, -1, MIN
  RR 50, divu, -1, 1, 0xffffffffffffffff
  /* ---- MULW: low 32 bits of the product, sign-extended; upper input bits ignored */
  RR 51, mulw, 0x7fffffff, 2, 0xfffffffffffffffe
  RR 52, mulw, 0x100000003, 0x100000005, 15
  RR 53, mulw, 0x12345678, 0x9abcdef0, 0x242d2080
  RR 54, mulw, -1, -1, 1
  RR 55, mulw, 0x10000, 0x8000, 0xffffffff80000000
  /* ---- DIVW / REMW: 32-bit signed operands */
  RR 56, divw, 7, -2, -3
  RR 57, remw, -7, 2, -1
  RR 58, divw, 0x80000000, -1, 0xffffffff80000000   /* overflow */
  RR 59, remw, 0x80000000, -1, 0
  RR 60, divw, 0x123456789, 0, -1                   /* by zero */
  RR 61, remw, 0x123456789, 0, 0x23456789
  RR 62, remw, 0x80000000, 0, 0xffffffff80000000    /* x % 0 = sext(x[31:0]) */
  RR 63, divw, 0xffffffff00000010, 0x0000000100000004, 4
  RR 64, divw, 0x00000000fffffff0, 4, -4            /* low word is -16 */
  RR 65, divw, 0x80000000, 2, 0xffffffffc0000000
  /* ---- DIVUW / REMUW: 32-bit unsigned operands, result sign-extended */
  RR 66, divuw, 0xffffffff, 2, 0x7fffffff
  RR 67, divuw, 0xfffffffe, 1, 0xfffffffffffffffe   /* bit 31 of the result set */
  RR 68, divuw, 5, 0, 0xffffffffffffffff            /* by zero: all ones */
  RR 69, remuw, 0x80000000, 0, 0xffffffff80000000   /* x % 0 = sext(x[31:0]) */
  RR 70, remuw, 0xfffffff7, 5, 2
  RR 71, divuw, 0xfffffff7, 5, 0x33333331
  RR 72, divuw, 0xffffffff00000010, 0xffffffff00000003, 5
  RR 73, remuw, 0x1ffffffff, 0x100000000, 0xffffffffffffffff /* divisor's low word 0 */
  /* ---- same register for sources and destination */
  TEST 74
  li t0, -9
  mul t0, t0, t0
  CHECK_EQ t0, 81
  TEST 75
  li t0, -9
  div t0, t0, t0
  CHECK_EQ t0, 1
  TEST 76
  li t0, 12345
  rem t0, t0, t0
  CHECK_EQ t0, 0
  TEST 77                      /* writes to x0 are ignored */
  li t0, 6
  mul x0, t0, t0
  div x0, t0, t0
  CHECK_EQ x0, 0
TEST_END

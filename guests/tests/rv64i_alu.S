/*
 * RV64I integer computational instructions (unprivileged spec ch. 2.4 and 5.2):
 * register-register and register-immediate ALU operations, their RV64 W forms, shifts at
 * edge amounts, LUI/AUIPC, and writes to x0 being ignored. All 32-bit encodings.
 */
#include "harness.h"

TEST_BEGIN
  /* ---- ADD / SUB: wrap-around modulo 2^64 */
  RR 1, add, 0x7fffffffffffffff, 1, 0x8000000000000000
  RR 2, add, -1, -1, 0xfffffffffffffffe
  RR 3, add, 0x123456789abcdef0, 0x0fedcba987654321, 0x2222222222222211
  RR 4, add, 0xffffffffffffffff, 1, 0
  RR 5, sub, 0, 1, 0xffffffffffffffff
  RR 6, sub, 0x8000000000000000, 1, 0x7fffffffffffffff
  RR 7, sub, 0x2222222222222211, 0x0fedcba987654321, 0x123456789abcdef0
  /* ---- SLT / SLTU */
  RR 8, slt, -1, 1, 1
  RR 9, slt, 1, -1, 0
  RR 10, slt, 5, 5, 0
  RR 11, slt, 0x8000000000000000, 0x7fffffffffffffff, 1
  RR 12, sltu, 1, -1, 1
  RR 13, sltu, -1, 1, 0
  RR 14, sltu, 0x8000000000000000, 0x7fffffffffffffff, 0
  RR 15, sltu, 7, 7, 0
  /* ---- logic */
  RR 16, xor, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0
  RR 17, or,  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xfff0fff0fff0fff0
  RR 18, and, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00
  /* ---- SLL / SRL / SRA: only rs2[5:0] counts */
  RR 19, sll, 1, 63, 0x8000000000000000
  RR 20, sll, 0x0123456789abcdef, 64, 0x0123456789abcdef   /* 64 & 63 = 0 */
  RR 21, sll, 0x0123456789abcdef, 68, 0x123456789abcdef0   /* 68 & 63 = 4 */
  RR 22, srl, 0x8000000000000000, 63, 1
  RR 23, srl, 0x8000000000000000, 0xffffffffffffffc1, 0x4000000000000000 /* & 63 = 1 */
  RR 24, sra, 0x8000000000000000, 63, 0xffffffffffffffff
  RR 25, sra, 0x8000000000000000, 4, 0xf800000000000000
  RR 26, sra, 0x7000000000000000, 4, 0x0700000000000000
  RR 27, sra, 0xfedcba9876543210, 0, 0xfedcba9876543210
  RR 28, srl, 0xfedcba9876543210, 32, 0x00000000fedcba98
  /* ---- immediates: 12-bit, sign-extended */
  RI 29, addi, 0, -2048, 0xfffffffffffff800
  RI 30, addi, 0, 2047, 0x7ff
  RI 31, addi, 0x7fffffffffffffff, 1, 0x8000000000000000
  RI 32, slti, -5, -4, 1
  RI 33, slti, -4, -5, 0
  RI 34, slti, 0, 0, 0
  RI 35, sltiu, 0xfffffffffffffffe, -1, 1    /* -1 is 2^64-1 unsigned */
  RI 36, sltiu, 0xffffffffffffffff, -1, 0
  RI 37, sltiu, 0, 1, 1                      /* seqz */
  RI 38, sltiu, 5, 1, 0
  RI 39, xori, 0x00ff00ff00ff00ff, -1, 0xff00ff00ff00ff00 /* not */
  RI 40, xori, 0x1234, 0x7ff, 0x15cb
  RI 41, ori, 0x0123456789abcdef, -2048, 0xfffffffffffffdef
  RI 42, ori, 0, 0x555, 0x555
  RI 43, andi, 0xfedcba9876543210, -16, 0xfedcba9876543210
  RI 44, andi, 0xfedcba9876543210, 0x7ff, 0x210
  RI 45, andi, 0xfedcba987654321f, -2048, 0xfedcba9876543000
  /* ---- shift immediates: shamt 0..63 */
  RI 46, slli, 1, 63, 0x8000000000000000
  RI 47, slli, 0xffffffffffffffff, 0, 0xffffffffffffffff
  RI 48, slli, 0x00000000ffffffff, 32, 0xffffffff00000000
  RI 49, srli, 0xffffffffffffffff, 63, 1
  RI 50, srli, 0xffffffffffffffff, 1, 0x7fffffffffffffff
  RI 51, srli, 0x8000000000000001, 0, 0x8000000000000001
  RI 52, srai, 0x8000000000000000, 63, 0xffffffffffffffff
  RI 53, srai, 0x8000000000000000, 1, 0xc000000000000000
  RI 54, srai, 0x4000000000000000, 62, 1
  /* ---- W forms: operate on the low 32 bits, sign-extend the 32-bit result */
  RR 55, addw, 0x7fffffff, 1, 0xffffffff80000000
  RR 56, addw, 0xffffffff00000005, 0x00000001fffffffe, 3  /* upper bits ignored */
  RR 57, addw, 0x80000000, 0x80000000, 0
  RR 58, subw, 0, 1, 0xffffffffffffffff
  RR 59, subw, 0x80000000, 1, 0x7fffffff
  RR 60, subw, 0x1234567800000000, 0x8765432100000001, 0xffffffffffffffff
  RR 61, sllw, 1, 31, 0xffffffff80000000
  RR 62, sllw, 1, 32, 1                    /* rs2[4:0] = 0 */
  RR 63, sllw, 0xffffffff12345678, 4, 0x23456780
  RR 64, sllw, 3, 0x3f, 0xffffffff80000000 /* 0x3f & 31 = 31 */
  RR 65, srlw, 0x80000000, 0, 0xffffffff80000000   /* 32-bit result sign-extended */
  RR 66, srlw, 0x80000000, 1, 0x40000000
  RR 67, srlw, 0xffffffff80000000, 31, 1
  RR 68, srlw, 0x123456789abcdef0, 36, 0x09abcdef  /* 36 & 31 = 4 */
  RR 69, sraw, 0x80000000, 31, 0xffffffffffffffff
  RR 70, sraw, 0x80000000, 4, 0xfffffffff8000000
  RR 71, sraw, 0x7fffffff00000000, 1, 0
  RR 72, sraw, 0x00000000f0000000, 32, 0xfffffffff0000000 /* amount 0, sext */
  RI 73, addiw, 0x7fffffff, 1, 0xffffffff80000000
  RI 74, addiw, 0x00000000ffffffff, 0, 0xffffffffffffffff  /* sext.w */
  RI 75, addiw, 0x1234567800000001, 1, 2
  RI 76, addiw, 0, -2048, 0xfffffffffffff800
  RI 77, addiw, 0x80000000, -1, 0x7fffffff
  RI 78, slliw, 1, 31, 0xffffffff80000000
  RI 79, slliw, 0xffffffff00000001, 0, 1
  RI 80, slliw, 0x12345678, 16, 0x56780000
  RI 81, srliw, 0x80000000, 0, 0xffffffff80000000
  RI 82, srliw, 0xffffffff80000000, 31, 1
  RI 83, srliw, 0xabcdef0012345678, 8, 0x00123456
  RI 84, sraiw, 0x80000000, 31, 0xffffffffffffffff
  RI 85, sraiw, 0x00000000ffff0000, 8, 0xffffffffffffff00
  RI 86, sraiw, 0xffffffff7fff0000, 16, 0x7fff

  /* ---- LUI: 20-bit immediate << 12, sign-extended from bit 31 */
  TEST 87
  lui t0, 0x80000
  CHECK_EQ t0, 0xffffffff80000000
  TEST 88
  lui t0, 0xfffff
  CHECK_EQ t0, 0xfffffffffffff000
  TEST 89
  lui t0, 0x7ffff
  CHECK_EQ t0, 0x7ffff000
  TEST 90
  lui t0, 0
  CHECK_EQ t0, 0

  /* ---- AUIPC: pc + (imm << 12), sign-extended */
  TEST 91
auipc0:
  auipc t0, 0
  CHECK_LA t0, auipc0
  TEST 92
auipc1:
  auipc t0, 1
  la t1, auipc1
  li t2, 0x1000
  add t1, t1, t2
  CHECK_REG t0, t1
  TEST 93
auipc2:
  auipc t0, 0x80000            /* pc - 2^31 */
  la t1, auipc2
  li t2, 0x80000000
  sub t1, t1, t2
  CHECK_REG t0, t1
  TEST 94
auipc3:
  auipc t0, 0xfffff            /* pc - 4096 */
  la t1, auipc3
  addi t1, t1, -2048
  addi t1, t1, -2048
  CHECK_REG t0, t1

  /* ---- same register as source and destination */
  TEST 95
  li t0, 21
  add t0, t0, t0
  CHECK_EQ t0, 42
  TEST 96
  li t0, 0x5555
  xor t0, t0, t0
  CHECK_EQ t0, 0
  TEST 97
  li t0, 6
  sllw t0, t0, t0              /* 6 << 6 */
  CHECK_EQ t0, 384

  /* ---- x0: writes are ignored, reads give 0 */
  TEST 98
  li t0, 123
  addi x0, t0, 1
  CHECK_EQ x0, 0
  add x0, t0, t0
  CHECK_EQ x0, 0
  lui x0, 0x12345
  CHECK_EQ x0, 0
  auipc x0, 1
  CHECK_EQ x0, 0
  addiw x0, t0, 1
  CHECK_EQ x0, 0
  sll x0, t0, t0
  CHECK_EQ x0, 0
  TEST 99
  addi t1, x0, 0               /* reading x0 after the writes */
  CHECK_EQ t1, 0
  or t1, x0, t0
  CHECK_EQ t1, 123
  sub t1, x0, t0
  CHECK_EQ t1, -123
  TEST 100
  li t0, 0x55
  la t1, word
  ld x0, 0(t1)                 /* load to x0: no effect on x0 */
  CHECK_EQ x0, 0
  lw x0, 0(t1)
  CHECK_EQ x0, 0
  TEST 101                     /* NOP and HINT encodings do nothing */
  li t0, 7
  nop
  addi x0, x0, 0
  slli x0, t0, 3
  CHECK_EQ t0, 7
TEST_END

  .data
  .balign 8
word: .dword 0xdeadbeefcafef00d

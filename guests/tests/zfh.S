/*
 * Zfh and Zfhmin as a unit of the hart (unprivileged spec, "Zfh" chapter): FLH NaN-boxes the
 * halfword it loads and FSH stores the low 16 bits of the register whatever its boxing,
 * FMV.X.H sign-extends the raw low 16 bits and FMV.H.X boxes, an improperly NaN-boxed
 * operand reads as the canonical NaN (0x7e00), conversions to and from S and D, the half
 * compare and classify, FS = Off makes them illegal, and FP writes make FS Dirty. Fmt 3 (Q)
 * stays reserved. The arithmetic itself is checked operand by operand against QEMU by
 * test/fp/hart-fp.test.ts. QEMU 7.2 runs this with Zfh=true.
 */
#include "harness.h"

        .option arch, +d, +zfh

TEST_BEGIN
  /* ---- FS = Off at reset: the half instructions are illegal */
  la a1, hdata
  ILLEGAL_M 1, flh f1, 0(a1)
  ILLEGAL_M 2, fsh f1, 0(a1)
  ILLEGAL_M 3, fmv.h.x f1, zero
  ILLEGAL_M 4, fadd.h f1, f2, f3
  ILLEGAL_M 5, fcvt.s.h f1, f2

  TEST 6
  li t0, (1 << 13)                /* FS = Initial */
  csrs mstatus, t0

  /* ---- FLH boxes: the upper 48 bits are ones; FS becomes Dirty */
  TEST 7
  la a1, hdata
  flh f1, 0(a1)                   /* 0xc248 = -3.140625 */
  fmv.x.d t0, f1
  CHECK_EQ t0, 0xffffffffffffc248
  csrr t0, mstatus
  srli t1, t0, 13
  andi t1, t1, 3
  CHECK_EQ t1, 3
  srli t1, t0, 63
  CHECK_EQ t1, 1

  TEST 8                          /* misaligned FLH works like LH (no trap) */
  flh f2, 3(a1)
  fmv.x.d t0, f2
  CHECK_EQ t0, 0xffffffffffff3412

  /* ---- FMV.X.H sign-extends the raw bits, even of an improperly boxed register */
  TEST 9
  fmv.x.h t0, f1
  CHECK_EQ t0, 0xffffffffffffc248
  li t1, 0x123456789abc3c00
  fmv.d.x f3, t1
  fmv.x.h t0, f3
  CHECK_EQ t0, 0x3c00
  li t1, 0x8001
  fmv.h.x f4, t1                  /* boxes the low 16 bits of the integer register */
  fmv.x.d t0, f4
  CHECK_EQ t0, 0xffffffffffff8001
  li t1, 0x77778000
  fmv.h.x f4, t1
  fmv.x.d t0, f4
  CHECK_EQ t0, 0xffffffffffff8000

  /* ---- FSH stores the low 16 bits whatever the boxing */
  TEST 10
  la a2, hout
  sd zero, 0(a2)
  fsh f3, 2(a2)                   /* f3 is not boxed: still stores 0x3c00 */
  ld t0, 0(a2)
  CHECK_EQ t0, 0x3c000000
  fsh f1, 5(a2)                   /* misaligned */
  ld t0, 0(a2)
  CHECK_EQ t0, 0xc248003c000000

  /* ---- an improperly boxed operand is the canonical NaN */
  TEST 11
  fclass.h t0, f3                 /* 0x3c00 in a D-boxed register: quiet NaN */
  CHECK_EQ t0, 512
  fadd.h f5, f3, f3
  fmv.x.d t0, f5
  CHECK_EQ t0, 0xffffffffffff7e00
  li t1, 0xffffffff00003c00       /* boxed as a single, not as a half */
  fmv.d.x f6, t1
  fclass.h t0, f6
  CHECK_EQ t0, 512
  fcvt.s.h f7, f6                 /* the canonical NaN widens to the canonical NaN, no NV */
  fmv.x.w t0, f7
  CHECK_EQ t0, 0x7fc00000
  csrr t0, fflags
  CHECK_EQ t0, 0

  /* ---- conversions between the formats */
  TEST 12
  li t1, 0x3c00                   /* 1.0 */
  fmv.h.x f1, t1
  fcvt.s.h f2, f1
  fmv.x.w t0, f2
  CHECK_EQ t0, 0x3f800000
  fcvt.d.h f2, f1
  fmv.x.d t0, f2
  CHECK_EQ t0, 0x3ff0000000000000
  li t1, 0x40490fdb               /* pi as a single */
  fmv.w.x f3, t1
  fcvt.h.s f4, f3, rne
  fmv.x.d t0, f4
  CHECK_EQ t0, 0xffffffffffff4248 /* 3.140625 */
  csrr t0, fflags
  CHECK_EQ t0, 1                  /* inexact */
  csrw fflags, zero
  li t1, 0x40f0000000000000       /* 65536.0: overflows binary16 */
  fmv.d.x f3, t1
  fcvt.h.d f4, f3, rtz
  fmv.x.d t0, f4
  CHECK_EQ t0, 0xffffffffffff7bff /* the largest finite half when truncating */
  csrr t0, fflags
  CHECK_EQ t0, 5                  /* overflow and inexact */
  csrw fflags, zero

  /* ---- integer conversions and compares */
  TEST 13
  li t1, -7
  fcvt.h.w f1, t1
  fmv.x.d t0, f1
  CHECK_EQ t0, 0xffffffffffffc700
  fcvt.l.h t0, f1, rtz
  CHECK_EQ t0, -7
  li t1, 0x3800                   /* 0.5 */
  fmv.h.x f2, t1
  flt.h t0, f1, f2
  CHECK_EQ t0, 1
  fle.h t0, f2, f1
  CHECK_EQ t0, 0
  feq.h t0, f2, f2
  CHECK_EQ t0, 1
  fcvt.w.h t0, f2, rmm            /* 0.5 rounds away: 1 */
  CHECK_EQ t0, 1
  fcvt.w.h t0, f2, rne            /* to even: 0 */
  CHECK_EQ t0, 0
  csrr t0, fflags
  CHECK_EQ t0, 1
  csrw fflags, zero

  /* ---- a fused multiply-add in half precision is rounded once */
  TEST 14
  li t1, 0x3c01                   /* 1 + 2^-10 */
  fmv.h.x f1, t1
  li t1, 0xbc02                   /* -(1 + 2^-9) */
  fmv.h.x f2, t1
  fmadd.h f3, f1, f1, f2          /* (1 + 2^-10)^2 - (1 + 2^-9) = 2^-20, exactly */
  fmv.x.d t0, f3
  CHECK_EQ t0, 0xffffffffffff0010 /* 2^-20 = 16 * 2^-24: a subnormal */
  csrr t0, fflags
  CHECK_EQ t0, 0

  /* ---- reserved: fmt Q and the reserved static rounding modes */
  ILLEGAL_M 15, .insn r 0x53, 0, 0x03, f1, f2, f3    /* fadd.q */
  ILLEGAL_M 16, .insn r 0x53, 5, 0x02, f1, f2, f3    /* fadd.h with rm 5 */
  ILLEGAL_M 17, .insn r 0x53, 0, 0x22, f1, f2, f3    /* fcvt.h.? from fmt 3 (rs2 = 3) */
TEST_END

        .data
        .balign 8
hdata:  .half 0xc248, 0x1200, 0x0034, 0x0056
hout:   .dword 0

/*
 * The F and D extensions as a unit of the hart (unprivileged "F", "D" chapters; privileged
 * 3.1.6.6 for mstatus.FS): FS = Off makes FP instructions and FP CSRs illegal, FP writes make
 * FS Dirty and SD set, fcsr/frm/fflags views, reserved static and invalid dynamic rounding
 * modes, NaN-boxing of single-precision values, FLW/FSW/FLD/FSD and their compressed forms,
 * accrued flags, a fused multiply-add rounded once. The arithmetic itself is checked
 * operand by operand against QEMU by test/fp/hart-fp.test.ts.
 */
#include "harness.h"

        .option arch, +d, +c

TEST_BEGIN
  /* ---- FS = Off at reset: every FP instruction and FP CSR is illegal */
  TEST 1
  csrr t0, mstatus
  li t1, MSTATUS_FS
  and t0, t0, t1
  CHECK_EQ t0, 0
  ILLEGAL_M 2, fadd.d f1, f2, f3
  ILLEGAL_M 3, csrr t0, fcsr
  ILLEGAL_M 4, csrw frm, zero
  ILLEGAL_M 5, fmv.x.d t0, f1
  la a1, data
  ILLEGAL_M 6, flw f1, 0(a1)
  ILLEGAL_C 7, c.fld fa0, 0(a1)

  /* ---- FS = Initial; writing FP state makes it Dirty, and SD follows */
  TEST 8
  li t0, (1 << 13)
  csrs mstatus, t0
  csrr t0, mstatus
  srli t1, t0, 63
  CHECK_EQ t1, 0
  li t1, 0x3ff0000000000000
  fmv.d.x f1, t1
  csrr t0, mstatus
  srli t1, t0, 13
  andi t1, t1, 3
  CHECK_EQ t1, 3
  srli t1, t0, 63
  CHECK_EQ t1, 1
  csrr t0, sstatus
  srli t1, t0, 63
  CHECK_EQ t1, 1

  /* ---- fcsr = frm (7:5) | fflags (4:0) */
  TEST 9
  csrwi fcsr, 0
  csrwi frm, 3
  csrr t0, fcsr
  CHECK_EQ t0, 0x60
  csrwi fflags, 0x1f
  csrr t0, fcsr
  CHECK_EQ t0, 0x7f
  li t1, 0xfff
  csrw fcsr, t1
  csrr t0, fcsr
  CHECK_EQ t0, 0xff
  csrr t0, frm
  CHECK_EQ t0, 7
  csrr t0, fflags
  CHECK_EQ t0, 0x1f

  /* ---- rounding modes: invalid frm with DYN, reserved static modes 5 and 6 */
  csrwi frm, 5
  ILLEGAL_M 10, fadd.d f2, f1, f1, dyn
  csrwi frm, 7
  ILLEGAL_M 11, fcvt.w.d t0, f1, dyn
  ILLEGAL_M 12, .word 0x0220d153        /* fadd.d f2, f1, f2 with rm = 5 */
  ILLEGAL_M 13, .word 0x0220e153        /* rm = 6 */
  TEST 14                               /* a valid frm is used by DYN: 1.5 rounds to 2 (RUP) or 1 (RDN) */
  li t0, 0x3ff8000000000000
  fmv.d.x f3, t0
  csrwi frm, 3
  fcvt.w.d t1, f3, dyn
  CHECK_EQ t1, 2
  csrwi frm, 2
  fcvt.w.d t1, f3, dyn
  CHECK_EQ t1, 1
  fcvt.w.d t1, f3, rne                  /* a static mode overrides frm */
  CHECK_EQ t1, 2

  /* ---- NaN-boxing */
  TEST 15                               /* a binary32 op on an unboxed register reads the canonical NaN */
  csrwi fcsr, 0
  li t0, 0x000000003f800000             /* 1.0f, upper half not all ones */
  fmv.d.x f4, t0
  fadd.s f5, f4, f4
  fmv.x.d t1, f5
  CHECK_EQ t1, 0xffffffff7fc00000
  csrr t1, fflags
  CHECK_EQ t1, 0                        /* the canonical NaN is quiet: no NV */
  TEST 16                               /* FMV.X.W moves the raw low word, sign-extended */
  li t0, 0x12345678bf800000
  fmv.d.x f4, t0
  fmv.x.w t1, f4
  CHECK_EQ t1, 0xffffffffbf800000
  TEST 17                               /* FSGNJ.S checks boxing too */
  fsgnj.s f5, f4, f4
  fmv.x.d t1, f5
  CHECK_EQ t1, 0xffffffff7fc00000
  TEST 18                               /* FMV.W.X and FLW box their result */
  li t0, 0x40000000
  fmv.w.x f6, t0
  fmv.x.d t1, f6
  CHECK_EQ t1, 0xffffffff40000000
  la a1, data
  flw f7, 4(a1)
  fmv.x.d t1, f7
  CHECK_EQ t1, 0xffffffff89abcdef
  TEST 19                               /* FSW stores the low word whatever the boxing */
  li t0, 0x1122334455667788
  fmv.d.x f8, t0
  fsw f8, 16(a1)
  lwu t1, 16(a1)
  CHECK_EQ t1, 0x55667788

  /* ---- FLD/FSD and the compressed forms */
  TEST 20
  la a1, data
  fld f9, 0(a1)
  fsd f9, 24(a1)
  ld t1, 24(a1)
  CHECK_EQ t1, 0x89abcdef01234567
  TEST 21                               /* C.FLD / C.FSD (x8-x15, f8-f15) */
  la s1, data
  c.fld fs0, 0(s1)
  c.fsd fs0, 32(s1)
  ld t1, 32(s1)
  CHECK_EQ t1, 0x89abcdef01234567
  TEST 22                               /* C.FLDSP / C.FSDSP, f0 is a valid destination */
  mv s2, sp
  la sp, data
  c.fldsp f0, 0(sp)
  c.fsdsp f0, 40(sp)
  mv sp, s2
  ld t1, 40(a1)
  CHECK_EQ t1, 0x89abcdef01234567
  TEST 23                               /* FLD of a misaligned address works like integer loads */
  fld f10, 3(a1)
  fmv.x.d t1, f10
  ld t2, 3(a1)
  CHECK_REG t1, t2

  /* ---- flags accrue until cleared */
  TEST 24
  csrwi fflags, 0
  li t0, 0x3ff0000000000000
  fmv.d.x f1, t0
  fmv.d.x f2, zero
  fdiv.d f3, f1, f2                     /* 1/0: DZ, +inf */
  fmv.x.d t1, f3
  CHECK_EQ t1, 0x7ff0000000000000
  csrr t1, fflags
  CHECK_EQ t1, 0x08
  li t0, 0x3ca0000000000000             /* 2^-53 */
  fmv.d.x f4, t0
  fadd.d f5, f1, f4, rne                /* 1 + 2^-53: a tie, inexact */
  csrr t1, fflags
  CHECK_EQ t1, 0x09
  csrrw t1, fflags, zero
  CHECK_EQ t1, 0x09
  csrr t1, fflags
  CHECK_EQ t1, 0

  /* ---- conversions saturate with NV */
  TEST 25
  li t0, 0x7ff8000000000000             /* qNaN */
  fmv.d.x f1, t0
  fcvt.w.d t1, f1, rtz
  CHECK_EQ t1, 0x7fffffff
  csrr t1, fflags
  CHECK_EQ t1, 0x10
  csrwi fflags, 0
  li t0, 0xbff0000000000000             /* -1.0 */
  fmv.d.x f1, t0
  fcvt.wu.d t1, f1, rtz
  CHECK_EQ t1, 0
  csrr t1, fflags
  CHECK_EQ t1, 0x10

  /* ---- a fused multiply-add rounds once */
  TEST 26
  csrwi fflags, 0
  li t0, 0x3ff0000000000001
  fmv.d.x f1, t0
  li t0, 0x3fefffffffffffff             /* 1 - 2^-53 */
  fmv.d.x f2, t0
  li t0, 0x3ff0000000000000
  fmv.d.x f3, t0
  fmsub.d f4, f1, f2, f3, rne           /* (1+2^-52)(1-2^-53) - 1 = 2^-53 - 2^-105, exact */
  fmv.x.d t1, f4
  CHECK_EQ t1, 0x3c9ffffffffffffe
  csrr t1, fflags
  CHECK_EQ t1, 0
  fmul.d f5, f1, f2, rne                /* unfused: 1 + 2^-53 - 2^-105 rounds to 1 */
  fsub.d f6, f5, f3, rne
  fmv.x.d t1, f6
  CHECK_EQ t1, 0

  /* ---- FS = Off again: the registers keep their values but cannot be reached */
  TEST 27
  li t0, MSTATUS_FS
  csrc mstatus, t0
  csrr t0, mstatus
  srli t1, t0, 63
  CHECK_EQ t1, 0
  ILLEGAL_M 28, fmv.x.d t0, f1
TEST_END

        .data
        .balign 16
data:
        .dword 0x89abcdef01234567
        .dword 0
        .dword 0
        .dword 0
        .dword 0
        .dword 0
        .dword 0

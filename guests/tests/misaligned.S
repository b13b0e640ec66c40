/*
 * Misaligned loads and stores, done in hardware (no trap): every width at every
 * misalignment, little-endian byte order and sign extension as for aligned accesses
 * (unprivileged spec 2.6), accesses crossing a 4 KiB page boundary in bare mode and with
 * Sv39 paging (two non-contiguous physical pages), and faults on a page-crossing access:
 * cause 13/15 with mtval inside the faulting part, rd not written, and a store whose second
 * page faults writing nothing at all (privileged spec 3.1.16: mtval = "the portion of the
 * access that caused the fault").
 */
#include "harness.h"

/* op rd, off(mbuf): expect e */
.macro LOADM n, op, off, e
  TEST \n
  la t0, mbuf
  \op t1, \off(t0)
  CHECK_EQ t1, \e
.endm

/* zero 24 bytes, op 0x8877665544332211 at off, expect the three dwords */
.macro STOREM n, op, off, d0, d1, d2
  TEST \n
  la t0, sbuf
  sd zero, 0(t0)
  sd zero, 8(t0)
  sd zero, 16(t0)
  li t1, 0x8877665544332211
  \op t1, \off(t0)
  ld t2, 0(t0)
  CHECK_EQ t2, \d0
  ld t2, 8(t0)
  CHECK_EQ t2, \d1
  ld t2, 16(t0)
  CHECK_EQ t2, \d2
.endm

/* trap_tval in [lo, hi] */
.macro CHECK_TVAL_RANGE lo, hi
  la t5, trap_tval
  ld t5, 0(t5)
  li t6, \lo
  bltu t5, t6, .Lbad\@
  li t6, \hi
  bleu t5, t6, .Lok\@
.Lbad\@:
  mv a1, t5
  mv a2, t6
  j harness_fail_check
.Lok\@:
.endm

/* fill the 16 bytes around the page boundary of xpg (P = xpg + 4096) with a0..af */
.macro XFILL
  la t0, xpg + 4096 - 8
  li t1, 0xa7a6a5a4a3a2a1a0
  sd t1, 0(t0)
  li t1, 0xafaeadacabaaa9a8
  sd t1, 8(t0)
.endm

/* the dwords at P - 8 and P */
.macro XCHECK d0, d1
  la t0, xpg + 4096 - 8
  ld t2, 0(t0)
  CHECK_EQ t2, \d0
  ld t2, 8(t0)
  CHECK_EQ t2, \d1
.endm

#define VM 0x1000000000        /* paging window */
#define RWAD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

/* run `routine` in S with a0 = va, a1 = value; it must reach its ECALL */
.macro S_RUN va, routine, value=0
  li a0, \va
  li a1, \value
  RUN_IN PRV_S, \routine
.endm

/* the same, the access at `insn` must fault with `cause` */
.macro S_FAULT va, routine, insn, cause, value=0
  li a0, \va
  li a1, \value
  EXPECT_TRAP .Lb\@
  GOTO_PRIV PRV_S, \routine
.Lb\@:
  CHECK_TRAP \cause, \insn
.endm

/* map VM + off -> label, 4 KiB */
.macro MAP4K off, label, flags
  mv a0, s1
  li a1, VM + \off
  la a2, \label
  li a3, 0
  li a4, \flags
  li a5, 3
  call harness_pt_map
.endm

TEST_BEGIN
  /* ---- every misalignment, inside a page */
  LOADM 1, lh, 1, 0x0000000000002382
  LOADM 2, lh, 3, 0xffffffffffffa5c4
  LOADM 3, lhu, 1, 0x0000000000002382
  LOADM 4, lhu, 3, 0x000000000000a5c4
  LOADM 5, lw, 1, 0xffffffffa5c42382
  LOADM 6, lw, 2, 0xffffffffe6a5c423
  LOADM 7, lw, 3, 0x0000000067e6a5c4
  LOADM 8, lw, 5, 0xfffffffff98867e6
  LOADM 9, lwu, 1, 0x00000000a5c42382
  LOADM 10, lwu, 2, 0x00000000e6a5c423
  LOADM 11, lwu, 3, 0x0000000067e6a5c4
  LOADM 12, lwu, 5, 0x00000000f98867e6
  LOADM 13, ld, 1, 0xf98867e6a5c42382
  LOADM 14, ld, 2, 0xfaf98867e6a5c423
  LOADM 15, ld, 3, 0x3bfaf98867e6a5c4
  LOADM 16, ld, 4, 0xdc3bfaf98867e6a5
  LOADM 17, ld, 5, 0x5ddc3bfaf98867e6
  LOADM 18, ld, 6, 0xbe5ddc3bfaf98867
  LOADM 19, ld, 7, 0x7fbe5ddc3bfaf988
  LOADM 20, ld, 9, 0x91907fbe5ddc3bfa
  STOREM 21, sh, 1, 0x0000000000221100, 0x0000000000000000, 0x0000000000000000
  STOREM 22, sh, 5, 0x0022110000000000, 0x0000000000000000, 0x0000000000000000
  STOREM 23, sw, 1, 0x0000004433221100, 0x0000000000000000, 0x0000000000000000
  STOREM 24, sw, 2, 0x0000443322110000, 0x0000000000000000, 0x0000000000000000
  STOREM 25, sw, 3, 0x0044332211000000, 0x0000000000000000, 0x0000000000000000
  STOREM 26, sw, 7, 0x1100000000000000, 0x0000000000443322, 0x0000000000000000
  STOREM 27, sd, 1, 0x7766554433221100, 0x0000000000000088, 0x0000000000000000
  STOREM 28, sd, 2, 0x6655443322110000, 0x0000000000008877, 0x0000000000000000
  STOREM 29, sd, 3, 0x5544332211000000, 0x0000000000887766, 0x0000000000000000
  STOREM 30, sd, 4, 0x4433221100000000, 0x0000000088776655, 0x0000000000000000
  STOREM 31, sd, 5, 0x3322110000000000, 0x0000008877665544, 0x0000000000000000
  STOREM 32, sd, 6, 0x2211000000000000, 0x0000887766554433, 0x0000000000000000
  STOREM 33, sd, 7, 0x1100000000000000, 0x0088776655443322, 0x0000000000000000
  STOREM 34, sd, 11, 0x0000000000000000, 0x5544332211000000, 0x0000000000887766
  TEST 35                      /* rd = rs1 */
  la t0, mbuf
  ld t0, 3(t0)
  CHECK_EQ t0, 0x3bfaf98867e6a5c4
  TEST 36                      /* misaligned load from the stack pointer region / negative offset */
  la t0, mbuf + 16
  lw t1, -13(t0)               /* mbuf + 3 */
  CHECK_EQ t1, 0x0000000067e6a5c4

  /* ---- across a page boundary, bare mode: bytes P-8 .. P+7 = a0 .. af */
  TEST 40
  XFILL
  la t0, xpg + 4096
  ld t1, -3(t0)
  CHECK_EQ t1, 0xacabaaa9a8a7a6a5
  ld t1, -7(t0)
  CHECK_EQ t1, 0xa8a7a6a5a4a3a2a1
  ld t1, -1(t0)
  CHECK_EQ t1, 0xaeadacabaaa9a8a7
  lw t1, -2(t0)
  CHECK_EQ t1, 0xffffffffa9a8a7a6
  lwu t1, -2(t0)
  CHECK_EQ t1, 0xa9a8a7a6
  lh t1, -1(t0)
  CHECK_EQ t1, 0xffffffffffffa8a7
  lhu t1, -1(t0)
  CHECK_EQ t1, 0xa8a7
  TEST 41
  li t1, 0x1122334455667788
  sd t1, -5(t0)
  XCHECK 0x4455667788a2a1a0, 0xafaeadacab112233
  TEST 42
  XFILL
  la t0, xpg + 4096
  li t1, 0xdeadbeef
  sw t1, -1(t0)
  XCHECK 0xefa6a5a4a3a2a1a0, 0xafaeadacabdeadbe
  TEST 43
  XFILL
  la t0, xpg + 4096
  li t1, 0xbeef
  sh t1, -1(t0)
  XCHECK 0xefa6a5a4a3a2a1a0, 0xafaeadacabaaa9be
  TEST 44
  XFILL
  la t0, xpg + 4096
  li t1, 0xcafef00d
  sw t1, -3(t0)
  XCHECK 0xfef00da4a3a2a1a0, 0xafaeadacabaaa9ca

  /* ---- with paging: VM + 0xffd.. crosses from pgX into pgY (physically below it) */
  TEST 50
  call harness_pt_alloc
  mv s1, a0
  li a1, DRAM_BASE
  li a2, DRAM_BASE
  li a3, 2
  li a4, RWAD | PTE_X
  li a5, 3
  call harness_pt_map
  MAP4K 0x0000, pgX, RWAD
  MAP4K 0x1000, pgY, RWAD
  MAP4K 0x2000, pgZ, RWAD
  /* VM + 0x3000: unmapped */
  MAP4K 0x4000, pgW, RWAD
  MAP4K 0x5000, pgX, PTE_V | PTE_R | PTE_A        /* read-only */
  /* VM + 0x6000: unmapped */
  MAP4K 0x7000, pgZ, RWAD
  SET_SATP SATP_SV39, s1
  la t0, pgX + 4096 - 8        /* pgX ends with 10 11 .. 17, pgY starts with 18 19 .. 1f */
  li t1, 0x1716151413121110
  sd t1, 0(t0)
  la t0, pgY
  li t1, 0x1f1e1d1c1b1a1918
  sd t1, 0(t0)
  S_RUN VM + 0xffd, s_ld
  CHECK_EQ a1, 0x1c1b1a1918171615
  S_RUN VM + 0xfff, s_lw
  CHECK_EQ a1, 0x1a191817
  S_RUN VM + 0xfff, s_lh
  CHECK_EQ a1, 0x1817
  TEST 51
  S_RUN VM + 0xffa, s_sd, 0x8877665544332211
  la t0, pgX + 4096 - 8
  ld t1, 0(t0)
  CHECK_EQ t1, 0x6655443322111110
  la t0, pgY
  ld t1, 0(t0)
  CHECK_EQ t1, 0x1f1e1d1c1b1a8877
  TEST 52
  S_RUN VM + 0xffe, s_sw, 0xa1b2c3d4
  la t0, pgX + 4096 - 8
  ld t1, 0(t0)
  CHECK_EQ t1, 0xc3d4443322111110
  la t0, pgY
  ld t1, 0(t0)
  CHECK_EQ t1, 0x1f1e1d1c1b1aa1b2

  /* ---- faults on a page-crossing access */
  TEST 53                      /* store: second page unmapped, nothing written */
  la t0, pgZ + 4096 - 8
  li t1, 0x5555555555555555
  sd t1, 0(t0)
  S_FAULT VM + 0x2ffc, s_sd, s_sd_insn, CAUSE_STORE_PAGE, 0x1122334455667788
  CHECK_TVAL_RANGE VM + 0x3000, VM + 0x3003
  la t0, pgZ + 4096 - 8
  ld t1, 0(t0)
  CHECK_EQ t1, 0x5555555555555555
  TEST 54                      /* load: second page unmapped, rd not written */
  li a1, 0x4242
  li a0, VM + 0x2ffe
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, s_lw_keep
1:
  CHECK_TRAP CAUSE_LOAD_PAGE, s_lw_keep
  CHECK_TVAL_RANGE VM + 0x3000, VM + 0x3001
  CHECK_EQ a1, 0x4242
  TEST 55                      /* store: second page read-only, neither page written */
  la t0, pgW + 4096 - 8
  li t1, 0x6666666666666666
  sd t1, 0(t0)
  la t0, pgX
  ld s2, 0(t0)
  S_FAULT VM + 0x4ffe, s_sw, s_sw_insn, CAUSE_STORE_PAGE, 0x01020304
  CHECK_TVAL_RANGE VM + 0x5000, VM + 0x5001
  la t0, pgW + 4096 - 8
  ld t1, 0(t0)
  CHECK_EQ t1, 0x6666666666666666
  la t0, pgX
  ld t1, 0(t0)
  CHECK_REG t1, s2
  TEST 56                      /* first page unmapped: mtval in the first part */
  S_FAULT VM + 0x6ffc, s_ld, s_ld_insn, CAUSE_LOAD_PAGE
  CHECK_TVAL_RANGE VM + 0x6ffc, VM + 0x6fff
  S_FAULT VM + 0x6ffe, s_sd, s_sd_insn, CAUSE_STORE_PAGE
  CHECK_TVAL_RANGE VM + 0x6ffe, VM + 0x6fff
  la t0, pgZ
  ld t1, 0(t0)
  CHECK_EQ t1, 0               /* the second page was not written either */
  TEST 57                      /* the same page read back through paging, crossing into pgZ */
  S_RUN VM + 0x1ffc, s_ld
  li t0, 0                     /* pgY[0xffc..0xfff] = 0, pgZ[0..3] = 0 */
  CHECK_EQ a1, 0
  csrw satp, zero
  sfence.vma
TEST_END

  /* S-mode routines: a0 = address, a1 = value */
s_ld:
s_ld_insn:
  ld a1, 0(a0)
  ecall
s_lw:
  lwu a1, 0(a0)
  ecall
s_lw_keep:
  lw a1, 0(a0)
  ecall
s_lh:
  lhu a1, 0(a0)
  ecall
s_sd:
s_sd_insn:
  sd a1, 0(a0)
  ecall
s_sw:
s_sw_insn:
  sw a1, 0(a0)
  ecall

  .data
  .balign 16
mbuf:
  .byte 0x01, 0x82, 0x23, 0xc4, 0xa5, 0xe6, 0x67, 0x88, 0xf9, 0xfa, 0x3b, 0xdc, 0x5d, 0xbe, 0x7f, 0x90, 0x91, 0xa2, 0x33, 0xd4
  .balign 16
sbuf:
  .skip 32

  .bss
  .balign 4096
pgY: .skip 4096
pgX: .skip 4096
pgZ: .skip 4096
pgW: .skip 4096
xpg: .skip 8192

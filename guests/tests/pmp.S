/*
 * Physical memory protection (privileged spec 3.7): NAPOT and TOR regions, R/W/X checked for
 * S-mode loads, stores and fetches, the lowest-numbered matching entry deciding, M-mode
 * unaffected unless the entry is locked, locked entries ignoring writes, and cached
 * translations dropped when PMP changes. The harness's all-memory entry 0 is moved to
 * entry 2 here, below the entries under test.
 */
#include "harness.h"

#define NAPOT_4K(base) (((base) >> 2) | 0x1ff)
#define CFG_R 1
#define CFG_W 2
#define CFG_X 4
#define A_TOR (1 << 3)
#define A_NAPOT (3 << 3)
#define CFG_L 0x80

/* pmpcfg0 = entry0 | entry1 << 8 | entry2 << 16, entry 2 = all memory RWX (pmpaddr2 = -1) */
.macro PMP_SET cfg0, cfg1, addr0reg, addr1reg
  csrw pmpcfg0, zero
  csrw pmpaddr0, \addr0reg
  csrw pmpaddr1, \addr1reg
  li t6, -1
  csrw pmpaddr2, t6
  li t6, (\cfg0) | ((\cfg1) << 8) | ((A_NAPOT | CFG_R | CFG_W | CFG_X) << 16)
  csrw pmpcfg0, t6
.endm

.macro PAGE_NAPOT reg, label
  la \reg, \label
  srli \reg, \reg, 2
  ori \reg, \reg, 0x1ff
.endm

TEST_BEGIN
  /* ---- the CSRs: entries 0-15 exist, the rest are hardwired to zero */
  TEST 1
  li t0, 0x1234
  csrw pmpaddr3, t0
  csrr t1, pmpaddr3
  CHECK_EQ t1, 0x1234
  csrw pmpaddr3, zero
#ifndef QEMU
  csrw pmpaddr20, t0           /* QEMU 7.2 has no CSRs past entry 15 (illegal instruction) */
  csrr t1, pmpaddr20
  CHECK_EQ t1, 0
#endif

  /* ---- a NAPOT page without permissions: S-mode loads fault, M-mode loads do not */
  TEST 2
  PAGE_NAPOT t0, pmp_page
  li t1, 0
  PMP_SET A_NAPOT, 0, t0, t1
  la a0, pmp_page
  ld t2, 0(a0)                 /* M-mode: not locked, so allowed */
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, s_load
1:
  CHECK_TRAP CAUSE_LOAD_ACCESS, s_load_insn
  CHECK_TVAL_REG a0

  /* ---- read-only: S-mode loads pass, stores fault */
  TEST 3
  PAGE_NAPOT t0, pmp_page
  li t1, 0
  PMP_SET A_NAPOT | CFG_R, 0, t0, t1
  la a0, pmp_page
  RUN_IN PRV_S, s_load         /* the load passes, then s_load ECALLs back */
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, s_store
1:
  CHECK_TRAP CAUSE_STORE_ACCESS, s_store_insn
  CHECK_TVAL_REG a0

  /* ---- a page without X: S-mode fetches from it fault */
  TEST 4
  PAGE_NAPOT t0, pmp_code
  li t1, 0
  PMP_SET A_NAPOT | CFG_R | CFG_W, 0, t0, t1
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, pmp_code
1:
  CHECK_TRAP CAUSE_FETCH_ACCESS, pmp_code

  /* ---- TOR: entry 1 covers [pmpaddr0 << 2, pmpaddr1 << 2) */
  TEST 5
  la t0, pmp_page
  srli t0, t0, 2
  li t1, 4096 >> 2
  add t1, t1, t0
  PMP_SET 0, A_TOR, t0, t1
  la a0, pmp_page
  addi a0, a0, 8
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, s_load
1:
  CHECK_TRAP CAUSE_LOAD_ACCESS, s_load_insn
  la a0, pmp_page2             /* just past the TOR range: entry 2 allows it */
  RUN_IN PRV_S, s_load

  /* ---- a translation the hart cached is dropped when PMP changes */
  TEST 6
  li t0, 0
  li t1, 0
  PMP_SET 0, 0, t0, t1         /* only the all-memory entry */
  la a0, pmp_page
  RUN_IN PRV_S, s_load         /* allowed: the page may now be in a TLB */
  PAGE_NAPOT t0, pmp_page
  li t1, 0
  PMP_SET A_NAPOT, 0, t0, t1
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, s_load
1:
  CHECK_TRAP CAUSE_LOAD_ACCESS, s_load_insn

  /* ---- a locked entry binds M-mode too, and ignores writes until reset (keep it last) */
  TEST 7
  PAGE_NAPOT t0, pmp_page
  li t1, 0
  PMP_SET A_NAPOT | CFG_L, 0, t0, t1
  la a0, pmp_page
  CLEAR_TRAPS
  EXPECT_TRAP 1f
m_load_insn:
  ld t2, 0(a0)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_LOAD_ACCESS, m_load_insn
  csrw pmpaddr0, zero          /* ignored: entry 0 is locked */
  PAGE_NAPOT t0, pmp_page
  csrr t1, pmpaddr0
  CHECK_REG t1, t0
  li t0, 0x1f
  csrw pmpcfg0, t0             /* byte 0 stays, the others change */
  csrr t1, pmpcfg0
  andi t1, t1, 0xff
  CHECK_EQ t1, (A_NAPOT | CFG_L)
TEST_END

/* S-mode helpers: access 0(a0), then ECALL back to M-mode. */
s_load:
s_load_insn:
  ld t2, 0(a0)
  ecall
s_store:
s_store_insn:
  sd zero, 0(a0)
  ecall

.section .data
.balign 4096
pmp_page:
  .fill 512, 8, 0x1111
pmp_page2:
  .fill 512, 8, 0x2222

.section .text
.balign 4096
pmp_code:
  ecall
  .balign 4096

/*
 * Svnapot and Svinval under Sv39 (privileged spec, chapters "Svnapot", "Svinval"):
 *   - N (bit 63) with ppn[3:0] = 1000 maps a 64 KiB NAPOT page: ppn[3:0] come from the VA;
 *     N on a 2 MiB leaf, another NAPOT encoding, or N in a non-leaf PTE page-fault; an
 *     SFENCE.VMA of any page of the 64 KiB drops the translation;
 *   - SINVAL.VMA invalidates like SFENCE.VMA between SFENCE.W.INVAL and SFENCE.INVAL.IR,
 *     which are illegal in U-mode and allowed in S-mode whatever mstatus.TVM (SINVAL.VMA is
 *     not, like SFENCE.VMA).
 */
#include "harness.h"
#define LEVELS 3
#include "paging_macros.inc"

#define PBMT_NC   (1 << 61)
#define PBMT_IO   (2 << 61)
#define PBMT_RSV  (3 << 61)
#define PTE_N     (1 << 63)
#define MENVCFG_PBMTE (1 << 62)

/* pt_manual[0]: a 4 KiB leaf to pgA (pt_manual is the level-0 table of hand-made pointers) */
.macro LEAF_TO_PGA
  la t0, pgA
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, RWAD
  la t1, pt_manual
  sd t0, 0(t1)
.endm

        .option arch, +svinval

#define VA_SINV   0x1000003000
#define VA_64K    0x1000010000   /* 16 NAPOT PTEs */
#define VA_NBAD   0x1000020000   /* N with ppn[3:0] = 0100: reserved */
#define VA_2M_N   0x1040000000   /* N on a 2 MiB leaf: reserved */
#define VA_NL     0x1080000000   /* level-1 pointers to pt_manual: plain, with N */
#define VA_NL_N   0x1080200000

/* run the U alias of `routine`: its first instruction must be illegal */
.macro U_ILLEGAL routine
  la t2, \routine
  li t3, U_OFF
  sub t2, t2, t3
  EXPECT_TRAP .Lu\@
  GOTO_PRIV_REG PRV_U, t2
.Lu\@:
  CHECK_MEM trap_cause, CAUSE_ILLEGAL
  la t2, \routine
  li t3, U_OFF
  sub t2, t2, t3
  la t5, trap_epc
  ld t5, 0(t5)
  CHECK_REG t5, t2
.endm

TEST_BEGIN
  la t0, pgA
  li t1, 0xaaaaaaaa00000001
  sd t1, 0(t0)
  la t0, pgB
  li t1, 0xbbbbbbbb00000002
  sd t1, 0(t0)
  /* markers in the NAPOT region at 0x0008, 0x5008, 0xf008 */
  la t0, napot
  li t1, 0x1111
  sd t1, 0x008(t0)
  li t2, 0x5000
  add t2, t0, t2
  li t1, 0x5555
  sd t1, 8(t2)
  li t2, 0xf000
  add t2, t0, t2
  li t1, 0xffff
  sd t1, 8(t2)

  /* ---- page tables */
  TEST 1
  call harness_pt_alloc
  mv s1, a0
  MAP DRAM_BASE, DRAM_BASE, 2, RWXAD
  MAP (DRAM_BASE - U_OFF), DRAM_BASE, 2, RWXAD | PTE_U
  MAPL VA_SINV, pgA, 0, RWAD
  mv s3, a0                    /* its leaf PTE, remapped by the Svinval check */
  li s2, 0                     /* 16 identical NAPOT PTEs: ppn = napot's, ppn[3:0] = 1000 */
1:
  li t0, VA_64K
  slli t1, s2, 12
  add a1, t0, t1
  mv a0, s1
  la a2, napot
  li t0, 0x8000
  add a2, a2, t0
  li a3, 0
  li a4, RWAD | PTE_N
  li a5, LEVELS
  call harness_pt_map
  addi s2, s2, 1
  li t0, 16
  bltu s2, t0, 1b
  MAPL VA_NBAD, napot + 0x4000, 0, RWAD | PTE_N
  MAP VA_2M_N, DRAM_BASE, 1, RWAD | PTE_N
  MAPL VA_NL, pt_manual, 1, PTE_V
  MAPL VA_NL_N, pt_manual, 1, PTE_V | PTE_N
  LEAF_TO_PGA
  SET_SATP SATP_SV39, s1
  RUN_IN PRV_S, s_nop

  /* ---- Svnapot: 64 KiB pages, the low page-number bits from the VA */
  TEST 2
  S_OK s_load, VA_64K + 0x0008
  CHECK_EQ a1, 0x1111
  S_OK s_load, VA_64K + 0x5008
  CHECK_EQ a1, 0x5555
  S_OK s_load, VA_64K + 0xf008
  CHECK_EQ a1, 0xffff
  S_OK s_store, VA_64K + 0x7010, 0x7777
  la t0, napot
  li t1, 0x7010
  add t0, t0, t1
  ld t1, 0(t0)
  CHECK_EQ t1, 0x7777
  TEST 3                       /* reserved NAPOT uses */
  S_FAULT s_load, s_load_insn, CAUSE_LOAD_PAGE, VA_NBAD
  S_FAULT s_load, s_load_insn, CAUSE_LOAD_PAGE, VA_2M_N
  S_OK s_load, VA_NL           /* the hand-made table works through a plain pointer */
  CHECK_EQ a1, 0xaaaaaaaa00000001
  S_FAULT s_load, s_load_insn, CAUSE_LOAD_PAGE, VA_NL_N
  /* a NAPOT translation is dropped by an SFENCE.VMA of any page of its 64 KiB */
  S_OK s_load, VA_64K + 0x5008
  li s2, 0                     /* make the 16 PTEs plain 4 KiB leaves to napot + 0x8000 */
1:
  li a1, VA_64K
  slli t1, s2, 12
  add a1, a1, t1
  mv a0, s1
  la a2, napot
  li t0, 0x8000
  add a2, a2, t0
  li a3, 0
  li a4, RWAD
  li a5, LEVELS
  call harness_pt_map
  addi s2, s2, 1
  li t0, 16
  bltu s2, t0, 1b
  li a0, VA_64K + 0x3000       /* another page of the region */
  RUN_IN PRV_S, s_sfence_va
  S_OK s_load, VA_64K + 0x5008 /* now napot + 0x8000 + 8: nothing stored there */
  CHECK_EQ a1, 0

  /* ---- Svinval: SINVAL.VMA between the two fences drops the old translation */
  TEST 4
  S_OK s_load, VA_SINV
  CHECK_EQ a1, 0xaaaaaaaa00000001
  la t0, pgB
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, RWAD
  sd t0, 0(s3)                 /* VA_SINV -> pgB */
  li a0, VA_SINV
  RUN_IN PRV_S, s_sinval
  S_OK s_load, VA_SINV
  CHECK_EQ a1, 0xbbbbbbbb00000002
  TEST 5                       /* TVM makes SINVAL.VMA illegal in S; the fences stay legal */
  SET_MSTATUS MSTATUS_TVM
  RUN_IN PRV_S, s_fences
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, s_sinval_only
1:
  CHECK_TRAP CAUSE_ILLEGAL, s_sinval_insn
  CLR_MSTATUS MSTATUS_TVM
  TEST 6                       /* all three are illegal in U-mode */
  U_ILLEGAL u_sinval
#ifndef QEMU
  /* QEMU (7.2 and 10.0) runs the two fences in U-mode as no-ops (its issue 3543, fixed in 2026) */
  U_ILLEGAL u_wfence
  U_ILLEGAL u_irfence
#endif
TEST_END

  PAGING_ROUTINES
s_sfence_va:
  sfence.vma a0
  ecall
s_sinval:
  sfence.w.inval
  sinval.vma a0, zero
  sfence.inval.ir
  ecall
s_fences:
  sfence.w.inval
  sfence.inval.ir
  ecall
s_sinval_only:
s_sinval_insn:
  sinval.vma zero, zero
  ecall
u_wfence:
  sfence.w.inval
  ecall
u_irfence:
  sfence.inval.ir
  ecall
u_sinval:
  sinval.vma zero, zero
  ecall

        .data
        .balign 4096
pgA:    .skip 4096
pgB:    .skip 4096
pt_manual: .skip 4096

        .bss
        .balign 65536
napot:  .skip 65536

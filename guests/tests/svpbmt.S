/*
 * Svpbmt under Sv39 (privileged spec, "Svpbmt" chapter; 3.1.18 menvcfg.PBMTE): PBMT (PTE bits
 * 62:61) NC and IO are accepted and change nothing on coherent RAM while menvcfg.PBMTE = 1; with
 * PBMTE = 0 they are reserved (page fault); 3 is always reserved, and so is PBMT in a non-leaf
 * PTE. QEMU 7.2 ignores PBMTE (run-qemu.sh leaves this program out with it).
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

#define VA_NC     0x1000000000
#define VA_IO     0x1000001000
#define VA_RSV    0x1000002000
#define VA_NL_P   0x1080400000   /* a level-1 pointer with PBMT set */

TEST_BEGIN
  la t0, pgA
  li t1, 0xaaaaaaaa00000001
  sd t1, 0(t0)

  /* ---- page tables */
  TEST 1
  call harness_pt_alloc
  mv s1, a0
  MAP DRAM_BASE, DRAM_BASE, 2, RWXAD
  MAPL VA_NC, pgA, 0, RWAD | PBMT_NC
  MAPL VA_IO, pgA, 0, RWAD | PBMT_IO
  MAPL VA_RSV, pgA, 0, RWAD | PBMT_RSV
  MAPL VA_NL_P, pt_manual, 1, PTE_V | PBMT_NC
  LEAF_TO_PGA
  li t0, MENVCFG_PBMTE         /* the reset value is the implementation's: start from 0 */
  csrc menvcfg, t0
  SET_SATP SATP_SV39, s1
  RUN_IN PRV_S, s_nop

  /* ---- Svpbmt: with PBMTE = 0 PBMT is reserved */
  TEST 2
  csrr t0, menvcfg
  li t1, MENVCFG_PBMTE
  and t0, t0, t1
  CHECK_EQ t0, 0
  S_FAULT s_load, s_load_insn, CAUSE_LOAD_PAGE, VA_NC
  S_FAULT s_load, s_load_insn, CAUSE_LOAD_PAGE, VA_IO
  S_FAULT s_store, s_store_insn, CAUSE_STORE_PAGE, VA_IO, 1
  S_FAULT s_load, s_load_insn, CAUSE_LOAD_PAGE, VA_RSV

  /* ---- PBMTE = 1: NC and IO map the page as usual; 3 stays reserved */
  TEST 3
  li t0, MENVCFG_PBMTE
  csrs menvcfg, t0
  sfence.vma
  csrr t0, menvcfg
  li t1, MENVCFG_PBMTE
  and t0, t0, t1
  CHECK_EQ t0, MENVCFG_PBMTE
  S_OK s_load, VA_NC
  CHECK_EQ a1, 0xaaaaaaaa00000001
  S_OK s_store, VA_IO + 8, 0x10
  la t0, pgA
  ld t1, 8(t0)
  CHECK_EQ t1, 0x10
  S_OK s_load, VA_IO
  CHECK_EQ a1, 0xaaaaaaaa00000001
#ifndef QEMU
  /* PBMT = 3 is reserved (a page fault, privileged spec 4.3.2 step 3); QEMU 10.0 maps it */
  S_FAULT s_load, s_load_insn, CAUSE_LOAD_PAGE, VA_RSV
#endif
  S_FAULT s_load, s_load_insn, CAUSE_LOAD_PAGE, VA_NL_P   /* PBMT in a non-leaf PTE */

TEST_END

  PAGING_ROUTINES

        .data
        .balign 4096
pgA:    .skip 4096
pt_manual: .skip 4096

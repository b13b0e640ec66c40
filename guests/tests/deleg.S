/*
 * Trap delegation (privileged spec 3.1.8, 3.1.9, 4.1.1-4.1.3): medeleg sends exceptions from
 * S and U to the S-mode handler (scause/sepc/stval/sstatus.SPP/SPIE), never from M; mideleg
 * sends supervisor interrupts to S; delegated interrupts are never taken in M-mode, are
 * taken in S only with SIE = 1 and in U always; interrupts not delegated preempt S and U
 * whatever MIE says; simultaneous interrupts are taken in priority order
 * MEI > MSI > MTI > SEI > SSI > STI (MEI cannot be raised from software here).
 */
#include "harness.h"

#define S_FLAG (1 << 62)        /* trap_log entries of the S handler */

/* trap_log[i] == value */
.macro CHECK_LOG i, value
  CHECK_MEM trap_log + 8 * \i, \value
.endm

TEST_BEGIN
  /* ---- exceptions */
  TEST 1                       /* ECALL from U delegated: handled in S, then S returns to M */
  li t0, 1 << CAUSE_ECALL_U
  csrw medeleg, t0
  li t0, MSTATUS_SIE
  csrs mstatus, t0             /* SIE = 1 before the trap: SPIE = 1, SIE = 0 at entry */
  CLEAR_TRAPS
  EXPECT_STRAP s_back_to_m, PRV_S
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_U, ecall_u
1:
  CHECK_STRAP CAUSE_ECALL_U, ecall_u
  CHECK_STVAL 0
  CHECK_TRAP CAUSE_ECALL_S, s_back_to_m
  CHECK_MEM strap_count, 1
  CHECK_MEM trap_count, 1
  CHECK_MEM trap_log_n, 2
  CHECK_LOG 0, S_FLAG | CAUSE_ECALL_U
  CHECK_LOG 1, CAUSE_ECALL_S
  TEST 2                       /* sstatus at S-handler entry: SPP = U, SPIE = 1, SIE = 0 */
  la t0, strap_status
  ld t0, 0(t0)
  andi t0, t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  CHECK_EQ t0, MSTATUS_SPIE
  TEST 3                       /* not delegated: the same ECALL goes to M */
  csrw medeleg, zero
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_U, ecall_u
1:
  CHECK_TRAP CAUSE_ECALL_U, ecall_u
  CHECK_MEM strap_count, 0

  TEST 4                       /* illegal instruction in S, delegated: S to S, SPP = S */
  li t0, 1 << CAUSE_ILLEGAL
  csrw medeleg, t0
  li t0, MSTATUS_SIE
  csrc mstatus, t0
  CLEAR_TRAPS
  EXPECT_STRAP s_back_to_m, PRV_S
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, ill_s
1:
  CHECK_STRAP CAUSE_ILLEGAL, ill_s
  CHECK_STVAL 0x3020000b       /* the instruction bits (custom-0 opcode) */
  la t0, strap_status
  ld t0, 0(t0)
  andi t0, t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
  CHECK_EQ t0, MSTATUS_SPP
  CHECK_MEM trap_count, 1
  TEST 5                       /* an exception in M-mode is never delegated */
  CLEAR_TRAPS
  EXPECT_TRAP 1f
ill_m:
  .word 0x3020000b
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill_m
  CHECK_MEM strap_count, 0
  TEST 6                       /* breakpoint from U, delegated */
  li t0, 1 << CAUSE_BREAKPOINT
  csrw medeleg, t0
  CLEAR_TRAPS
  EXPECT_STRAP s_back_to_m, PRV_S
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_U, ebreak_u
1:
  CHECK_STRAP CAUSE_BREAKPOINT, ebreak_u
  la t0, strap_status
  ld t0, 0(t0)
  andi t0, t0, MSTATUS_SPP
  CHECK_EQ t0, 0
  TEST 7                       /* the S handler can return to U (SPP = U) */
  li t0, 1 << CAUSE_ECALL_U
  csrw medeleg, t0
  CLEAR_TRAPS
  EXPECT_STRAP u_second, PRV_U /* ECALL in U -> S -> back to U at u_second */
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_U, ecall_u
1:
  CHECK_MEM strap_count, 1
  CHECK_MEM trap_count, 1
  CHECK_TRAP CAUSE_ILLEGAL, u_second   /* u_second is an M-only CSR read, not delegated */
  csrw medeleg, zero

  TEST 8                       /* ECALL from S delegated: handled in S itself */
  li t0, 1 << CAUSE_ECALL_S
  csrw medeleg, t0
  CLEAR_TRAPS
  EXPECT_STRAP s_mret, PRV_S   /* then MRET in S: illegal, not delegated, back to M */
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, ecall_s
1:
  CHECK_STRAP CAUSE_ECALL_S, ecall_s
  CHECK_TRAP CAUSE_ILLEGAL, s_mret
  la t0, strap_status
  ld t0, 0(t0)
  andi t0, t0, MSTATUS_SPP
  CHECK_EQ t0, MSTATUS_SPP
  csrw medeleg, zero
  TEST 9                       /* SSIP cannot be set through sip unless delegated */
  csrw mideleg, zero
  csrw mip, zero
  li t0, MIP_SSIP
  csrs sip, t0
  csrr t1, mip
  andi t1, t1, MIP_SSIP
  CHECK_EQ t1, 0

  /* ---- page faults delegated to S (Sv39): stval = the faulting address */
  TEST 10
  call harness_pt_alloc
  mv s1, a0                    /* root */
  mv a0, s1
  li a1, DRAM_BASE             /* identity 1 GiB page over RAM, S only */
  li a2, DRAM_BASE
  li a3, 2
  li a4, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
  li a5, 3
  call harness_pt_map
  li t0, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
  csrw medeleg, t0
  SET_SATP SATP_SV39, s1
  CLEAR_TRAPS
  EXPECT_STRAP s_back_to_m, PRV_S
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, load_unmapped_s
1:
  CHECK_STRAP CAUSE_LOAD_PAGE, load_unmapped_insn
  CHECK_STVAL 0x40000008
  CHECK_MEM trap_count, 1
  TEST 11
  CLEAR_TRAPS
  EXPECT_STRAP s_back_to_m, PRV_S
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, store_unmapped_s
1:
  CHECK_STRAP CAUSE_STORE_PAGE, store_unmapped_insn
  CHECK_STVAL 0x40000ff0
  TEST 12
  CLEAR_TRAPS
  EXPECT_STRAP s_back_to_m, PRV_S
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, fetch_unmapped_s
1:
  CHECK_MEM strap_cause, CAUSE_FETCH_PAGE
  CHECK_MEM strap_epc, 0x40000000
  CHECK_STVAL 0x40000000
  TEST 13                      /* page fault delegation off: M gets it, mtval = address */
  csrw medeleg, zero
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, load_unmapped_s
1:
  CHECK_TRAP CAUSE_LOAD_PAGE, load_unmapped_insn
  CHECK_TVAL 0x40000008
  CHECK_MEM strap_count, 0
  csrw satp, zero
  sfence.vma

  /* ---- interrupts */
  TEST 20                      /* delegated SSI is not taken in M-mode, even with MIE = 1 */
  li t0, MIP_SSIP
  csrw mideleg, t0
  csrw mie, t0
  csrs mip, t0
  CLEAR_TRAPS
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK_MEM trap_count, 0
  TEST 21                      /* ... nor in S with SIE = 0 */
  li t0, MSTATUS_SIE
  csrc mstatus, t0
  RUN_IN PRV_S, ecall_s
  CHECK_MEM strap_count, 0
  TEST 22                      /* ... but in S as soon as SIE = 1 */
  CLEAR_TRAPS
  RUN_IN PRV_S, sie_on_s
  CHECK_MEM strap_count, 1
  CHECK_MEM strap_cause, INTERRUPT_BIT | IRQ_SSI
  la t0, strap_epc
  ld t0, 0(t0)
  CHECK_LA t0, sie_on_s_after  /* after the CSR write that enabled it */
  CHECK_MEM trap_log, S_FLAG | INTERRUPT_BIT | IRQ_SSI
  TEST 23                      /* in U it is taken whatever SIE is */
  li t0, MIP_SSIP
  csrs mie, t0                 /* (the S handler cleared sie.SSIE) */
  li t0, MSTATUS_SIE
  csrc mstatus, t0
  CLEAR_TRAPS
  RUN_IN PRV_U, ecall_u
  CHECK_MEM strap_count, 1
  CHECK_MEM strap_cause, INTERRUPT_BIT | IRQ_SSI
  CHECK_STRAP INTERRUPT_BIT | IRQ_SSI, ecall_u
  la t0, strap_status
  ld t0, 0(t0)
  andi t0, t0, MSTATUS_SPP
  CHECK_EQ t0, 0               /* interrupted U */
  csrw mip, zero
  TEST 24                      /* STI and SEI raised through mip, delegated */
  li t0, MIP_STIP | MIP_SEIP
  csrw mideleg, t0
  csrw mie, t0
  li t0, MIP_STIP
  csrs mip, t0
  CLEAR_TRAPS
  RUN_IN PRV_U, ecall_u
  CHECK_STRAP INTERRUPT_BIT | IRQ_STI, ecall_u
  csrc mip, t0
  li t0, MIP_SEIP
  csrs mip, t0
  CLEAR_TRAPS
  RUN_IN PRV_U, ecall_u
  CHECK_STRAP INTERRUPT_BIT | IRQ_SEI, ecall_u
  csrw mip, zero
  csrw mie, zero
  csrw mideleg, zero

  TEST 25                      /* not delegated: SSI taken in M while in S, though MIE = 0 */
  csrci mstatus, MSTATUS_MIE
  li t0, MIP_SSIP
  csrw mie, t0
  csrs mip, t0
  CLEAR_TRAPS
  RUN_IN PRV_S, ecall_s
  CHECK_MEM trap_log_n, 2
  CHECK_LOG 0, INTERRUPT_BIT | IRQ_SSI
  CHECK_LOG 1, CAUSE_ECALL_S
  CHECK_MEM strap_count, 0
  csrw mip, zero

  /* ---- priority of simultaneous M-level interrupts: MSI > MTI > SEI > SSI > STI */
  TEST 30
  csrci mstatus, MSTATUS_MIE
  csrw mideleg, zero
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)                 /* MSIP */
  li t0, CLINT_MTIMECMP
  sd zero, 0(t0)               /* MTIP (mtime >= 0) */
  li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrs mip, t0
  li t0, MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP | MIP_SEIP
  csrw mie, t0
  CLEAR_TRAPS
  csrsi mstatus, MSTATUS_MIE   /* each is taken once (the handler clears its mie bit) */
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK_MEM trap_log_n, 5
#ifndef QEMU
  /* QEMU 7.2 takes simultaneous interrupts in ascending cause order (SSI, MSI, STI, MTI,
     SEI), not in the order of privileged spec 3.1.9 */
  CHECK_LOG 0, INTERRUPT_BIT | IRQ_MSI
  CHECK_LOG 1, INTERRUPT_BIT | IRQ_MTI
  CHECK_LOG 2, INTERRUPT_BIT | IRQ_SEI
  CHECK_LOG 3, INTERRUPT_BIT | IRQ_SSI
  CHECK_LOG 4, INTERRUPT_BIT | IRQ_STI
#endif
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  csrw mip, zero

  /* ---- delegated ones in S: SEI > SSI > STI */
  TEST 31
  li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrw mideleg, t0
  csrw mie, t0
  csrs mip, t0
  li t0, MSTATUS_SIE
  csrc mstatus, t0
  CLEAR_TRAPS
  RUN_IN PRV_S, sie_on_s
  CHECK_MEM trap_log_n, 4
#ifndef QEMU
  /* QEMU 7.2: ascending cause order here too (see check 30) */
  CHECK_LOG 0, S_FLAG | INTERRUPT_BIT | IRQ_SEI
  CHECK_LOG 1, S_FLAG | INTERRUPT_BIT | IRQ_SSI
  CHECK_LOG 2, S_FLAG | INTERRUPT_BIT | IRQ_STI
#endif
  CHECK_LOG 3, CAUSE_ECALL_S
  csrw mip, zero

  /* ---- M-level before S-level: in U with MTI (not delegated) and SSI (delegated) pending */
  TEST 32
  li t0, MIP_SSIP
  csrw mideleg, t0
  csrs mip, t0
  li t0, CLINT_MTIMECMP
  sd zero, 0(t0)
  li t0, MIP_SSIP | MIP_MTIP
  csrw mie, t0
  CLEAR_TRAPS
  RUN_IN PRV_U, ecall_u
  CHECK_MEM trap_log_n, 3
  CHECK_LOG 0, INTERRUPT_BIT | IRQ_MTI
  CHECK_LOG 1, S_FLAG | INTERRUPT_BIT | IRQ_SSI
  CHECK_LOG 2, CAUSE_ECALL_U
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  csrw mip, zero
  csrw mie, zero
  csrw mideleg, zero

  /* ---- stvec vectored: a delegated interrupt goes to base + 4 * cause */
  TEST 33
  la t0, svtable
  ori t0, t0, 1
  csrw stvec, t0
  li t0, MIP_STIP
  csrw mideleg, t0
  csrw mie, t0
  csrs mip, t0
  la t0, svec_hit
  sd zero, 0(t0)
  RUN_IN PRV_U, ecall_u
  CHECK_MEM svec_hit, 5
  csrw mip, zero
  csrw mie, zero
  csrw mideleg, zero
  la t0, harness_trap_s
  csrw stvec, t0
TEST_END

  /* ---- code run in S or U */
ecall_u:
  ecall
ebreak_u:
  ebreak
u_second:
  csrr a0, mstatus
  ecall
ecall_s:
  ecall
s_back_to_m:
  ecall
s_mret:
  mret
ill_s:
  .word 0x3020000b
  ecall
sie_on_s:
  csrsi sstatus, MSTATUS_SIE
sie_on_s_after:
  nop
  csrci sstatus, MSTATUS_SIE
  ecall
load_unmapped_s:
  li t0, 0x40000000
load_unmapped_insn:
  ld t1, 8(t0)
  ecall
store_unmapped_s:
  li t0, 0x40001000
store_unmapped_insn:
  sd t1, -16(t0)
  ecall
fetch_unmapped_s:
  li t0, 0x40000000
  jr t0

  /* stvec vectored table: entry 5 (STI) records and disables STIE; others fail */
  .balign 64
svtable:
  j svec_bad
  j svec_bad
  j svec_bad
  j svec_bad
  j svec_bad
  j svec_sti
  j svec_bad
  j svec_bad
  j svec_bad
  j svec_bad
svec_sti:
  li s9, MIP_STIP
  csrc sie, s9
  la s9, svec_hit
  li s10, 5
  sd s10, 0(s9)
  sret
svec_bad:
  li a3, 3
  mv a0, gp
  csrr a4, scause
  csrr a5, sepc
  csrr a6, stval
  li a7, HARNESS_MAGIC
  ecall

  .data
  .balign 8
svec_hit: .dword 0

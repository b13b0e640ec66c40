/*
 * Interrupts (privileged spec 3.1.6.1, 3.1.9, 3.2.1, 3.3.3): the CLINT timer (mtime counts,
 * MTIP follows mtime >= mtimecmp), the software interrupt through msip, WFI waking on a
 * pending enabled interrupt (taken with mepc = the next instruction, or not taken with
 * MIE = 0), and the enable rules: in M-mode M-level interrupts need MIE, in S and U they are
 * always enabled; a clear mie bit blocks an interrupt everywhere.
 */
#include "harness.h"

/* t0 = mtime */
.macro READ_MTIME reg
  li \reg, CLINT_MTIME
  ld \reg, 0(\reg)
.endm

/* mtimecmp = mtime + ticks */
.macro TIMER_IN ticks
  READ_MTIME t0
  li t1, \ticks
  add t0, t0, t1
  li t1, CLINT_MTIMECMP
  sd t0, 0(t1)
.endm

.macro TIMER_OFF
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
.endm

TEST_BEGIN
  /* ---- mtime advances; the time CSR reads it */
  TEST 1
  READ_MTIME s0
  li t2, 2000
1:
  addi t2, t2, -1
  bnez t2, 1b
  csrr s1, time
  READ_MTIME s2
  CHECK_GTU s2, s0             /* mtime moved on during the loop */
  bltu s1, s0, 2f              /* mtime before <= time <= mtime after */
  bgtu s1, s2, 2f
  j 3f
2:
  FAIL_NOW
3:
  TEST 2                       /* 32-bit halves of mtime are readable */
  READ_MTIME s0
  li t0, CLINT_MTIME
  lwu t1, 4(t0)
  srli s0, s0, 32
  sub t1, t1, s0
  sltiu t1, t1, 2              /* the high word is the same (or just carried) */
  CHECK_EQ t1, 1

  /* ---- MTIP follows mtimecmp */
  TEST 3
  csrw mie, zero
  TIMER_IN 100000000           /* 10 s ahead */
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  CHECK_EQ t0, 0
  li t0, CLINT_MTIMECMP        /* mtimecmp reads back */
  ld t1, 0(t0)
  READ_MTIME t2
  sub t1, t1, t2
  li t2, 100000000
  CHECK_GTU t2, t1
  TEST 4
  li t0, CLINT_MTIMECMP
  sd zero, 0(t0)               /* in the past: pending */
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  CHECK_EQ t0, MIP_MTIP
  TIMER_OFF                    /* in the future again: no longer pending */
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  CHECK_EQ t0, 0

  TEST 18                      /* mtimecmp written in 32-bit halves, read both ways */
  li t0, CLINT_MTIMECMP
  li t1, -1
  sw t1, 0(t0)                 /* low word first: never below the old or new value */
  li t1, 0x12345678
  sw t1, 4(t0)
  li t1, 0x9abcdef0
  sw t1, 0(t0)
  ld t2, 0(t0)
  CHECK_EQ t2, 0x123456789abcdef0
  lwu t2, 4(t0)
  CHECK_EQ t2, 0x12345678
  lwu t2, 0(t0)
  CHECK_EQ t2, 0x9abcdef0
  TIMER_OFF

  /* ---- a timer interrupt arrives after mtime reaches mtimecmp */
  TEST 5
  CLEAR_TRAPS
  li t0, MIP_MTIP
  csrw mie, t0
  TIMER_IN 2000                /* 200 us */
  mv s3, t0                    /* the deadline */
  csrsi mstatus, MSTATUS_MIE
  READ_MTIME s4
  li t2, 5000000
  add s4, s4, t2               /* give up after 0.5 s */
1:
  la t0, trap_count
  ld t0, 0(t0)
  bnez t0, 2f
  READ_MTIME t1
  bltu t1, s4, 1b
2:
  csrci mstatus, MSTATUS_MIE
  READ_MTIME s5
  CHECK_MEM trap_count, 1
  CHECK_MEM trap_cause, INTERRUPT_BIT | IRQ_MTI
  CHECK_GTU s5, s3             /* not before the deadline: mtime >= mtimecmp by now */
  TIMER_OFF

  /* ---- WFI wakes up on the timer; the interrupt is taken at the next instruction */
  TEST 6
  CLEAR_TRAPS
  li t0, MIP_MTIP
  csrw mie, t0
  TIMER_IN 5000                /* 0.5 ms */
  csrsi mstatus, MSTATUS_MIE
  wfi
wfi_next:
  csrci mstatus, MSTATUS_MIE
  CHECK_MEM trap_count, 1
  CHECK_MEM trap_cause, INTERRUPT_BIT | IRQ_MTI
  CHECK_TRAP INTERRUPT_BIT | IRQ_MTI, wfi_next
  TIMER_OFF
  TEST 7                       /* with MIE = 0 WFI still wakes, and nothing is taken */
  CLEAR_TRAPS
  li t0, MIP_MTIP
  csrw mie, t0
  TIMER_IN 5000
  wfi
  /* (WFI may also return early: wait for MTIP to be sure of the state) */
  READ_MTIME s4
  li t2, 5000000
  add s4, s4, t2
1:
  csrr t0, mip
  andi t0, t0, MIP_MTIP
  bnez t0, 2f
  READ_MTIME t1
  bltu t1, s4, 1b
2:
  CHECK_EQ t0, MIP_MTIP
  CHECK_MEM trap_count, 0
  TIMER_OFF
  csrw mie, zero

  /* ---- software interrupt through msip */
  TEST 8
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  lw t2, 0(t0)
  CHECK_EQ t2, 1
  csrr t2, mip
  andi t2, t2, MIP_MSIP
  CHECK_EQ t2, MIP_MSIP
  TEST 9                       /* pending, but MSIE = 0: not taken */
  CLEAR_TRAPS
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK_MEM trap_count, 0
  TEST 10                      /* MSIE = 1, MIE = 0 in M-mode: not taken */
  li t0, MIP_MSIP
  csrw mie, t0
  nop
  CHECK_MEM trap_count, 0
  TEST 11                      /* MIE = 1: taken right after the enabling instruction */
  csrsi mstatus, MSTATUS_MIE
msi_next:
  csrci mstatus, MSTATUS_MIE
  CHECK_TRAP INTERRUPT_BIT | IRQ_MSI, msi_next
  la t0, trap_status
  ld t0, 0(t0)
  andi t0, t0, MSTATUS_MIE | MSTATUS_MPIE
  CHECK_EQ t0, MSTATUS_MPIE    /* at entry: MIE cleared, MPIE = 1 */
  TEST 12                      /* clearing msip clears MSIP */
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  lw t2, 0(t0)
  CHECK_EQ t2, 0
  csrr t2, mip
  andi t2, t2, MIP_MSIP
  CHECK_EQ t2, 0

  /* ---- below M, M-level interrupts are enabled whatever MIE says */
  TEST 13
  csrci mstatus, MSTATUS_MIE
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  li t0, MIP_MSIP
  csrw mie, t0
  CLEAR_TRAPS
  RUN_IN PRV_S, ecall_s        /* taken at once, at the first S instruction */
  CHECK_MEM trap_log_n, 2
  CHECK_MEM trap_log, INTERRUPT_BIT | IRQ_MSI
  TEST 14                      /* the same from U */
  li t0, MIP_MSIP
  csrw mie, t0                 /* the handler disabled it */
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_U, ecall_u
1:
  CHECK_MEM trap_log_n, 2
  CHECK_MEM trap_log, INTERRUPT_BIT | IRQ_MSI
  CHECK_MEM trap_log + 8, CAUSE_ECALL_U
  TEST 15                      /* the interrupted U context: mepc = U entry, MPP = U */
  li t0, MIP_MSIP
  csrw mie, t0
  la t0, u_spin
  csrw mepc, t0
  li t0, MSTATUS_MPP
  csrc mstatus, t0             /* MPP = U */
  la t0, msi_from_u_hook
  csrw mtvec, t0               /* catch the interrupt with a handler that keeps mepc/MPP */
  mret
msi_u_back:
  la t0, harness_trap_m
  csrw mtvec, t0
  CHECK_LA s6, u_spin
  CHECK_EQ s7, 0
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  csrw mie, zero

  /* ---- a timer interrupt while in U-mode */
  TEST 16
  li t0, MIP_MTIP
  csrw mie, t0
  TIMER_IN 2000
  CLEAR_TRAPS
  RUN_IN PRV_U, u_wait_timer
  CHECK_MEM trap_log_n, 2
  CHECK_MEM trap_log, INTERRUPT_BIT | IRQ_MTI
  TIMER_OFF
  csrw mie, zero

  /* ---- an S-level interrupt that is not delegated is an M interrupt: MIE gates it in M */
  TEST 17
  li t0, MIP_STIP
  csrw mie, t0
  csrs mip, t0
  CLEAR_TRAPS
  nop
  CHECK_MEM trap_count, 0
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK_MEM trap_count, 1
  CHECK_MEM trap_cause, INTERRUPT_BIT | IRQ_STI
  csrw mip, zero
  csrw mie, zero
TEST_END

ecall_s:
  ecall
ecall_u:
  ecall
u_spin:
  j u_spin
  /* U-mode: spin until the timer interrupt has been taken (trap_count becomes 1) */
u_wait_timer:
  la t0, trap_count
1:
  ld t1, 0(t0)
  beqz t1, 1b
  ecall

  /* M-mode handler for check 15: record mepc and MPP, clear the source, resume in M */
  .balign 4
msi_from_u_hook:
  csrr s6, mepc
  csrr s7, mstatus
  srli s7, s7, 11
  andi s7, s7, 3
  li s8, CLINT_MSIP
  sw zero, 0(s8)
  la s8, msi_u_back
  csrw mepc, s8
  li s8, MSTATUS_MPP
  csrs mstatus, s8
  li s8, MSTATUS_MPIE
  csrc mstatus, s8
  mret

/*
 * wasmvisor guest test harness: constants and assembler macros.
 *
 * A test program is one .S file that includes this header and defines `test_main`
 * (use TEST_BEGIN / TEST_END). harness.S provides _start, the M- and S-mode trap handlers,
 * PASS/FAIL through HTIF tohost (and the SiFive test finisher at 0x100000 for QEMU),
 * mode switches and a page-table builder.
 *
 * Register conventions inside tests:
 *   gp (x3)      number of the current check (TEST n); a failure exits with that number
 *   t5, t6       scratch of the check macros: clobbered by every CHECK_* / EXPECT_* macro
 *   everything else is the test's. Trap handlers preserve all registers.
 *
 * Checks may fail in any privilege mode (the failure travels to M-mode by ECALL), but a test
 * that installs its own trap vector must restore the harness's before failing can work.
 *
 * Exit protocol: PASS writes 1 to tohost (exit code 0); FAIL(n) writes (n << 1) | 1
 * (exit code n). The same store is then made to the SiFive test finisher at 0x100000:
 * 0x5555 for pass, (n << 16) | 0x3333 for failure. Check numbers are 1..4094; 4095 means
 * a failure before the first TEST.
 *
 * All instructions are assembled uncompressed (.option norvc) unless a test says
 * `.option rvc`, so what a test executes is exactly what it spells.
 */
#ifndef WASMVISOR_HARNESS_H
#define WASMVISOR_HARNESS_H

/* ---- CSR fields ------------------------------------------------------------------------- */
#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_MPP_S (1 << 11)
#define MSTATUS_MPP_M (3 << 11)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)
#define MSTATUS_UXL   (3 << 32)
#define MSTATUS_SXL   (3 << 34)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define MIP_SSIP (1 << IRQ_SSI)
#define MIP_MSIP (1 << IRQ_MSI)
#define MIP_STIP (1 << IRQ_STI)
#define MIP_MTIP (1 << IRQ_MTI)
#define MIP_SEIP (1 << IRQ_SEI)
#define MIP_MEIP (1 << IRQ_MEI)
#define INTERRUPT_BIT (1 << 63)

#define CAUSE_FETCH_MISALIGNED 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_LOAD_MISALIGNED  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_STORE_MISALIGNED 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15

/* ---- Page tables ------------------------------------------------------------------------ */
#define PTE_V (1 << 0)
#define PTE_R (1 << 1)
#define PTE_W (1 << 2)
#define PTE_X (1 << 3)
#define PTE_U (1 << 4)
#define PTE_G (1 << 5)
#define PTE_A (1 << 6)
#define PTE_D (1 << 7)
#define SATP_SV39 (8 << 60)
#define SATP_SV48 (9 << 60)
#define SATP_SV57 (10 << 60)

/* ---- Machine ---------------------------------------------------------------------------- */
#define CLINT_BASE     0x2000000
#define CLINT_MSIP     (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME    (CLINT_BASE + 0xbff8)
#define TEST_FINISHER  0x100000
#define DRAM_BASE      0x80000000

/* a7 value of the harness's own ECALL (exit from any privilege) */
#define HARNESS_MAGIC 0x484152 /* "HAR" */

#ifdef __ASSEMBLER__

.option norvc
.option norelax

/* ---- Program frame ---------------------------------------------------------------------- */
.macro TEST_BEGIN
  .text
  .globl test_main
test_main:
.endm

.macro TEST_END
  j harness_pass
.endm

/* Start check number n: failures and unexpected traps from here on report n. */
.macro TEST n
  li gp, \n
.endm

/* ---- Checks (clobber t5, t6) ------------------------------------------------------------ */
/* reg == 64-bit constant */
.macro CHECK_EQ reg, val
  li t6, \val
  beq \reg, t6, .Lok\@
  mv a1, \reg
  mv a2, t6
  j harness_fail_check
.Lok\@:
.endm

/* r1 == r2 */
.macro CHECK_REG r1, r2
  beq \r1, \r2, .Lok\@
  mv a1, \r1
  mv a2, \r2
  j harness_fail_check
.Lok\@:
.endm

/* reg == address of label */
.macro CHECK_LA reg, label
  la t6, \label
  beq \reg, t6, .Lok\@
  mv a1, \reg
  mv a2, t6
  j harness_fail_check
.Lok\@:
.endm

/* reg != 0 */
.macro CHECK_NZ reg
  bnez \reg, .Lok\@
  mv a1, \reg
  li a2, 0
  j harness_fail_check
.Lok\@:
.endm

/* r1 > r2 (unsigned) */
.macro CHECK_GTU r1, r2
  bgtu \r1, \r2, .Lok\@
  mv a1, \r1
  mv a2, \r2
  j harness_fail_check
.Lok\@:
.endm

/* 64-bit word at symbol == constant */
.macro CHECK_MEM sym, val
  la t5, \sym
  ld t5, 0(t5)
  CHECK_EQ t5, \val
.endm

/* Unconditional failure of the current check. */
.macro FAIL_NOW
  li a1, 0
  li a2, 0
  j harness_fail_check
.endm

/* ---- Traps ------------------------------------------------------------------------------ */
/*
 * The next exception taken in M-mode is expected: the handler records it (trap_cause,
 * trap_epc, trap_tval, trap_status = mstatus at entry, trap_count, trap_log) and returns
 * with MRET to `label` in privilege `priv` (M by default; in M-mode MIE is then 0 whatever
 * it was when the trap was taken). An exception that nobody
 * expects fails the current check. Interrupts are recorded and their enable bit in mie is
 * cleared (so each is taken once); they return to where they were taken.
 */
.macro EXPECT_TRAP label, priv=PRV_M
  la t6, \label
  EXPECT_TRAP_REG t6, \priv
.endm

/* Same for the S-mode handler (stvec = harness_trap_s): SRET to `label` in `priv` (S/U). */
.macro EXPECT_STRAP label, priv=PRV_S
  la t6, \label
  EXPECT_STRAP_REG t6, \priv
.endm

/* Like EXPECT_STRAP with the resume address in a register (e.g. an alias VA). */
.macro EXPECT_STRAP_REG reg, priv=PRV_S
  la t5, strap_resume
  sd \reg, 0(t5)
  li t6, \priv
  sd t6, 8(t5)
.endm

.macro EXPECT_TRAP_REG reg, priv=PRV_M
  la t5, trap_resume
  sd \reg, 0(t5)
  li t6, \priv
  sd t6, 8(t5)
.endm

/* Forget recorded traps (counts, log, last cause/epc/tval of both handlers). */
.macro CLEAR_TRAPS
  call harness_clear_traps
.endm

/* Last M-mode trap: mcause == cause and mepc == label */
.macro CHECK_TRAP cause, label
  CHECK_MEM trap_cause, \cause
  la t5, trap_epc
  ld t5, 0(t5)
  CHECK_LA t5, \label
.endm

.macro CHECK_TVAL val
  CHECK_MEM trap_tval, \val
.endm

.macro CHECK_TVAL_LA label
  la t5, trap_tval
  ld t5, 0(t5)
  CHECK_LA t5, \label
.endm

.macro CHECK_TVAL_REG reg
  la t5, trap_tval
  ld t5, 0(t5)
  CHECK_REG t5, \reg
.endm

/* op rd, rs1, rs2 with rs1 = a, rs2 = b; expect e */
.macro RR n, op, a, b, e
  TEST \n
  li t0, \a
  li t1, \b
  \op t2, t0, t1
  CHECK_EQ t2, \e
.endm

/* op rd, rs1, imm with rs1 = a; expect e */
.macro RI n, op, a, imm, e
  TEST \n
  li t0, \a
  \op t2, t0, \imm
  CHECK_EQ t2, \e
.endm

/* `insn` must raise an illegal-instruction exception in M-mode, mtval = its encoding, which
   `load` (lwu for a 32-bit instruction, lhu for a compressed one) reads back */
.macro ILLEGAL_ENC n, load, insn:vararg
  TEST \n
  EXPECT_TRAP .Lr\@
.Li\@:
  \insn
  FAIL_NOW
.Lr\@:
  CHECK_TRAP CAUSE_ILLEGAL, .Li\@
  la a0, .Li\@
  \load a0, 0(a0)
  CHECK_TVAL_REG a0
.endm
.macro ILLEGAL_M n, insn:vararg
  ILLEGAL_ENC \n, lwu, \insn
.endm
.macro ILLEGAL_C n, insn:vararg
  ILLEGAL_ENC \n, lhu, \insn
.endm

/* Last S-mode trap: scause == cause and sepc == label */
.macro CHECK_STRAP cause, label
  CHECK_MEM strap_cause, \cause
  la t5, strap_epc
  ld t5, 0(t5)
  CHECK_LA t5, \label
.endm

.macro CHECK_STVAL val
  CHECK_MEM strap_tval, \val
.endm

.macro CHECK_STVAL_REG reg
  la t5, strap_tval
  ld t5, 0(t5)
  CHECK_REG t5, \reg
.endm

/* ---- Privilege changes ------------------------------------------------------------------ */
/* From M-mode: continue at `label` in privilege `priv` (MRET with MPP = priv). */
.macro GOTO_PRIV priv, label
  la t6, \label
  csrw mepc, t6
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  li t6, (\priv << 11)
  csrs mstatus, t6
  mret
.endm

/* From M-mode: continue at the address in `reg` in privilege `priv`. */
.macro GOTO_PRIV_REG priv, reg
  csrw mepc, \reg
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  li t6, (\priv << 11)
  csrs mstatus, t6
  mret
.endm

/*
 * From M-mode: run the code at `label` in privilege `priv` until it executes ECALL, then
 * continue here in M-mode. Fails the check if the trap that returns is not that ECALL.
 */
.macro RUN_IN priv, label
  EXPECT_TRAP .Lback\@
  GOTO_PRIV \priv, \label
.Lback\@:
  CHECK_MEM trap_cause, (CAUSE_ECALL_U + \priv)
.endm

.macro RUN_IN_REG priv, reg
  EXPECT_TRAP .Lback\@
  GOTO_PRIV_REG \priv, \reg
.Lback\@:
  CHECK_MEM trap_cause, (CAUSE_ECALL_U + \priv)
.endm

/* ---- Paging ----------------------------------------------------------------------------- */
/* satp = mode | root >> 12, then SFENCE.VMA. rootreg holds the root table's address. */
.macro SET_SATP mode, rootreg
  srli t6, \rootreg, 12
  li t5, \mode
  or t6, t6, t5
  csrw satp, t6
  sfence.vma
.endm

#endif /* __ASSEMBLER__ */
#endif

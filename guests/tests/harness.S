/*
 * wasmvisor guest test harness: start-up, trap handlers, exit, diagnostics, page tables.
 * See harness.h for the conventions. Built once per variant and linked into every test.
 *
 * Variants: the default build reports through HTIF (tohost, then the SiFive test finisher);
 * -DQEMU reports through the test finisher only and prints through the 16550 UART of
 * QEMU `virt` at 0x10000000 (QEMU has no HTIF on that machine).
 */
#include "harness.h"

/* Records the trap in t0 (cause) at `count`: count += 1, then cause, epc, tval, status. */
.macro RECORD_TRAP count, epc, tval, status
  la t1, \count
  ld t2, 0(t1)
  addi t2, t2, 1
  sd t2, 0(t1)
  sd t0, 8(t1)
  csrr t2, \epc
  sd t2, 16(t1)
  csrr t2, \tval
  sd t2, 24(t1)
  csrr t2, \status
  sd t2, 32(t1)
.endm


#define UART_BASE 0x10000000

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li gp, 0
  la sp, harness_stack_top
  la t0, harness_trap_m
  csrw mtvec, t0
  la t0, harness_save_m
  csrw mscratch, t0
  la t0, harness_trap_s
  csrw stvec, t0
  la t0, harness_save_s
  csrw sscratch, t0
  csrw mie, zero
  csrw medeleg, zero
  csrw mideleg, zero
  csrw satp, zero
  csrw mip, zero
  /* CLINT: no software interrupt, timer compare at the far future (MTIP clear) */
  li t0, CLINT_MSIP
  sw zero, 0(t0)
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)
  /* One PMP region granting RWX over all of memory: on a hart that implements PMP (QEMU)
     S- and U-mode accesses fail unless some entry matches. NAPOT with all ones = everything. */
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f            /* R W X, A = NAPOT */
  csrw pmpcfg0, t0
  /* zero .bss */
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  /* thread pointer: a copy of the TLS template (.tdata, then zeros for .tbss) */
  la tp, __tls_block
  la t0, __tdata_start
  la t1, __tdata_end
  mv t2, tp
3:
  bgeu t0, t1, 4f
  lbu t3, 0(t0)
  sb t3, 0(t2)
  addi t0, t0, 1
  addi t2, t2, 1
  j 3b
4:
  la t1, __tls_size
  add t1, t1, tp
5:
  bgeu t2, t1, 6f
  sb zero, 0(t2)
  addi t2, t2, 1
  j 5b
6:
  call test_main
  j harness_pass

/* ----------------------------------------------------------------------------------------
 * Exit
 */
  .text
  .globl harness_pass
harness_pass:
  csrr t0, mstatus       /* traps (and so fails) unless we really are in M-mode */
  li a0, 0
  j harness_exit_m

  /* A check failed: a1 = value seen, a2 = value expected; exits with the check number gp.
     Works from any privilege: the harness ECALL (a7 = HARNESS_MAGIC) reaches the M handler,
     through the S handler when ECALLs are delegated. */
  .globl harness_fail_check
harness_fail_check:
  mv a0, gp
  li a3, 1
  li a4, 0
  li a5, 0
  li a6, 0
  li a7, HARNESS_MAGIC
  ecall
  /* Only reached if a test's own M-mode trap handler skipped the ECALL: exit directly. */
  mv a0, gp
  li a3, 1
  j harness_fail_m

/* From C: harness_fail_c(n, got, expected) - a check failed. */
  .globl harness_fail_c
harness_fail_c:
  mv gp, a0
  j harness_fail_check

/* M-mode exit with code a0 (0 = pass). */
  .globl harness_exit_m
harness_exit_m:
  li t0, MSTATUS_MPRV | MSTATUS_MIE
  csrc mstatus, t0
  bnez a0, harness_fail_m
#ifdef QEMU
  la a0, msg_pass
  call harness_puts
  li a0, 0
#endif
  j harness_finish

/*
 * M-mode failure exit with code a0 (0 and codes above 4095 become 4095). a1..a6 describe
 * it: a3 = kind (1 check, 2 unexpected M trap, 3 unexpected S trap), a1/a2 = got/expected,
 * a4/a5/a6 = cause/epc/tval of an unexpected trap. Stored in fail_info and printed.
 */
harness_fail_m:
  li t0, MSTATUS_MPRV | MSTATUS_MIE
  csrc mstatus, t0
  li t0, 4095
  beqz a0, 1f
  bltu a0, t0, 2f
1:
  mv a0, t0
2:
  la t0, fail_info
  sd a3, 0(t0)
  sd a0, 8(t0)
  sd a1, 16(t0)
  sd a2, 24(t0)
  sd a4, 32(t0)
  sd a5, 40(t0)
  sd a6, 48(t0)
  /* "FAIL check N: ..." */
  la a0, msg_fail
  call harness_puts
  la t0, fail_info
  ld a0, 8(t0)
  call harness_putdec
  la t0, fail_info
  ld t1, 0(t0)
  li t2, 1
  bne t1, t2, 4f
  la a0, msg_got
  call harness_puts
  la t0, fail_info
  ld a0, 16(t0)
  call harness_puthex
  la a0, msg_expected
  call harness_puts
  la t0, fail_info
  ld a0, 24(t0)
  call harness_puthex
  j 6f
4:
  la a0, msg_mtrap
  li t2, 2
  beq t1, t2, 5f
  la a0, msg_strap
5:
  call harness_puts
  la t0, fail_info
  ld a0, 32(t0)
  call harness_puthex
  la a0, msg_epc
  call harness_puts
  la t0, fail_info
  ld a0, 40(t0)
  call harness_puthex
  la a0, msg_tval
  call harness_puts
  la t0, fail_info
  ld a0, 48(t0)
  call harness_puthex
6:
  li a0, '\n'
  call harness_putc
  la t0, fail_info
  ld a0, 8(t0)
harness_finish:
  /* tohost: 1 = pass, (code << 1) | 1 = fail */
  slli t1, a0, 1
  ori t1, t1, 1
#ifndef QEMU
  call harness_htif_wait
  la t0, tohost
  sd t1, 0(t0)
#endif
  /* SiFive test finisher: 0x5555 pass, (code << 16) | 0x3333 fail */
  li t0, TEST_FINISHER
  li t1, 0x5555
  beqz a0, 7f
  slli t1, a0, 16
  li t2, 0x3333
  or t1, t1, t2
7:
  sw t1, 0(t0)
8:
  wfi
  j 8b

/* ----------------------------------------------------------------------------------------
 * Console (M-mode). harness_putc: a0 = byte. Clobbers t0..t3.
 */
#ifndef QEMU
/* Waits until the host has consumed the previous tohost command. */
harness_htif_wait:
  la t2, tohost
1:
  ld t3, 0(t2)
  beqz t3, 2f
  la t3, fromhost
  sd zero, 0(t3)
  j 1b
2:
  ret
#endif

  .globl harness_putc
harness_putc:
#ifdef QEMU
  li t0, UART_BASE
1:
  lbu t1, 5(t0)          /* LSR: THR empty */
  andi t1, t1, 0x20
  beqz t1, 1b
  sb a0, 0(t0)
  ret
#else
  mv t1, ra
  call harness_htif_wait
  mv ra, t1
  li t0, 0x0101          /* device 1 (console), command 1 (write) */
  slli t0, t0, 48
  andi t3, a0, 0xff
  or t0, t0, t3
  sd t0, 0(t2)           /* t2 = &tohost from harness_htif_wait */
  ret
#endif

/* a0 = NUL-terminated string. Clobbers a0, t0..t4. */
  .globl harness_puts
harness_puts:
  mv t4, ra
  mv a5, a0
1:
  lbu a0, 0(a5)
  beqz a0, 2f
  call harness_putc
  addi a5, a5, 1
  j 1b
2:
  mv ra, t4
  ret

/* a0 printed as 0x + 16 hex digits. */
  .globl harness_puthex
harness_puthex:
  mv t4, ra
  mv a5, a0
  li a0, '0'
  call harness_putc
  li a0, 'x'
  call harness_putc
  li a6, 60
1:
  srl a0, a5, a6
  andi a0, a0, 15
  addi a0, a0, '0'
  li t0, '9'
  bleu a0, t0, 2f
  addi a0, a0, 'a' - '0' - 10
2:
  call harness_putc
  addi a6, a6, -4
  bgez a6, 1b
  mv ra, t4
  ret

/* a0 (< 10^6) printed in decimal. */
  .globl harness_putdec
harness_putdec:
  mv t4, ra
  mv a5, a0
  li a6, 100000
  li a7, 0               /* printed a digit yet */
1:
  divu a0, a5, a6
  remu a5, a5, a6
  bnez a0, 2f
  bnez a7, 2f
  li t0, 1
  beq a6, t0, 2f
  j 3f
2:
  li a7, 1
  addi a0, a0, '0'
  call harness_putc
3:
  li t0, 10
  divu a6, a6, t0
  bnez a6, 1b
  mv ra, t4
  ret

/* ----------------------------------------------------------------------------------------
 * M-mode trap handler (mtvec, direct mode). Preserves every register.
 */
  .balign 4
  .globl harness_trap_m
harness_trap_m:
  csrrw t6, mscratch, t6
  sd t0, 0(t6)
  sd t1, 8(t6)
  sd t2, 16(t6)
  sd t3, 24(t6)
  sd t4, 32(t6)
  sd t5, 40(t6)
  csrr t0, mscratch
  sd t0, 48(t6)
  csrw mscratch, t6
  csrr t0, mcause
  /* the harness's own ECALL (exit request) from any privilege */
  addi t1, t0, -CAUSE_ECALL_U
  li t2, 4
  bgeu t1, t2, 1f
  li t2, 2
  beq t1, t2, 1f
  li t2, HARNESS_MAGIC
  bne a7, t2, 1f
  j harness_fail_m
1:
  RECORD_TRAP trap_count, mepc, mtval, mstatus
  mv t3, t0
  la t1, trap_log_n
  ld t2, 0(t1)
  li t4, 32
  bgeu t2, t4, 2f
  slli t4, t2, 3
  add t4, t4, t1
  sd t3, 8(t4)
  addi t2, t2, 1
  sd t2, 0(t1)
2:
  bltz t0, 4f
  /* exception: resume where the test asked, or fail */
  la t1, trap_resume
  ld t2, 0(t1)
  beqz t2, 3f
  sd zero, 0(t1)
  csrw mepc, t2
  ld t2, 8(t1)
  li t3, PRV_M
  bne t2, t3, 6f
  li t3, MSTATUS_MPIE          /* resuming in M-mode: with MIE = 0, always */
  csrc mstatus, t3
6:
  slli t2, t2, 11
  li t3, MSTATUS_MPP
  csrc mstatus, t3
  csrs mstatus, t2
  j 5f
3:
  mv a0, gp
  li a3, 2
  csrr a4, mcause
  csrr a5, mepc
  csrr a6, mtval
  j harness_fail_m
4:
  /* interrupt: disable it (taken once) and return to the interrupted code */
  slli t1, t0, 1
  srli t1, t1, 1
  li t2, 1
  sll t2, t2, t1
  csrc mie, t2
5:
  ld t0, 0(t6)
  ld t1, 8(t6)
  ld t2, 16(t6)
  ld t3, 24(t6)
  ld t4, 32(t6)
  ld t5, 40(t6)
  ld t6, 48(t6)
  mret

/* ----------------------------------------------------------------------------------------
 * S-mode trap handler (stvec, direct mode). Preserves every register. Its data must be
 * mapped (identity) when it runs with translation on.
 */
  .balign 4
  .globl harness_trap_s
harness_trap_s:
  csrrw t6, sscratch, t6
  sd t0, 0(t6)
  sd t1, 8(t6)
  sd t2, 16(t6)
  sd t3, 24(t6)
  sd t4, 32(t6)
  sd t5, 40(t6)
  csrr t0, sscratch
  sd t0, 48(t6)
  csrw sscratch, t6
  csrr t0, scause
  /* harness ECALL delegated to S: pass it on to M-mode */
  addi t1, t0, -CAUSE_ECALL_U
  li t2, 2
  bgeu t1, t2, 1f
  li t2, HARNESS_MAGIC
  bne a7, t2, 1f
  ecall
1:
  RECORD_TRAP strap_count, sepc, stval, sstatus
  li t3, 1
  slli t3, t3, 62        /* log entries of the S handler have bit 62 set */
  or t3, t3, t0
  la t1, trap_log_n
  ld t2, 0(t1)
  li t4, 32
  bgeu t2, t4, 2f
  slli t4, t2, 3
  add t4, t4, t1
  sd t3, 8(t4)
  addi t2, t2, 1
  sd t2, 0(t1)
2:
  bltz t0, 4f
  la t1, strap_resume
  ld t2, 0(t1)
  beqz t2, 3f
  sd zero, 0(t1)
  csrw sepc, t2
  ld t2, 8(t1)
  li t3, MSTATUS_SPP
  csrc sstatus, t3
  beqz t2, 5f
  csrs sstatus, t3
  j 5f
3:
  mv a0, gp
  li a3, 3
  csrr a4, scause
  csrr a5, sepc
  csrr a6, stval
  li a7, HARNESS_MAGIC
  ecall
  j .
4:
  slli t1, t0, 1
  srli t1, t1, 1
  li t2, 1
  sll t2, t2, t1
  csrc sie, t2
5:
  ld t0, 0(t6)
  ld t1, 8(t6)
  ld t2, 16(t6)
  ld t3, 24(t6)
  ld t4, 32(t6)
  ld t5, 40(t6)
  ld t6, 48(t6)
  sret

/* ----------------------------------------------------------------------------------------
 * Helpers callable from tests
 */
  .globl harness_clear_traps
harness_clear_traps:
  la t0, trap_resume
  la t1, trap_vars_end
1:
  sd zero, 0(t0)
  addi t0, t0, 8
  bltu t0, t1, 1b
  ret

/*
 * harness_pt_map: a0 = root table (physical), a1 = va, a2 = pa, a3 = leaf level
 * (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB), a4 = PTE bits ORed into the leaf
 * (V R W X U G A D, or anything else), a5 = number of levels (3 = Sv39, 4 = Sv48).
 * Missing intermediate tables are allocated from the pool, zeroed. Returns a0 = address of
 * the leaf PTE. Clobbers t0..t5, a0, a6.
 */
  .globl harness_pt_map
harness_pt_map:
  mv t3, a0
  addi t4, a5, -1
1:
  li t0, 9
  mul t0, t0, t4
  addi t0, t0, 12
  srl t1, a1, t0
  andi t1, t1, 511
  slli t1, t1, 3
  add t1, t3, t1         /* t1 = &table[vpn[level]] */
  beq t4, a3, 4f
  ld t2, 0(t1)
  andi t0, t2, PTE_V
  bnez t0, 3f
  /* allocate the next-level table */
  la t0, pt_next
  ld t2, 0(t0)
  bnez t2, 2f
  la t2, pt_pool
2:
  li a6, 4096
  add a6, t2, a6
  la t5, pt_pool_end
  bgtu a6, t5, 5f
  sd a6, 0(t0)
  mv t0, t2
6:
  sd zero, 0(t0)
  addi t0, t0, 8
  bltu t0, a6, 6b
  srli t0, t2, 12
  slli t0, t0, 10
  ori t0, t0, PTE_V
  sd t0, 0(t1)
  mv t2, t0
3:
  srli t3, t2, 10
  slli t3, t3, 12
  addi t4, t4, -1
  j 1b
4:
  srli t0, a2, 12
  slli t0, t0, 10
  or t0, t0, a4
  sd t0, 0(t1)
  mv a0, t1
  ret
5:
  FAIL_NOW               /* page-table pool exhausted */

/* a0 = a new zeroed 4 KiB page from the pool. Clobbers t0..t2, t5, a6. */
  .globl harness_pt_alloc
harness_pt_alloc:
  la t0, pt_next
  ld a0, 0(t0)
  bnez a0, 1f
  la a0, pt_pool
1:
  li a6, 4096
  add a6, a0, a6
  la t5, pt_pool_end
  bgtu a6, t5, 3f
  sd a6, 0(t0)
  mv t1, a0
2:
  sd zero, 0(t1)
  addi t1, t1, 8
  bltu t1, a6, 2b
  ret
3:
  FAIL_NOW

/* ----------------------------------------------------------------------------------------
 * Data
 */
  .section .rodata
msg_fail:     .asciz "FAIL check "
msg_got:      .asciz ": got "
msg_expected: .asciz ", expected "
msg_mtrap:    .asciz ": unexpected M-mode trap mcause="
msg_strap:    .asciz ": unexpected S-mode trap scause="
msg_epc:      .asciz " epc="
msg_tval:     .asciz " tval="
#ifdef QEMU
msg_pass:     .asciz "PASS\n"
#endif

  .bss
  .balign 16
  .globl trap_resume, trap_count, trap_cause, trap_epc, trap_tval, trap_status
  .globl strap_resume, strap_count, strap_cause, strap_epc, strap_tval, strap_status
  .globl trap_log_n, trap_log, fail_info, pt_next, harness_save_m, harness_save_s
trap_resume:      .dword 0   /* resume address of the next expected M trap (0: none) */
trap_resume_priv: .dword 0
trap_count:       .dword 0
trap_cause:       .dword 0
trap_epc:         .dword 0
trap_tval:        .dword 0
trap_status:      .dword 0
strap_resume:     .dword 0
strap_resume_priv: .dword 0
strap_count:      .dword 0
strap_cause:      .dword 0
strap_epc:        .dword 0
strap_tval:       .dword 0
strap_status:     .dword 0
trap_log_n:       .dword 0   /* entries in trap_log: mcause, or scause | 1 << 62 */
trap_log:         .skip 8 * 32
trap_vars_end:
/* kind (1 check, 2 M trap, 3 S trap), code, got, expected, cause, epc, tval */
fail_info:        .skip 8 * 7
pt_next:          .dword 0
harness_save_m:   .skip 8 * 8
harness_save_s:   .skip 8 * 8
  .balign 16
harness_stack:    .skip 8192
harness_stack_top:

  /* Page-table pool: not loaded, not cleared at start (pages are zeroed when allocated). */
  .section .ptpool, "aw", @nobits
  .balign 4096
  .globl pt_pool, pt_pool_end
pt_pool:          .skip 4096 * 48
pt_pool_end:

  /* HTIF mailboxes, alone on their page (stores there are watched by the emulator). */
  .section .tohost, "aw", @progbits
  .balign 4096
  .globl tohost, fromhost
tohost:           .dword 0
fromhost:         .dword 0

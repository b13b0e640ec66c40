/*
 * Start-up and trap entry of the wasmvisor demo guest (bare metal, M-mode at reset).
 * _start: stack, trap vector, zeroed .bss, main(); main's return value is the exit code.
 * trap_entry: saves the caller-saved registers, calls handle_trap(mcause, mepc, mtval),
 * which returns the pc to resume at.
 * run_user(fn, sp): runs fn in U-mode on stack sp; the U code ends with ECALL, after which
 * handle_trap resumes at user_return, which restores the M-mode context and returns.
 */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la sp, stack_top
  la t0, trap_entry
  csrw mtvec, t0
  li t0, -1                    /* one PMP region over everything (S/U access on real harts) */
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  call main
  call exit
3:
  j 3b

  .text
  .balign 4
trap_entry:
  addi sp, sp, -128
  sd ra, 0(sp)
  sd t0, 8(sp)
  sd t1, 16(sp)
  sd t2, 24(sp)
  sd t3, 32(sp)
  sd t4, 40(sp)
  sd t5, 48(sp)
  sd t6, 56(sp)
  sd a0, 64(sp)
  sd a1, 72(sp)
  sd a2, 80(sp)
  sd a3, 88(sp)
  sd a4, 96(sp)
  sd a5, 104(sp)
  sd a6, 112(sp)
  sd a7, 120(sp)
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call handle_trap
  csrw mepc, a0
  ld ra, 0(sp)
  ld t0, 8(sp)
  ld t1, 16(sp)
  ld t2, 24(sp)
  ld t3, 32(sp)
  ld t4, 40(sp)
  ld t5, 48(sp)
  ld t6, 56(sp)
  ld a0, 64(sp)
  ld a1, 72(sp)
  ld a2, 80(sp)
  ld a3, 88(sp)
  ld a4, 96(sp)
  ld a5, 104(sp)
  ld a6, 112(sp)
  ld a7, 120(sp)
  addi sp, sp, 128
  mret

  .globl run_user
run_user:
  la t0, user_ctx
  sd ra, 0(t0)
  sd sp, 8(t0)
  sd s0, 16(t0)
  sd s1, 24(t0)
  sd s2, 32(t0)
  sd s3, 40(t0)
  sd s4, 48(t0)
  sd s5, 56(t0)
  sd s6, 64(t0)
  sd s7, 72(t0)
  sd s8, 80(t0)
  sd s9, 88(t0)
  sd s10, 96(t0)
  sd s11, 104(t0)
  csrw mepc, a0
  li t0, 3 << 11               /* MPP = U */
  csrc mstatus, t0
  mv sp, a1
  mret

  .globl user_return
user_return:
  la t0, user_ctx
  ld ra, 0(t0)
  ld sp, 8(t0)
  ld s0, 16(t0)
  ld s1, 24(t0)
  ld s2, 32(t0)
  ld s3, 40(t0)
  ld s4, 48(t0)
  ld s5, 56(t0)
  ld s6, 64(t0)
  ld s7, 72(t0)
  ld s8, 80(t0)
  ld s9, 88(t0)
  ld s10, 96(t0)
  ld s11, 104(t0)
  ret

  .bss
  .balign 16
user_ctx:
  .skip 8 * 14
  .balign 16
  .skip 8192
stack_top:

  .section .tohost, "aw", @progbits
  .balign 4096
  .globl tohost, fromhost
tohost:   .dword 0
fromhost: .dword 0

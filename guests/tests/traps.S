/*
 * Traps (privileged spec 3.1.6.1, 3.1.7, 3.1.14-16, 3.2, 3.3): ECALL from M/S/U (causes
 * 11/9/8), EBREAK, illegal instructions with mtval = their bits, the mstatus stack on trap
 * entry, MRET and SRET (MIE/MPIE/MPP, SIE/SPIE/SPP, MPRV cleared below M), SRET and TSR,
 * WFI in U-mode and with TW, SFENCE.VMA and satp with TVM, and mtvec vectored mode
 * (interrupts at base + 4 * cause, exceptions at base), access faults on physical holes.
 */
#include "harness.h"

#define NOT_RAM 0xa0000000     /* no memory or device there (QEMU virt -m 128M, wasmvisor) */

/* the code at `label` must trap with illegal instruction when run in `priv`, with mtval =
   the faulting instruction's bits */
.macro ILLEGAL_IN n, priv, label
  TEST \n
  CLEAR_TRAPS
  EXPECT_TRAP .Lb\@
  GOTO_PRIV \priv, \label
.Lb\@:
  CHECK_TRAP CAUSE_ILLEGAL, \label
  la a0, \label
  lwu a0, 0(a0)
  CHECK_TVAL_REG a0
.endm

/* mstatus & mask == value */
.macro CHECK_MSTATUS mask, value
  csrr t0, mstatus
  li t1, \mask
  and t0, t0, t1
  CHECK_EQ t0, \value
.endm

TEST_BEGIN
  /* ---- ECALL from each privilege */
  TEST 1
  CLEAR_TRAPS
  EXPECT_TRAP 1f
ecall_m:
  ecall
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ECALL_M, ecall_m
  CHECK_TVAL 0
  TEST 2
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, ecall_s
1:
  CHECK_TRAP CAUSE_ECALL_S, ecall_s
  CHECK_TVAL 0
  CHECK_MEM trap_count, 2
  TEST 3
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_U, ecall_u
1:
  CHECK_TRAP CAUSE_ECALL_U, ecall_u
  CHECK_TVAL 0

  /* ---- trap entry: MPP = previous privilege, MPIE = previous MIE, MIE = 0 */
  TEST 4
  li t0, MSTATUS_MPIE
  csrs mstatus, t0             /* MRET below sets MIE from MPIE = 1 (mie = 0: no interrupts) */
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, ecall_s
1:
  la t0, trap_status
  ld t0, 0(t0)
  li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  and t0, t0, t1
  CHECK_EQ t0, MSTATUS_MPP_S | MSTATUS_MPIE
  TEST 5
  li t0, MSTATUS_MPIE
  csrc mstatus, t0
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_U, ecall_u
1:
  la t0, trap_status
  ld t0, 0(t0)
  li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  and t0, t0, t1
  CHECK_EQ t0, 0               /* MPP = U, MPIE = old MIE = 0 */
  TEST 6                       /* from M with MIE = 1 */
  csrw mie, zero
  csrsi mstatus, MSTATUS_MIE
  EXPECT_TRAP 1f
  ecall
1:
  la t0, trap_status
  ld t0, 0(t0)
  li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  and t0, t0, t1
  CHECK_EQ t0, MSTATUS_MPP_M | MSTATUS_MPIE
  CHECK_MSTATUS MSTATUS_MIE, 0 /* the harness resumes M-mode with MIE = 0 */

  /* ---- EBREAK: cause 3, mepc = its address (mtval = its address in wasmvisor) */
  TEST 7
  EXPECT_TRAP 1f
ebreak_m:
  ebreak
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_BREAKPOINT, ebreak_m
#ifdef QEMU
  CHECK_TVAL 0                 /* QEMU 7.2 writes 0 (also allowed by 3.1.16) */
#else
  CHECK_TVAL_LA ebreak_m
#endif
  TEST 8
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_U, ebreak_u
1:
  CHECK_TRAP CAUSE_BREAKPOINT, ebreak_u
  la t0, trap_status
  ld t0, 0(t0)
  li t1, MSTATUS_MPP
  and t0, t0, t1
  CHECK_EQ t0, 0

  /* ---- illegal instructions: mtval = the instruction, rd not written */
  TEST 9
  li a1, 0x1234
  EXPECT_TRAP 1f
ill_custom:
  .word 0x1234558b             /* custom-0 opcode, rd = a1: not implemented */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill_custom
  CHECK_TVAL 0x1234558b
  CHECK_EQ a1, 0x1234
  TEST 10
  EXPECT_TRAP 1f
ill_op:
  .word 0xfe00053b             /* OP-32 with funct7 = 0x7f: reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill_op
  CHECK_TVAL 0xfe00053b
  TEST 11
  EXPECT_TRAP 1f
ill_slli:
  .word 0x04051513             /* SLLI with imm[11:6] = 1 (shamt 64): reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill_slli
  CHECK_TVAL 0x04051513
  ILLEGAL_IN 12, PRV_S, mret_s           /* MRET below M */
  ILLEGAL_IN 13, PRV_U, mret_s
  ILLEGAL_IN 14, PRV_U, sret_s           /* SRET in U */
  ILLEGAL_IN 15, PRV_U, wfi_s            /* WFI in U (S-mode exists) */
  ILLEGAL_IN 16, PRV_U, sfence_s         /* SFENCE.VMA in U */
  li a2, 0x77
  ILLEGAL_IN 17, PRV_U, csr_u            /* S-level CSR in U: rd not written */
  CHECK_EQ a2, 0x77

  /* ---- MRET: MIE = MPIE, MPIE = 1, MPP = U, pc = mepc */
  TEST 18
  csrw mie, zero
  csrci mstatus, MSTATUS_MIE
  li t0, MSTATUS_MPIE | MSTATUS_MPP
  csrs mstatus, t0
  la t0, 1f
  csrw mepc, t0
  mret
  FAIL_NOW
1:
  CHECK_MSTATUS MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MIE | MSTATUS_MPIE
  csrci mstatus, MSTATUS_MIE
  TEST 19
  li t0, MSTATUS_MPIE
  csrc mstatus, t0
  li t0, MSTATUS_MPP
  csrs mstatus, t0
  la t0, 1f
  csrw mepc, t0
  mret
  FAIL_NOW
1:
  CHECK_MSTATUS MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE
  TEST 20                      /* MRET to S clears MPRV */
  li t0, MSTATUS_MPRV
  csrs mstatus, t0
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, ecall_s     /* MPP = S, MRET */
1:
  CHECK_TRAP CAUSE_ECALL_S, ecall_s
#ifdef QEMU
  /* QEMU 7.2 leaves MPRV set (privileged spec 1.12, 3.1.6.3, says MRET/SRET to a mode
     below M clear it) */
  li t1, MSTATUS_MPRV
  csrc mstatus, t1
#else
  la t0, trap_status
  ld t0, 0(t0)
  li t1, MSTATUS_MPRV
  and t0, t0, t1
  CHECK_EQ t0, 0
  CHECK_MSTATUS MSTATUS_MPRV, 0
#endif
  TEST 21                      /* MRET to M keeps MPRV */
  li t0, MSTATUS_MPRV | MSTATUS_MPP
  csrs mstatus, t0
  la t0, 1f
  csrw mepc, t0
  mret
  FAIL_NOW
1:
  csrr t0, mstatus             /* no memory access while MPRV = 1 and MPP = U */
  li t1, MSTATUS_MPRV
  csrc mstatus, t1
  and t0, t0, t1
  CHECK_EQ t0, MSTATUS_MPRV

  /* ---- SRET: SIE = SPIE, SPIE = 1, SPP = U, pc = sepc; MPRV cleared below M */
  TEST 22                      /* SRET executed in M-mode, to S */
  csrw mie, zero
  li t0, MSTATUS_SIE
  csrc mstatus, t0
  li t0, MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MPRV
  csrs mstatus, t0
  la t0, rd_sstatus_s
  csrw sepc, t0
  EXPECT_TRAP 1f
  sret
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ECALL_S, rd_sstatus_s_ecall
  li t1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  and t0, a0, t1
  CHECK_EQ t0, MSTATUS_SIE | MSTATUS_SPIE
#ifdef QEMU
  li t1, MSTATUS_MPRV          /* QEMU 7.2: see check 20 */
  csrc mstatus, t1
#else
  la t0, trap_status
  ld t0, 0(t0)
  li t1, MSTATUS_MPRV
  and t0, t0, t1
  CHECK_EQ t0, 0
#endif
  TEST 23                      /* SPIE = 0: SIE becomes 0 */
  li t0, MSTATUS_SPIE | MSTATUS_SIE
  csrc mstatus, t0
  li t0, MSTATUS_SPP
  csrs mstatus, t0
  la t0, rd_sstatus_s
  csrw sepc, t0
  EXPECT_TRAP 1f
  sret
  FAIL_NOW
1:
  li t1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  and t0, a0, t1
  CHECK_EQ t0, MSTATUS_SPIE
  TEST 24                      /* SPP = U: SRET goes to U */
  li t0, MSTATUS_SPP
  csrc mstatus, t0
  la t0, ecall_u
  csrw sepc, t0
  EXPECT_TRAP 1f
  sret
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ECALL_U, ecall_u
  TEST 25                      /* SRET in S-mode returns within S */
  li t0, MSTATUS_SPP
  csrs mstatus, t0
  la t0, ecall_s
  csrw sepc, t0
  CLEAR_TRAPS
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_S, sret_s
1:
  CHECK_TRAP CAUSE_ECALL_S, ecall_s
  CHECK_MEM trap_count, 1

  /* ---- TSR: SRET in S traps; in M it does not */
  li t0, MSTATUS_TSR
  csrs mstatus, t0
  ILLEGAL_IN 26, PRV_S, sret_s
  TEST 27
  li t0, MSTATUS_SPP
  csrs mstatus, t0
  la t0, ecall_s
  csrw sepc, t0
  EXPECT_TRAP 1f
  sret
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ECALL_S, ecall_s
  li t0, MSTATUS_TSR
  csrc mstatus, t0

  /* ---- WFI and TW */
  li t0, MSTATUS_TW
  csrs mstatus, t0
  ILLEGAL_IN 28, PRV_S, wfi_s
  TEST 29                      /* TW does not apply to M-mode; an enabled pending interrupt
                                  (MIE = 0, so not taken) makes WFI complete */
  csrci mstatus, MSTATUS_MIE
  li t0, MIP_SSIP
  csrw mie, t0
  csrs mip, t0
  wfi
  csrw mip, zero
  csrw mie, zero
  li t0, MSTATUS_TW
  csrc mstatus, t0
  TEST 30                      /* WFI in S with TW = 0 completes (SSI delegated, SIE = 0) */
  li t0, MIP_SSIP
  csrw mideleg, t0
  csrw mie, t0
  csrs mip, t0
  li t0, MSTATUS_SIE
  csrc mstatus, t0
  CLEAR_TRAPS
  RUN_IN PRV_S, wfi_s
  CHECK_MEM trap_count, 1
  csrw mip, zero
  csrw mie, zero
  csrw mideleg, zero

  /* ---- TVM: SFENCE.VMA and satp accesses in S trap */
  li t0, MSTATUS_TVM
  csrs mstatus, t0
  ILLEGAL_IN 31, PRV_S, sfence_s
  ILLEGAL_IN 32, PRV_S, satp_s
  TEST 33                      /* TVM does not apply to M-mode */
  sfence.vma
  csrr t0, satp
  li t0, MSTATUS_TVM
  csrc mstatus, t0
  TEST 34
  RUN_IN PRV_S, sfence_s
  RUN_IN PRV_S, satp_s
  RUN_IN PRV_S, sfence2_s

  /* ---- access faults: physical addresses with nothing there, mtval = the address */
  TEST 35
  li a0, NOT_RAM
  li a1, 0x77
  EXPECT_TRAP 1f
ld_hole:
  ld a1, 8(a0)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_LOAD_ACCESS, ld_hole
  CHECK_TVAL NOT_RAM + 8
  CHECK_EQ a1, 0x77
  TEST 36
  EXPECT_TRAP 1f
sw_hole:
  sw a1, 4(a0)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_STORE_ACCESS, sw_hole
  CHECK_TVAL NOT_RAM + 4
  TEST 37
  EXPECT_TRAP 1f
  jalr ra, 0x10(a0)
  FAIL_NOW
1:
  CHECK_MEM trap_cause, CAUSE_FETCH_ACCESS
  CHECK_MEM trap_epc, NOT_RAM + 0x10
  CHECK_TVAL NOT_RAM + 0x10
  TEST 38                      /* from U as well */
  li a0, NOT_RAM + 0x40
  EXPECT_TRAP 1f
  GOTO_PRIV PRV_U, ld_hole_u
1:
  CHECK_TRAP CAUSE_LOAD_ACCESS, ld_hole_u
  CHECK_TVAL NOT_RAM + 0x40

  /* ---- reserved encodings next to real ones are illegal (mtval = the bits) */
  TEST 39
  EXPECT_TRAP 1f
rsv1:
  .word 0x000000f3             /* ECALL with rd = x1 */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, rsv1
  CHECK_TVAL 0x000000f3
  EXPECT_TRAP 1f
rsv2:
  .word 0x30208073             /* MRET with rs1 = x1 */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, rsv2
  CHECK_TVAL 0x30208073
  EXPECT_TRAP 1f
rsv3:
  .word 0x0000700f             /* MISC-MEM with funct3 = 7 */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, rsv3
  CHECK_TVAL 0x0000700f
  EXPECT_TRAP 1f
rsv4:
  .word 0x0000603b             /* OP-32 funct3 = 6, funct7 = 0: reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, rsv4
  CHECK_TVAL 0x0000603b

  /* ---- mtvec vectored: interrupts at base + 4 * cause, exceptions at base */
  TEST 40
  csrw mie, zero
  la t0, vtable
  ori t0, t0, 1
  csrw mtvec, t0
  la t0, vec_info
  sd zero, 24(t0)
  ecall                        /* exception from M: entry 0, returns after it */
  CHECK_MEM vec_info, 0
  CHECK_MEM vec_info + 8, CAUSE_ECALL_M
  TEST 41                      /* machine software interrupt through the CLINT: entry 3 */
  csrci mstatus, MSTATUS_MIE   /* (the MRET of the handler may have set it) */
  li t0, MIP_MSIP
  csrw mie, t0
  li t0, CLINT_MSIP
  li t1, 1
  sw t1, 0(t0)
  csrsi mstatus, MSTATUS_MIE
msi_after:
  csrci mstatus, MSTATUS_MIE
  CHECK_MEM vec_info, 3
  CHECK_MEM vec_info + 8, INTERRUPT_BIT | IRQ_MSI
  la t0, vec_info + 16
  ld t0, 0(t0)
  CHECK_LA t0, msi_after       /* mepc: the instruction after the enabling csrsi */
  TEST 42                      /* supervisor software interrupt, not delegated: entry 1 */
  li t0, MIP_SSIP
  csrw mie, t0
  csrs mip, t0
  csrsi mstatus, MSTATUS_MIE
  csrci mstatus, MSTATUS_MIE
  CHECK_MEM vec_info, 1
  CHECK_MEM vec_info + 8, INTERRUPT_BIT | IRQ_SSI
  TEST 43                      /* machine timer interrupt: entry 7 */
  li t0, MIP_MTIP
  csrw mie, t0
  li t0, CLINT_MTIMECMP
  sd zero, 0(t0)               /* mtime >= 0: pending */
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK_MEM vec_info, 7
  CHECK_MEM vec_info + 8, INTERRUPT_BIT | IRQ_MTI
  TEST 44                      /* an exception from U also goes to base */
  la t0, vec_info
  la t1, 1f
  sd t1, 24(t0)                /* resume there in M-mode */
  GOTO_PRIV PRV_U, ecall_u
1:
  CHECK_MEM vec_info, 0
  CHECK_MEM vec_info + 8, CAUSE_ECALL_U
  csrw mie, zero
  la t0, harness_trap_m
  csrw mtvec, t0
TEST_END

  /* ---- code run in S or U */
ecall_s:
  ecall
ecall_u:
  ecall
ebreak_u:
  ebreak
mret_s:
  mret
sret_s:
  sret
  ecall
wfi_s:
  wfi
  ecall
sfence_s:
  sfence.vma
  ecall
sfence2_s:
  la t0, ecall_s
  li t1, 1
  sfence.vma t0, t1            /* one address, one ASID */
  ecall
satp_s:
  csrr t0, satp
  ecall
csr_u:
  csrr a2, sstatus
  ecall
ld_hole_u:
  ld a1, 0(a0)
  ecall
rd_sstatus_s:
  csrr a0, sstatus
rd_sstatus_s_ecall:
  ecall

  /* ---- vectored trap table; the handlers use s8..s10 only */
  .balign 64
vtable:
  j vec_exc                    /* 0: all exceptions */
  j vec_ssi                    /* 1 */
  j vec_bad
  j vec_msi                    /* 3 */
  j vec_bad
  j vec_bad
  j vec_bad
  j vec_mti                    /* 7 */
  j vec_bad
  j vec_bad
  j vec_bad
  j vec_bad
vec_exc:
  li s9, 0
  j vec_common
vec_ssi:
  li s9, 1
  li s10, MIP_SSIP
  csrc mip, s10
  j vec_common
vec_msi:
  li s9, 3
  li s10, CLINT_MSIP
  sw zero, 0(s10)
  j vec_common
vec_mti:
  li s9, 7
  li s10, CLINT_MTIMECMP
  li s8, -1
  sd s8, 0(s10)
  j vec_common
vec_bad:
  mv a0, gp
  li a3, 2
  csrr a4, mcause
  csrr a5, mepc
  csrr a6, mtval
  j harness_exit_m
vec_common:
  la s10, vec_info
  sd s9, 0(s10)                /* entry */
  csrr s9, mcause
  sd s9, 8(s10)
  csrr s8, mepc
  sd s8, 16(s10)
  bltz s9, 2f                  /* interrupt: back to where it was taken */
  ld s9, 24(s10)               /* exception: resume address or the next instruction */
  bnez s9, 1f
  addi s8, s8, 4
  csrw mepc, s8
  mret
1:
  sd zero, 24(s10)
  csrw mepc, s9
  li s8, MSTATUS_MPP
  csrs mstatus, s8
2:
  mret

  .data
  .balign 8
vec_info:                      /* entry, mcause, mepc, resume */
  .dword 0, 0, 0, 0

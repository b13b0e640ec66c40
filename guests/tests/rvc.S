/*
 * RV64C (unprivileged spec ch. 16, RVC instruction listings for RV64): every compressed
 * form with positive/negative immediates and the largest offsets, written with explicit
 * c.* mnemonics (or raw halfwords for HINTs). Expected values follow the expansion of each
 * form to its 32-bit instruction.
 */
#include "harness.h"

  .option rvc

TEST_BEGIN
  mv s11, sp                   /* the sp-relative forms use a private area */
  la sp, spbuf

  /* ---- C.ADDI4SPN: rd' = sp + nzuimm (scaled by 4, up to 1020) */
  TEST 1
  c.addi4spn s0, sp, 1020
  la t0, spbuf + 1020
  CHECK_REG s0, t0
  c.addi4spn a5, sp, 4
  la t0, spbuf + 4
  CHECK_REG a5, t0
  c.addi4spn a0, sp, 512
  la t0, spbuf + 512
  CHECK_REG a0, t0

  /* ---- C.LW / C.LD / C.SW / C.SD: rd', offset(rs1') */
  TEST 2
  la a1, cdata
  c.lw a0, 0(a1)               /* 0x80000001: sign-extended */
  CHECK_EQ a0, 0xffffffff80000001
  c.lw a2, 124(a1)             /* largest C.LW offset */
  CHECK_EQ a2, 0x7c7c7c7c
  c.ld a3, 8(a1)
  CHECK_EQ a3, 0x8877665544332211
  c.ld a4, 248(a1)             /* largest C.LD offset */
  CHECK_EQ a4, 0xf8f8f8f8f8f8f8f8
  TEST 3
  la s1, cbuf
  li a5, 0x123456789abcdef0
  c.sd a5, 248(s1)
  c.sw a5, 124(s1)
  c.sw a5, 0(s1)
  c.sd a5, 8(s1)
  ld t0, 248(s1)
  CHECK_EQ t0, 0x123456789abcdef0
  lwu t0, 124(s1)
  CHECK_EQ t0, 0x9abcdef0
  lwu t0, 128(s1)              /* beyond the C.SW word: untouched */
  CHECK_EQ t0, 0
  ld t0, 0(s1)
  CHECK_EQ t0, 0x9abcdef0
  ld t0, 8(s1)
  CHECK_EQ t0, 0x123456789abcdef0
  TEST 4                       /* rd' = rs1' */
  la a0, cdata + 16
  c.ld a0, 0(a0)
  CHECK_EQ a0, 0x0000000012345678

  /* ---- C.ADDI, C.NOP */
  TEST 5
  li a0, 100
  c.addi a0, -32
  CHECK_EQ a0, 68
  c.addi a0, 31
  CHECK_EQ a0, 99
  li t0, -1
  c.addi t0, 1                 /* any register, wraps to 0 */
  CHECK_EQ t0, 0
  li ra, 5
  c.nop
  CHECK_EQ ra, 5

  /* ---- C.ADDIW: 32-bit add, sign-extended (rd != 0) */
  TEST 6
  li a0, 0x80000000
  c.addiw a0, -1
  CHECK_EQ a0, 0x7fffffff
  li a0, 0x7fffffff
  c.addiw a0, 1
  CHECK_EQ a0, 0xffffffff80000000
  li t1, 0xffffffff00000000
  c.addiw t1, 0                /* sext.w */
  CHECK_EQ t1, 0
  li t1, 0x00000000fffffffe
  c.addiw t1, 31
  CHECK_EQ t1, 29

  /* ---- C.LI */
  TEST 7
  c.li a0, -32
  CHECK_EQ a0, 0xffffffffffffffe0
  c.li t2, 31
  CHECK_EQ t2, 31
  c.li s0, 0
  CHECK_EQ s0, 0

  /* ---- C.ADDI16SP: sp += nzimm (multiple of 16, -512..496) */
  TEST 8
  la t0, spbuf
  c.addi16sp sp, -512
  addi t1, t0, -512
  CHECK_REG sp, t1
  c.addi16sp sp, 496
  addi t1, t0, -16
  CHECK_REG sp, t1
  c.addi16sp sp, 16
  CHECK_REG sp, t0

  /* ---- C.LUI: rd = sext(nzimm[17:12] << 12) */
  TEST 9
  c.lui a0, 1
  CHECK_EQ a0, 0x1000
  c.lui a0, 31
  CHECK_EQ a0, 0x1f000
  c.lui a0, 0xfffe0            /* -32 << 12 */
  CHECK_EQ a0, 0xfffffffffffe0000
  c.lui t0, 0xfffff            /* -1 << 12 */
  CHECK_EQ t0, 0xfffffffffffff000

  /* ---- C.SRLI / C.SRAI / C.ANDI (rd') */
  TEST 10
  li a0, 0x8000000000000000
  c.srli a0, 63
  CHECK_EQ a0, 1
  li a0, 0xfedcba9876543210
  c.srli a0, 32
  CHECK_EQ a0, 0xfedcba98
  li a0, 0xfedcba9876543210
  c.srli a0, 1
  CHECK_EQ a0, 0x7f6e5d4c3b2a1908
  TEST 11
  li a1, 0x8000000000000000
  c.srai a1, 63
  CHECK_EQ a1, 0xffffffffffffffff
  li a1, 0xfedcba9876543210
  c.srai a1, 32
  CHECK_EQ a1, 0xfffffffffedcba98
  li a1, 0x4000000000000000
  c.srai a1, 1
  CHECK_EQ a1, 0x2000000000000000
  TEST 12
  li a2, 0xfedcba9876543210
  c.andi a2, -32
  CHECK_EQ a2, 0xfedcba9876543200
  li a2, 0xfedcba987654321f
  c.andi a2, 31
  CHECK_EQ a2, 0x1f
  li a2, 0x33
  c.andi a2, 0
  CHECK_EQ a2, 0

  /* ---- C.SUB / C.XOR / C.OR / C.AND / C.SUBW / C.ADDW (rd', rs2') */
  TEST 13
  li a0, 5
  li a1, 7
  c.sub a0, a1
  CHECK_EQ a0, -2
  li a0, 0xff00ff00ff00ff00
  li a1, 0x0ff00ff00ff00ff0
  c.xor a0, a1
  CHECK_EQ a0, 0xf0f0f0f0f0f0f0f0
  li a0, 0xff00ff00ff00ff00
  c.or a0, a1
  CHECK_EQ a0, 0xfff0fff0fff0fff0
  li a0, 0xff00ff00ff00ff00
  c.and a0, a1
  CHECK_EQ a0, 0x0f000f000f000f00
  TEST 14
  li s0, 0x0000000080000000
  li s1, 1
  c.subw s0, s1
  CHECK_EQ s0, 0x7fffffff
  li s0, 0x7fffffff
  c.addw s0, s1
  CHECK_EQ s0, 0xffffffff80000000
  li a3, 0x1234567800000005
  li a4, 0x00000001fffffffe
  c.addw a3, a4
  CHECK_EQ a3, 3
  li a5, 0
  c.subw a5, s1
  CHECK_EQ a5, 0xffffffffffffffff

  /* ---- C.SLLI (any rd, shamt 1..63) */
  TEST 15
  li t0, 1
  c.slli t0, 63
  CHECK_EQ t0, 0x8000000000000000
  li a0, 0x00000000ffffffff
  c.slli a0, 32
  CHECK_EQ a0, 0xffffffff00000000
  li s0, 0x4000000000000001
  c.slli s0, 1
  CHECK_EQ s0, 0x8000000000000002

  /* ---- C.LWSP / C.LDSP / C.SWSP / C.SDSP (largest offsets 252 / 504) */
  TEST 16
  li t0, 0x8badf00d
  c.swsp t0, 252(sp)
  li t1, 0x0123456789abcdef
  c.sdsp t1, 504(sp)
  c.sdsp t1, 0(sp)
  c.swsp t0, 8(sp)
  c.lwsp a0, 252(sp)
  CHECK_EQ a0, 0xffffffff8badf00d
  c.ldsp a1, 504(sp)
  CHECK_EQ a1, 0x0123456789abcdef
  c.ldsp ra, 0(sp)
  CHECK_EQ ra, 0x0123456789abcdef
  c.lwsp t2, 8(sp)
  CHECK_EQ t2, 0xffffffff8badf00d
  ld t3, 248(sp)               /* C.SWSP wrote 4 bytes at 252 only */
  li t4, 0x8badf00d00000000
  CHECK_REG t3, t4

  /* ---- C.MV / C.ADD */
  TEST 17
  li a0, 0x1122334455667788
  c.mv t0, a0
  CHECK_EQ t0, 0x1122334455667788
  li t1, 0x1000000000000001
  c.add t0, t1
  CHECK_EQ t0, 0x2122334455667789
  c.add t1, t1
  CHECK_EQ t1, 0x2000000000000002

  /* ---- C.J: forward, backward, largest offsets +2046 / -2048 */
  TEST 18
  c.j cj1
  FAIL_NOW
cj1_back:
  c.j cj1_done
cj1:
  c.j cj1_back
  FAIL_NOW
cj1_done:
  TEST 19
cj_fwd:
  c.j cj_fwd_target
  .skip 2046 - (. - cj_fwd)
cj_fwd_target:
  la t0, cj_fwd_target
  la t1, cj_fwd
  sub t0, t0, t1
  CHECK_EQ t0, 2046
  TEST 20
  .option push
  .option norvc
  j cj_bwd
cj_bwd_target:
  j cj_bwd_done
  .option pop
  .skip 2048 - 4
cj_bwd:
  c.j cj_bwd_target            /* -2048 */
  FAIL_NOW
cj_bwd_done:

  /* ---- C.BEQZ / C.BNEZ: taken, not taken, largest offsets +254 / -256 */
  TEST 21
  li a0, 0
  c.bnez a0, 1f
  c.beqz a0, 2f
1:
  FAIL_NOW
2:
  li a0, 0x100000000           /* non-zero only above bit 31 */
  c.beqz a0, 3f
  c.bnez a0, 4f
3:
  FAIL_NOW
4:
  li a0, -1
  c.beqz a0, 5f
  j 6f
5:
  FAIL_NOW
6:
  TEST 22
  li s1, 0
cb_fwd:
  c.beqz s1, cb_fwd_target
  .skip 254 - (. - cb_fwd)
cb_fwd_target:
  la t0, cb_fwd_target
  la t1, cb_fwd
  sub t0, t0, t1
  CHECK_EQ t0, 254
  TEST 23
  li s1, 1
  .option push
  .option norvc
  j cb_bwd
cb_bwd_target:
  j cb_bwd_done
  .option pop
  .skip 256 - 4
cb_bwd:
  c.bnez s1, cb_bwd_target     /* -256 */
  FAIL_NOW
cb_bwd_done:
  TEST 24                      /* backward loop with C.BNEZ */
  li a0, 6
  li a1, 0
1:
  c.addi a1, 5
  c.addi a0, -1
  c.bnez a0, 1b
  CHECK_EQ a1, 30

  /* ---- C.JR / C.JALR: jump to rs1, C.JALR links ra = pc + 2 */
  TEST 25
  la t0, cjr_target
  c.jr t0
  FAIL_NOW
cjr_target:
  TEST 26
  la a0, cjalr_target
cjalr:
  c.jalr a0
cjalr_ret:
  FAIL_NOW
cjalr_target:
  CHECK_LA ra, cjalr_ret
  la t0, cjalr
  addi t0, t0, 2
  CHECK_REG ra, t0
  TEST 27                      /* C.JALR with rs1 = ra: target from the old ra */
  la ra, cjalr2_target
cjalr2:
  c.jalr ra
cjalr2_ret:
  FAIL_NOW
cjalr2_target:
  CHECK_LA ra, cjalr2_ret

  /* ---- C.EBREAK: breakpoint, mepc = mtval = its address */
  TEST 28
  CLEAR_TRAPS
  EXPECT_TRAP 1f
cebreak:
  c.ebreak
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_BREAKPOINT, cebreak
#ifdef QEMU
  CHECK_TVAL 0                 /* QEMU 7.2 writes 0, which 3.1.16 also allows */
#else
  CHECK_TVAL_LA cebreak        /* wasmvisor reports the breakpoint address */
#endif

  /* ---- HINTs (rd = x0 forms) execute as no-ops */
  TEST 29
  li a0, 0x55
  li t0, 0x66
  .2byte 0x0005                /* c.addi x0, 1 */
  .2byte 0x4015                /* c.li x0, 5 */
  .2byte 0x802a                /* c.mv x0, a0 */
  .2byte 0x902a                /* c.add x0, a0 */
  .2byte 0x0006                /* c.slli x0, 1 */
  .2byte 0x6005                /* c.lui x0, 1 */
  CHECK_EQ a0, 0x55
  CHECK_EQ t0, 0x66
  CHECK_EQ x0, 0

  /* ---- reserved and unsupported encodings: illegal instruction, mtval = the halfword */
  TEST 30
  EXPECT_TRAP 1f
ill0:
  .2byte 0x0000                /* all zeros: defined illegal */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill0
  CHECK_TVAL 0
  TEST 31
  EXPECT_TRAP 1f
ill1:
  .2byte 0x0004                /* C.ADDI4SPN with nzuimm = 0: reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill1
  CHECK_TVAL 0x0004
  TEST 32
  EXPECT_TRAP 1f
ill2:
  .2byte 0x6101                /* C.ADDI16SP with nzimm = 0: reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill2
  CHECK_TVAL 0x6101
  TEST 33
  EXPECT_TRAP 1f
ill3:
  .2byte 0x8002                /* C.JR with rs1 = x0: reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill3
  CHECK_TVAL 0x8002
  TEST 34
  EXPECT_TRAP 1f
ill4:
  .2byte 0x4002                /* C.LWSP with rd = x0: reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill4
  CHECK_TVAL 0x4002
  TEST 35
  EXPECT_TRAP 1f
ill5:
  .2byte 0x2005                /* C.ADDIW with rd = x0: reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill5
  CHECK_TVAL 0x2005
  TEST 36
  EXPECT_TRAP 1f
ill6:
  .2byte 0x6281                /* C.LUI with nzimm = 0 (rd = x5): reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill6
  CHECK_TVAL 0x6281
  TEST 37
  EXPECT_TRAP 1f
ill7:
  .2byte 0x2000                /* C.FLD: no D extension */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill7
  CHECK_TVAL 0x2000
  TEST 38
  EXPECT_TRAP 1f
ill8:
  .2byte 0x9c41                /* C.SUBW-space with funct2 = 10 (rd'=s0): reserved */
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, ill8
  CHECK_TVAL 0x9c41

  mv sp, s11
TEST_END

  .data
  .balign 16
cdata:
  .word 0x80000001
  .word 0
  .dword 0x8877665544332211
  .dword 0x0000000012345678
  .skip 124 - 24
  .word 0x7c7c7c7c             /* cdata + 124 */
  .skip 248 - 128
  .dword 0xf8f8f8f8f8f8f8f8    /* cdata + 248 */
  .balign 16
cbuf:
  .skip 256
  .balign 16
  .skip 1024
spbuf:
  .skip 1024

# fpref: reference for the wasmvisor FP module. Runs real RISC-V F/D/Zfh instructions under
# qemu-riscv64 (user mode) on records read from stdin and writes results to stdout.
#   in  {u32 op, u32 rm, u64 a, u64 b, u64 c}   32 bytes, little-endian
#   out {u64 result, u64 fflags}                16 bytes
# f64 operands/results are raw bits; f32 operands are the low 32 bits of a/b/c (NaN-boxed by
# fmv.w.x), f32 results are zero-extended; f16 operands and results are whole 64-bit registers
# (NaN-boxing included); integer results are the full rd value. Operations
# use the static rounding mode rm (0 RNE .. 4 RMM) or, for rm 8-12, the dynamic one with
# frm = rm - 8; fflags is cleared before each operation. Opcode numbers are the order of the
# entries in fpops.inc (same as test/fp/ops.ts).
# Freestanding: raw Linux syscalls read=63, write=64, exit=93.

        .equ INBUF_SIZE, 262144          # a multiple of 32
#include "fpops.inc"

        .text
        .globl _start
_start:
        la s0, inbuf
        la s1, outbuf
        la s5, optab
        li s7, 0                        # eof seen
fill:
        li s2, 0                        # bytes in inbuf
1:      li a7, 63
        li a0, 0
        add a1, s0, s2
        li a2, INBUF_SIZE
        sub a2, a2, s2
        ecall
        bltz a0, fail
        bnez a0, 2f
        li s7, 1
        j 3f
2:      add s2, s2, a0
        li t0, INBUF_SIZE
        bltu s2, t0, 1b
3:      andi t0, s2, 31
        bnez t0, fail                   # truncated record
        beqz s2, finish
        mv s3, s0                       # in pointer
        add s6, s0, s2                  # in end
        mv s4, s1                       # out pointer
loop:
        DISPATCH
done:
        NEXT_RECORD
        # write outbuf[0 .. s4)
        mv s8, s1
4:      li a7, 64
        li a0, 1
        mv a1, s8
        sub a2, s4, s8
        ecall
        blez a0, fail
        add s8, s8, a0
        bltu s8, s4, 4b
        beqz s7, fill
finish:
        li a7, 93
        li a0, 0
        ecall
fail:
        li a7, 93
        li a0, 1
        ecall

        .bss
        .balign 64
inbuf:  .skip INBUF_SIZE
outbuf: .skip INBUF_SIZE / 2

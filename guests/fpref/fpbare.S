# fpbare: the FP reference operations as a bare-metal guest (M-mode, no OS), to run the same
# records through a whole hart: wasmvisor's decoder, FP register file, fcsr and mstatus.FS.
# The host writes `fp_count` records {u32 op, u32 rm, u64 a, u64 b, u64 c} at `fp_in` and
# reads {u64 result, u64 fflags} per record from `fp_out`; the guest exits through HTIF tohost
# (exit code 0, or 1 for a bad record). Same operation table and record format as fpref.S.
        .equ FP_MAX, 4096

#include "fpops.inc"

        .text
        .globl _start
_start:
        li t0, 1 << 13                  # mstatus.FS = Initial: the FP unit is on
        csrs mstatus, t0
        la s3, fp_in
        la s4, fp_out
        la s5, optab
        la t0, fp_count
        ld t0, 0(t0)
        li t1, FP_MAX
        bgtu t0, t1, fail
        slli t0, t0, 5
        add s6, s3, t0                  # end of the records
        bgeu s3, s6, finish
loop:
        DISPATCH
done:
        NEXT_RECORD
finish:
        li t0, 1
        j exit
fail:
        li t0, 3
exit:
        la t1, tohost
        sd t0, 0(t1)
1:      j 1b

        .data
        .balign 64
        .globl tohost, fromhost
tohost: .dword 0
fromhost: .dword 0
        .globl fp_count
fp_count: .dword 0

        .bss
        .balign 64
        .globl fp_in, fp_out
fp_in:  .skip FP_MAX * 32
fp_out: .skip FP_MAX * 16

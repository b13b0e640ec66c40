# Start-up of the CPU benchmarks: M-mode, no firmware. QEMU `virt -bios none` enters here at
# 0x80000000 with a0 = hartid, a1 = FDT (both unused); wasmvisor's Hart starts at its reset pc.
    .file   "crt0.S"
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    # Trap vector: any trap is a failure (exit code 3).
    la      t0, trap_entry
    csrw    mtvec, t0
#ifdef __riscv_flen
    # Floating-point programs: mstatus.FS = Initial (the FP unit is off at reset).
    li      t0, 1 << 13
    csrs    mstatus, t0
#endif
    # Clear .bss (QEMU and a fresh Hart both start with zeroed RAM, but do not rely on it).
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    main
    call    bench_exit
3:  j       3b

    .align  2
trap_entry:
    li      a0, 3
    call    bench_exit
4:  j       4b

/* Driver shared by every benchmark: runs the kernel with the iteration count in `bench_iters`,
 * compares the checksum with the one computed on the host at build time (BENCH_EXPECTED) and
 * exits through HTIF tohost first (wasmvisor's bare Hart stops there), then through the SiFive
 * test finisher at 0x100000 (QEMU `virt`; on QEMU tohost is plain RAM, so the first store is
 * harmless). Exit code 0 = checksum good, 1 = bad checksum, 3 = unexpected trap. */
#include "bench.h"

#ifdef HOST
#include <stdio.h>
int main(void) {
  printf("0x%016llxULL\n", (unsigned long long)bench_kernel(BENCH_ITERS, 0x2545F491u));
  return 0;
}
#else

/* HTIF mailboxes (Spike convention), alone in their 4 KiB page (see link.ld). */
volatile uint64_t tohost __attribute__((section(".tohost"), aligned(64)));
volatile uint64_t fromhost __attribute__((section(".tohost"), aligned(64)));

/* The knobs, in .data so a host can read or patch them; volatile so the compiler does not
 * specialise the kernel for constants. */
volatile uint32_t bench_iters = BENCH_ITERS;
volatile uint32_t bench_seed = 0x2545F491u;
/* What the kernel computed and what was expected (for the host's diagnostics). */
volatile uint64_t bench_result;
volatile uint64_t bench_expected = BENCH_EXPECTED;

#define FINISHER ((volatile uint32_t *)0x100000)

void __attribute__((noreturn)) bench_exit(uint32_t code) {
  tohost = ((uint64_t)code << 1) | 1;
  *FINISHER = code == 0 ? 0x5555 : (code << 16) | 0x3333;
  for (;;) __asm__ volatile("wfi");
}

int main(void) {
  uint64_t r = bench_kernel(bench_iters, bench_seed);
  bench_result = r;
  return r == bench_expected ? 0 : 1;
}
#endif

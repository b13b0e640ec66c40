/* Shared declarations of the CPU benchmarks. Every kernel is portable C on fixed-width
 * unsigned types (no undefined behaviour), so the host build (-DHOST) computes the same
 * checksum as the RISC-V build: build.sh uses it to bake the expected value into each binary. */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>

/* The kernel of one benchmark: `iters` scales the work linearly, `seed` feeds its PRNG. */
uint64_t bench_kernel(uint32_t iters, uint32_t seed);

/* xorshift64* style generator, shared by the kernels. */
static inline uint64_t rng_next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t mix64(uint64_t h, uint64_t v) {
  h ^= v;
  h *= 0x100000001B3ULL;
  return h ^ (h >> 31);
}

#endif

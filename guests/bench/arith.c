/* arith: integer arithmetic mix. Two 64-bit and one 32-bit generator feed adds, shifts,
 * rotates, logic ops, multiplies (MUL, MULW, MULHU) and a few divisions/remainders. */
#include "bench.h"

static inline uint64_t rotl(uint64_t x, unsigned r) { return (x << r) | (x >> (64 - r)); }

uint64_t bench_kernel(uint32_t iters, uint32_t seed) {
  uint64_t a = seed | 1, b = 0x9E3779B97F4A7C15ULL ^ seed, c = 1, d = 2, e = 3;
  uint32_t w = seed, v = ~seed;
  for (uint32_t i = 0; i < iters; i++) {
    for (uint32_t j = 0; j < 256; j++) {
      a = a * 6364136223846793005ULL + 1442695040888963407ULL;
      b ^= a >> 29;
      b = rotl(b, 13) + j;
      w = w * 1103515245u + 12345u;
      v = (v ^ (w >> 15)) + (v << 3);
      c += (a >> 33) ^ (b & 0xffff00ffULL);
      d = (d ^ c) - (uint64_t)(int64_t)(int32_t)(w ^ v);
      e += (d >> 7) | (c << 5);
      if ((j & 15) == 0) {
        c += (a >> 40) / ((b & 0xfff) | 1);
        d ^= (uint32_t)v % ((w & 0xff) | 3);
        e ^= (uint64_t)(((unsigned __int128)a * b) >> 64);
      }
      e -= (int64_t)d < (int64_t)c ? 0x5bd1e995u : 0x1b873593u;
    }
    a ^= e;
  }
  return a ^ rotl(b, 7) ^ rotl(c, 17) ^ rotl(d, 29) ^ rotl(e, 41) ^ ((uint64_t)w << 32) ^ v;
}

/* memcpy: memory copies over two 256 KiB buffers: an aligned 64-bit copy (unrolled), an
 * unaligned byte copy and an overlapping backward word move (memmove), then sampled checks. */
#include "bench.h"

#define BUF_BYTES (256u * 1024u)
#define WORDS (BUF_BYTES / 8u)

static uint64_t src[WORDS];
static uint64_t dst[WORDS];

static void __attribute__((noinline)) copy_words(uint64_t *d, const uint64_t *s, uint32_t n) {
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint64_t x0 = s[i], x1 = s[i + 1], x2 = s[i + 2], x3 = s[i + 3];
    d[i] = x0; d[i + 1] = x1; d[i + 2] = x2; d[i + 3] = x3;
  }
  for (; i < n; i++) d[i] = s[i];
}

static void __attribute__((noinline)) copy_bytes(uint8_t *d, const uint8_t *s, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) d[i] = s[i];
}

/* Overlapping move towards higher addresses: must copy backwards. */
static void __attribute__((noinline)) move_words_up(uint64_t *p, uint32_t by, uint32_t n) {
  for (uint32_t i = n; i-- > 0;) p[i + by] = p[i];
}

uint64_t bench_kernel(uint32_t iters, uint32_t seed) {
  uint64_t s = 0x9E3779B97F4A7C15ULL ^ seed;
  for (uint32_t i = 0; i < WORDS; i++) src[i] = rng_next(&s);
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint32_t it = 0; it < iters; it++) {
    copy_words(dst, src, WORDS);
    uint32_t off = it & 7;
    copy_bytes((uint8_t *)dst + 1 + off, (const uint8_t *)src + 3, BUF_BYTES / 4);
    move_words_up(dst, 3 + off, WORDS / 2);
    for (uint32_t k = 0; k < 32; k++) {
      uint32_t idx = (uint32_t)((k * 2654435761u + it * 40503u) % WORDS);
      h = mix64(h, dst[idx]);
    }
    src[(it * 7919u) % WORDS] ^= h;
  }
  return h;
}

/* crc32: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) computed bit by bit and with a
 * 256-entry table; the two are checked against each other on a slice of the buffer. */
#include "bench.h"

#define BUF 65536u
#define SLICE 8192u
static uint8_t buf[BUF];
static uint32_t table[256];

static uint32_t __attribute__((noinline)) crc_bitwise(const uint8_t *p, uint32_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

static void make_table(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    table[i] = c;
  }
}

static uint32_t __attribute__((noinline)) crc_table(const uint8_t *p, uint32_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (uint32_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

uint64_t bench_kernel(uint32_t iters, uint32_t seed) {
  uint64_t s = 0xE7037ED1A0B428DBULL ^ seed;
  for (uint32_t i = 0; i < BUF; i += 8) {
    uint64_t r = rng_next(&s);
    for (uint32_t k = 0; k < 8; k++) buf[i + k] = (uint8_t)(r >> (8 * k));
  }
  make_table();
  uint64_t h = 0, bad = 0;
  for (uint32_t it = 0; it < iters; it++) {
    uint32_t whole = crc_table(buf, BUF);
    uint32_t off = (it * 4099u) % (BUF - SLICE);
    uint32_t b = crc_bitwise(buf + off, SLICE);
    uint32_t t = crc_table(buf + off, SLICE);
    if (b != t) bad++;
    h = mix64(h, ((uint64_t)whole << 32) | b);
    buf[(uint32_t)h % BUF] ^= (uint8_t)(h >> 40);
  }
  return mix64(h, bad << 56);
}

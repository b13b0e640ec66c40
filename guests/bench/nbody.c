/* nbody: floating-point mix (binary64). Five bodies under Newtonian gravity, advanced with a
 * semi-implicit Euler step: per pair a distance, a square root, a division and the momentum
 * updates, then the positions. Built with -ffp-contract=off on both the host and RISC-V so
 * every operation rounds separately and the checksum (bit patterns of the final state) is the
 * same on both. */
#include "bench.h"

#define N 5

typedef struct { double x, y, z, vx, vy, vz, m; } body;

static uint64_t bits(double d) {
  union { double d; uint64_t u; } v = { d };
  return v.u;
}

uint64_t bench_kernel(uint32_t iters, uint32_t seed) {
  body b[N];
  uint64_t s = seed | 1;
  /* A heavy central body and four lighter ones on roughly circular orbits. */
  for (int i = 0; i < N; i++) {
    double r = i == 0 ? 0.0 : 1.0 + i + (double)(rng_next(&s) >> 40) / (double)(1ull << 26);
    b[i].x = r; b[i].y = 0.01 * i; b[i].z = 0.001 * i;
    b[i].vx = 0.0; b[i].vy = i == 0 ? 0.0 : 6.28 / __builtin_sqrt(r); b[i].vz = 0.0;
    b[i].m = i == 0 ? 39.47 : 0.0001 * (1 + (rng_next(&s) & 7));
  }
  const double dt = 0.001;
  for (uint32_t step = 0; step < iters; step++) {
    for (int i = 0; i < N; i++) {
      for (int j = i + 1; j < N; j++) {
        double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
        double d2 = dx * dx + dy * dy + dz * dz;
        double mag = dt / (d2 * __builtin_sqrt(d2));
        double mi = b[i].m * mag, mj = b[j].m * mag;
        b[i].vx -= dx * mj; b[i].vy -= dy * mj; b[i].vz -= dz * mj;
        b[j].vx += dx * mi; b[j].vy += dy * mi; b[j].vz += dz * mi;
      }
    }
    for (int i = 0; i < N; i++) {
      b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz;
    }
  }
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int i = 0; i < N; i++) {
    h = mix64(h, bits(b[i].x)); h = mix64(h, bits(b[i].y)); h = mix64(h, bits(b[i].z));
    h = mix64(h, bits(b[i].vx)); h = mix64(h, bits(b[i].vy)); h = mix64(h, bits(b[i].vz));
  }
  return h;
}

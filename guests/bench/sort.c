/* sort: quicksort (median of three, insertion sort below 16 elements) and heapsort of
 * pseudo-random 32-bit integers; each result is checked to be sorted. */
#include "bench.h"

#define N 8192u
static uint32_t arr[N];

static void insertion(uint32_t *a, int32_t lo, int32_t hi) {
  for (int32_t i = lo + 1; i <= hi; i++) {
    uint32_t x = a[i];
    int32_t j = i - 1;
    while (j >= lo && a[j] > x) { a[j + 1] = a[j]; j--; }
    a[j + 1] = x;
  }
}

static void swap(uint32_t *a, int32_t i, int32_t j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; }

static void quicksort(uint32_t *a, int32_t lo, int32_t hi) {
  while (hi - lo >= 16) {
    int32_t mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    uint32_t pivot = a[mid];
    int32_t i = lo, j = hi;
    for (;;) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i >= j) break;
      swap(a, i, j);
      i++; j--;
    }
    /* Recurse into the smaller part, loop on the larger one. */
    if (j - lo < hi - j) { quicksort(a, lo, j); lo = j + 1; }
    else { quicksort(a, j + 1, hi); hi = j; }
  }
  insertion(a, lo, hi);
}

static void sift_down(uint32_t *a, uint32_t root, uint32_t n) {
  uint32_t x = a[root];
  for (;;) {
    uint32_t child = 2 * root + 1;
    if (child >= n) break;
    if (child + 1 < n && a[child + 1] > a[child]) child++;
    if (a[child] <= x) break;
    a[root] = a[child];
    root = child;
  }
  a[root] = x;
}

static void heapsort(uint32_t *a, uint32_t n) {
  for (uint32_t i = n / 2; i-- > 0;) sift_down(a, i, n);
  for (uint32_t end = n - 1; end > 0; end--) {
    swap(a, 0, (int32_t)end);
    sift_down(a, 0, end);
  }
}

static uint64_t check(const uint32_t *a, uint32_t n) {
  uint64_t h = 0, bad = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (i > 0 && a[i - 1] > a[i]) bad++;
    h += a[i] * (uint64_t)(i + 1);
  }
  return mix64(h, bad << 48);
}

static void fill(uint64_t *s, uint32_t it) {
  for (uint32_t i = 0; i < N; i++) {
    uint64_t r = rng_next(s);
    /* Every 4th round has many duplicates. */
    arr[i] = (it & 3) == 3 ? (uint32_t)(r >> 56) : (uint32_t)(r >> 32);
  }
}

uint64_t bench_kernel(uint32_t iters, uint32_t seed) {
  uint64_t s = 0xA0761D6478BD642FULL ^ seed;
  uint64_t h = 0;
  for (uint32_t it = 0; it < iters; it++) {
    fill(&s, it);
    quicksort(arr, 0, N - 1);
    h = mix64(h, check(arr, N));
    fill(&s, it);
    heapsort(arr, N);
    h = mix64(h, check(arr, N));
  }
  return h;
}

/*
 * Compiler-generated code and picolibc on the hart: formatted output, string and memory
 * functions, qsort, strtol family, setjmp/longjmp, 128-bit arithmetic through libgcc,
 * a table-driven switch, recursion, and a bitwise CRC-32 (check value of "123456789" is
 * 0xCBF43926 by the CRC-32/ISO-HDLC definition). Expected values are fixed by the C
 * standard and the algorithms, not by running the emulator.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness_c.h"

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static uint32_t crc32(const char *s, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= (uint8_t)s[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return ~c;
}

static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

/* dense switch: compiled to a jump table */
static __attribute__((noinline)) int classify(int v) {
  switch (v) {
    case 0: return 10;
    case 1: return 11;
    case 2: return 13;
    case 3: return 17;
    case 4: return 19;
    case 5: return 23;
    case 6: return 29;
    case 7: return 31;
    case 8: return 37;
    default: return -1;
  }
}

static jmp_buf jb;
static __attribute__((noinline)) void jump_back(int v) { longjmp(jb, v); }

/* keep the compiler from folding the arithmetic at build time */
static volatile int64_t vol_i;
static volatile uint64_t vol_u;

int test_main(void) {
  char buf[96];

  /* 1-3: snprintf */
  int len = snprintf(buf, sizeof buf, "%d|%u|%x|%X|%s|%c|%ld|%05d|%-3s|%%", -12345, 42u,
                     0xbeefu, 0xcafeu, "ok", 'Z', -9000000000L, 42, "a");
  CHECK(1, strcmp(buf, "-12345|42|beef|CAFE|ok|Z|-9000000000|00042|a  |%"), 0);
  CHECK(2, len, 48);
  len = snprintf(buf, 8, "%s", "truncated output");
  CHECK(3, len, 16);
  CHECK(4, strcmp(buf, "truncat"), 0);

  /* 5-12: string and memory functions */
  CHECK(5, strlen("wasmvisor"), 9);
  CHECK(6, strcmp("abc", "abd") < 0, 1);
  CHECK(7, memcmp("abc\0x", "abc\0y", 5) < 0, 1);
  strcpy(buf, "0123456789");
  memmove(buf + 2, buf, 6);                 /* overlapping, forward */
  CHECK(8, strcmp(buf, "0101234589"), 0);
  memmove(buf, buf + 3, 5);                 /* overlapping, backward */
  CHECK(9, strcmp(buf, "1234534589"), 0);
  memset(buf, 'x', 4);
  CHECK(10, strcmp(buf, "xxxx534589"), 0);
  CHECK(11, strchr("hello", 'l') - "hello", 2);
  CHECK(12, strrchr("hello", 'l') - "hello", 3);

  /* 13-15: qsort */
  int a[9] = {5, -3, 9, 0, 2, -8, 7, 2, -1};
  qsort(a, 9, sizeof a[0], cmp_int);
  static const int sorted[9] = {-8, -3, -1, 0, 2, 2, 5, 7, 9};
  CHECK(13, memcmp(a, sorted, sizeof a), 0);
  CHECK(14, a[0], (uint64_t)(int64_t)-8);
  CHECK(15, a[8], 9);

  /* 16-20: number parsing */
  CHECK(16, strtol("-0x1f", NULL, 0), (uint64_t)-31);
  CHECK(17, strtoul("4294967296", NULL, 10), 4294967296u);
  CHECK(18, strtoll("9223372036854775807", NULL, 10), 0x7fffffffffffffffu);
  CHECK(19, strtol("0777", NULL, 0), 511);
  CHECK(20, atoi("  -42abc"), (uint64_t)-42);

  /* 21-24: 64- and 128-bit arithmetic */
  vol_i = -7;
  CHECK(21, vol_i / 2, (uint64_t)-3);       /* C truncates toward zero */
  CHECK(22, vol_i % 2, (uint64_t)-1);
  vol_u = 12345;
  unsigned __int128 big = ((unsigned __int128)1 << 100) + vol_u;
  unsigned __int128 q = big / 1000, r = big % 1000;   /* __udivti3 / __umodti3 */
  CHECK(23, (uint64_t)(q >> 64), 0x4189374);
  CHECK(24, (uint64_t)q, 0xbc6a7ef9db22d0f1u);
  CHECK(25, (uint64_t)r, 721);
  vol_u = 0xfedcba9876543210u;
  unsigned __int128 p = (unsigned __int128)vol_u * 0x0123456789abcdefu;
  CHECK(26, (uint64_t)(p >> 64), 0x0121fa00ad77d742u);

  /* 27-29: CRC, recursion, jump table */
  CHECK(27, crc32("123456789", 9), 0xcbf43926u);
  CHECK(28, fib(20), 6765);
  int sum = 0;
  for (int i = -1; i <= 9; i++) sum += classify(i);
  CHECK(29, sum, 10 + 11 + 13 + 17 + 19 + 23 + 29 + 31 + 37 - 2);

  /* 30-31: setjmp / longjmp */
  volatile int passes = 0;
  int v = setjmp(jb);
  passes++;
  if (v == 0) jump_back(42);
  CHECK(30, v, 42);
  CHECK(31, passes, 2);
  return 0;
}

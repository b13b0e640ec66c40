/*
 * C side of the wasmvisor guest test harness (see harness.h). A C test defines
 * `int test_main(void)`; the harness's _start calls it in M-mode with a stack and returns
 * PASS when it returns. CHECK(n, got, expected) fails with check number n.
 */
#ifndef WASMVISOR_HARNESS_C_H
#define WASMVISOR_HARNESS_C_H
#include <stdint.h>

/* Exits with check number n, reporting got/expected (harness.S). */
__attribute__((noreturn)) void harness_fail_c(uint64_t n, uint64_t got, uint64_t expected);

#define CHECK(n, got, expected)                                              \
  do {                                                                       \
    uint64_t got_ = (uint64_t)(got), exp_ = (uint64_t)(expected);            \
    if (got_ != exp_) harness_fail_c((n), got_, exp_);                       \
  } while (0)

int test_main(void);
#endif

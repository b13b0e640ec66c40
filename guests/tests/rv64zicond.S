/*
 * Zicond: czero.eqz rd, rs1, rs2 (rd = rs2 == 0 ? 0 : rs1) and czero.nez (rd = rs2 != 0 ? 0 :
 * rs1). Written with .insn (binutils 2.40 does not know them); expected values from the spec.
 * QEMU 7.2 does not implement Zicond, so run-qemu.sh leaves this program out.
 */
#include "harness.h"

#define CZERO_EQZ 5
#define CZERO_NEZ 7
/* czero.* rd, rs1, rs2 with rs1 = a, rs2 = b; expect e */
.macro ZR n, op, a, b, e
  TEST \n
  li t0, \a
  li t1, \b
  .ifc \op, czero.eqz
  .insn r 0x33, CZERO_EQZ, 7, t2, t0, t1
  .else
  .insn r 0x33, CZERO_NEZ, 7, t2, t0, t1
  .endif
  CHECK_EQ t2, \e
.endm

TEST_BEGIN
  ZR 1, czero.eqz, 0x0, 0x1, 0x0
  ZR 2, czero.eqz, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  ZR 3, czero.eqz, 0x123456789abcdef0, 0xfedcba9876543210, 0x123456789abcdef0
  ZR 4, czero.eqz, 0xfedcba9876543210, 0x123456789abcdef0, 0xfedcba9876543210
  ZR 5, czero.eqz, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
  ZR 6, czero.eqz, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
  ZR 7, czero.eqz, 0xff00f0000f0101, 0x3f, 0xff00f0000f0101
  ZR 8, czero.eqz, 0x80000000, 0x40, 0x80000000
  ZR 9, czero.eqz, 0xffffffff, 0x1f, 0xffffffff
  ZR 10, czero.eqz, 0xffffffffffffffff, 0x20, 0xffffffffffffffff
  ZR 11, czero.eqz, 0x100000000, 0x0, 0x0
  ZR 12, czero.eqz, 0x1, 0xffffffffffffffff, 0x1
  ZR 13, czero.eqz, 0x123456789abcdef0, 0x0, 0x0
  ZR 14, czero.nez, 0x0, 0x1, 0x0
  ZR 15, czero.nez, 0xffffffffffffffff, 0x1, 0x0
  ZR 16, czero.nez, 0x123456789abcdef0, 0xfedcba9876543210, 0x0
  ZR 17, czero.nez, 0xfedcba9876543210, 0x123456789abcdef0, 0x0
  ZR 18, czero.nez, 0x8000000000000000, 0x7fffffffffffffff, 0x0
  ZR 19, czero.nez, 0x7fffffffffffffff, 0x8000000000000000, 0x0
  ZR 20, czero.nez, 0xff00f0000f0101, 0x3f, 0x0
  ZR 21, czero.nez, 0x80000000, 0x40, 0x0
  ZR 22, czero.nez, 0xffffffff, 0x1f, 0x0
  ZR 23, czero.nez, 0xffffffffffffffff, 0x20, 0x0
  ZR 24, czero.nez, 0x100000000, 0x0, 0x100000000
  ZR 25, czero.nez, 0x1, 0xffffffffffffffff, 0x0
  ZR 26, czero.nez, 0x123456789abcdef0, 0x0, 0x123456789abcdef0
TEST_END

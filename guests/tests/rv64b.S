/*
 * Bit manipulation (unprivileged spec, "B" extension chapter: Zba, Zbb, Zbc, Zbs) and Zbkb
 * (scalar crypto): every instruction on edge operands (0, 1, all ones, the sign bit, 32-bit
 * boundaries, shift and bit indexes past 31 and 63). Expected values from a model of the
 * spec's definitions; the same program passes on QEMU 7.2 with zba, zbb, zbc, zbs and zbkb on
 * (run-qemu.sh).
 */
#include "harness.h"
.option arch, +zba, +zbb, +zbc, +zbs, +zbkb

/* op rd, rs1 with rs1 = a; expect e */
.macro R1 n, op, a, e
  TEST \n
  li t0, \a
  \op t2, t0
  CHECK_EQ t2, \e
.endm

TEST_BEGIN
  RR 1, sh1add, 0x0, 0x1, 0x1
  RR 2, sh1add, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 3, sh1add, 0x123456789abcdef0, 0xfedcba9876543210, 0x23456789abcdeff0
  RR 4, sh1add, 0xfedcba9876543210, 0x123456789abcdef0, 0xfedcba987654310
  RR 5, sh1add, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 6, sh1add, 0x7fffffffffffffff, 0x8000000000000000, 0x7ffffffffffffffe
  RR 7, sh1add, 0xff00f0000f0101, 0x3f, 0x1fe01e0001e0241
  RR 8, sh1add, 0x80000000, 0x40, 0x100000040
  RR 9, sh1add, 0xffffffff, 0x1f, 0x20000001d
  RR 10, sh1add, 0xffffffffffffffff, 0x20, 0x1e
  RR 11, sh1add, 0x100000000, 0x0, 0x200000000
  RR 12, sh1add, 0x1, 0xffffffffffffffff, 0x1
  RR 13, sh1add, 0x123456789abcdef0, 0x0, 0x2468acf13579bde0
  RR 14, sh2add, 0x0, 0x1, 0x1
  RR 15, sh2add, 0xffffffffffffffff, 0x1, 0xfffffffffffffffd
  RR 16, sh2add, 0x123456789abcdef0, 0xfedcba9876543210, 0x47ae147ae147add0
  RR 17, sh2add, 0xfedcba9876543210, 0x123456789abcdef0, 0xda740da740da730
  RR 18, sh2add, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 19, sh2add, 0x7fffffffffffffff, 0x8000000000000000, 0x7ffffffffffffffc
  RR 20, sh2add, 0xff00f0000f0101, 0x3f, 0x3fc03c0003c0443
  RR 21, sh2add, 0x80000000, 0x40, 0x200000040
  RR 22, sh2add, 0xffffffff, 0x1f, 0x40000001b
  RR 23, sh2add, 0xffffffffffffffff, 0x20, 0x1c
  RR 24, sh2add, 0x100000000, 0x0, 0x400000000
  RR 25, sh2add, 0x1, 0xffffffffffffffff, 0x3
  RR 26, sh2add, 0x123456789abcdef0, 0x0, 0x48d159e26af37bc0
  RR 27, sh3add, 0x0, 0x1, 0x1
  RR 28, sh3add, 0xffffffffffffffff, 0x1, 0xfffffffffffffff9
  RR 29, sh3add, 0x123456789abcdef0, 0xfedcba9876543210, 0x907f6e5d4c3b2990
  RR 30, sh3add, 0xfedcba9876543210, 0x123456789abcdef0, 0x91a2b3c4d5e6f70
  RR 31, sh3add, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 32, sh3add, 0x7fffffffffffffff, 0x8000000000000000, 0x7ffffffffffffff8
  RR 33, sh3add, 0xff00f0000f0101, 0x3f, 0x7f8078000780847
  RR 34, sh3add, 0x80000000, 0x40, 0x400000040
  RR 35, sh3add, 0xffffffff, 0x1f, 0x800000017
  RR 36, sh3add, 0xffffffffffffffff, 0x20, 0x18
  RR 37, sh3add, 0x100000000, 0x0, 0x800000000
  RR 38, sh3add, 0x1, 0xffffffffffffffff, 0x7
  RR 39, sh3add, 0x123456789abcdef0, 0x0, 0x91a2b3c4d5e6f780
  RR 40, add.uw, 0x0, 0x1, 0x1
  RR 41, add.uw, 0xffffffffffffffff, 0x1, 0x100000000
  RR 42, add.uw, 0x123456789abcdef0, 0xfedcba9876543210, 0xfedcba9911111100
  RR 43, add.uw, 0xfedcba9876543210, 0x123456789abcdef0, 0x1234567911111100
  RR 44, add.uw, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 45, add.uw, 0x7fffffffffffffff, 0x8000000000000000, 0x80000000ffffffff
  RR 46, add.uw, 0xff00f0000f0101, 0x3f, 0xf0140
  RR 47, add.uw, 0x80000000, 0x40, 0x80000040
  RR 48, add.uw, 0xffffffff, 0x1f, 0x10000001e
  RR 49, add.uw, 0xffffffffffffffff, 0x20, 0x10000001f
  RR 50, add.uw, 0x100000000, 0x0, 0x0
  RR 51, add.uw, 0x1, 0xffffffffffffffff, 0x0
  RR 52, add.uw, 0x123456789abcdef0, 0x0, 0x9abcdef0
  RR 53, sh1add.uw, 0x0, 0x1, 0x1
  RR 54, sh1add.uw, 0xffffffffffffffff, 0x1, 0x1ffffffff
  RR 55, sh1add.uw, 0x123456789abcdef0, 0xfedcba9876543210, 0xfedcba99abcdeff0
  RR 56, sh1add.uw, 0xfedcba9876543210, 0x123456789abcdef0, 0x1234567987654310
  RR 57, sh1add.uw, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 58, sh1add.uw, 0x7fffffffffffffff, 0x8000000000000000, 0x80000001fffffffe
  RR 59, sh1add.uw, 0xff00f0000f0101, 0x3f, 0x1e0241
  RR 60, sh1add.uw, 0x80000000, 0x40, 0x100000040
  RR 61, sh1add.uw, 0xffffffff, 0x1f, 0x20000001d
  RR 62, sh1add.uw, 0xffffffffffffffff, 0x20, 0x20000001e
  RR 63, sh1add.uw, 0x100000000, 0x0, 0x0
  RR 64, sh1add.uw, 0x1, 0xffffffffffffffff, 0x1
  RR 65, sh1add.uw, 0x123456789abcdef0, 0x0, 0x13579bde0
  RR 66, sh2add.uw, 0x0, 0x1, 0x1
  RR 67, sh2add.uw, 0xffffffffffffffff, 0x1, 0x3fffffffd
  RR 68, sh2add.uw, 0x123456789abcdef0, 0xfedcba9876543210, 0xfedcba9ae147add0
  RR 69, sh2add.uw, 0xfedcba9876543210, 0x123456789abcdef0, 0x1234567a740da730
  RR 70, sh2add.uw, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 71, sh2add.uw, 0x7fffffffffffffff, 0x8000000000000000, 0x80000003fffffffc
  RR 72, sh2add.uw, 0xff00f0000f0101, 0x3f, 0x3c0443
  RR 73, sh2add.uw, 0x80000000, 0x40, 0x200000040
  RR 74, sh2add.uw, 0xffffffff, 0x1f, 0x40000001b
  RR 75, sh2add.uw, 0xffffffffffffffff, 0x20, 0x40000001c
  RR 76, sh2add.uw, 0x100000000, 0x0, 0x0
  RR 77, sh2add.uw, 0x1, 0xffffffffffffffff, 0x3
  RR 78, sh2add.uw, 0x123456789abcdef0, 0x0, 0x26af37bc0
  RR 79, sh3add.uw, 0x0, 0x1, 0x1
  RR 80, sh3add.uw, 0xffffffffffffffff, 0x1, 0x7fffffff9
  RR 81, sh3add.uw, 0x123456789abcdef0, 0xfedcba9876543210, 0xfedcba9d4c3b2990
  RR 82, sh3add.uw, 0xfedcba9876543210, 0x123456789abcdef0, 0x1234567c4d5e6f70
  RR 83, sh3add.uw, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 84, sh3add.uw, 0x7fffffffffffffff, 0x8000000000000000, 0x80000007fffffff8
  RR 85, sh3add.uw, 0xff00f0000f0101, 0x3f, 0x780847
  RR 86, sh3add.uw, 0x80000000, 0x40, 0x400000040
  RR 87, sh3add.uw, 0xffffffff, 0x1f, 0x800000017
  RR 88, sh3add.uw, 0xffffffffffffffff, 0x20, 0x800000018
  RR 89, sh3add.uw, 0x100000000, 0x0, 0x0
  RR 90, sh3add.uw, 0x1, 0xffffffffffffffff, 0x7
  RR 91, sh3add.uw, 0x123456789abcdef0, 0x0, 0x4d5e6f780
  RR 92, andn, 0x0, 0x1, 0x0
  RR 93, andn, 0xffffffffffffffff, 0x1, 0xfffffffffffffffe
  RR 94, andn, 0x123456789abcdef0, 0xfedcba9876543210, 0x20446088a8cce0
  RR 95, andn, 0xfedcba9876543210, 0x123456789abcdef0, 0xecc8a88064402000
  RR 96, andn, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
  RR 97, andn, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
  RR 98, andn, 0xff00f0000f0101, 0x3f, 0xff00f0000f0100
  RR 99, andn, 0x80000000, 0x40, 0x80000000
  RR 100, andn, 0xffffffff, 0x1f, 0xffffffe0
  RR 101, andn, 0xffffffffffffffff, 0x20, 0xffffffffffffffdf
  RR 102, andn, 0x100000000, 0x0, 0x100000000
  RR 103, andn, 0x1, 0xffffffffffffffff, 0x0
  RR 104, andn, 0x123456789abcdef0, 0x0, 0x123456789abcdef0
  RR 105, orn, 0x0, 0x1, 0xfffffffffffffffe
  RR 106, orn, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 107, orn, 0x123456789abcdef0, 0xfedcba9876543210, 0x1337577f9bbfdfff
  RR 108, orn, 0xfedcba9876543210, 0x123456789abcdef0, 0xffdfbb9f7757331f
  RR 109, orn, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
  RR 110, orn, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
  RR 111, orn, 0xff00f0000f0101, 0x3f, 0xffffffffffffffc1
  RR 112, orn, 0x80000000, 0x40, 0xffffffffffffffbf
  RR 113, orn, 0xffffffff, 0x1f, 0xffffffffffffffff
  RR 114, orn, 0xffffffffffffffff, 0x20, 0xffffffffffffffff
  RR 115, orn, 0x100000000, 0x0, 0xffffffffffffffff
  RR 116, orn, 0x1, 0xffffffffffffffff, 0x1
  RR 117, orn, 0x123456789abcdef0, 0x0, 0xffffffffffffffff
  RR 118, xnor, 0x0, 0x1, 0xfffffffffffffffe
  RR 119, xnor, 0xffffffffffffffff, 0x1, 0x1
  RR 120, xnor, 0x123456789abcdef0, 0xfedcba9876543210, 0x1317131f1317131f
  RR 121, xnor, 0xfedcba9876543210, 0x123456789abcdef0, 0x1317131f1317131f
  RR 122, xnor, 0x8000000000000000, 0x7fffffffffffffff, 0x0
  RR 123, xnor, 0x7fffffffffffffff, 0x8000000000000000, 0x0
  RR 124, xnor, 0xff00f0000f0101, 0x3f, 0xff00ff0ffff0fec1
  RR 125, xnor, 0x80000000, 0x40, 0xffffffff7fffffbf
  RR 126, xnor, 0xffffffff, 0x1f, 0xffffffff0000001f
  RR 127, xnor, 0xffffffffffffffff, 0x20, 0x20
  RR 128, xnor, 0x100000000, 0x0, 0xfffffffeffffffff
  RR 129, xnor, 0x1, 0xffffffffffffffff, 0x1
  RR 130, xnor, 0x123456789abcdef0, 0x0, 0xedcba9876543210f
  RR 131, max, 0x0, 0x1, 0x1
  RR 132, max, 0xffffffffffffffff, 0x1, 0x1
  RR 133, max, 0x123456789abcdef0, 0xfedcba9876543210, 0x123456789abcdef0
  RR 134, max, 0xfedcba9876543210, 0x123456789abcdef0, 0x123456789abcdef0
  RR 135, max, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 136, max, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
  RR 137, max, 0xff00f0000f0101, 0x3f, 0xff00f0000f0101
  RR 138, max, 0x80000000, 0x40, 0x80000000
  RR 139, max, 0xffffffff, 0x1f, 0xffffffff
  RR 140, max, 0xffffffffffffffff, 0x20, 0x20
  RR 141, max, 0x100000000, 0x0, 0x100000000
  RR 142, max, 0x1, 0xffffffffffffffff, 0x1
  RR 143, max, 0x123456789abcdef0, 0x0, 0x123456789abcdef0
  RR 144, maxu, 0x0, 0x1, 0x1
  RR 145, maxu, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 146, maxu, 0x123456789abcdef0, 0xfedcba9876543210, 0xfedcba9876543210
  RR 147, maxu, 0xfedcba9876543210, 0x123456789abcdef0, 0xfedcba9876543210
  RR 148, maxu, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
  RR 149, maxu, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
  RR 150, maxu, 0xff00f0000f0101, 0x3f, 0xff00f0000f0101
  RR 151, maxu, 0x80000000, 0x40, 0x80000000
  RR 152, maxu, 0xffffffff, 0x1f, 0xffffffff
  RR 153, maxu, 0xffffffffffffffff, 0x20, 0xffffffffffffffff
  RR 154, maxu, 0x100000000, 0x0, 0x100000000
  RR 155, maxu, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
  RR 156, maxu, 0x123456789abcdef0, 0x0, 0x123456789abcdef0
  RR 157, min, 0x0, 0x1, 0x0
  RR 158, min, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 159, min, 0x123456789abcdef0, 0xfedcba9876543210, 0xfedcba9876543210
  RR 160, min, 0xfedcba9876543210, 0x123456789abcdef0, 0xfedcba9876543210
  RR 161, min, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
  RR 162, min, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
  RR 163, min, 0xff00f0000f0101, 0x3f, 0x3f
  RR 164, min, 0x80000000, 0x40, 0x40
  RR 165, min, 0xffffffff, 0x1f, 0x1f
  RR 166, min, 0xffffffffffffffff, 0x20, 0xffffffffffffffff
  RR 167, min, 0x100000000, 0x0, 0x0
  RR 168, min, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
  RR 169, min, 0x123456789abcdef0, 0x0, 0x0
  RR 170, minu, 0x0, 0x1, 0x0
  RR 171, minu, 0xffffffffffffffff, 0x1, 0x1
  RR 172, minu, 0x123456789abcdef0, 0xfedcba9876543210, 0x123456789abcdef0
  RR 173, minu, 0xfedcba9876543210, 0x123456789abcdef0, 0x123456789abcdef0
  RR 174, minu, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 175, minu, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
  RR 176, minu, 0xff00f0000f0101, 0x3f, 0x3f
  RR 177, minu, 0x80000000, 0x40, 0x40
  RR 178, minu, 0xffffffff, 0x1f, 0x1f
  RR 179, minu, 0xffffffffffffffff, 0x20, 0x20
  RR 180, minu, 0x100000000, 0x0, 0x0
  RR 181, minu, 0x1, 0xffffffffffffffff, 0x1
  RR 182, minu, 0x123456789abcdef0, 0x0, 0x0
  RR 183, rol, 0x0, 0x1, 0x0
  RR 184, rol, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 185, rol, 0x123456789abcdef0, 0xfedcba9876543210, 0x56789abcdef01234
  RR 186, rol, 0xfedcba9876543210, 0x123456789abcdef0, 0x3210fedcba987654
  RR 187, rol, 0x8000000000000000, 0x7fffffffffffffff, 0x4000000000000000
  RR 188, rol, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
  RR 189, rol, 0xff00f0000f0101, 0x3f, 0x807f807800078080
  RR 190, rol, 0x80000000, 0x40, 0x80000000
  RR 191, rol, 0xffffffff, 0x1f, 0x7fffffff80000000
  RR 192, rol, 0xffffffffffffffff, 0x20, 0xffffffffffffffff
  RR 193, rol, 0x100000000, 0x0, 0x100000000
  RR 194, rol, 0x1, 0xffffffffffffffff, 0x8000000000000000
  RR 195, rol, 0x123456789abcdef0, 0x0, 0x123456789abcdef0
  RR 196, ror, 0x0, 0x1, 0x0
  RR 197, ror, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 198, ror, 0x123456789abcdef0, 0xfedcba9876543210, 0xdef0123456789abc
  RR 199, ror, 0xfedcba9876543210, 0x123456789abcdef0, 0xba9876543210fedc
  RR 200, ror, 0x8000000000000000, 0x7fffffffffffffff, 0x1
  RR 201, ror, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
  RR 202, ror, 0xff00f0000f0101, 0x3f, 0x1fe01e0001e0202
  RR 203, ror, 0x80000000, 0x40, 0x80000000
  RR 204, ror, 0xffffffff, 0x1f, 0xfffffffe00000001
  RR 205, ror, 0xffffffffffffffff, 0x20, 0xffffffffffffffff
  RR 206, ror, 0x100000000, 0x0, 0x100000000
  RR 207, ror, 0x1, 0xffffffffffffffff, 0x2
  RR 208, ror, 0x123456789abcdef0, 0x0, 0x123456789abcdef0
  RR 209, rolw, 0x0, 0x1, 0x0
  RR 210, rolw, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 211, rolw, 0x123456789abcdef0, 0xfedcba9876543210, 0xffffffffdef09abc
  RR 212, rolw, 0xfedcba9876543210, 0x123456789abcdef0, 0x32107654
  RR 213, rolw, 0x8000000000000000, 0x7fffffffffffffff, 0x0
  RR 214, rolw, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
  RR 215, rolw, 0xff00f0000f0101, 0x3f, 0xffffffff80078080
  RR 216, rolw, 0x80000000, 0x40, 0xffffffff80000000
  RR 217, rolw, 0xffffffff, 0x1f, 0xffffffffffffffff
  RR 218, rolw, 0xffffffffffffffff, 0x20, 0xffffffffffffffff
  RR 219, rolw, 0x100000000, 0x0, 0x0
  RR 220, rolw, 0x1, 0xffffffffffffffff, 0xffffffff80000000
  RR 221, rolw, 0x123456789abcdef0, 0x0, 0xffffffff9abcdef0
  RR 222, rorw, 0x0, 0x1, 0x0
  RR 223, rorw, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 224, rorw, 0x123456789abcdef0, 0xfedcba9876543210, 0xffffffffdef09abc
  RR 225, rorw, 0xfedcba9876543210, 0x123456789abcdef0, 0x32107654
  RR 226, rorw, 0x8000000000000000, 0x7fffffffffffffff, 0x0
  RR 227, rorw, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
  RR 228, rorw, 0xff00f0000f0101, 0x3f, 0x1e0202
  RR 229, rorw, 0x80000000, 0x40, 0xffffffff80000000
  RR 230, rorw, 0xffffffff, 0x1f, 0xffffffffffffffff
  RR 231, rorw, 0xffffffffffffffff, 0x20, 0xffffffffffffffff
  RR 232, rorw, 0x100000000, 0x0, 0x0
  RR 233, rorw, 0x1, 0xffffffffffffffff, 0x2
  RR 234, rorw, 0x123456789abcdef0, 0x0, 0xffffffff9abcdef0
  RR 235, clmul, 0x0, 0x1, 0x0
  RR 236, clmul, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 237, clmul, 0x123456789abcdef0, 0xfedcba9876543210, 0xa0789828c810f00
  RR 238, clmul, 0xfedcba9876543210, 0x123456789abcdef0, 0xa0789828c810f00
  RR 239, clmul, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
  RR 240, clmul, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
  RR 241, clmul, 0xff00f0000f0101, 0x3f, 0x1515145001453f3f
  RR 242, clmul, 0x80000000, 0x40, 0x2000000000
  RR 243, clmul, 0xffffffff, 0x1f, 0xafffffff5
  RR 244, clmul, 0xffffffffffffffff, 0x20, 0xffffffffffffffe0
  RR 245, clmul, 0x100000000, 0x0, 0x0
  RR 246, clmul, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
  RR 247, clmul, 0x123456789abcdef0, 0x0, 0x0
  RR 248, clmulh, 0x0, 0x1, 0x0
  RR 249, clmulh, 0xffffffffffffffff, 0x1, 0x0
  RR 250, clmulh, 0x123456789abcdef0, 0xfedcba9876543210, 0xe038d8688850b04
  RR 251, clmulh, 0xfedcba9876543210, 0x123456789abcdef0, 0xe038d8688850b04
  RR 252, clmulh, 0x8000000000000000, 0x7fffffffffffffff, 0x3fffffffffffffff
  RR 253, clmulh, 0x7fffffffffffffff, 0x8000000000000000, 0x3fffffffffffffff
  RR 254, clmulh, 0xff00f0000f0101, 0x3f, 0x0
  RR 255, clmulh, 0x80000000, 0x40, 0x0
  RR 256, clmulh, 0xffffffff, 0x1f, 0x0
  RR 257, clmulh, 0xffffffffffffffff, 0x20, 0x1f
  RR 258, clmulh, 0x100000000, 0x0, 0x0
  RR 259, clmulh, 0x1, 0xffffffffffffffff, 0x0
  RR 260, clmulh, 0x123456789abcdef0, 0x0, 0x0
  RR 261, clmulr, 0x0, 0x1, 0x0
  RR 262, clmulr, 0xffffffffffffffff, 0x1, 0x1
  RR 263, clmulr, 0x123456789abcdef0, 0xfedcba9876543210, 0x1c071b0d110a1608
  RR 264, clmulr, 0xfedcba9876543210, 0x123456789abcdef0, 0x1c071b0d110a1608
  RR 265, clmulr, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
  RR 266, clmulr, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
  RR 267, clmulr, 0xff00f0000f0101, 0x3f, 0x0
  RR 268, clmulr, 0x80000000, 0x40, 0x0
  RR 269, clmulr, 0xffffffff, 0x1f, 0x0
  RR 270, clmulr, 0xffffffffffffffff, 0x20, 0x3f
  RR 271, clmulr, 0x100000000, 0x0, 0x0
  RR 272, clmulr, 0x1, 0xffffffffffffffff, 0x1
  RR 273, clmulr, 0x123456789abcdef0, 0x0, 0x0
  RR 274, bclr, 0x0, 0x1, 0x0
  RR 275, bclr, 0xffffffffffffffff, 0x1, 0xfffffffffffffffd
  RR 276, bclr, 0x123456789abcdef0, 0xfedcba9876543210, 0x123456789abcdef0
  RR 277, bclr, 0xfedcba9876543210, 0x123456789abcdef0, 0xfedcba9876543210
  RR 278, bclr, 0x8000000000000000, 0x7fffffffffffffff, 0x0
  RR 279, bclr, 0x7fffffffffffffff, 0x8000000000000000, 0x7ffffffffffffffe
  RR 280, bclr, 0xff00f0000f0101, 0x3f, 0xff00f0000f0101
  RR 281, bclr, 0x80000000, 0x40, 0x80000000
  RR 282, bclr, 0xffffffff, 0x1f, 0x7fffffff
  RR 283, bclr, 0xffffffffffffffff, 0x20, 0xfffffffeffffffff
  RR 284, bclr, 0x100000000, 0x0, 0x100000000
  RR 285, bclr, 0x1, 0xffffffffffffffff, 0x1
  RR 286, bclr, 0x123456789abcdef0, 0x0, 0x123456789abcdef0
  RR 287, bext, 0x0, 0x1, 0x0
  RR 288, bext, 0xffffffffffffffff, 0x1, 0x1
  RR 289, bext, 0x123456789abcdef0, 0xfedcba9876543210, 0x0
  RR 290, bext, 0xfedcba9876543210, 0x123456789abcdef0, 0x0
  RR 291, bext, 0x8000000000000000, 0x7fffffffffffffff, 0x1
  RR 292, bext, 0x7fffffffffffffff, 0x8000000000000000, 0x1
  RR 293, bext, 0xff00f0000f0101, 0x3f, 0x0
  RR 294, bext, 0x80000000, 0x40, 0x0
  RR 295, bext, 0xffffffff, 0x1f, 0x1
  RR 296, bext, 0xffffffffffffffff, 0x20, 0x1
  RR 297, bext, 0x100000000, 0x0, 0x0
  RR 298, bext, 0x1, 0xffffffffffffffff, 0x0
  RR 299, bext, 0x123456789abcdef0, 0x0, 0x0
  RR 300, binv, 0x0, 0x1, 0x2
  RR 301, binv, 0xffffffffffffffff, 0x1, 0xfffffffffffffffd
  RR 302, binv, 0x123456789abcdef0, 0xfedcba9876543210, 0x123456789abddef0
  RR 303, binv, 0xfedcba9876543210, 0x123456789abcdef0, 0xfeddba9876543210
  RR 304, binv, 0x8000000000000000, 0x7fffffffffffffff, 0x0
  RR 305, binv, 0x7fffffffffffffff, 0x8000000000000000, 0x7ffffffffffffffe
  RR 306, binv, 0xff00f0000f0101, 0x3f, 0x80ff00f0000f0101
  RR 307, binv, 0x80000000, 0x40, 0x80000001
  RR 308, binv, 0xffffffff, 0x1f, 0x7fffffff
  RR 309, binv, 0xffffffffffffffff, 0x20, 0xfffffffeffffffff
  RR 310, binv, 0x100000000, 0x0, 0x100000001
  RR 311, binv, 0x1, 0xffffffffffffffff, 0x8000000000000001
  RR 312, binv, 0x123456789abcdef0, 0x0, 0x123456789abcdef1
  RR 313, bset, 0x0, 0x1, 0x2
  RR 314, bset, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
  RR 315, bset, 0x123456789abcdef0, 0xfedcba9876543210, 0x123456789abddef0
  RR 316, bset, 0xfedcba9876543210, 0x123456789abcdef0, 0xfeddba9876543210
  RR 317, bset, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
  RR 318, bset, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
  RR 319, bset, 0xff00f0000f0101, 0x3f, 0x80ff00f0000f0101
  RR 320, bset, 0x80000000, 0x40, 0x80000001
  RR 321, bset, 0xffffffff, 0x1f, 0xffffffff
  RR 322, bset, 0xffffffffffffffff, 0x20, 0xffffffffffffffff
  RR 323, bset, 0x100000000, 0x0, 0x100000001
  RR 324, bset, 0x1, 0xffffffffffffffff, 0x8000000000000001
  RR 325, bset, 0x123456789abcdef0, 0x0, 0x123456789abcdef1
  RR 326, pack, 0x0, 0x1, 0x100000000
  RR 327, pack, 0xffffffffffffffff, 0x1, 0x1ffffffff
  RR 328, pack, 0x123456789abcdef0, 0xfedcba9876543210, 0x765432109abcdef0
  RR 329, pack, 0xfedcba9876543210, 0x123456789abcdef0, 0x9abcdef076543210
  RR 330, pack, 0x8000000000000000, 0x7fffffffffffffff, 0xffffffff00000000
  RR 331, pack, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffff
  RR 332, pack, 0xff00f0000f0101, 0x3f, 0x3f000f0101
  RR 333, pack, 0x80000000, 0x40, 0x4080000000
  RR 334, pack, 0xffffffff, 0x1f, 0x1fffffffff
  RR 335, pack, 0xffffffffffffffff, 0x20, 0x20ffffffff
  RR 336, pack, 0x100000000, 0x0, 0x0
  RR 337, pack, 0x1, 0xffffffffffffffff, 0xffffffff00000001
  RR 338, pack, 0x123456789abcdef0, 0x0, 0x9abcdef0
  RR 339, packh, 0x0, 0x1, 0x100
  RR 340, packh, 0xffffffffffffffff, 0x1, 0x1ff
  RR 341, packh, 0x123456789abcdef0, 0xfedcba9876543210, 0x10f0
  RR 342, packh, 0xfedcba9876543210, 0x123456789abcdef0, 0xf010
  RR 343, packh, 0x8000000000000000, 0x7fffffffffffffff, 0xff00
  RR 344, packh, 0x7fffffffffffffff, 0x8000000000000000, 0xff
  RR 345, packh, 0xff00f0000f0101, 0x3f, 0x3f01
  RR 346, packh, 0x80000000, 0x40, 0x4000
  RR 347, packh, 0xffffffff, 0x1f, 0x1fff
  RR 348, packh, 0xffffffffffffffff, 0x20, 0x20ff
  RR 349, packh, 0x100000000, 0x0, 0x0
  RR 350, packh, 0x1, 0xffffffffffffffff, 0xff01
  RR 351, packh, 0x123456789abcdef0, 0x0, 0xf0
  RR 352, packw, 0x0, 0x1, 0x10000
  RR 353, packw, 0xffffffffffffffff, 0x1, 0x1ffff
  RR 354, packw, 0x123456789abcdef0, 0xfedcba9876543210, 0x3210def0
  RR 355, packw, 0xfedcba9876543210, 0x123456789abcdef0, 0xffffffffdef03210
  RR 356, packw, 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffff0000
  RR 357, packw, 0x7fffffffffffffff, 0x8000000000000000, 0xffff
  RR 358, packw, 0xff00f0000f0101, 0x3f, 0x3f0101
  RR 359, packw, 0x80000000, 0x40, 0x400000
  RR 360, packw, 0xffffffff, 0x1f, 0x1fffff
  RR 361, packw, 0xffffffffffffffff, 0x20, 0x20ffff
  RR 362, packw, 0x100000000, 0x0, 0x0
  RR 363, packw, 0x1, 0xffffffffffffffff, 0xffffffffffff0001
  RR 364, packw, 0x123456789abcdef0, 0x0, 0xdef0
  R1 365, clz, 0x0, 0x40
  R1 366, clz, 0x1, 0x3f
  R1 367, clz, 0xffffffffffffffff, 0x0
  R1 368, clz, 0x8000000000000000, 0x0
  R1 369, clz, 0x7fffffffffffffff, 0x1
  R1 370, clz, 0x80000000, 0x20
  R1 371, clz, 0xffffffff, 0x20
  R1 372, clz, 0x123456789abcdef0, 0x3
  R1 373, clz, 0xfedcba9876543210, 0x0
  R1 374, clz, 0xff00f0000f0101, 0x8
  R1 375, clz, 0x100000000, 0x1f
  R1 376, clz, 0x3f, 0x3a
  R1 377, clz, 0x40, 0x39
  R1 378, clz, 0x1f, 0x3b
  R1 379, clz, 0x20, 0x3a
  R1 380, clzw, 0x0, 0x20
  R1 381, clzw, 0x1, 0x1f
  R1 382, clzw, 0xffffffffffffffff, 0x0
  R1 383, clzw, 0x8000000000000000, 0x20
  R1 384, clzw, 0x7fffffffffffffff, 0x0
  R1 385, clzw, 0x80000000, 0x0
  R1 386, clzw, 0xffffffff, 0x0
  R1 387, clzw, 0x123456789abcdef0, 0x0
  R1 388, clzw, 0xfedcba9876543210, 0x1
  R1 389, clzw, 0xff00f0000f0101, 0xc
  R1 390, clzw, 0x100000000, 0x20
  R1 391, clzw, 0x3f, 0x1a
  R1 392, clzw, 0x40, 0x19
  R1 393, clzw, 0x1f, 0x1b
  R1 394, clzw, 0x20, 0x1a
  R1 395, ctz, 0x0, 0x40
  R1 396, ctz, 0x1, 0x0
  R1 397, ctz, 0xffffffffffffffff, 0x0
  R1 398, ctz, 0x8000000000000000, 0x3f
  R1 399, ctz, 0x7fffffffffffffff, 0x0
  R1 400, ctz, 0x80000000, 0x1f
  R1 401, ctz, 0xffffffff, 0x0
  R1 402, ctz, 0x123456789abcdef0, 0x4
  R1 403, ctz, 0xfedcba9876543210, 0x4
  R1 404, ctz, 0xff00f0000f0101, 0x0
  R1 405, ctz, 0x100000000, 0x20
  R1 406, ctz, 0x3f, 0x0
  R1 407, ctz, 0x40, 0x6
  R1 408, ctz, 0x1f, 0x0
  R1 409, ctz, 0x20, 0x5
  R1 410, ctzw, 0x0, 0x20
  R1 411, ctzw, 0x1, 0x0
  R1 412, ctzw, 0xffffffffffffffff, 0x0
  R1 413, ctzw, 0x8000000000000000, 0x20
  R1 414, ctzw, 0x7fffffffffffffff, 0x0
  R1 415, ctzw, 0x80000000, 0x1f
  R1 416, ctzw, 0xffffffff, 0x0
  R1 417, ctzw, 0x123456789abcdef0, 0x4
  R1 418, ctzw, 0xfedcba9876543210, 0x4
  R1 419, ctzw, 0xff00f0000f0101, 0x0
  R1 420, ctzw, 0x100000000, 0x20
  R1 421, ctzw, 0x3f, 0x0
  R1 422, ctzw, 0x40, 0x6
  R1 423, ctzw, 0x1f, 0x0
  R1 424, ctzw, 0x20, 0x5
  R1 425, cpop, 0x0, 0x0
  R1 426, cpop, 0x1, 0x1
  R1 427, cpop, 0xffffffffffffffff, 0x40
  R1 428, cpop, 0x8000000000000000, 0x1
  R1 429, cpop, 0x7fffffffffffffff, 0x3f
  R1 430, cpop, 0x80000000, 0x1
  R1 431, cpop, 0xffffffff, 0x20
  R1 432, cpop, 0x123456789abcdef0, 0x20
  R1 433, cpop, 0xfedcba9876543210, 0x20
  R1 434, cpop, 0xff00f0000f0101, 0x12
  R1 435, cpop, 0x100000000, 0x1
  R1 436, cpop, 0x3f, 0x6
  R1 437, cpop, 0x40, 0x1
  R1 438, cpop, 0x1f, 0x5
  R1 439, cpop, 0x20, 0x1
  R1 440, cpopw, 0x0, 0x0
  R1 441, cpopw, 0x1, 0x1
  R1 442, cpopw, 0xffffffffffffffff, 0x20
  R1 443, cpopw, 0x8000000000000000, 0x0
  R1 444, cpopw, 0x7fffffffffffffff, 0x20
  R1 445, cpopw, 0x80000000, 0x1
  R1 446, cpopw, 0xffffffff, 0x20
  R1 447, cpopw, 0x123456789abcdef0, 0x13
  R1 448, cpopw, 0xfedcba9876543210, 0xc
  R1 449, cpopw, 0xff00f0000f0101, 0x6
  R1 450, cpopw, 0x100000000, 0x0
  R1 451, cpopw, 0x3f, 0x6
  R1 452, cpopw, 0x40, 0x1
  R1 453, cpopw, 0x1f, 0x5
  R1 454, cpopw, 0x20, 0x1
  R1 455, sext.b, 0x0, 0x0
  R1 456, sext.b, 0x1, 0x1
  R1 457, sext.b, 0xffffffffffffffff, 0xffffffffffffffff
  R1 458, sext.b, 0x8000000000000000, 0x0
  R1 459, sext.b, 0x7fffffffffffffff, 0xffffffffffffffff
  R1 460, sext.b, 0x80000000, 0x0
  R1 461, sext.b, 0xffffffff, 0xffffffffffffffff
  R1 462, sext.b, 0x123456789abcdef0, 0xfffffffffffffff0
  R1 463, sext.b, 0xfedcba9876543210, 0x10
  R1 464, sext.b, 0xff00f0000f0101, 0x1
  R1 465, sext.b, 0x100000000, 0x0
  R1 466, sext.b, 0x3f, 0x3f
  R1 467, sext.b, 0x40, 0x40
  R1 468, sext.b, 0x1f, 0x1f
  R1 469, sext.b, 0x20, 0x20
  R1 470, sext.h, 0x0, 0x0
  R1 471, sext.h, 0x1, 0x1
  R1 472, sext.h, 0xffffffffffffffff, 0xffffffffffffffff
  R1 473, sext.h, 0x8000000000000000, 0x0
  R1 474, sext.h, 0x7fffffffffffffff, 0xffffffffffffffff
  R1 475, sext.h, 0x80000000, 0x0
  R1 476, sext.h, 0xffffffff, 0xffffffffffffffff
  R1 477, sext.h, 0x123456789abcdef0, 0xffffffffffffdef0
  R1 478, sext.h, 0xfedcba9876543210, 0x3210
  R1 479, sext.h, 0xff00f0000f0101, 0x101
  R1 480, sext.h, 0x100000000, 0x0
  R1 481, sext.h, 0x3f, 0x3f
  R1 482, sext.h, 0x40, 0x40
  R1 483, sext.h, 0x1f, 0x1f
  R1 484, sext.h, 0x20, 0x20
  R1 485, zext.h, 0x0, 0x0
  R1 486, zext.h, 0x1, 0x1
  R1 487, zext.h, 0xffffffffffffffff, 0xffff
  R1 488, zext.h, 0x8000000000000000, 0x0
  R1 489, zext.h, 0x7fffffffffffffff, 0xffff
  R1 490, zext.h, 0x80000000, 0x0
  R1 491, zext.h, 0xffffffff, 0xffff
  R1 492, zext.h, 0x123456789abcdef0, 0xdef0
  R1 493, zext.h, 0xfedcba9876543210, 0x3210
  R1 494, zext.h, 0xff00f0000f0101, 0x101
  R1 495, zext.h, 0x100000000, 0x0
  R1 496, zext.h, 0x3f, 0x3f
  R1 497, zext.h, 0x40, 0x40
  R1 498, zext.h, 0x1f, 0x1f
  R1 499, zext.h, 0x20, 0x20
  R1 500, orc.b, 0x0, 0x0
  R1 501, orc.b, 0x1, 0xff
  R1 502, orc.b, 0xffffffffffffffff, 0xffffffffffffffff
  R1 503, orc.b, 0x8000000000000000, 0xff00000000000000
  R1 504, orc.b, 0x7fffffffffffffff, 0xffffffffffffffff
  R1 505, orc.b, 0x80000000, 0xff000000
  R1 506, orc.b, 0xffffffff, 0xffffffff
  R1 507, orc.b, 0x123456789abcdef0, 0xffffffffffffffff
  R1 508, orc.b, 0xfedcba9876543210, 0xffffffffffffffff
  R1 509, orc.b, 0xff00f0000f0101, 0xff00ff00ffffff
  R1 510, orc.b, 0x100000000, 0xff00000000
  R1 511, orc.b, 0x3f, 0xff
  R1 512, orc.b, 0x40, 0xff
  R1 513, orc.b, 0x1f, 0xff
  R1 514, orc.b, 0x20, 0xff
  R1 515, rev8, 0x0, 0x0
  R1 516, rev8, 0x1, 0x100000000000000
  R1 517, rev8, 0xffffffffffffffff, 0xffffffffffffffff
  R1 518, rev8, 0x8000000000000000, 0x80
  R1 519, rev8, 0x7fffffffffffffff, 0xffffffffffffff7f
  R1 520, rev8, 0x80000000, 0x8000000000
  R1 521, rev8, 0xffffffff, 0xffffffff00000000
  R1 522, rev8, 0x123456789abcdef0, 0xf0debc9a78563412
  R1 523, rev8, 0xfedcba9876543210, 0x1032547698badcfe
  R1 524, rev8, 0xff00f0000f0101, 0x1010f00f000ff00
  R1 525, rev8, 0x100000000, 0x1000000
  R1 526, rev8, 0x3f, 0x3f00000000000000
  R1 527, rev8, 0x40, 0x4000000000000000
  R1 528, rev8, 0x1f, 0x1f00000000000000
  R1 529, rev8, 0x20, 0x2000000000000000
  R1 530, brev8, 0x0, 0x0
  R1 531, brev8, 0x1, 0x80
  R1 532, brev8, 0xffffffffffffffff, 0xffffffffffffffff
  R1 533, brev8, 0x8000000000000000, 0x100000000000000
  R1 534, brev8, 0x7fffffffffffffff, 0xfeffffffffffffff
  R1 535, brev8, 0x80000000, 0x1000000
  R1 536, brev8, 0xffffffff, 0xffffffff
  R1 537, brev8, 0x123456789abcdef0, 0x482c6a1e593d7b0f
  R1 538, brev8, 0xfedcba9876543210, 0x7f3b5d196e2a4c08
  R1 539, brev8, 0xff00f0000f0101, 0xff000f00f08080
  R1 540, brev8, 0x100000000, 0x8000000000
  R1 541, brev8, 0x3f, 0xfc
  R1 542, brev8, 0x40, 0x2
  R1 543, brev8, 0x1f, 0xf8
  R1 544, brev8, 0x20, 0x4
  RI 545, slli.uw, 0x0, 0, 0x0
  RI 546, slli.uw, 0x0, 1, 0x0
  RI 547, slli.uw, 0x0, 31, 0x0
  RI 548, slli.uw, 0x0, 32, 0x0
  RI 549, slli.uw, 0x0, 45, 0x0
  RI 550, slli.uw, 0x0, 63, 0x0
  RI 551, slli.uw, 0xffffffffffffffff, 0, 0xffffffff
  RI 552, slli.uw, 0xffffffffffffffff, 1, 0x1fffffffe
  RI 553, slli.uw, 0xffffffffffffffff, 31, 0x7fffffff80000000
  RI 554, slli.uw, 0xffffffffffffffff, 32, 0xffffffff00000000
  RI 555, slli.uw, 0xffffffffffffffff, 45, 0xffffe00000000000
  RI 556, slli.uw, 0xffffffffffffffff, 63, 0x8000000000000000
  RI 557, slli.uw, 0x8000000000000000, 0, 0x0
  RI 558, slli.uw, 0x8000000000000000, 1, 0x0
  RI 559, slli.uw, 0x8000000000000000, 31, 0x0
  RI 560, slli.uw, 0x8000000000000000, 32, 0x0
  RI 561, slli.uw, 0x8000000000000000, 45, 0x0
  RI 562, slli.uw, 0x8000000000000000, 63, 0x0
  RI 563, slli.uw, 0x123456789abcdef0, 0, 0x9abcdef0
  RI 564, slli.uw, 0x123456789abcdef0, 1, 0x13579bde0
  RI 565, slli.uw, 0x123456789abcdef0, 31, 0x4d5e6f7800000000
  RI 566, slli.uw, 0x123456789abcdef0, 32, 0x9abcdef000000000
  RI 567, slli.uw, 0x123456789abcdef0, 45, 0x9bde000000000000
  RI 568, slli.uw, 0x123456789abcdef0, 63, 0x0
  RI 569, slli.uw, 0xfedcba9876543210, 0, 0x76543210
  RI 570, slli.uw, 0xfedcba9876543210, 1, 0xeca86420
  RI 571, slli.uw, 0xfedcba9876543210, 31, 0x3b2a190800000000
  RI 572, slli.uw, 0xfedcba9876543210, 32, 0x7654321000000000
  RI 573, slli.uw, 0xfedcba9876543210, 45, 0x8642000000000000
  RI 574, slli.uw, 0xfedcba9876543210, 63, 0x0
  RI 575, rori, 0x0, 0, 0x0
  RI 576, rori, 0x0, 1, 0x0
  RI 577, rori, 0x0, 31, 0x0
  RI 578, rori, 0x0, 32, 0x0
  RI 579, rori, 0x0, 45, 0x0
  RI 580, rori, 0x0, 63, 0x0
  RI 581, rori, 0xffffffffffffffff, 0, 0xffffffffffffffff
  RI 582, rori, 0xffffffffffffffff, 1, 0xffffffffffffffff
  RI 583, rori, 0xffffffffffffffff, 31, 0xffffffffffffffff
  RI 584, rori, 0xffffffffffffffff, 32, 0xffffffffffffffff
  RI 585, rori, 0xffffffffffffffff, 45, 0xffffffffffffffff
  RI 586, rori, 0xffffffffffffffff, 63, 0xffffffffffffffff
  RI 587, rori, 0x8000000000000000, 0, 0x8000000000000000
  RI 588, rori, 0x8000000000000000, 1, 0x4000000000000000
  RI 589, rori, 0x8000000000000000, 31, 0x100000000
  RI 590, rori, 0x8000000000000000, 32, 0x80000000
  RI 591, rori, 0x8000000000000000, 45, 0x40000
  RI 592, rori, 0x8000000000000000, 63, 0x1
  RI 593, rori, 0x123456789abcdef0, 0, 0x123456789abcdef0
  RI 594, rori, 0x123456789abcdef0, 1, 0x91a2b3c4d5e6f78
  RI 595, rori, 0x123456789abcdef0, 31, 0x3579bde02468acf1
  RI 596, rori, 0x123456789abcdef0, 32, 0x9abcdef012345678
  RI 597, rori, 0x123456789abcdef0, 45, 0xb3c4d5e6f78091a2
  RI 598, rori, 0x123456789abcdef0, 63, 0x2468acf13579bde0
  RI 599, rori, 0xfedcba9876543210, 0, 0xfedcba9876543210
  RI 600, rori, 0xfedcba9876543210, 1, 0x7f6e5d4c3b2a1908
  RI 601, rori, 0xfedcba9876543210, 31, 0xeca86421fdb97530
  RI 602, rori, 0xfedcba9876543210, 32, 0x76543210fedcba98
  RI 603, rori, 0xfedcba9876543210, 45, 0xd4c3b2a19087f6e5
  RI 604, rori, 0xfedcba9876543210, 63, 0xfdb97530eca86421
  RI 605, roriw, 0x0, 0, 0x0
  RI 606, roriw, 0x0, 1, 0x0
  RI 607, roriw, 0x0, 17, 0x0
  RI 608, roriw, 0x0, 31, 0x0
  RI 609, roriw, 0xffffffffffffffff, 0, 0xffffffffffffffff
  RI 610, roriw, 0xffffffffffffffff, 1, 0xffffffffffffffff
  RI 611, roriw, 0xffffffffffffffff, 17, 0xffffffffffffffff
  RI 612, roriw, 0xffffffffffffffff, 31, 0xffffffffffffffff
  RI 613, roriw, 0x8000000000000000, 0, 0x0
  RI 614, roriw, 0x8000000000000000, 1, 0x0
  RI 615, roriw, 0x8000000000000000, 17, 0x0
  RI 616, roriw, 0x8000000000000000, 31, 0x0
  RI 617, roriw, 0x123456789abcdef0, 0, 0xffffffff9abcdef0
  RI 618, roriw, 0x123456789abcdef0, 1, 0x4d5e6f78
  RI 619, roriw, 0x123456789abcdef0, 17, 0x6f784d5e
  RI 620, roriw, 0x123456789abcdef0, 31, 0x3579bde1
  RI 621, roriw, 0xfedcba9876543210, 0, 0x76543210
  RI 622, roriw, 0xfedcba9876543210, 1, 0x3b2a1908
  RI 623, roriw, 0xfedcba9876543210, 17, 0x19083b2a
  RI 624, roriw, 0xfedcba9876543210, 31, 0xffffffffeca86420
  RI 625, bclri, 0x0, 0, 0x0
  RI 626, bclri, 0x0, 1, 0x0
  RI 627, bclri, 0x0, 31, 0x0
  RI 628, bclri, 0x0, 32, 0x0
  RI 629, bclri, 0x0, 45, 0x0
  RI 630, bclri, 0x0, 63, 0x0
  RI 631, bclri, 0xffffffffffffffff, 0, 0xfffffffffffffffe
  RI 632, bclri, 0xffffffffffffffff, 1, 0xfffffffffffffffd
  RI 633, bclri, 0xffffffffffffffff, 31, 0xffffffff7fffffff
  RI 634, bclri, 0xffffffffffffffff, 32, 0xfffffffeffffffff
  RI 635, bclri, 0xffffffffffffffff, 45, 0xffffdfffffffffff
  RI 636, bclri, 0xffffffffffffffff, 63, 0x7fffffffffffffff
  RI 637, bclri, 0x8000000000000000, 0, 0x8000000000000000
  RI 638, bclri, 0x8000000000000000, 1, 0x8000000000000000
  RI 639, bclri, 0x8000000000000000, 31, 0x8000000000000000
  RI 640, bclri, 0x8000000000000000, 32, 0x8000000000000000
  RI 641, bclri, 0x8000000000000000, 45, 0x8000000000000000
  RI 642, bclri, 0x8000000000000000, 63, 0x0
  RI 643, bclri, 0x123456789abcdef0, 0, 0x123456789abcdef0
  RI 644, bclri, 0x123456789abcdef0, 1, 0x123456789abcdef0
  RI 645, bclri, 0x123456789abcdef0, 31, 0x123456781abcdef0
  RI 646, bclri, 0x123456789abcdef0, 32, 0x123456789abcdef0
  RI 647, bclri, 0x123456789abcdef0, 45, 0x123456789abcdef0
  RI 648, bclri, 0x123456789abcdef0, 63, 0x123456789abcdef0
  RI 649, bclri, 0xfedcba9876543210, 0, 0xfedcba9876543210
  RI 650, bclri, 0xfedcba9876543210, 1, 0xfedcba9876543210
  RI 651, bclri, 0xfedcba9876543210, 31, 0xfedcba9876543210
  RI 652, bclri, 0xfedcba9876543210, 32, 0xfedcba9876543210
  RI 653, bclri, 0xfedcba9876543210, 45, 0xfedc9a9876543210
  RI 654, bclri, 0xfedcba9876543210, 63, 0x7edcba9876543210
  RI 655, bexti, 0x0, 0, 0x0
  RI 656, bexti, 0x0, 1, 0x0
  RI 657, bexti, 0x0, 31, 0x0
  RI 658, bexti, 0x0, 32, 0x0
  RI 659, bexti, 0x0, 45, 0x0
  RI 660, bexti, 0x0, 63, 0x0
  RI 661, bexti, 0xffffffffffffffff, 0, 0x1
  RI 662, bexti, 0xffffffffffffffff, 1, 0x1
  RI 663, bexti, 0xffffffffffffffff, 31, 0x1
  RI 664, bexti, 0xffffffffffffffff, 32, 0x1
  RI 665, bexti, 0xffffffffffffffff, 45, 0x1
  RI 666, bexti, 0xffffffffffffffff, 63, 0x1
  RI 667, bexti, 0x8000000000000000, 0, 0x0
  RI 668, bexti, 0x8000000000000000, 1, 0x0
  RI 669, bexti, 0x8000000000000000, 31, 0x0
  RI 670, bexti, 0x8000000000000000, 32, 0x0
  RI 671, bexti, 0x8000000000000000, 45, 0x0
  RI 672, bexti, 0x8000000000000000, 63, 0x1
  RI 673, bexti, 0x123456789abcdef0, 0, 0x0
  RI 674, bexti, 0x123456789abcdef0, 1, 0x0
  RI 675, bexti, 0x123456789abcdef0, 31, 0x1
  RI 676, bexti, 0x123456789abcdef0, 32, 0x0
  RI 677, bexti, 0x123456789abcdef0, 45, 0x0
  RI 678, bexti, 0x123456789abcdef0, 63, 0x0
  RI 679, bexti, 0xfedcba9876543210, 0, 0x0
  RI 680, bexti, 0xfedcba9876543210, 1, 0x0
  RI 681, bexti, 0xfedcba9876543210, 31, 0x0
  RI 682, bexti, 0xfedcba9876543210, 32, 0x0
  RI 683, bexti, 0xfedcba9876543210, 45, 0x1
  RI 684, bexti, 0xfedcba9876543210, 63, 0x1
  RI 685, binvi, 0x0, 0, 0x1
  RI 686, binvi, 0x0, 1, 0x2
  RI 687, binvi, 0x0, 31, 0x80000000
  RI 688, binvi, 0x0, 32, 0x100000000
  RI 689, binvi, 0x0, 45, 0x200000000000
  RI 690, binvi, 0x0, 63, 0x8000000000000000
  RI 691, binvi, 0xffffffffffffffff, 0, 0xfffffffffffffffe
  RI 692, binvi, 0xffffffffffffffff, 1, 0xfffffffffffffffd
  RI 693, binvi, 0xffffffffffffffff, 31, 0xffffffff7fffffff
  RI 694, binvi, 0xffffffffffffffff, 32, 0xfffffffeffffffff
  RI 695, binvi, 0xffffffffffffffff, 45, 0xffffdfffffffffff
  RI 696, binvi, 0xffffffffffffffff, 63, 0x7fffffffffffffff
  RI 697, binvi, 0x8000000000000000, 0, 0x8000000000000001
  RI 698, binvi, 0x8000000000000000, 1, 0x8000000000000002
  RI 699, binvi, 0x8000000000000000, 31, 0x8000000080000000
  RI 700, binvi, 0x8000000000000000, 32, 0x8000000100000000
  RI 701, binvi, 0x8000000000000000, 45, 0x8000200000000000
  RI 702, binvi, 0x8000000000000000, 63, 0x0
  RI 703, binvi, 0x123456789abcdef0, 0, 0x123456789abcdef1
  RI 704, binvi, 0x123456789abcdef0, 1, 0x123456789abcdef2
  RI 705, binvi, 0x123456789abcdef0, 31, 0x123456781abcdef0
  RI 706, binvi, 0x123456789abcdef0, 32, 0x123456799abcdef0
  RI 707, binvi, 0x123456789abcdef0, 45, 0x123476789abcdef0
  RI 708, binvi, 0x123456789abcdef0, 63, 0x923456789abcdef0
  RI 709, binvi, 0xfedcba9876543210, 0, 0xfedcba9876543211
  RI 710, binvi, 0xfedcba9876543210, 1, 0xfedcba9876543212
  RI 711, binvi, 0xfedcba9876543210, 31, 0xfedcba98f6543210
  RI 712, binvi, 0xfedcba9876543210, 32, 0xfedcba9976543210
  RI 713, binvi, 0xfedcba9876543210, 45, 0xfedc9a9876543210
  RI 714, binvi, 0xfedcba9876543210, 63, 0x7edcba9876543210
  RI 715, bseti, 0x0, 0, 0x1
  RI 716, bseti, 0x0, 1, 0x2
  RI 717, bseti, 0x0, 31, 0x80000000
  RI 718, bseti, 0x0, 32, 0x100000000
  RI 719, bseti, 0x0, 45, 0x200000000000
  RI 720, bseti, 0x0, 63, 0x8000000000000000
  RI 721, bseti, 0xffffffffffffffff, 0, 0xffffffffffffffff
  RI 722, bseti, 0xffffffffffffffff, 1, 0xffffffffffffffff
  RI 723, bseti, 0xffffffffffffffff, 31, 0xffffffffffffffff
  RI 724, bseti, 0xffffffffffffffff, 32, 0xffffffffffffffff
  RI 725, bseti, 0xffffffffffffffff, 45, 0xffffffffffffffff
  RI 726, bseti, 0xffffffffffffffff, 63, 0xffffffffffffffff
  RI 727, bseti, 0x8000000000000000, 0, 0x8000000000000001
  RI 728, bseti, 0x8000000000000000, 1, 0x8000000000000002
  RI 729, bseti, 0x8000000000000000, 31, 0x8000000080000000
  RI 730, bseti, 0x8000000000000000, 32, 0x8000000100000000
  RI 731, bseti, 0x8000000000000000, 45, 0x8000200000000000
  RI 732, bseti, 0x8000000000000000, 63, 0x8000000000000000
  RI 733, bseti, 0x123456789abcdef0, 0, 0x123456789abcdef1
  RI 734, bseti, 0x123456789abcdef0, 1, 0x123456789abcdef2
  RI 735, bseti, 0x123456789abcdef0, 31, 0x123456789abcdef0
  RI 736, bseti, 0x123456789abcdef0, 32, 0x123456799abcdef0
  RI 737, bseti, 0x123456789abcdef0, 45, 0x123476789abcdef0
  RI 738, bseti, 0x123456789abcdef0, 63, 0x923456789abcdef0
  RI 739, bseti, 0xfedcba9876543210, 0, 0xfedcba9876543211
  RI 740, bseti, 0xfedcba9876543210, 1, 0xfedcba9876543212
  RI 741, bseti, 0xfedcba9876543210, 31, 0xfedcba98f6543210
  RI 742, bseti, 0xfedcba9876543210, 32, 0xfedcba9976543210
  RI 743, bseti, 0xfedcba9876543210, 45, 0xfedcba9876543210
  RI 744, bseti, 0xfedcba9876543210, 63, 0xfedcba9876543210
  /* ---- a result written to x0 is dropped */
  TEST 745
  li t0, -1
  li t1, 5
  sh3add x0, t0, t1
  CHECK_EQ x0, 0
TEST_END

#!/usr/bin/env bash
# Builds every bare-metal guest from source:
#   guests/tests/*.S, *.c  ->  guests/tests/bin/<name>.elf   (HTIF variant, committed)
#   guests/demo/           ->  guests/demo/demo.elf          (committed)
# With --qemu it builds the test programs for QEMU `virt` instead (UART output, SiFive test
# finisher; guests/tests/build/qemu/<name>.elf, not committed) - see tests/run-qemu.sh.
#
# Output is deterministic: no debug info, no build ids, no .comment, relative file names,
# fixed order, so a rebuild gives the same bytes and CI can check sources and binaries agree.
# The Debian cross toolchain is installed with apt-get only when the compiler is missing.
set -euo pipefail
export LC_ALL=C
export SOURCE_DATE_EPOCH=0

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

VARIANT=htif
if [[ "${1:-}" == "--qemu" ]]; then VARIANT=qemu; fi

CROSS=riscv64-unknown-elf-
CC=${CROSS}gcc

PICOLIBC_SPECS=/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs
if ! command -v "$CC" >/dev/null 2>&1 || [[ ! -f $PICOLIBC_SPECS ]]; then
  echo "build.sh: $CC or picolibc not found, installing the Debian RISC-V toolchain" >&2
  SUDO=""
  if [[ "$(id -u)" != 0 ]]; then SUDO=sudo; fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
fi

ARCH=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany)
COMMON=("${ARCH[@]}" -static -nostdlib -nostartfiles -ffreestanding -fno-pic
  -ffile-prefix-map="$HERE"=. -g0 -Wall -Werror)
# Linking: GCC 12 picks the multilib (picolibc, libgcc built for rv64imac/lp64) only from
# the plain -march string, so link with that; the objects keep their full ISA string.
LINK=(-march=rv64imac -mabi=lp64 -mcmodel=medany -static -nostdlib -nostartfiles)
LDFLAGS=(-T ../link.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments)
CFLAGS_C=(-Os -fno-common -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-stack-protector)

# -------------------------------------------------------------------------------------------
# Test programs
cd "$HERE/tests"
if [[ $VARIANT == qemu ]]; then
  OUT=build/qemu; OBJ=build/qemu/obj; DEFS=(-DQEMU)
else
  OUT=bin; OBJ=build/htif; DEFS=()
fi
mkdir -p "$OUT" "$OBJ"
rm -f "$OUT"/*.elf               # no binary outlives its source

"$CC" "${COMMON[@]}" "${DEFS[@]}" -I. -c harness.S -o "$OBJ/harness.o"

built=()
for src in $(ls *.S *.c 2>/dev/null | sort); do
  name="${src%.*}"
  [[ $name == harness ]] && continue
  case "$src" in
    *.S)
      "$CC" "${COMMON[@]}" "${DEFS[@]}" -I. -c "$src" -o "$OBJ/$name.o"
      "$CC" "${LINK[@]}" "${LDFLAGS[@]}" "$OBJ/harness.o" "$OBJ/$name.o" -o "$OUT/$name.elf"
      ;;
    *.c)
      # C tests: picolibc headers and libc, libgcc; the harness provides _start.
      "$CC" "${COMMON[@]}" "${CFLAGS_C[@]}" "${DEFS[@]}" --specs=picolibc.specs -I. -c "$src" -o "$OBJ/$name.o"
      "$CC" "${LINK[@]}" "${LDFLAGS[@]}" --specs=picolibc.specs "$OBJ/harness.o" "$OBJ/$name.o" \
        -Wl,--start-group -lc -lgcc -Wl,--end-group -o "$OUT/$name.elf"
      ;;
  esac
  built+=("$name")
done
echo "build.sh: ${#built[@]} test programs -> guests/tests/$OUT (${built[*]})"

# -------------------------------------------------------------------------------------------
# Demo guest (HTIF only: it is what `npm start` boots)
if [[ $VARIANT == htif ]]; then
  cd "$HERE/demo"
  mkdir -p ../tests/build/demo
  "$CC" "${COMMON[@]}" -c crt0.S -o ../tests/build/demo/crt0.o
  "$CC" "${COMMON[@]}" "${CFLAGS_C[@]}" -c demo.c -o ../tests/build/demo/demo.o
  "$CC" "${LINK[@]}" "${LDFLAGS[@]}" ../tests/build/demo/crt0.o ../tests/build/demo/demo.o \
    -lgcc -o demo.elf
  echo "build.sh: demo guest -> guests/demo/demo.elf ($(stat -c %s demo.elf) bytes)"
fi

# -------------------------------------------------------------------------------------------
# CPU benchmarks (npm run bench): guests/bench/bin/*.elf
if [[ $VARIANT == htif ]]; then
  bash "$HERE/bench/build.sh"
fi

# -------------------------------------------------------------------------------------------
# FP reference programs: fpref.elf (qemu-riscv64 user mode) and fpbare.elf (bare-metal, for
# wasmvisor), one operation table for both.
if [[ $VARIANT == htif ]]; then
  bash "$HERE/fpref/build.sh"
fi

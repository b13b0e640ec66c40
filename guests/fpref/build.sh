#!/usr/bin/env bash
# Builds guests/fpref/fpref.elf, the QEMU reference program for the FP module's differential
# tests (run by scripts/fp-diff.ts and test/fp/softfloat.test.ts under qemu-riscv64).
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-riscv64-unknown-elf-gcc}
if ! command -v "$CC" >/dev/null; then
  echo "fpref: $CC missing (apt-get install -y gcc-riscv64-unknown-elf)" >&2
  exit 1
fi
# Assemble and link in two steps so no temporary file name ends up in the symbol table
# (the committed ELF must rebuild byte for byte).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# fpref.elf runs under qemu-riscv64 (user mode); fpbare.elf is the same table as a bare-metal
# guest at 0x80000000 for wasmvisor's hart.
for prog in fpref fpbare; do
  "$CC" -march=rv64gc_zfh -mabi=lp64d -c -o "$tmp/$prog.o" "$prog.S"
  ttext=()
  [ "$prog" = fpbare ] && ttext=(-Wl,-N -Wl,-Ttext=0x80000000 -Wl,--no-warn-rwx-segments)
  "$CC" -march=rv64gc_zfh -mabi=lp64d -nostdlib -nostartfiles -static -Wl,--build-id=none \
    -Wl,-z,noexecstack "${ttext[@]}" -o "$prog.elf" "$tmp/$prog.o"
  echo "fpref: built guests/fpref/$prog.elf"
done

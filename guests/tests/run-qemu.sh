#!/usr/bin/env bash
# Runs the guest test programs on QEMU `virt` (the reference, 7.2) to check that the tests
# themselves are right. Builds the QEMU variant (guests/build.sh --qemu: UART output, SiFive
# test finisher at 0x100000) and runs each program; a program passes when it prints PASS.
#   guests/tests/run-qemu.sh              all programs
#   guests/tests/run-qemu.sh rv64i paging_sv39   selected programs
# The CPU is limited to what wasmvisor implements (RV64IMAFDC + S + U, Sv39/Sv48, no Sstc).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/../build.sh" --qemu >/dev/null || exit 2
QEMU=${QEMU:-qemu-system-riscv64}
CPU="rv64,h=off,v=off,sstc=off,svpbmt=off,svinval=off,svnapot=off,zba=off,zbb=off,zbc=off,zbs=off"

if [[ $# -gt 0 ]]; then
  names=("$@")
else
  names=()
  for f in "$HERE"/build/qemu/*.elf; do n=$(basename "$f"); names+=("${n%.elf}"); done
fi

fails=0
for name in "${names[@]}"; do
  elf="$HERE/build/qemu/$name.elf"
  if [[ ! -f $elf ]]; then echo "no such program: $name"; fails=$((fails + 1)); continue; fi
  out=$(timeout 60 "$QEMU" -M virt -m 128M -smp 1 -cpu "$CPU" -bios none -kernel "$elf" \
    -nographic -monitor none 2>&1)
  rc=$?
  if grep -q '^PASS' <<<"$out"; then
    printf '%-24s PASS\n' "$name"
  else
    printf '%-24s FAIL (qemu status %d) %s\n' "$name" "$rc" "$(tr -d '\r' <<<"$out" | tr '\n' ' ')"
    fails=$((fails + 1))
  fi
done
exit $((fails > 0))

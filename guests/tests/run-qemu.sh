#!/usr/bin/env bash
# Runs the guest test programs on QEMU `virt` (the reference, 7.2) to check that the tests
# themselves are right. Builds the QEMU variant (guests/build.sh --qemu: UART output, SiFive
# test finisher at 0x100000) and runs each program; a program passes when it prints PASS.
#   guests/tests/run-qemu.sh              all programs
#   guests/tests/run-qemu.sh rv64i paging_sv39   selected programs
# The CPU is limited to what wasmvisor implements (RV64IMAFDC + S + U, Sv39/Sv48, no Sstc, the
# bit-manipulation extensions Zba, Zbb, Zbc, Zbs and Zbkb, Zfh, Svinval, Svnapot, and Svpbmt,
# Zicond, Zicbom and Zicboz where QEMU has them).
# rv64b and rv64zicond need QEMU 8.2 or later: 7.2 (Debian 12's) has no Zicond and counts ctzw's
# zeros over all 64 bits (the spec: over the low word). With an older QEMU they are left out,
# saying so; bookworm-backports has QEMU 10 (QEMU=/path/to/qemu-system-riscv64 picks one).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/../build.sh" --qemu >/dev/null || exit 2
QEMU=${QEMU:-qemu-system-riscv64}
CPU="rv64,h=off,v=off,sstc=off,svinval=on,svnapot=on,zba=on,zbb=on,zbc=on,zbs=on,zbkb=on"
version=$("$QEMU" --version | sed -n 's/^QEMU emulator version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
read -r major minor <<<"$version"
# Zfh: QEMU 7.2 spells the property with a capital, 8 and later in lower case
if (( major >= 8 )); then CPU+=",zfh=on"; else CPU+=",Zfh=on"; fi
SKIP=""
# Svpbmt: QEMU 7.2 ignores menvcfg.PBMTE (PBMT bits act whatever it holds): svpbmt stays off
# there (its PBMT bits are then reserved, as the paging tests check with PBMTE = 0)
if (( major >= 8 )); then
  CPU+=",svpbmt=on"
else
  SKIP+=" svpbmt "
  echo "QEMU $major.$minor: svpbmt needs QEMU 8 or later (7.2 ignores menvcfg.PBMTE), left out"
fi
# Zicbom, Zicboz and Zawrs: QEMU 8 and later
if (( major >= 8 )); then
  CPU+=",zicbom=on,zicboz=on,zawrs=on"
else
  SKIP+=" cmo zawrs "
  echo "QEMU $major.$minor: cmo and zawrs need QEMU 8 or later (7.2 has no Zicbom, Zicboz, Zawrs), left out"
fi
if (( major > 8 || (major == 8 && minor >= 2) )); then
  CPU+=",zicond=on"
else
  SKIP+=" rv64b rv64zicond "
  echo "QEMU $major.$minor: rv64b and rv64zicond need QEMU 8.2 or later, left out"
fi

if [[ $# -gt 0 ]]; then
  names=("$@")
else
  names=()
  for f in "$HERE"/build/qemu/*.elf; do n=$(basename "$f"); n=${n%.elf}; [[ $SKIP == *" $n "* ]] || names+=("$n"); done
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
